#include "coordinator/station_watch.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace capture::coord {

namespace {

std::string SecondsText(std::chrono::steady_clock::duration d) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + " s";
}

}  // namespace

void StationWatch::Restore(const wire::RecordItem& item) {
  if (item.has_event()) {
    wire::CaptureEvent event;
    if (event.ParseFromString(item.event())) stations_[event.station()].epoch = event.epoch();
    return;
  }
  const wire::Observation& o = item.observation();
  switch (o.kind()) {
    case wire::Observation::CLOCK_OFFSET:
      stations_[o.station()].clock_off = std::llabs(o.offset_us()) > options_.clock_tolerance_us;
      break;
    case wire::Observation::STATION_SILENT: stations_[o.station()].silent = true; break;
    case wire::Observation::STATION_BACK: stations_[o.station()].silent = false; break;
    default: break;
  }
}

void StationWatch::StartWatching(SteadyTime now) {
  for (auto& [station, s] : stations_) {
    if (!s.silent) s.heard = now;
  }
}

int64_t StationWatch::CoordinatorClock(int64_t system_now_us) const {
  if (!options_.sim_time) return system_now_us;
  std::vector<int64_t> times;
  for (const auto& [station, s] : stations_) {
    if (!s.silent && s.latest_time_us != 0) times.push_back(s.latest_time_us);
  }
  // Never empty: the station whose heartbeat is being judged has a time and is not silent.
  std::sort(times.begin(), times.end());
  return times[(times.size() - 1) / 2];
}

wire::Observation StationWatch::Make(wire::Observation::Kind kind, uint32_t station, const Station& s) const {
  wire::Observation o;
  o.set_kind(kind);
  o.set_station(station);
  o.set_epoch(s.epoch);
  return o;
}

std::vector<wire::Observation> StationWatch::Heartbeat(const wire::Heartbeat& heartbeat, int64_t system_now_us,
                                                       SteadyTime now) {
  std::vector<wire::Observation> out;
  Station& s = stations_[heartbeat.station()];
  s.epoch = heartbeat.epoch();
  if (s.silent) {
    wire::Observation back = Make(wire::Observation::STATION_BACK, heartbeat.station(), s);
    back.set_detail("a heartbeat after " + SecondsText(now - s.heard.value_or(now)) + " without one");
    out.push_back(std::move(back));
    s.silent = false;
  }
  s.heard = now;
  if (heartbeat.station_time_us() == 0) return out;  // a station without a clock tells nothing of one
  s.latest_time_us = heartbeat.station_time_us();

  const int64_t offset = heartbeat.station_time_us() - CoordinatorClock(system_now_us);
  const bool off = std::llabs(offset) > options_.clock_tolerance_us;
  if (off == s.clock_off.value_or(false)) {
    s.pending_off.reset();
    return out;
  }
  if (s.pending_off != off) {
    s.pending_off = off;
    s.pending_since = now;
  }
  if (now - s.pending_since < options_.confirm) return out;
  wire::Observation clock = Make(wire::Observation::CLOCK_OFFSET, heartbeat.station(), s);
  clock.set_offset_us(offset);
  clock.set_detail(std::string(off ? "beyond" : "within") + " the tolerance, against " +
                   (options_.sim_time ? "the median of the stations' heartbeat times" : "the coordinator's clock"));
  out.push_back(std::move(clock));
  s.clock_off = off;
  s.pending_off.reset();
  return out;
}

std::vector<wire::Observation> StationWatch::Tick(SteadyTime now) {
  std::vector<wire::Observation> out;
  for (auto& [station, s] : stations_) {
    if (s.silent || !s.heard || now - *s.heard < options_.silent_after) continue;
    wire::Observation silent = Make(wire::Observation::STATION_SILENT, station, s);
    silent.set_detail("no heartbeat for " + SecondsText(now - *s.heard));
    out.push_back(std::move(silent));
    s.silent = true;
  }
  return out;
}

}  // namespace capture::coord
