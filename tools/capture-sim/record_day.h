// The in-process day: a scenario turned into the record a coordinator would store, and judged by
// the pure judge. Runs a whole simulated day in well under a second; no files, sockets or clocks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "capture.pb.h"
#include "common/collection_code.h"
#include "common/schedule.h"
#include "tools/capture-sim/roster.h"
#include "tools/capture-sim/scenario.h"
#include "tools/capture-sim/score.h"

namespace capture::sim {

// The record a coordinator would store for `scenario`: each station's events exactly as its agent
// journals them (AgentModel), merged across stations in station-time order (ties by station, each
// station's own order kept), the scenario's coordinator observations at their times (before
// events of the same time), and an EPOCH_STARTED observation just before the first event of each
// replacing agent; last, the registrar closing the day at every station (kDayClosedBy). The events
// of a station's held-up stretch (AgentHold) reach the merge only when its agent continues, after
// the stretch's last input; in real time they are as that agent journals them (lines stamped at its
// return, then the images, all arrived after the moment it stopped). Commit indexes run from 1;
// received_time_us is the item's station time, as a --sim-time coordinator has it. Epochs are drawn
// from `seed`.
std::vector<wire::RecordItem> RecordOfScenario(const Scenario& scenario, const SiteKey& key, uint64_t seed);

struct JudgedDay {
  std::string anomalies_jsonl;  // judge::AnomaliesJsonLines
  std::string assignment_csv;   // judge::AssignmentCsv
  size_t items = 0;
  size_t anomalies = 0;
  size_t open_anomalies = 0;
};

// Feeds `record` to a fresh judge in commit order and exports what it decided.
JudgedDay JudgeRecord(const Schedule& schedule, const Roster& roster, const wire::JudgeConfig& config,
                      const std::vector<wire::RecordItem>& record);

// A whole day in process: roster, scenario (with the coordinator's observations), record, judge,
// exports and score against the scenario's own truth.
struct InProcessOptions {
  // The scenario to judge. Set scenario.coordinator_observations to also inject the coordinator's
  // own observations (silence, clock offsets, replaced agents), which only the in-process day can;
  // without them it is the scenario the main job plays through real agents. An empty
  // scenario.site_key means a key drawn from the seed; a real day's key (its work folder's
  // site.key) makes the exports byte-identical to that day's.
  ScenarioOptions scenario;
  double absent_share = kDefaultAbsentShare;
};

struct InProcessDay {
  SyntheticRoster roster;
  SiteKey site_key;
  Scenario scenario;
  wire::JudgeConfig config;
  JudgedDay judged;
  Score score;
};

Result<InProcessDay> RunInProcessDay(const Schedule& schedule, const InProcessOptions& options);

}  // namespace capture::sim
