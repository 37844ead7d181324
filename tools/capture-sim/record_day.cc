#include "tools/capture-sim/record_day.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

#include "coordinator/judge/export.h"
#include "coordinator/judge/judge.h"
#include "tools/capture-sim/agent_model.h"
#include "tools/capture-sim/random.h"

namespace capture::sim {

namespace {

std::string EpochHex(uint64_t epoch) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(epoch));
  return buf;
}

// One station's part of the record, in its own order.
struct StationItem {
  int64_t time = 0;
  int64_t commit_time = 0;  // where it falls among the other stations' items: its time, unless held
  bool is_event = true;
  wire::CaptureEvent event;          // is_event
  wire::Observation observation;     // !is_event: EPOCH_STARTED
};

constexpr int64_t kWakeAfterLastInput = 1'000'000;

// The events of a stretch during which the agent, on the computer's clock, was held up whole: at its
// return it reads the stretch's lines with no time of their own (the moment it woke, arrived after
// the last moment it ran), then takes in the images taken meanwhile.
std::vector<wire::CaptureEvent> HeldStretch(AgentModel& agent, const StationScript& script, const AgentHold& hold) {
  const agent::Stamp stamp{script.actions[hold.end - 1].station_time + kWakeAfterLastInput,
                           script.actions[hold.begin - 1].station_time};
  std::vector<wire::CaptureEvent> events;
  for (const bool images : {false, true}) {
    for (size_t i = hold.begin; i < hold.end; ++i) {
      const StationAction& action = script.actions[i];
      if (action.kind == StationAction::Kind::kTime || (action.kind == StationAction::Kind::kImage) != images) continue;
      if (auto event = agent.Apply(action, stamp)) events.push_back(std::move(*event));
    }
  }
  return events;
}

std::vector<StationItem> StationItems(const StationScript& script, const SiteKey& key, uint64_t seed) {
  const auto station = static_cast<uint32_t>(script.station);
  SeededRandom epochs(seed ^ (uint64_t{station} << 40) ^ 0xE90C4ull);
  AgentModel agent(station, epochs.Next(), key);
  std::vector<StationItem> items;
  size_t next_replacement = 0;
  bool replace_pending = false;
  size_t next_hold = 0;
  size_t held_until = 0;                   // actions before this index are held back
  int64_t continued_at = 0;                // ... until the agent continues at this time
  const AgentHold* held_stretch = nullptr;  // a real-time hold begins here
  for (size_t i = 0; i < script.actions.size(); ++i) {
    while (next_replacement < script.replaced_before.size() && script.replaced_before[next_replacement] == i) {
      replace_pending = true;
      ++next_replacement;
    }
    const StationAction& action = script.actions[i];
    if (replace_pending && action.kind != StationAction::Kind::kTime) {
      // The coordinator sees the new epoch with its first event.
      const uint64_t previous = agent.epoch();
      agent.Replace(epochs.Next());
      StationItem item;
      item.time = item.commit_time = action.station_time;
      item.is_event = false;
      item.observation.set_kind(wire::Observation::EPOCH_STARTED);
      item.observation.set_station(station);
      item.observation.set_epoch(agent.epoch());
      item.observation.set_detail("new journal epoch after epoch " + EpochHex(previous));
      items.push_back(std::move(item));
      replace_pending = false;
    }
    // In sim-time a held-up agent journals its backlog as if it had never stopped, but the
    // coordinator gets none of it before the agent continues, after the stretch's last input.
    if (next_hold < script.holds.size() && script.holds[next_hold].begin == i) {
      const AgentHold& hold = script.holds[next_hold++];
      held_until = hold.end;
      continued_at = script.actions[hold.end - 1].station_time;
      if (hold.real_time) held_stretch = &hold;
    }
    std::vector<wire::CaptureEvent> events;
    if (held_stretch != nullptr) {
      events = HeldStretch(agent, script, *held_stretch);
      i = held_stretch->end - 1;
      held_stretch = nullptr;
    } else if (auto event = agent.Apply(action)) {
      events.push_back(std::move(*event));
    }
    for (wire::CaptureEvent& event : events) {
      StationItem item;
      item.time = event.station_time_us();
      item.commit_time = i < held_until ? std::max(item.time, continued_at) : item.time;
      item.event = std::move(event);
      items.push_back(std::move(item));
    }
  }
  return items;
}

}  // namespace

