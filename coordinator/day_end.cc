#include "coordinator/day_end.h"

#include <algorithm>
#include <string>

#include "common/time_format.h"
#include "coordinator/judge/judge.h"

namespace capture::coord {

DayEnd::DayEnd(const Schedule& schedule, const wire::JudgeConfig& config) {
  const int64_t tolerance = judge::EffectiveJudgeConfig(config).late_tolerance_us();  // as the judge reads it
  for (const ScheduledClass& c : schedule.classes) {
    const int64_t end = config.local_midnight_us() + int64_t{c.end_minute} * 60'000'000 + tolerance;
    Station& s = stations_[static_cast<uint32_t>(c.station)];
    s.over_at_us = std::max(s.over_at_us, end);
  }
}

void DayEnd::See(int64_t now_us) {
  for (auto& [station, s] : stations_) {
    if (now_us < s.over_at_us) s.before_seen = true;
  }
}

void DayEnd::Restore(const wire::RecordItem& item) {
  See(item.received_time_us());
  if (!item.has_observation()) return;
  const wire::Observation& o = item.observation();
  if (o.kind() != wire::Observation::LAST_SLOT_OVER && o.kind() != wire::Observation::DAY_CLOSED) return;
  for (auto& [station, s] : stations_) {
    if (o.station() == 0 || o.station() == station) s.over = true;
  }
}

std::vector<wire::Observation> DayEnd::Tick(int64_t now_us) {
  See(now_us);
  std::vector<wire::Observation> out;
  for (auto& [station, s] : stations_) {
    if (s.over || !s.before_seen || now_us < s.over_at_us) continue;
    s.over = true;
    wire::Observation o;
    o.set_kind(wire::Observation::LAST_SLOT_OVER);
    o.set_station(station);
    o.set_detail("the coordinator's clock passed " + FormatIso8601UtcMicros(s.over_at_us) +
                 ", the end of the station's last slot plus the late tolerance");
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace capture::coord
