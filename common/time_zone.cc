#include "common/time_zone.h"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <string>

#include "common/time_format.h"

namespace capture {

namespace {

// "+08:00", "+0800", "-05:30", "Z", "UTC"; nullopt when `zone` is not a fixed offset.
std::optional<int> FixedOffset(std::string_view zone) {
  if (zone == "Z" || zone == "UTC") return 0;
  if (zone.empty() || (zone[0] != '+' && zone[0] != '-')) return std::nullopt;
  int h = 0, m = 0;
  const size_t mpos = zone.size() == 6 && zone[3] == ':' ? 4 : 3;
  if (zone.size() != mpos + 2 || !ParseDigits(zone, 1, 2, h) || !ParseDigits(zone, mpos, 2, m) || h > 23 || m > 59) {
    return std::nullopt;
  }
  return (zone[0] == '-' ? -1 : 1) * (h * 60 + m);
}

// Sets TZ for the scope and puts the old value back.
class ScopedTz {
 public:
  explicit ScopedTz(const std::string& zone) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    ::setenv("TZ", zone.c_str(), 1);
    ::tzset();
  }
  ~ScopedTz() {
    if (old_) {
      ::setenv("TZ", old_->c_str(), 1);
    } else {
      ::unsetenv("TZ");
    }
    ::tzset();
  }

 private:
  std::optional<std::string> old_;
};

}  // namespace

Result<int64_t> ParseDay(std::string_view day) {
  int y = 0, m = 0, d = 0;
  if (day.size() != 10 || !ParseDigits(day, 0, 4, y) || day[4] != '-' || !ParseDigits(day, 5, 2, m) || day[7] != '-' ||
      !ParseDigits(day, 8, 2, d) || m < 1 || m > 12 || d < 1 || d > 31) {
    return Status::InvalidArgument("day '" + std::string(day) + "' is not YYYY-MM-DD");
  }
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

Result<int> UtcOffsetMinutes(std::string_view zone, int64_t day) {
  if (auto fixed = FixedOffset(zone)) return *fixed;
  const std::string name(zone);
  // glibc silently treats an unknown TZ as UTC: check the database has the zone first.
  if (name.empty() || name.find("..") != std::string::npos ||
      !std::filesystem::is_regular_file("/usr/share/zoneinfo/" + name)) {
    return Status::InvalidArgument("time zone '" + name +
                                   "' is neither an IANA name in /usr/share/zoneinfo nor an offset like +08:00");
  }
  ScopedTz scoped(name);
  const time_t noon_utc = static_cast<time_t>(day * 86400 + 12 * 3600);
  std::tm local{};
  if (::localtime_r(&noon_utc, &local) == nullptr) return Status::InvalidArgument("cannot convert day to " + name);
  return static_cast<int>(local.tm_gmtoff / 60);
}

}  // namespace capture
