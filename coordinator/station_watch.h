// StationWatch: the coordinator's own observations of the stations, from their heartbeats only.
//
//   CLOCK_OFFSET    offset = the heartbeat's station_time_us − the coordinator clock at receipt:
//                   the system clock, or with sim_time the median (the lower one of an even count)
//                   of the latest heartbeat times of the stations not silent. Recorded when a
//                   station's offset crosses the tolerance either way and stays across for
//                   `confirm` of steady time (a burst of heartbeats queued while the coordinator
//                   was down arrives late all at once and must not count); a station whose clock
//                   was never recorded is recorded only once it is beyond the tolerance.
//   STATION_SILENT  no heartbeat from a station heard before for `silent_after` of steady time.
//   STATION_BACK    a heartbeat again from a station recorded silent.
// Clocks are never estimated from events: events may come late out of an agent's journal.
//
// The state survives a coordinator restart through the record: Restore() sees every stored item,
// then StartWatching() counts every station the record knows (and not silent) as heard just now.
//
// Pure: the caller passes the clocks in. Not thread-safe: the coordinator's loop owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "capture.pb.h"

namespace capture::coord {

class StationWatch {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  struct Options {
    int64_t clock_tolerance_us = 60'000'000;
    std::chrono::milliseconds silent_after{3000};
    std::chrono::milliseconds confirm{1000};
    bool sim_time = false;
  };

  explicit StationWatch(Options options) : options_(options) {}

  // One stored item, in commit order, at start.
  void Restore(const wire::RecordItem& item);
  // After Restore: silence is measured from `now` for every station the record knows.
  void StartWatching(SteadyTime now);

  // A heartbeat received at `now`, when the coordinator's system clock read `system_now_us`.
  // Returns the observations to record (STATION_BACK before CLOCK_OFFSET).
  std::vector<wire::Observation> Heartbeat(const wire::Heartbeat& heartbeat, int64_t system_now_us, SteadyTime now);

  // The stations silent for too long as of `now`: their STATION_SILENT observations.
  std::vector<wire::Observation> Tick(SteadyTime now);

 private:
  struct Station {
    uint64_t epoch = 0;                 // of the last heartbeat or stored event
    std::optional<SteadyTime> heard;    // last heartbeat (or start of watching)
    bool silent = false;
    int64_t latest_time_us = 0;         // station time of the last heartbeat, 0 before one
    std::optional<bool> clock_off;      // as last recorded; empty: never recorded
    std::optional<bool> pending_off;    // a crossing seen, not yet confirmed
    SteadyTime pending_since{};
  };

  int64_t CoordinatorClock(int64_t system_now_us) const;
  wire::Observation Make(wire::Observation::Kind kind, uint32_t station, const Station& s) const;

  Options options_;
  std::map<uint32_t, Station> stations_;
};

}  // namespace capture::coord
