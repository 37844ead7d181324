// Whole simulated days through the real capture-sim, station-agent and coordinator programs.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <regex>
#include <sstream>

#include "common/fs.h"
#include "common/identity.h"
#include "common/schedule.h"
#include "coordinator/record_store.h"
#include "coordinator/status_client.h"
#include "tests/tools/test_support.h"
#include "tools/capture-sim/day.h"
#include "tools/capture-sim/kit.h"
#include "tools/capture-sim/output_line.h"
#include "tools/capture-sim/process.h"
#include "tools/capture-sim/roster.h"

namespace capture::sim {
namespace {

using namespace std::chrono_literals;

// 2 stations, 3 small classes; station 1's second class slot starts before its first can end.
constexpr const char* kSmallSchedule =
    "station,college,class,headcount,start,end\n"
    "1,文学院,汉语言文学2101,7,08:30,08:45\n"
    "2,理学院,物理学2101,6,08:30,08:45\n"
    "1,文学院,汉语言文学2102,5,08:31,08:45\n";
constexpr const char* kSeed = "5";
constexpr double kAbsentShare = 0.2;

struct StationNumbers {
  uint64_t sent = 0, stored = 0;
  int expected = 0, photographed = 0, absent = 0;
};

// The per-station numbers of a summary JSON, by station.
std::map<int, StationNumbers> StationsOf(const std::string& json) {
  static const std::regex station(
      R"(\{"station":(\d+),"epoch":"[0-9a-f]{16}","events_sent":(\d+),"events_stored":(\d+),"students":\d+,)"
      R"("absent":(\d+),"expected":(\d+),"photographed":(\d+),)");
  std::map<int, StationNumbers> out;
  for (std::sregex_iterator it(json.begin(), json.end(), station), end; it != end; ++it) {
    const std::smatch& m = *it;
    out[std::stoi(m[1])] = {std::stoull(m[2]), std::stoull(m[3]), std::stoi(m[5]), std::stoi(m[6]), std::stoi(m[4])};
  }
  return out;
}

// Events per station in a stopped coordinator's store.
std::map<int, uint64_t> StoredEventsPerStation(const std::string& store_dir) {
  std::map<int, uint64_t> out;
  auto store = coord::RecordStore::Open(store_dir, /*read_only=*/true);
  EXPECT_TRUE(store.ok()) << store.status().message();
  if (!store.ok()) return out;
  Status st = (*store)->ForEachItem([&](const wire::RecordItem& item) {
    wire::CaptureEvent event;
    if (item.has_event() && event.ParseFromString(item.event())) ++out[static_cast<int>(event.station())];
    return true;
  });
  EXPECT_TRUE(st.ok()) << st.message();
  return out;
}

// Present students per station as the simulator's own roster rules give them.
std::map<int, StationNumbers> ExpectedFromRoster(const std::string& schedule_path) {
  auto schedule = LoadSchedule(schedule_path);
  EXPECT_TRUE(schedule.ok());
  auto roster = MakeSyntheticRoster(*schedule, std::stoull(kSeed), kAbsentShare);
  EXPECT_TRUE(roster.ok());
  std::map<int, StationNumbers> out;
  for (const SimStudent& s : roster->students) {
    StationNumbers& n = out[schedule->classes[s.class_index].station];
    if (s.absent) {
      ++n.absent;
    } else {
      ++n.expected;
    }
  }
  return out;
}

TEST(CaptureDay, SmallDayStoresEveryEventAndPhotographsEveryPresentStudent) {
  testing::TempDir dir;
  ASSERT_TRUE(WriteFileDurably(dir / "schedule.csv", kSmallSchedule).ok());
  const std::string work = dir / "work";
  testing::SimRun run = testing::RunCaptureSim({"--schedule", dir / "schedule.csv", "--work", work, "--summary", dir / "summary.json",
                       "--seed", kSeed, "--absent-share", "0.2", "--no-benign", "--bin-dir", CAPTURE_BIN_DIR},
                      dir / "sim.log");
  EXPECT_EQ(run.exit.exit_code, 0) << run.exit.ToString() << "\n" << testing::FileText(dir / "sim.log");

  auto json = ReadFile(dir / "summary.json");
  ASSERT_TRUE(json.ok()) << json.status().message();
  EXPECT_EQ(json->rfind("{\"ok\":true,", 0), 0u) << *json;
  const auto stations = StationsOf(*json);
  const auto expected = ExpectedFromRoster(dir / "schedule.csv");
  ASSERT_EQ(stations.size(), 2u) << *json;
  const auto stored = StoredEventsPerStation(work + "/store");
  for (const auto& [station, n] : stations) {
    SCOPED_TRACE("station " + std::to_string(station));
    EXPECT_EQ(n.stored, n.sent);
    EXPECT_EQ(n.photographed, n.expected);
    EXPECT_EQ(n.expected, expected.at(station).expected);
    EXPECT_EQ(n.absent, expected.at(station).absent);
    // A code and a shot per present student, an absence mark per absent one.
    EXPECT_EQ(n.sent, static_cast<uint64_t>(2 * n.expected + n.absent));
    EXPECT_EQ(stored.count(station) ? stored.at(station) : 0, n.sent);
    size_t images = 0;
    for (const auto& f : std::filesystem::directory_iterator(work + "/station-" + std::to_string(station) + "/camera")) {
      images += f.path().extension() == ".JPG";
    }
    EXPECT_EQ(images, static_cast<size_t>(n.expected));
  }
  EXPECT_GT(expected.at(1).absent + expected.at(2).absent, 0) << "the test should cover absent students";

  int progress_lines = 0;
  for (const std::string& line : run.lines) {
    const OutputLine parsed = ParseOutputLine(line);
    if (parsed.type != "progress") continue;
    ++progress_lines;
    const std::string photographed = parsed.Get("photographed").value_or("");
    const size_t slash = photographed.find('/');
    ASSERT_NE(slash, std::string::npos) << line;
    EXPECT_EQ(photographed.substr(0, slash), photographed.substr(slash + 1)) << line;
  }
  EXPECT_EQ(progress_lines, 3);
}

// An agent killed -9 in the middle of the day (a laptop that crashed) is started again on its journal,
// as the station's operator would; the day finishes whole, and nothing doubtful is left open.
TEST(CaptureDay, AnAgentKilledMidDayIsRestartedOnItsJournalAndTheDayFinishesClean) {
  for (const char* kill : {"1:0", "1:4", "2:9"}) {
    SCOPED_TRACE(std::string("--test-kill-agent ") + kill);
    testing::TempDir dir;
    ASSERT_TRUE(WriteFileDurably(dir / "schedule.csv", kSmallSchedule).ok());
    testing::SimRun run = testing::RunCaptureSim(
        {"--schedule", dir / "schedule.csv", "--work", dir / "work", "--summary", dir / "summary.json", "--seed", kSeed,
         "--absent-share", "0.2", "--bin-dir", CAPTURE_BIN_DIR, "--test-kill-agent", kill},
        dir / "sim.log");
    ASSERT_EQ(run.exit.exit_code, 0) << run.exit.ToString() << "\n" << testing::FileText(dir / "sim.log");
    const std::string station(kill, 1);
    const std::string restarted = "  station " + station + "'s agent ended and was restarted on its journal 1 time";
    EXPECT_NE(std::find(run.lines.begin(), run.lines.end(), restarted), run.lines.end())
        << testing::FileText(dir / "sim.log");
    EXPECT_NE(testing::FileText(dir / "sim.log").find("killed by signal 9"), std::string::npos);
    const std::string json = testing::FileText(dir / "summary.json");
    EXPECT_EQ(json.rfind("{\"ok\":true,", 0), 0u) << json;
    EXPECT_NE(json.find("\"agent_restarts\":1"), std::string::npos) << json;
    for (const auto& [number, n] : StationsOf(json)) EXPECT_EQ(n.photographed, n.expected) << "station " << number;
    const testing::ProgramRun open = testing::Capturectl(dir.path(), {"anomalies", "--open", "--store", dir / "work/store"});
    EXPECT_EQ(open.exit_code, 0) << "open anomalies after the restart:\n" << open.out;
  }
}

TEST(CaptureDay, UsesARunningCoordinatorAndLeavesItRunning) {
  testing::TempDir dir;
  ASSERT_TRUE(WriteFileDurably(dir / "schedule.csv", kSmallSchedule).ok());
  auto schedule = LoadSchedule(dir / "schedule.csv");
  ASSERT_TRUE(schedule.ok());
  auto roster = MakeSyntheticRoster(*schedule, std::stoull(kSeed), kAbsentShare);
  ASSERT_TRUE(roster.ok());
  ASSERT_TRUE(WriteKit(dir / "kit", *roster, GenerateSiteKey(), schedule->Stations()).ok());
  auto coordinator = testing::StartCoordinator(dir.path(), dir / "schedule.csv", dir / "kit");
  ASSERT_TRUE(coordinator.ok()) << coordinator.status().message();
  const std::string& events = coordinator->events;
  const std::string& control = coordinator->control;

  testing::SimRun run = testing::RunCaptureSim({"--schedule", dir / "schedule.csv", "--work", dir / "work", "--summary", dir / "summary.json",
                       "--seed", kSeed, "--absent-share", "0.2", "--bin-dir", CAPTURE_BIN_DIR, "--events", events,
                       "--control", control, "--keys", dir / "kit", "--coordinator-store", dir / "store"},
                      dir / "sim.log");
  EXPECT_EQ(run.exit.exit_code, 0) << run.exit.ToString() << "\n" << testing::FileText(dir / "sim.log");
  EXPECT_FALSE(std::filesystem::exists(dir / "work/store")) << "it started a coordinator of its own";

  auto status = coord::QueryStatus(coordinator->registrar, 5000);
  ASSERT_TRUE(status.ok()) << "the coordinator did not survive the day: " << status.status().message();
  uint64_t stored = 0;
  for (const wire::StationStatus& s : status->stations()) stored += s.stored_seq();
  uint64_t sent = 0;
  for (const auto& [station, n] : StationsOf(testing::FileText(dir / "summary.json"))) sent += n.sent;
  EXPECT_GT(sent, 0u);
  EXPECT_EQ(stored, sent);

  ASSERT_TRUE(coordinator->process->Signal(SIGTERM).ok());
  auto exit = coordinator->process->Wait(15s);
  ASSERT_TRUE(exit.ok()) << exit.status().message();
  EXPECT_TRUE(exit->Succeeded()) << exit->ToString();
}

// The README's path: `capture-sim kit DIR`, a coordinator started on the kit's roster and keys, then
// a faulty day played into it. The kit's roster is the day's, earlier-cohort students included, so
// the only codes on no roster are the strangers the faults bring.
TEST(CaptureDay, TheDocumentedKitPathRaisesNoUnknownCodeThatWasNotInjected) {
  testing::TempDir dir;
  ASSERT_TRUE(WriteFileDurably(dir / "schedule.csv", testing::MorningOfTheSeedSchedule(3)).ok());
  const std::string seed = "7";
  const testing::ProgramRun kit =
      testing::RunProgram(dir.path(), testing::Bin("capture-sim"),
                          {"kit", dir / "kit", "--schedule", dir / "schedule.csv", "--seed", seed});
  ASSERT_EQ(kit.exit_code, 0) << kit.err;
  auto roster = LoadRoster(dir / "kit/roster.csv");
  ASSERT_TRUE(roster.ok());
  const bool cohort = std::any_of(roster->students.begin(), roster->students.end(),
                                  [](const RosterStudent& s) { return s.student_no.rfind("2020", 0) == 0; });
  ASSERT_TRUE(cohort) << "the day must bring earlier-cohort students for this test to mean anything";

  auto coordinator = testing::StartCoordinator(dir.path(), dir / "schedule.csv", dir / "kit");
  ASSERT_TRUE(coordinator.ok()) << coordinator.status().message();
  testing::SimRun run = testing::RunCaptureSim(
      {"--schedule", dir / "schedule.csv", "--work", dir / "work", "--seed", seed, "--faults", "20", "--truth",
       dir / "truth", "--bin-dir", CAPTURE_BIN_DIR, "--events", coordinator->events, "--control", coordinator->control,
       "--keys", dir / "kit", "--coordinator-store", dir / "store"},
      dir / "sim.log");
  EXPECT_EQ(run.exit.exit_code, 0) << run.exit.ToString() << "\n" << testing::FileText(dir / "sim.log");

  size_t strangers = 0;  // each injected stranger's code is read once
  std::istringstream truth(testing::FileText(dir / "truth/truth.jsonl"));
  for (std::string line; std::getline(truth, line);) {
    strangers += line.find("\"kind\":\"UNKNOWN_CODE\"") != std::string::npos ||
                 line.find("\"kind\":\"SHOT_UNKNOWN_CODE\"") != std::string::npos;
  }
  const testing::ProgramRun anomalies =
      testing::Capturectl(dir.path(), {"export", "anomalies", "--connect", coordinator->control});
  ASSERT_EQ(anomalies.exit_code, 0) << anomalies.err;
  size_t unknown = 0;
  std::istringstream lines(anomalies.out);
  for (std::string line; std::getline(lines, line);) unknown += line.find("\"kind\":\"UNKNOWN_CODE\"") != std::string::npos;
  EXPECT_GT(strangers, 0u);
  EXPECT_EQ(unknown, strangers) << anomalies.out;
  ASSERT_TRUE(coordinator->process->Signal(SIGTERM).ok());
  ASSERT_TRUE(coordinator->process->Wait(15s).ok());
}

// A kit made with another seed would turn the day's students into strangers: the day refuses to start.
TEST(CaptureDay, RefusesAKitWhoseRosterIsNotTheDays) {
  testing::TempDir dir;
  ASSERT_TRUE(WriteFileDurably(dir / "schedule.csv", kSmallSchedule).ok());
  const testing::ProgramRun kit = testing::RunProgram(
      dir.path(), testing::Bin("capture-sim"), {"kit", dir / "kit", "--schedule", dir / "schedule.csv", "--seed", "8"});
  ASSERT_EQ(kit.exit_code, 0) << kit.err;
  testing::SimRun run = testing::RunCaptureSim(
      {"--schedule", dir / "schedule.csv", "--work", dir / "work", "--seed", kSeed, "--bin-dir", CAPTURE_BIN_DIR,
       "--events", "tcp://127.0.0.1:1", "--control", "tcp://127.0.0.1:2", "--keys", dir / "kit", "--coordinator-key",
       dir / "kit/site.key"},
      dir / "sim.log");
  EXPECT_EQ(run.exit.exit_code, 1);
  const std::string log = testing::FileText(dir / "sim.log");
  EXPECT_NE(log.find("are not on the kit's roster " + (dir / "kit/roster.csv")), std::string::npos) << log;
  EXPECT_NE(log.find("capture-sim kit DIR --seed 5"), std::string::npos) << log;
}

// A TCP port that accepts connections and never speaks: a coordinator that stores nothing.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot listen on 127.0.0.1");
    }
    endpoint_ = "tcp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  }
  ~SilentListener() { ::close(fd_); }
  const std::string& endpoint() const { return endpoint_; }

