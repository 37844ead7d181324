// The scenario builder and the agent model: pure, on the seed schedule and on small hand-made ones.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/collection_code.h"
#include "common/schedule.h"
#include "common/time_zone.h"
#include "tools/capture-sim/agent_model.h"
#include "tools/capture-sim/scenario.h"
#include "tools/capture-sim/sim_jpeg.h"

namespace capture::sim {
namespace {

constexpr int kUtcOffset = 8 * 60;

Schedule SeedSchedule() {
  auto schedule = LoadSchedule(CAPTURE_DATA_DIR "/schedule-2024-04-22.csv");
  EXPECT_TRUE(schedule.ok()) << schedule.status().message();
  return *schedule;
}

ScenarioOptions Options(uint64_t seed, int faults, bool benign, const SiteKey& key) {
  ScenarioOptions o;
  o.seed = seed;
  o.faults = faults;
  o.benign = benign;
  o.local_midnight = LocalMidnight(*ParseDay("2024-04-22"), kUtcOffset);
  o.utc_offset_minutes = kUtcOffset;
  o.site_key = key;
  return o;
}

struct Built {
  SyntheticRoster roster;
  Scenario scenario;
};

Built Build(const Schedule& schedule, const ScenarioOptions& o) {
  Built b;
  auto roster = MakeScenarioRoster(schedule, o.seed, kDefaultAbsentShare);
  EXPECT_TRUE(roster.ok());
  b.roster = std::move(*roster);
  auto scenario = BuildScenario(schedule, b.roster, o);
  EXPECT_TRUE(scenario.ok()) << scenario.status().message();
  if (scenario.ok()) b.scenario = std::move(*scenario);
  return b;
}

TEST(Scenario, ACleanPlainDayIsACodeAndAShotPerPresentStudentAndAnAbsentMarkPerAbsentOne) {
  const SiteKey key = GenerateSiteKey();
  const Built b = Build(SeedSchedule(), Options(3, 0, /*benign=*/false, key));
  int present = 0, absent = 0;
  for (const SimStudent& s : b.roster.students) (s.absent ? absent : present) += 1;
  auto decoder = MakeDemoCodeDecoder(key);
  std::map<StationAction::Kind, int> kinds;
  size_t photo = 0;
  for (const StationScript& station : b.scenario.stations) {
    std::string last_read;
    for (const StationAction& a : station.actions) {
      ++kinds[a.kind];
      if (a.kind == StationAction::Kind::kCode) {
        auto decoded = decoder->Decode(a.line);
        ASSERT_TRUE(decoded.ok());
        last_read = decoded->registry_no;
      }
      if (a.kind == StationAction::Kind::kImage) {
        ASSERT_LT(photo, b.scenario.photos.size());
        const PhotoTruth& truth = b.scenario.photos[photo++];
        EXPECT_EQ(truth.file_name, a.file_name);
        EXPECT_EQ(truth.true_registry_no, last_read) << "the image shows the student whose code was just read";
        EXPECT_EQ(a.station_time, a.shutter_time) << "on a plain day files land at once";
      }
    }
  }
  EXPECT_EQ(kinds[StationAction::Kind::kCode], present);
  EXPECT_EQ(kinds[StationAction::Kind::kImage], present);
  EXPECT_EQ(kinds[StationAction::Kind::kMark], absent);
  EXPECT_EQ(photo, b.scenario.photos.size());
  EXPECT_TRUE(b.scenario.faults.empty());
}

TEST(Scenario, ThreeHundredFaultsCoverEveryKindAndNoTwoShareAStudent) {
  ScenarioOptions o = Options(11, 320, true, GenerateSiteKey());
  o.coordinator_observations = true;
  const Built b = Build(SeedSchedule(), o);
  ASSERT_EQ(b.scenario.faults.size(), 320u);
  std::map<std::string, int> kinds;
  std::map<std::string, size_t> owner;
  for (size_t i = 0; i < b.scenario.faults.size(); ++i) {
    const InjectedFault& f = b.scenario.faults[i];
    ++kinds[f.kind];
    for (const std::string& r : f.students) {
      const auto [it, fresh] = owner.emplace(r, i);
      EXPECT_TRUE(fresh || it->second == i) << r << " is in faults " << it->second << " and " << i;
    }
    EXPECT_TRUE(f.in_process_only == (f.kind == "STATION_SILENT" || f.kind == "STATION_REPLACED" ||
                                      f.kind == "STALL_UNORDERED" ||
                                      (f.kind == "CLOCK_SKEW" && f.note.rfind("heartbeats", 0) == 0)));
  }
  for (const char* kind :
       {"SHOT_WITHOUT_CODE", "CODE_WITHOUT_SHOT", "DUPLICATE_STUDENT", "DUPLICATE_SHOT", "SHOT_NUMBER_GAP",
        "SHOT_NUMBER_REWIND", "OUT_OF_ORDER", "CLASS_INTERLEAVED", "WRONG_STATION", "OFF_SCHEDULE", "UNKNOWN_CODE",
        "CODE_UNREADABLE", "CLOCK_SKEW", "MISSING_STUDENT", "STALE_CODE", "NO_VALID_PHOTO", "STATION_SILENT",
        "STATION_REPLACED", "STALL_UNORDERED"}) {
    EXPECT_GT(kinds[kind], 0) << kind;
  }
  EXPECT_FALSE(b.scenario.observations.empty());
}

// A real-time hold is where its STALL_UNORDERED fault says: the stretch's codes are the fault's
// students and its images the fault's shots, no more and no fewer.
TEST(Scenario, ARealTimeHoldSpansExactlyTheStudentsAndShotsOfItsFault) {
  ScenarioOptions o = Options(6, 6, true, GenerateSiteKey());
  o.coordinator_observations = true;
  o.fault_kinds = {"STALL_UNORDERED"};
  const Built b = Build(SeedSchedule(), o);
  ASSERT_EQ(b.scenario.faults.size(), 6u);
  std::vector<std::pair<std::set<std::string>, std::set<std::string>>> stretches;  // (files, codes)
  for (const StationScript& station : b.scenario.stations) {
    for (const AgentHold& hold : station.holds) {
      if (!hold.real_time) continue;
      std::set<std::string> files, codes;
      for (size_t i = hold.begin; i < hold.end; ++i) {
        const StationAction& a = station.actions[i];
        if (a.kind == StationAction::Kind::kImage) files.insert(a.file_name);
        if (a.kind == StationAction::Kind::kCode) codes.insert(a.line);
      }
      stretches.push_back({files, codes});
    }
  }
  ASSERT_EQ(stretches.size(), 6u);
  for (const InjectedFault& f : b.scenario.faults) {
    EXPECT_EQ(f.kind, "STALL_UNORDERED");
    EXPECT_TRUE(f.in_process_only);
    const std::set<std::string> shots(f.shots.begin(), f.shots.end());
    const auto stretch = std::find_if(stretches.begin(), stretches.end(), [&](const auto& s) { return s.first == shots; });
    ASSERT_NE(stretch, stretches.end()) << f.note;
    EXPECT_EQ(stretch->second.size(), f.students.size()) << "a code per student of the stretch";
  }
}

TEST(Scenario, IsTheSameForTheSameSeed) {
  const SiteKey key = GenerateSiteKey();
  const Built a = Build(SeedSchedule(), Options(5, 100, true, key));
  const Built b = Build(SeedSchedule(), Options(5, 100, true, key));
  ASSERT_EQ(a.scenario.photos.size(), b.scenario.photos.size());
  for (size_t i = 0; i < a.scenario.photos.size(); ++i) {
    EXPECT_EQ(a.scenario.photos[i].sha256_hex, b.scenario.photos[i].sha256_hex);
  }
  ASSERT_EQ(a.scenario.faults.size(), b.scenario.faults.size());
  for (size_t i = 0; i < a.scenario.faults.size(); ++i) {
    EXPECT_EQ(a.scenario.faults[i].students, b.scenario.faults[i].students);
    EXPECT_EQ(a.scenario.faults[i].shots, b.scenario.faults[i].shots);
  }
}

TEST(Scenario, BenignVariationHasEveryKindAndLateFilesLandAfterTheNextCodeRead) {
  const Built b = Build(SeedSchedule(), Options(2, 0, true, GenerateSiteKey()));
  int late = 0, retakes = 0, voids = 0, double_reads = 0, wraps = 0;
  for (const StationScript& station : b.scenario.stations) {
    const StationAction* previous = nullptr;   // the previous action other than a clock line
    const StationAction* last_code = nullptr;  // the last code read
    std::string last_file;
    for (const StationAction& a : station.actions) {
      if (a.kind == StationAction::Kind::kTime) continue;
      if (a.kind == StationAction::Kind::kImage) {
        if (a.station_time > a.shutter_time + 2'000'000) {
          ++late;
          ASSERT_NE(last_code, nullptr);
          EXPECT_EQ(previous, last_code) << a.file_name << " did not land right after a code read";
          EXPECT_GT(last_code->station_time, a.shutter_time)
              << a.file_name << " landed late, but not after the next student's code was read";
        }
        wraps += last_file == "IMG_9999.JPG" && a.file_name == "IMG_0001.JPG";
        last_file = a.file_name;
      }
      retakes += a.line.rfind("!retake", 0) == 0;
      voids += a.line.rfind("!void", 0) == 0;
      double_reads += previous != nullptr && a.kind == StationAction::Kind::kCode && previous->line == a.line;
      previous = &a;
      if (a.kind == StationAction::Kind::kCode) last_code = &a;
    }
  }
  EXPECT_GT(late, 10);
  EXPECT_GT(retakes, 10);
  EXPECT_GE(voids, 3) << "a voided test shot at each station's start";
  EXPECT_GT(double_reads, 10);
  EXPECT_EQ(wraps, 1) << "one camera counter wraps 9999 -> 0001";
  int holds = 0;
  for (const StationScript& station : b.scenario.stations) {
    for (const AgentHold& hold : station.holds) {
      ++holds;
      EXPECT_FALSE(hold.real_time) << "a benign hold is in sim-time";
      int codes = 0;
      for (size_t i = hold.begin; i < hold.end; ++i) codes += station.actions[i].kind == StationAction::Kind::kCode;
      EXPECT_GE(codes, 8);
      EXPECT_LE(codes, 15);
    }
  }
  EXPECT_EQ(holds, 1) << "one station's agent is held up for a while";
  int cohort = 0;
  for (const SimStudent& s : b.roster.students) cohort += s.earlier_cohort;
  EXPECT_GT(cohort, 0);
}

TEST(Scenario, MergedOrderIsByStationTimeAndKeepsEachStationsOwnOrder) {
  const Built b = Build(SeedSchedule(), Options(4, 60, true, GenerateSiteKey()));
  const std::vector<ActionRef> order = MergedOrder(b.scenario);
  size_t total = 0;
  for (const StationScript& s : b.scenario.stations) total += s.actions.size();
  ASSERT_EQ(order.size(), total);
  std::vector<size_t> next(b.scenario.stations.size(), 0);
  for (const ActionRef& ref : order) {
    EXPECT_EQ(ref.action_index, next[ref.station_index]++);
    // Every other station's next action is no earlier than this one.
    const MicrosSinceEpoch t = b.scenario.stations[ref.station_index].actions[ref.action_index].station_time;
    for (size_t j = 0; j < next.size(); ++j) {
      if (j == ref.station_index || next[j] >= b.scenario.stations[j].actions.size()) continue;
      EXPECT_GE(b.scenario.stations[j].actions[next[j]].station_time, t);
    }
  }
}

TEST(Scenario, RefusesMoreFaultsThanTheStudentsCanHold) {
  auto schedule = ParseSchedule(
      "station,college,class,headcount,start,end\n"
      "1,文学院,汉语言文学2101,12,08:30,09:30\n"
      "1,文学院,汉语言文学2102,12,08:30,09:30\n",
      "small");
  ASSERT_TRUE(schedule.ok());
  auto roster = MakeScenarioRoster(*schedule, 1, 0);
  ASSERT_TRUE(roster.ok());
  auto scenario = BuildScenario(*schedule, *roster, Options(1, 50, false, GenerateSiteKey()));
  ASSERT_FALSE(scenario.ok());
  EXPECT_NE(scenario.status().message().find("cannot fit"), std::string::npos) << scenario.status().message();
}

// ---- AgentModel ----

StationAction Time(const std::string& iso) {
  StationAction a;
  a.kind = StationAction::Kind::kTime;
  a.line = "!time " + iso;
  return a;
}
StationAction Line(StationAction::Kind kind, const std::string& line) {
  StationAction a;
  a.kind = kind;
  a.line = line;
  return a;
}
StationAction Image(const std::string& file, const std::string& exif) {
  StationAction a;
  a.kind = StationAction::Kind::kImage;
  a.file_name = file;
  a.bytes = MakeSimJpeg(exif, "test image");
  return a;
}

TEST(AgentModel, JournalsWhatTheStationWouldForCodesShotsAndMarks) {
  const SiteKey key = GenerateSiteKey();
  AgentModel agent(2, 0xABCDull, key);
  EXPECT_FALSE(agent.Apply(Time("2024-04-22T08:30:00+08:00")));
  auto read = agent.Apply(Line(StationAction::Kind::kCode, MintDemoCode(key, "104212021000001", "张*明")));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->kind(), wire::CODE_READ);
  EXPECT_EQ(read->seq(), 1u);
  EXPECT_EQ(read->epoch(), 0xABCDull);
  EXPECT_EQ(read->station(), 2u);
  EXPECT_EQ(read->code().masked_name(), "张*明");
  EXPECT_EQ(read->station_time_us(), *ParseIso8601("2024-04-22T08:30:00+08:00"));

