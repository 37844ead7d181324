// A capture day's calendar: the day named on the command line and the UTC offset of a time zone,
// so schedule times (local wall times) can be turned into instants.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "common/time_format.h"

namespace capture {

// "2024-04-22" → days since 1970-01-01.
Result<int64_t> ParseDay(std::string_view day);

// The UTC offset in minutes that `zone` has at noon (UTC) of `day`. `zone` is an IANA name
// ("Asia/Shanghai", looked up in the system tz database) or a fixed offset ("+08:00", "-0530",
// "Z", "UTC"). Reads the tz database: not pure. Restores TZ before returning, so child processes
// see the environment unchanged. Not thread-safe (it sets TZ for the lookup).
Result<int> UtcOffsetMinutes(std::string_view zone, int64_t day);

// Local midnight of `day` in a zone with this UTC offset, as a UTC instant.
inline MicrosSinceEpoch LocalMidnight(int64_t day, int utc_offset_minutes) {
  return (day * 86400 - static_cast<int64_t>(utc_offset_minutes) * 60) * 1'000'000;
}

}  // namespace capture
