// Faulty days through the real capture-sim program: the main job with --faults and --truth through
// real agents and a real coordinator, and the judge-day and score subcommands.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/fs.h"
#include "common/schedule.h"
#include "common/time_zone.h"
#include "coordinator/judge/judge.h"
#include "coordinator/record_store.h"
#include "tests/tools/test_support.h"
#include "tools/capture-sim/json.h"
#include "tools/capture-sim/record_day.h"
#include "tools/capture-sim/truth.h"

namespace capture::sim {
namespace {

constexpr int kUtcOffset = 8 * 60;
constexpr uint64_t kSeed = 9;
constexpr int kFaults = 40;

TEST(FaultyDay, PlayedThroughRealAgentsIsRecordedAndJudgedExactlyAsTheSameDayInProcess) {
  testing::TempDir dir;
  ASSERT_TRUE(WriteFileDurably(dir / "schedule.csv", testing::MorningOfTheSeedSchedule(8)).ok());
  const std::string work = dir / "work";
  testing::SimRun run = testing::RunCaptureSim(
      {"--schedule", dir / "schedule.csv", "--work", work, "--truth", dir / "truth", "--seed", std::to_string(kSeed),
       "--faults", std::to_string(kFaults), "--lockstep", "--bin-dir", CAPTURE_BIN_DIR},
      dir / "sim.log");
  ASSERT_EQ(run.exit.exit_code, 0) << run.exit.ToString() << "\n" << testing::FileText(dir / "sim.log");

  // The events the coordinator stored, in its commit order, and the simulator's close of the day.
  // The coordinator's own observations (from heartbeats, its clock) are left out: the in-process
  // day has none when asked for none.
  std::vector<wire::RecordItem> events;
  {
    auto store = coord::RecordStore::Open(work + "/store", /*read_only=*/true);
    ASSERT_TRUE(store.ok()) << store.status().message();
    ASSERT_TRUE((*store)->ForEachItem([&](const wire::RecordItem& item) {
                  if (item.has_event() || item.observation().kind() == wire::Observation::DAY_CLOSED) {
                    events.push_back(item);
                    events.back().set_commit_index(events.size());
                  }
                  return true;
                }).ok());
  }
  auto schedule = LoadSchedule(dir / "schedule.csv");
  ASSERT_TRUE(schedule.ok());
  auto roster = LoadRoster(work + "/roster.csv");
  ASSERT_TRUE(roster.ok());
  const MicrosSinceEpoch midnight = LocalMidnight(*ParseDay("2024-04-22"), kUtcOffset);
  const JudgedDay real = JudgeRecord(*schedule, *roster, judge::DefaultJudgeConfig(midnight, kUtcOffset), events);

  InProcessOptions o;
  o.scenario.seed = kSeed;
  o.scenario.faults = kFaults;
  o.scenario.coordinator_observations = false;
  o.scenario.local_midnight = midnight;
  o.scenario.utc_offset_minutes = kUtcOffset;
  auto key = LoadSiteKey(work + "/site.key");
  ASSERT_TRUE(key.ok());
  o.scenario.site_key = *key;
  auto in_process = RunInProcessDay(*schedule, o);
  ASSERT_TRUE(in_process.ok()) << in_process.status().message();

  // Every event exactly as the agents journaled it, in the coordinator's order; only the epochs
  // (random per journal) differ, and with them the chain links, which hash whole events.
  const std::vector<wire::RecordItem> modelled = RecordOfScenario(in_process->scenario, *key, kSeed);
  ASSERT_EQ(events.size(), modelled.size());
  ASSERT_EQ(events.back().observation().kind(), wire::Observation::DAY_CLOSED) << "the played day is closed last";
  EXPECT_EQ(events.back().observation().by(), kDayClosedBy);
  EXPECT_EQ(modelled.back().observation().kind(), wire::Observation::DAY_CLOSED);
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    wire::CaptureEvent stored, model;
    ASSERT_TRUE(stored.ParseFromString(events[i].event()) && model.ParseFromString(modelled[i].event()));
    stored.clear_epoch();
    stored.clear_prev_sha256();
    model.clear_epoch();
    ASSERT_EQ(stored.SerializeAsString(), model.SerializeAsString())
        << "item " << i + 1 << "\nstored:   " << stored.ShortDebugString()
        << "\nmodelled: " << model.ShortDebugString();
  }
  EXPECT_EQ(real.items, in_process->judged.items);
  EXPECT_EQ(real.anomalies_jsonl, in_process->judged.anomalies_jsonl);
  EXPECT_EQ(real.assignment_csv, in_process->judged.assignment_csv);
  EXPECT_EQ(testing::FileText(dir / "truth/truth.jsonl"), TruthJsonl(in_process->scenario.faults));
  EXPECT_EQ(testing::FileText(dir / "truth/photos.csv"), PhotosCsv(in_process->scenario.photos));
  EXPECT_EQ(in_process->scenario.faults.size(), static_cast<size_t>(kFaults));
  EXPECT_TRUE(in_process->score.silent.empty()) << FormatScoreTable(in_process->score);
}

TEST(JudgeDayCommand, WritesExportsAndTruthThatTheScoreCommandReadsBack) {
  testing::TempDir dir;
  ASSERT_TRUE(WriteFileDurably(dir / "schedule.csv", testing::MorningOfTheSeedSchedule(10)).ok());
  testing::SimRun day = testing::RunCaptureSim(
      {"judge-day", "--schedule", dir / "schedule.csv", "--seed", "4", "--faults", "30", "--out", dir / "out"},
      dir / "sim.log");
  ASSERT_TRUE(day.exit.Succeeded()) << day.exit.ToString() << "\n" << testing::FileText(dir / "sim.log");
  ASSERT_FALSE(day.lines.empty());
  EXPECT_EQ(day.lines[0].rfind("judged day=2024-04-22 seed=4 faults=30 ", 0), 0u) << day.lines[0];
  for (const char* file : {"anomalies.jsonl", "assignment.csv", "truth.jsonl", "photos.csv", "roster.csv"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / ("out/" + std::string(file)))) << file;
  }

