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
    if (!event.ParseFromString(item.event())) return;
    stations_[event.station()].epoch = event.epoch();
    stations_[event.station()].stopped = false;
    // What the live watch knew of the clocks; what it recorded of them follows in the record.
    Event(event.station(), event.epoch(), event.station_time_us(), /*live=*/true);
    return;
  }
  const wire::Observation& o = item.observation();
  switch (o.kind()) {
    case wire::Observation::CLOCK_OFFSET:
      stations_[o.station()].clock_off = std::llabs(o.offset_us()) > options_.clock_tolerance_us;
      break;
    case wire::Observation::STATION_SILENT: stations_[o.station()].silent = true; break;
    case wire::Observation::STATION_BACK: stations_[o.station()].silent = false; break;
    case wire::Observation::STATION_STOPPED: stations_[o.station()].stopped = true; break;
    default: break;
  }
}

void StationWatch::StartWatching(SteadyTime now) {
  for (auto& [station, s] : stations_) {
    if (!s.silent && !s.stopped) s.heard = now;
  }
}

std::optional<wire::Observation> StationWatch::Crossing(uint32_t station, Station& s, int64_t offset, bool confirmed,
                                                       const std::string& against) {
  const bool off = std::llabs(offset) > options_.clock_tolerance_us;
  if (!confirmed) return std::nullopt;
  wire::Observation clock = Make(wire::Observation::CLOCK_OFFSET, station, s);
  clock.set_offset_us(offset);
  clock.set_detail(std::string(off ? "beyond" : "within") + " the tolerance, against " + against);
  s.clock_off = off;
  s.pending_off.reset();
  s.pending_events = 0;
  return clock;
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
  s.stopped = false;
  if (heartbeat.goodbye()) {
    wire::Observation stopped = Make(wire::Observation::STATION_STOPPED, heartbeat.station(), s);
    stopped.set_detail("its agent stopped cleanly");
    out.push_back(std::move(stopped));
    s.stopped = true;
    return out;
  }
  // A station without a clock tells nothing of one; with sim_time its events tell (Event).
  if (heartbeat.station_time_us() == 0 || options_.sim_time) return out;

  const int64_t offset = heartbeat.station_time_us() - system_now_us;
  const bool off = std::llabs(offset) > options_.clock_tolerance_us;
  if (off == s.clock_off.value_or(false)) {
    s.pending_off.reset();
    return out;
  }
  if (s.pending_off != off) {
    s.pending_off = off;
    s.pending_since = now;
  }
  auto clock = Crossing(heartbeat.station(), s, offset, now - s.pending_since >= options_.confirm,
                        "the coordinator's clock");
  if (clock) out.push_back(std::move(*clock));
  return out;
}

std::vector<wire::Observation> StationWatch::Event(uint32_t station, uint64_t epoch, int64_t station_time_us,
                                                   bool live) {
  std::vector<wire::Observation> out;
  if (!options_.sim_time || !live || station_time_us == 0) return out;
  const uint64_t position = ++events_;
  Station& s = stations_[station];
  // The stations heard since this one's previous event are where the play is now; one idle (between
  // classes) or run ahead or behind in its backlog has no event in between and does not count.
  std::vector<int64_t> times = {station_time_us};
  size_t with_events = 0;
  for (const auto& [number, other] : stations_) {
    if (other.latest_event_position == 0) continue;
    ++with_events;
    if (number != station && other.latest_event_position > s.latest_event_position) {
      times.push_back(other.latest_event_us);
    }
  }
  s.epoch = epoch;
  s.latest_event_us = station_time_us;
  s.latest_event_position = position;
  // Two times cannot tell which clock is off: with three stations or more, a majority must agree.
  if (times.size() < 2 || (times.size() < 3 && with_events > 2)) return out;
  std::sort(times.begin(), times.end());
  const int64_t offset = station_time_us - times[(times.size() - 1) / 2];
  const bool off = std::llabs(offset) > options_.clock_tolerance_us;
  if (off == s.clock_off.value_or(false)) {
    s.pending_off.reset();
    s.pending_events = 0;
    return out;
  }
  if (s.pending_off != off) {
    s.pending_off = off;
    s.pending_events = 0;
  }
  ++s.pending_events;
  auto clock = Crossing(station, s, offset, s.pending_events >= kConfirmEvents,
                        "the median of the other stations' latest event times, in record order");
  if (clock) out.push_back(std::move(*clock));
  return out;
}

std::vector<wire::Observation> StationWatch::Tick(SteadyTime now) {
  std::vector<wire::Observation> out;
  for (auto& [station, s] : stations_) {
    if (s.silent || s.stopped || !s.heard || now - *s.heard < options_.silent_after) continue;
    wire::Observation silent = Make(wire::Observation::STATION_SILENT, station, s);
    silent.set_detail("no heartbeat for " + SecondsText(now - *s.heard));
    out.push_back(std::move(silent));
    s.silent = true;
  }
  return out;
}

}  // namespace capture::coord