 private:
  int fd_ = -1;
  std::string endpoint_;
};

TEST(CaptureDay, IsNotOkWhenTheCoordinatorStoresNothing) {
  testing::TempDir dir;
  ASSERT_TRUE(WriteFileDurably(dir / "schedule.csv", kSmallSchedule).ok());
  SilentListener events, control;
  DayOptions options;
  options.schedule_path = dir / "schedule.csv";
  options.work_dir = dir / "work";
  options.bin_dir = CAPTURE_BIN_DIR;
  options.events_endpoint = events.endpoint();
  options.control_endpoint = control.endpoint();
  // Keys as for a real coordinator, which this silent one never checks.
  auto schedule = LoadSchedule(dir / "schedule.csv");
  ASSERT_TRUE(schedule.ok());
  ASSERT_TRUE(WriteStationKeys(dir / "keys", schedule->Stations()).ok());
  ASSERT_TRUE(WritePublicKey(dir / "coordinator.pub", Identity::Generate().public_key()).ok());
  options.keys_dir = dir / "keys";
  options.coordinator_key = dir / "coordinator.pub";
  options.store_timeout = 500ms;
  options.benign = false;  // so every SHOT_TAKEN is one present student's photo
  std::FILE* progress = std::fopen((dir / "progress.txt").c_str(), "w");
  ASSERT_NE(progress, nullptr);
  auto summary = PlayDay(options, progress);
  std::fclose(progress);
  ASSERT_TRUE(summary.ok()) << summary.status().message();
  EXPECT_FALSE(summary->ok());
  EXPECT_NE(summary->error.find("had not stored every event"), std::string::npos) << summary->error;
  for (const StationSummary& s : summary->stations) {
    EXPECT_EQ(s.photographed, s.expected()) << "the agents must work without a coordinator";
    EXPECT_GT(s.events_sent, s.events_stored);
  }
  EXPECT_NE(FormatSummaryJson(*summary).rfind("{\"ok\":false,", 0), std::string::npos);
}

TEST(CaptureDay, RefusesToWipeAFolderItDidNotMake) {
  testing::TempDir dir;
  ASSERT_TRUE(WriteFileDurably(dir / "schedule.csv", kSmallSchedule).ok());
  ASSERT_TRUE(MakeDirs(dir / "precious").ok());
  ASSERT_TRUE(WriteFileDurably(dir / "precious/thesis.txt", "years of work").ok());
  DayOptions options;
  options.schedule_path = dir / "schedule.csv";
  options.work_dir = dir / "precious";
  options.bin_dir = CAPTURE_BIN_DIR;
  auto summary = PlayDay(options, stdout);
  ASSERT_FALSE(summary.ok());
  EXPECT_NE(summary.status().message().find("refusing to wipe"), std::string::npos) << summary.status().message();
  EXPECT_TRUE(std::filesystem::exists(dir / "precious/thesis.txt"));
}

}  // namespace
}  // namespace capture::sim
