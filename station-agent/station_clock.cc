#include "station-agent/station_clock.h"

#include <chrono>
#include <ctime>

namespace capture::agent {

MicrosSinceEpoch SystemClockNow() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

MicrosSinceEpoch StationClock::Now() const {
  if (sim_time_ && set_time_) return *set_time_;
  return SystemClockNow();
}

void StationClock::Set(MicrosSinceEpoch now, int utc_offset_minutes) {
  set_time_ = now;
  utc_offset_minutes_ = utc_offset_minutes;
}

MicrosSinceEpoch StationClock::FromLocal(const CivilTime& local) const {
  if (sim_time_ && set_time_) return CivilToMicros(local, utc_offset_minutes_);
  std::tm tm{};
  tm.tm_year = local.year - 1900;
  tm.tm_mon = local.month - 1;
  tm.tm_mday = local.day;
  tm.tm_hour = local.hour;
  tm.tm_min = local.minute;
  tm.tm_sec = local.second;
  tm.tm_isdst = -1;  // let the zone rules decide, as the camera's clock did
  const std::time_t t = std::mktime(&tm);
  return t == static_cast<std::time_t>(-1) ? 0 : static_cast<MicrosSinceEpoch>(t) * 1'000'000;
}

}  // namespace capture::agent
