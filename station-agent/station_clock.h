// The station's clock. Normally the system clock; with --sim-time the operator (or the simulator)
// sets it with `!time` lines, and until the first one it falls back to the system clock (an event
// stamped 0 would read as "no time").
#pragma once

#include <optional>

#include "common/time_format.h"
#include "station-agent/jpeg_info.h"

namespace capture::agent {

// The computer's clock, as a station time.
MicrosSinceEpoch SystemClockNow();

class StationClock {
 public:
  explicit StationClock(bool sim_time) : sim_time_(sim_time) {}

  bool sim_time() const { return sim_time_; }
  // With sim_time, before the first Set: the station's time is not known yet.
  bool awaiting_time() const { return sim_time_ && !set_time_; }
  MicrosSinceEpoch Now() const;
  // Only with sim_time: the clock reads `now` until the next Set.
  void Set(MicrosSinceEpoch now, int utc_offset_minutes);
  // A camera's zone-less local reading (EXIF) as an instant: in the zone of the last `!time` with
  // sim_time, else in the system's local zone.
  MicrosSinceEpoch FromLocal(const CivilTime& local) const;

 private:
  bool sim_time_;
  std::optional<MicrosSinceEpoch> set_time_;
  int utc_offset_minutes_ = 0;
};

}  // namespace capture::agent
