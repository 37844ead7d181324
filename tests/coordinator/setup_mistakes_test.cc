// The set-up mistakes new users make, with the real programs on 127.0.0.1: each stops with a message
// that says what is wrong and what to do, instead of going on quietly.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/fs.h"
#include "tests/coordinator/live_room.h"
#include "tests/support/assert_ok.h"
#include "tests/tools/test_support.h"
#include "tools/capture-sim/process.h"

namespace capture::coord {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using testing::CtlRun;
using testing::LiveRoom;
using sim::testing::FileText;
using sim::testing::ProgramRun;
using sim::testing::RunProgram;

constexpr auto kWait = 10s;

CtlRun Ctl(LiveRoom& room, const std::vector<std::string>& args) {
  auto run = room.Capturectl(args);
  EXPECT_TRUE(run.ok()) << run.status().message();
  return run.ok() ? *run : CtlRun{};
}

// The room has stations 1-3. An agent started as station 4 (with a key the coordinator admits) is
// refused at its hello: it shows the refusal as an alert and stops, instead of a ready station that
// the coordinator silently ignores all day.
TEST(SetupMistakes, AnAgentOfAStationTheScheduleLacksIsToldAtHelloAndStopsWithExitOne) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(4, {}, false, {"--identity", room.path("station-1.key")}));
  auto alert = room.AwaitLine(4, {"alert station=4", "no station 4", "(it has 1, 2, 3)", "--station"}, kWait);
  ASSERT_OK(alert.status());
  auto exit = room.WaitForAgentExit(4, kWait);
  ASSERT_OK(exit.status());
  EXPECT_EQ(exit->exit_code, 1) << exit->ToString();
  EXPECT_NE(FileText(room.path("station-4.log")).find("stopped: the coordinator refused station 4"),
            std::string::npos);

  // A station of the schedule is welcome as before.
  ASSERT_OK(room.StartAgent(1));
  ASSERT_OK(room.Input(1, room.Code(room.student(1, 0))));
  ASSERT_OK(room.AwaitLine(1, {"kind=CODE_READ"}, kWait).status());
  ASSERT_OK(room.WaitUntilStored(kWait));
}

// A new laptop's key that nobody enrolled: libzmq refuses it in the handshake and tells the agent
// nothing (nor does it try again). The agent watches its handshakes and names its key and the
// command that enrols it; started again after that command, it sends what it journaled meanwhile.
TEST(SetupMistakes, AnAgentWhoseKeyIsNotEnrolledSaysSoWithTheCommandThatEnrolsIt) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1, {}, false, {"--identity", room.path("new-laptop.key")}));
  const std::string key = room.line(1, 0).text.substr(room.line(1, 0).text.find("key=") + 4, 64);
  ASSERT_EQ(key.size(), 64u) << room.line(1, 0).text;
  auto alert = room.AwaitLine(1, {"alert station=1", "refused this station's key " + key,
                                  "capturectl enroll --station 1 --key " + key}, kWait);
  ASSERT_OK(alert.status());

  const CtlRun enrolled = Ctl(room, {"enroll", "--station", "1", "--key", key, "--connect", room.control(),
                                     "--token-file", room.store() + "/registrar.token"});
  ASSERT_EQ(enrolled.exit_code, 0) << enrolled.out << enrolled.err;
  ASSERT_OK(room.Input(1, room.Code(room.student(1, 0))));
  ASSERT_OK(room.AwaitLine(1, {"kind=CODE_READ"}, kWait).status());
  ASSERT_OK(room.StopAgent(1));
  ASSERT_OK(room.StartAgent(1, {}, false, {"--identity", room.path("new-laptop.key")}));
  ASSERT_OK(room.WaitUntilStored(kWait));
}

TEST(SetupMistakes, AMistypedCameraFolderIsRefusedUnlessCreateCameraDirIsGiven) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  const std::string typo = room.path("station-1/camrea");
  const ProgramRun refused = RunProgram(
      room.path(""), CAPTURE_BIN_DIR "/station-agent",
      {"--station", "1", "--camera-dir", typo, "--journal", room.journal_dir(1), "--site-key", room.path("site.key"),
       "--identity", room.path("station-1.key"), "--coordinator-key", room.store() + "/coordinator.pub", "--events",
       room.events(), "--control", room.control()});
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  const std::string& log = refused.err;
  EXPECT_NE(log.find("the camera folder " + typo + " does not exist: check --camera-dir"), std::string::npos) << log;
  EXPECT_NE(log.find("--create-camera-dir"), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(typo)) << "nothing made on a typo";

  // LiveRoom starts its agents with --create-camera-dir: the folder is made.
  ASSERT_OK(room.StartAgent(1, {}, false, {"--camera-dir", typo}));
  EXPECT_TRUE(fs::is_directory(typo));
}

TEST(SetupMistakes, ASecondCoordinatorOnTheSameStoreNamesTheOneThatHoldsIt) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  const ProgramRun second =
      RunProgram(room.path(""), CAPTURE_BIN_DIR "/coordinator",
                 {"--schedule", room.path("schedule.csv"), "--roster", room.path("roster.csv"), "--store",
                  room.store(), "--events", "tcp://127.0.0.1:*", "--control", "tcp://127.0.0.1:*", "--http", "off"});
  EXPECT_NE(second.exit_code, 0) << second.err;
  const std::string& log = second.err;
  EXPECT_NE(log.find("store " + room.store() + " is in use by another coordinator (pid " +
                     std::to_string(room.coordinator_pid()) + ")"),
            std::string::npos)
      << log;
  EXPECT_EQ(log.find("While lock file"), std::string::npos) << "RocksDB's own words: " << log;
}

