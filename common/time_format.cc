#include "common/time_format.h"

#include <cstdio>

namespace capture {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

namespace {

void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp + (mp < 10 ? 3 : -9);
  y += m <= 2;
}

// An instant broken into its calendar fields, read on a clock `utc_offset_minutes` ahead of UTC.
struct CivilTime {
  long long year, hour, minute, second, micros;
  unsigned month, day;
};

// Room for the text of any CivilTime, so that the compiler can prove snprintf never truncates.
constexpr size_t kCivilTextMax = 160;

CivilTime ToCivil(MicrosSinceEpoch t, int utc_offset_minutes) {
  const int64_t local = t + static_cast<int64_t>(utc_offset_minutes) * 60 * 1000000;
  int64_t secs = local / 1000000;
  int64_t micros = local % 1000000;
  if (micros < 0) {
    micros += 1000000;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  return {static_cast<long long>(y), static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
          static_cast<long long>(rem % 60), static_cast<long long>(micros), m, d};
}

}  // namespace

bool ParseDigits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

Result<MicrosSinceEpoch> ParseIso8601(std::string_view s) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument("bad time '" + std::string(s) + "': " + why +
                                   " (expected e.g. 2024-04-22T08:30:05+08:00)");
  };
  int year, month, day, hour, minute, second;
  if (!ParseDigits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !ParseDigits(s, 5, 2, month) || s[7] != '-' ||
      !ParseDigits(s, 8, 2, day) || (s[10] != 'T' && s[10] != ' ') || !ParseDigits(s, 11, 2, hour) || s[13] != ':' ||
      !ParseDigits(s, 14, 2, minute) || s[16] != ':' || !ParseDigits(s, 17, 2, second)) {
    return bad("not in ISO 8601 form");
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return bad("field out of range");
  }
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int64_t scale = 100000;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      micros += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad("empty fraction");
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    const int sign = s[pos] == '-' ? -1 : 1;
    if (!ParseDigits(s, pos + 1, 2, oh)) return bad("bad UTC offset");
    size_t mpos = pos + 3;
    if (mpos < s.size() && s[mpos] == ':') ++mpos;
    if (!ParseDigits(s, mpos, 2, om)) return bad("bad UTC offset");
    offset_minutes = sign * (oh * 60 + om);
    pos = mpos + 2;
  } else {
    return bad("missing UTC offset (Z or +hh:mm)");
  }
  if (pos != s.size()) return bad("trailing characters");
  const int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return secs * 1000000 + micros;
}

std::string FormatIso8601(MicrosSinceEpoch t, int utc_offset_minutes) {
  const CivilTime c = ToCivil(t, utc_offset_minutes);
  char buf[kCivilTextMax];
  const int off = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
  if (utc_offset_minutes == 0) {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ", c.year, c.month, c.day, c.hour,
                  c.minute, c.second, c.micros / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03lld%c%02d:%02d", c.year, c.month, c.day,
                  c.hour, c.minute, c.second, c.micros / 1000, utc_offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
  }
  return buf;
}

std::string FormatIso8601UtcMicros(MicrosSinceEpoch t) {
  const CivilTime c = ToCivil(t, 0);
  char buf[kCivilTextMax];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%06lldZ", c.year, c.month, c.day, c.hour,
                c.minute, c.second, c.micros);
  return buf;
}

}  // namespace capture
