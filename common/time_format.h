// Wall-clock instants as microseconds since the Unix epoch (UTC), and their ISO 8601 text form.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace capture {

using MicrosSinceEpoch = int64_t;

// Parses "2024-04-22T08:30:05+08:00", "...Z", with optional fractional seconds.
Result<MicrosSinceEpoch> ParseIso8601(std::string_view text);

// Formats as "2024-04-22T08:30:05.000+08:00" in the given fixed UTC offset.
std::string FormatIso8601(MicrosSinceEpoch t, int utc_offset_minutes = 0);

// Formats in UTC to the microsecond, "2024-04-22T00:30:05.123456Z": the form that loses nothing, so
// ParseIso8601 gives `t` back for every instant of the years 0000 to 9999.
std::string FormatIso8601UtcMicros(MicrosSinceEpoch t);

// Reads exactly `n` decimal digits of `s` at `pos` into `out`; false if any is missing or not a digit.
bool ParseDigits(std::string_view s, size_t pos, size_t n, int& out);

// Days since 1970-01-01 of a proleptic Gregorian date; -1 style errors are the caller's concern.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace capture