  testing::SimRun score = testing::RunCaptureSim({"score", "--truth", dir / "out", "--anomalies",
                                                  dir / "out/anomalies.jsonl", "--assignment",
                                                  dir / "out/assignment.csv", "--json"},
                                                 dir / "score.log");
  ASSERT_TRUE(score.exit.Succeeded()) << score.exit.ToString() << "\n" << testing::FileText(dir / "score.log");
  ASSERT_EQ(score.lines.size(), 1u);
  auto json = ParseJson(score.lines[0], "score");
  ASSERT_TRUE(json.ok()) << json.status().message();
  int faults = 0;
  for (const JsonValue& k : json->Get("kinds")->items) faults += static_cast<int>(k.Integer("faults"));
  EXPECT_EQ(faults, 30);
  EXPECT_TRUE(json->Get("silent_misassignments")->items.empty());

  // The table the judge-day command printed is the score command's.
  testing::SimRun table = testing::RunCaptureSim({"score", "--truth", dir / "out/truth.jsonl", "--anomalies",
                                                  dir / "out/anomalies.jsonl", "--assignment",
                                                  dir / "out/assignment.csv"},
                                                 dir / "score.log");
  ASSERT_TRUE(table.exit.Succeeded());
  EXPECT_EQ(std::vector<std::string>(day.lines.begin() + 1, day.lines.end()), table.lines);
}

TEST(ScoreCommand, FailsNamingAMissingFile) {
  testing::TempDir dir;
  testing::SimRun run = testing::RunCaptureSim({"score", "--truth", dir / "none.jsonl", "--anomalies", dir / "a",
                                                "--assignment", dir / "b"},
                                               dir / "sim.log");
  EXPECT_EQ(run.exit.exit_code, 1);
  EXPECT_NE(testing::FileText(dir / "sim.log").find("none.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace capture::sim