  EXPECT_FALSE(agent.Apply(Time("2024-04-22T08:30:07+08:00")));
  auto shot = agent.Apply(Image("IMG_0412.JPG", "2024:04:22 08:30:04"));
  ASSERT_TRUE(shot);
  EXPECT_EQ(shot->kind(), wire::SHOT_TAKEN);
  EXPECT_EQ(shot->shot().shot_number(), 412u);
  EXPECT_EQ(shot->shot().sha256().size(), 32u);
  EXPECT_EQ(shot->shot().capture_time_us(), *ParseIso8601("2024-04-22T08:30:04+08:00"));
  EXPECT_EQ(shot->station_time_us(), *ParseIso8601("2024-04-22T08:30:07+08:00"));

  auto retake = agent.Apply(Line(StationAction::Kind::kMark, "!retake"));
  ASSERT_TRUE(retake);
  EXPECT_EQ(retake->code().registry_no(), "104212021000001") << "the student of the last shot";
  EXPECT_EQ(retake->code().masked_name(), "张*明");
  EXPECT_EQ(retake->operator_(), "station-2");

  auto voided = agent.Apply(Line(StationAction::Kind::kMark, "!void 412"));
  ASSERT_TRUE(voided);
  EXPECT_EQ(voided->shot().SerializeAsString(), shot->shot().SerializeAsString());
  EXPECT_FALSE(agent.Apply(Line(StationAction::Kind::kMark, "!void IMG_9999.JPG"))) << "the agent only alerts";

  auto damaged = agent.Apply(Line(StationAction::Kind::kCode, "CC1.garbage"));
  ASSERT_TRUE(damaged);
  EXPECT_EQ(damaged->kind(), wire::CODE_UNREADABLE);
  EXPECT_FALSE(damaged->detail().empty());

  agent.Replace(0x1234);
  auto absent = agent.Apply(Line(StationAction::Kind::kMark, "!absent 202100101"));
  ASSERT_TRUE(absent);
  EXPECT_EQ(absent->seq(), 1u) << "a new journal starts again at 1";
  EXPECT_EQ(absent->epoch(), 0x1234u);
  EXPECT_EQ(absent->student_no(), "202100101");
  EXPECT_FALSE(agent.Apply(Line(StationAction::Kind::kMark, "!retake"))) << "the new agent has no shot to refer to";
}

}  // namespace
}  // namespace capture::sim
