#include "coordinator/judge_inputs.h"

#include <gtest/gtest.h>

#include "coordinator/judge/judge.h"

namespace capture::coord {
namespace {

GivenJudgeInputs NewRecord() {
  GivenJudgeInputs given;
  given.schedule = GivenFile{"schedule.csv", "schedule bytes"};
  given.roster = GivenFile{"roster.csv", "roster bytes"};
  return given;
}

JudgeInputs Stored() {
  auto inputs = ResolveJudgeInputs(std::nullopt, NewRecord());
  EXPECT_TRUE(inputs.ok()) << inputs.status().message();
  return *inputs;
}

TEST(JudgeInputs, ANewRecordTakesTheGivenFilesAndTheDefaultDayInShanghai) {
  const JudgeInputs inputs = Stored();
  EXPECT_EQ(inputs.schedule_csv, "schedule bytes");
  EXPECT_EQ(inputs.roster_csv, "roster bytes");
  EXPECT_EQ(inputs.config.utc_offset_minutes(), 480);
  // 2024-04-22T00:00:00+08:00
  EXPECT_EQ(inputs.config.local_midnight_us(), int64_t{1713715200} * 1'000'000);
  EXPECT_EQ(inputs.config.stale_code_us(), 90'000'000);
  EXPECT_EQ(inputs.config.clock_skew_tolerance_us(), 60'000'000);
  EXPECT_EQ(ConfiguredDay(inputs.config), "2024-04-22");
}

TEST(JudgeInputs, ANewRecordIsJudgedByTheseRulesAndALaterStartRefusesARecordOfOtherRules) {
  JudgeInputs stored = Stored();
  EXPECT_EQ(judge::RulesVersionOf(stored.config), judge::kRulesVersion);
  EXPECT_TRUE(ResolveJudgeInputs(stored, {}).ok());
  stored.config.clear_rules_version();  // a record made before versions were recorded: version 1
  auto refused = ResolveJudgeInputs(stored, {});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("judged by version 1 of the judge's rules, and this program judges by "
                                            "version " + std::to_string(judge::kRulesVersion)),
            std::string::npos)
      << refused.status().message();
}

TEST(JudgeInputs, ANewRecordNeedsTheScheduleAndTheRoster) {
  GivenJudgeInputs given = NewRecord();
  given.roster.reset();
  auto inputs = ResolveJudgeInputs(std::nullopt, given);
  ASSERT_FALSE(inputs.ok());
  EXPECT_NE(inputs.status().message().find("--roster"), std::string::npos) << inputs.status().message();
}

TEST(JudgeInputs, TakesTheGivenDayZoneAndTolerances) {
  auto config = MakeJudgeConfig("2024-06-01", "-05:30", 120, 30.5);
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->utc_offset_minutes(), -330);
  EXPECT_EQ(ConfiguredDay(*config), "2024-06-01");
  EXPECT_EQ(config->stale_code_us(), 120'000'000);
  EXPECT_EQ(config->clock_skew_tolerance_us(), 30'500'000);
  EXPECT_FALSE(MakeJudgeConfig("2024-13-01", "UTC", {}, {}).ok());
  EXPECT_FALSE(MakeJudgeConfig("2024-04-22", "Mars/Olympus", {}, {}).ok());
  EXPECT_FALSE(MakeJudgeConfig("2024-04-22", "UTC", -1, {}).ok());
}

TEST(JudgeInputs, ALaterStartUsesTheStoredInputsWhenNothingOrTheSameIsGiven) {
  const JudgeInputs stored = Stored();
  auto nothing = ResolveJudgeInputs(stored, GivenJudgeInputs{});
  ASSERT_TRUE(nothing.ok()) << nothing.status().message();
  EXPECT_EQ(nothing->roster_csv, stored.roster_csv);

  GivenJudgeInputs same = NewRecord();
  same.day = "2024-04-22";
  same.tz = "+08:00";  // another name of the same offset
  same.stale_code_seconds = 90;
  same.clock_skew_seconds = 60;
  auto resolved = ResolveJudgeInputs(stored, same);
  ASSERT_TRUE(resolved.ok()) << resolved.status().message();
  EXPECT_EQ(resolved->config.SerializeAsString(), stored.config.SerializeAsString());
}

TEST(JudgeInputs, ALaterStartRefusesEachDifferingInputAndNamesIt) {
  const JudgeInputs stored = Stored();
  auto refused = [&](GivenJudgeInputs given, const std::string& flag) {
    auto inputs = ResolveJudgeInputs(stored, given);
    ASSERT_FALSE(inputs.ok()) << flag;
    EXPECT_EQ(inputs.status().message().rfind(flag + " ", 0), 0u) << inputs.status().message();
  };
  GivenJudgeInputs schedule;
  schedule.schedule = GivenFile{"other.csv", "other schedule"};
  refused(schedule, "--schedule");
  GivenJudgeInputs roster;
  roster.roster = GivenFile{"other.csv", "other roster"};
  refused(roster, "--roster");
  GivenJudgeInputs day;
  day.day = "2024-04-23";
  refused(day, "--day");
  GivenJudgeInputs tz;
  tz.tz = "Europe/Berlin";
  refused(tz, "--tz");
  GivenJudgeInputs stale;
  stale.stale_code_seconds = 91;
  refused(stale, "--stale-code-seconds");
  GivenJudgeInputs skew;
  skew.clock_skew_seconds = 59;
  refused(skew, "--clock-skew-seconds");
}

}  // namespace
}  // namespace capture::coord