std::vector<wire::RecordItem> RecordOfScenario(const Scenario& scenario, const SiteKey& key, uint64_t seed) {
  std::vector<std::vector<StationItem>> stations;
  std::map<uint32_t, uint64_t> epoch_now;  // per station, as the merge goes
  for (const StationScript& script : scenario.stations) {
    stations.push_back(StationItems(script, key, seed));
    for (const StationItem& item : stations.back()) {
      if (item.is_event) {
        epoch_now.emplace(item.event.station(), item.event.epoch());
        break;
      }
    }
  }
  std::vector<size_t> next(stations.size(), 0);
  size_t next_observation = 0;
  std::vector<wire::RecordItem> record;
  auto append = [&](int64_t time) -> wire::RecordItem& {
    wire::RecordItem& item = record.emplace_back();
    item.set_commit_index(record.size());
    item.set_received_time_us(time);
    return item;
  };
  for (;;) {
    std::optional<size_t> best;
    for (size_t i = 0; i < stations.size(); ++i) {
      if (next[i] >= stations[i].size()) continue;
      if (!best || stations[i][next[i]].commit_time < stations[*best][next[*best]].commit_time) best = i;
    }
    const bool observation_due =
        next_observation < scenario.observations.size() &&
        (!best || scenario.observations[next_observation].time <= stations[*best][next[*best]].commit_time);
    if (observation_due) {
      const TimedObservation& timed = scenario.observations[next_observation++];
      wire::Observation observation = timed.observation;
      observation.set_epoch(epoch_now[observation.station()]);
      *append(timed.time).mutable_observation() = std::move(observation);
      continue;
    }
    if (!best) break;
    StationItem& item = stations[*best][next[*best]++];
    if (item.is_event) {
      epoch_now[item.event.station()] = item.event.epoch();
      append(item.time).set_event(item.event.SerializeAsString());
    } else {
      *append(item.time).mutable_observation() = std::move(item.observation);
    }
  }
  wire::RecordItem& closed = append(record.empty() ? 0 : record.back().received_time_us());
  closed.mutable_observation()->set_kind(wire::Observation::DAY_CLOSED);
  closed.mutable_observation()->set_by(kDayClosedBy);
  return record;
}

JudgedDay JudgeRecord(const Schedule& schedule, const Roster& roster, const wire::JudgeConfig& config,
                      const std::vector<wire::RecordItem>& record) {
  judge::Judge judge(schedule, roster, config);
  for (const wire::RecordItem& item : record) judge.Apply(item);
  JudgedDay out;
  out.anomalies_jsonl = judge::AnomaliesJsonLines(judge);
  out.assignment_csv = judge::AssignmentCsv(judge);
  out.items = record.size();
  out.anomalies = judge.anomalies().size();
  for (const judge::AnomalyState& a : judge.anomalies()) out.open_anomalies += a.open();
  return out;
}

Result<InProcessDay> RunInProcessDay(const Schedule& schedule, const InProcessOptions& o) {
  InProcessDay day;
  ScenarioOptions so = o.scenario;
  auto roster = MakeScenarioRoster(schedule, so.seed, o.absent_share);
  if (!roster.ok()) return roster.status();
  day.roster = std::move(*roster);

  if (so.site_key.empty()) {
    SeededRandom key_bytes(so.seed ^ 0x517E0C0DEull);
    so.site_key.resize(32);
    for (char& c : so.site_key) c = static_cast<char>(key_bytes.Next() & 0xFF);
  }
  day.site_key = so.site_key;
  auto scenario = BuildScenario(schedule, day.roster, so);
  if (!scenario.ok()) return scenario.status();
  day.scenario = std::move(*scenario);

  day.config = judge::DefaultJudgeConfig(so.local_midnight, so.utc_offset_minutes);
  const Roster roster_csv = day.roster.ToRoster();
  day.judged = JudgeRecord(schedule, roster_csv, day.config, RecordOfScenario(day.scenario, so.site_key, so.seed));

  auto anomalies = ParseAnomaliesJsonl(day.judged.anomalies_jsonl, "the judge's anomalies");
  if (!anomalies.ok()) return anomalies.status();
  auto assignment = ParseAssignmentCsv(day.judged.assignment_csv, "the judge's assignment");
  if (!assignment.ok()) return assignment.status();
  day.score = ScoreDay(day.scenario.faults, day.scenario.photos, *anomalies, *assignment);
  return day;
}

}  // namespace capture::sim