TEST(SetupMistakes, VerifyRefusesAStoreThatARunningCoordinatorHoldsAndVerifiesItOnceStopped) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  const CtlRun moving = Ctl(room, {"verify", "--store", room.store()});
  EXPECT_EQ(moving.exit_code, 2) << moving.out << moving.err;
  EXPECT_NE(moving.err.find("store " + room.store() + " is in use by a running coordinator (pid " +
                            std::to_string(room.coordinator_pid()) + "): verify needs a stopped store"),
            std::string::npos)
      << moving.err;
  EXPECT_EQ(moving.out, "");
  ASSERT_OK(room.StopCoordinator());
  const CtlRun stopped = Ctl(room, {"verify", "--store", room.store()});
  EXPECT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err;
}

// One open SHOT_WITHOUT_CODE blocker at station 1: a shot with no code read before it.
std::string OpenBlocker(LiveRoom& room) {
  EXPECT_TRUE(room.StartAgent(1).ok());
  auto file = room.DropShot(1);
  EXPECT_TRUE(file.ok());
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    const CtlRun open = Ctl(room, {"anomalies", "--open", "--json", "--connect", room.control()});
    const auto first = nlohmann::json::parse(open.out.substr(0, open.out.find('\n')), nullptr, false);
    if (first.is_object() && first.value("kind", "") == "SHOT_WITHOUT_CODE") return first.value("id", "");
  }
  ADD_FAILURE() << "no SHOT_WITHOUT_CODE was raised";
  return "";
}

TEST(SetupMistakes, AWrongRegistrarTokenExitsTwoAndSaysTheTokenIsWrong) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  const std::string id = OpenBlocker(room);
  ASSERT_FALSE(id.empty());
  ASSERT_OK(WriteFileDurably(room.path("old.token"), std::string(64, '0') + "\n"));
  const CtlRun resolve =
      Ctl(room, {"resolve", id, "--reason", "checked", "--connect", room.control(), "--token-file", room.path("old.token")});
  EXPECT_EQ(resolve.exit_code, 2) << resolve.out << resolve.err;
  EXPECT_NE(resolve.err.find("the registrar token is wrong: give --token-file the coordinator's <store>/registrar.token"),
            std::string::npos)
      << resolve.err;
  const CtlRun close_day =
      Ctl(room, {"close-day", "--connect", room.control(), "--token-file", room.path("old.token")});
  EXPECT_EQ(close_day.exit_code, 2) << close_day.out << close_day.err;
  EXPECT_NE(close_day.err.find("the registrar token is wrong"), std::string::npos) << close_day.err;
  const CtlRun still = Ctl(room, {"anomalies", "--open", "--json", "--connect", room.control()});
  EXPECT_NE(still.out.find("\"id\":\"" + id + "\""), std::string::npos) << "nothing was resolved: " << still.out;
}

TEST(SetupMistakes, ResolvingAnAnomalyAgainSaysWhoResolvedItWhenAndRecordsNothing) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  const std::string id = OpenBlocker(room);
  ASSERT_FALSE(id.empty());
  const std::string token = room.store() + "/registrar.token";
  const CtlRun first = Ctl(room, {"resolve", id, "--reason", "a test shot of the wall", "--by", "王老师", "--connect",
                                  room.control(), "--token-file", token});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  const CtlRun before = Ctl(room, {"export", "anomalies", "--connect", room.control()});

  const CtlRun again = Ctl(room, {"resolve", id, "--reason", "once more", "--connect", room.control(), "--token-file",
                                  token});
  EXPECT_EQ(again.exit_code, 1) << again.out << again.err;
  EXPECT_EQ(again.out.rfind("not_resolved commit_index=0: " + id + " is already resolved by 王老师 at ", 0), 0u)
      << again.out;
  EXPECT_NE(again.out.find(": a test shot of the wall; nothing was recorded"), std::string::npos) << again.out;
  EXPECT_EQ(Ctl(room, {"export", "anomalies", "--connect", room.control()}).out, before.out)
      << "no UNKNOWN_ANOMALY or other INFO opened";
}

// The help a new user reads first says what the programs do now (it once said that anyone who
// reaches the control address may resolve anomalies).
TEST(SetupMistakes, TheHelpTextsSayWhatTheProgramsDo) {
  const sim::testing::TempDir dir;
  const auto out = [&](const char* program, std::vector<std::string> args) {
    return RunProgram(dir.path(), std::string(CAPTURE_BIN_DIR "/") + program, args).out;
  };
  const std::string coordinator = out("coordinator", {"--help"});
  EXPECT_EQ(coordinator.find("No token yet"), std::string::npos) << coordinator;
  EXPECT_NE(coordinator.find("need the registrar token"), std::string::npos) << coordinator;
  const std::string agent = out("station-agent", {"--help"});
  EXPECT_NE(agent.find("--create-camera-dir"), std::string::npos) << agent;
  const std::string resolve = out("capturectl", {"resolve", "--help"});
  EXPECT_NE(resolve.find("An anomaly resolved already is not resolved again"), std::string::npos) << resolve;
  EXPECT_NE(resolve.find("A wrong registrar token exits 2"), std::string::npos) << resolve;
}

}  // namespace
}  // namespace capture::coord
