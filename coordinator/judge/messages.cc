#include "coordinator/judge/messages.h"

#include <cstdio>
#include <cstdlib>

#include "common/utf8.h"

namespace capture::judge::msg {

namespace {
constexpr int64_t kSecondUs = 1'000'000;
constexpr int64_t kMinuteUs = 60 * kSecondUs;
}  // namespace

std::string Student(std::string_view masked_name, std::string_view registry_no) {
  // By characters: a registry number may hold any script, and a cut through a character would make
  // the whole message invalid UTF-8 (a protobuf string that no longer parses).
  const std::string_view tail = LastChars(registry_no, 4);
  std::string out = masked_name.empty() ? "a student" : std::string(masked_name);
  out += " (…";
  out += tail;
  out += ")";
  return out;
}

std::string ShotNumber(uint32_t number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04u", number);
  return buf;
}

std::string Duration(int64_t us) {
  if (us < 0) us = -us;
  if (us < 2 * kMinuteUs) return std::to_string(us / kSecondUs) + " s";
  return std::to_string(us / kMinuteUs) + " min";
}

std::string Offset(int64_t us) { return (us < 0 ? "-" : "+") + std::to_string(std::llabs(us) / kSecondUs) + " s"; }

std::string TimeOfDay(int64_t instant_us, int64_t local_midnight_us) {
  int64_t minute = (instant_us - local_midnight_us) / kMinuteUs;
  if (instant_us < local_midnight_us && (instant_us - local_midnight_us) % kMinuteUs != 0) --minute;
  minute %= 24 * 60;
  if (minute < 0) minute += 24 * 60;
  return Minute(static_cast<int>(minute));
}

std::string Minute(int minute_of_day) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute_of_day / 60, minute_of_day % 60);
  return buf;
}

}  // namespace capture::judge::msg
