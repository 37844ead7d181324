// The judge's inputs of a record: the schedule and roster files, the day, its time zone and the
// tolerances. Stored with the record at its first start (RecordStore::SaveJudgeInputs); a later
// start judges with the stored ones and refuses command-line inputs that differ from them, because
// a record's verdicts must not change their basis mid-day.
//
// Pure but for UtcOffsetMinutes, which reads the system's tz database.
#pragma once

#include <optional>
#include <string>

#include "capture.pb.h"
#include "common/status.h"
#include "coordinator/record_store.h"

namespace capture::coord {

inline constexpr const char* kDefaultDay = "2024-04-22";
inline constexpr const char* kDefaultTimeZone = "Asia/Shanghai";

// A file named on the command line, with its bytes exactly.
struct GivenFile {
  std::string path;
  std::string bytes;
};

// What the command line gave; an empty optional was not given (its default applies to a new
// record and nothing is checked against a stored one).
struct GivenJudgeInputs {
  std::optional<GivenFile> schedule;
  std::optional<GivenFile> roster;
  std::optional<GivenFile> station_keys;  // the enrolment file (security/enrolment.h)
  std::optional<std::string> day;  // YYYY-MM-DD
  std::optional<std::string> tz;   // IANA name or a fixed offset like +08:00
  std::optional<double> stale_code_seconds;
  std::optional<double> clock_skew_seconds;
};

// The judge's configuration for `day` in `tz` (its local midnight and UTC offset), with
// judge::DefaultJudgeConfig's tolerances but for those given. InvalidArgument naming the bad value.
Result<wire::JudgeConfig> MakeJudgeConfig(const std::string& day, const std::string& tz,
                                          std::optional<double> stale_code_seconds,
                                          std::optional<double> clock_skew_seconds);

// The inputs to judge with: `stored` when there are some, after checking that every given input
// equals it (else InvalidArgument naming the flag that differs and both values); otherwise the
// given ones, where the schedule and the roster are required.
Result<JudgeInputs> ResolveJudgeInputs(const std::optional<JudgeInputs>& stored, const GivenJudgeInputs& given);

// "2024-04-22": the local day a configuration is for.
std::string ConfiguredDay(const wire::JudgeConfig& config);

}  // namespace capture::coord
