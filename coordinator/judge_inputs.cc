#include "coordinator/judge_inputs.h"

#include <cmath>

#include "common/time_format.h"
#include "common/time_zone.h"
#include "coordinator/judge/judge.h"

namespace capture::coord {

namespace {

constexpr double kMicrosPerSecond = 1e6;

Result<int64_t> SecondsToMicros(const char* flag, double seconds) {
  if (!std::isfinite(seconds) || seconds <= 0 || seconds > 86400) {
    return Status::InvalidArgument(std::string(flag) + " must be a number of seconds above 0 and at most a day");
  }
  return static_cast<int64_t>(std::llround(seconds * kMicrosPerSecond));
}

std::string Seconds(int64_t micros) {
  std::string text = std::to_string(static_cast<double>(micros) / kMicrosPerSecond);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string Differs(const std::string& flag, const std::string& given, const std::string& stored) {
  return flag + " " + given + " differs from the record's " + stored +
         ": a record's judge inputs cannot change mid-day (leave the flag out to use the stored one)";
}

int64_t ConfiguredDayNumber(const wire::JudgeConfig& config) {
  const int64_t local_seconds = config.local_midnight_us() / 1'000'000 + int64_t{config.utc_offset_minutes()} * 60;
  return local_seconds / 86400 - (local_seconds % 86400 < 0 ? 1 : 0);
}

Status CheckAgainstStored(const JudgeInputs& stored, const GivenJudgeInputs& given) {
  if (Status s = judge::SameRules(stored.config); !s.ok()) return s;
  if (given.schedule && given.schedule->bytes != stored.schedule_csv) {
    return Status::InvalidArgument("--schedule " + given.schedule->path +
                                   " differs from the schedule stored with the record: a record's judge inputs "
                                   "cannot change mid-day (leave the flag out to use the stored one)");
  }
  if (given.roster && given.roster->bytes != stored.roster_csv) {
    return Status::InvalidArgument("--roster " + given.roster->path +
                                   " differs from the roster stored with the record: a record's judge inputs "
                                   "cannot change mid-day (leave the flag out to use the stored one)");
  }
  const wire::JudgeConfig& config = stored.config;
  const int64_t stored_day = ConfiguredDayNumber(config);
  if (given.day) {
    auto day = ParseDay(*given.day);
    if (!day.ok()) return day.status();
    if (*day != stored_day) return Status::InvalidArgument(Differs("--day", *given.day, ConfiguredDay(config)));
  }
  if (given.tz) {
    auto offset = UtcOffsetMinutes(*given.tz, stored_day);
    if (!offset.ok()) return offset.status();
    if (*offset != config.utc_offset_minutes()) {
      return Status::InvalidArgument(Differs("--tz", *given.tz + " (UTC offset " + std::to_string(*offset) + " min)",
                                             "UTC offset of " + std::to_string(config.utc_offset_minutes()) + " min"));
    }
  }
  if (given.station_keys && given.station_keys->bytes != stored.station_keys_csv) {
    return Status::InvalidArgument("--station-keys " + given.station_keys->path +
                                   " differs from the enrolment stored with the record: enrol or revoke a key on the "
                                   "running coordinator with capturectl enroll instead");
  }
  if (given.stale_code_seconds) {
    auto us = SecondsToMicros("--stale-code-seconds", *given.stale_code_seconds);
    if (!us.ok()) return us.status();
    if (*us != config.stale_code_us()) {
      return Status::InvalidArgument(Differs("--stale-code-seconds", Seconds(*us), Seconds(config.stale_code_us())));
    }
  }
  if (given.clock_skew_seconds) {
    auto us = SecondsToMicros("--clock-skew-seconds", *given.clock_skew_seconds);
    if (!us.ok()) return us.status();
    if (*us != config.clock_skew_tolerance_us()) {
      return Status::InvalidArgument(
          Differs("--clock-skew-seconds", Seconds(*us), Seconds(config.clock_skew_tolerance_us())));
    }
  }
  return Status::Ok();
}

}  // namespace

Result<wire::JudgeConfig> MakeJudgeConfig(const std::string& day, const std::string& tz,
                                          std::optional<double> stale_code_seconds,
                                          std::optional<double> clock_skew_seconds) {
  auto day_number = ParseDay(day);
  if (!day_number.ok()) return day_number.status();
  auto offset = UtcOffsetMinutes(tz, *day_number);
  if (!offset.ok()) return offset.status();
  wire::JudgeConfig config = judge::DefaultJudgeConfig(LocalMidnight(*day_number, *offset), *offset);
  if (stale_code_seconds) {
    auto us = SecondsToMicros("--stale-code-seconds", *stale_code_seconds);
    if (!us.ok()) return us.status();
    config.set_stale_code_us(*us);
  }
  if (clock_skew_seconds) {
    auto us = SecondsToMicros("--clock-skew-seconds", *clock_skew_seconds);
    if (!us.ok()) return us.status();
    config.set_clock_skew_tolerance_us(*us);
  }
  return config;
}

Result<JudgeInputs> ResolveJudgeInputs(const std::optional<JudgeInputs>& stored, const GivenJudgeInputs& given) {
  if (stored) {
    if (Status s = CheckAgainstStored(*stored, given); !s.ok()) return s;
    return *stored;
  }
  if (!given.schedule || !given.roster) {
    return Status::InvalidArgument("a new record needs --schedule and --roster: they are stored with it");
  }
  auto config = MakeJudgeConfig(given.day.value_or(kDefaultDay), given.tz.value_or(kDefaultTimeZone),
                                given.stale_code_seconds, given.clock_skew_seconds);
  if (!config.ok()) return config.status();
  return JudgeInputs{std::move(*config), given.schedule->bytes, given.roster->bytes,
                     given.station_keys ? given.station_keys->bytes : std::string()};
}

std::string ConfiguredDay(const wire::JudgeConfig& config) {
  return FormatIso8601(config.local_midnight_us(), config.utc_offset_minutes()).substr(0, 10);
}

}  // namespace capture::coord
