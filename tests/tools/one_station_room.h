// A real coordinator and one real station agent on a one-class schedule of the test's own roster,
// for tests that need particular students (an unsafe registry number, names in any script): the test
// types the codes and lands the camera files, as the operator does, and runs capturectl.
#pragma once

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/collection_code.h"
#include "common/fs.h"
#include "common/schedule.h"
#include "tests/support/image_files.h"
#include "tests/tools/test_support.h"
#include "tools/capture-sim/process.h"
#include "tools/capture-sim/sim_jpeg.h"

namespace capture::sim::testing {

class OneStationRoom {
 public:
  // `roster_rows`: student_no,registry_no,college,class,name,masked_name; the class 汉语言文学2101.
  void Start(const std::vector<std::string>& roster_rows) {
    std::string roster = std::string(kRosterHeader) + "\n";
    for (const std::string& row : roster_rows) roster += row + "\n";
    ASSERT_TRUE(WriteFileDurably(dir / "schedule.csv", "station,college,class,headcount,start,end\n1,文学院,汉语言文学2101," +
                                                           std::to_string(roster_rows.size()) + ",08:30,08:45\n")
                    .ok());
    ASSERT_TRUE(WriteFileDurably(dir / "roster.csv", roster).ok());
    ASSERT_TRUE(SaveSiteKey(dir / "site.key", key_).ok());
    ASSERT_TRUE(MakeDirs(dir / "camera").ok());
    ASSERT_TRUE(WriteStationKeys(dir.path(), {1}).ok());
    auto coordinator = StartCoordinator(dir.path(), dir / "schedule.csv", dir.path());
    ASSERT_TRUE(coordinator.ok()) << coordinator.status().message();
    coordinator_.emplace(std::move(*coordinator));
    std::vector<std::string> argv = {Bin("station-agent"), "--station", "1", "--camera-dir", dir / "camera",
                                     "--journal", dir / "journal", "--site-key", dir / "site.key", "--sim-time",
                                     "--events", coordinator_->events, "--control", coordinator_->control};
    for (std::string& flag : AgentKeyFlags(dir.path(), 1, dir / "store/coordinator.pub")) argv.push_back(flag);
    auto agent = ChildProcess::Spawn(argv, dir / "agent.log");
    ASSERT_TRUE(agent.ok()) << agent.status().message();
    agent_ = std::move(*agent);
    ASSERT_TRUE(agent_->WaitForLine(Starts("ready "), std::chrono::seconds(30), "the agent's ready line").ok());
    ASSERT_TRUE(agent_->WriteLine("!time 2024-04-22T08:30:05+08:00").ok());
  }

  ~OneStationRoom() {
    if (agent_) {
      EXPECT_TRUE(agent_->Signal(SIGTERM).ok());
      EXPECT_TRUE(agent_->Wait(std::chrono::seconds(15)).ok());
    }
    if (coordinator_) {
      EXPECT_TRUE(coordinator_->process->Signal(SIGTERM).ok());
      EXPECT_TRUE(coordinator_->process->Wait(std::chrono::seconds(15)).ok());
    }
  }

  void Read(const std::string& registry_no, const std::string& masked_name) {
    ASSERT_TRUE(agent_->WriteLine(MintDemoCode(key_, registry_no, masked_name)).ok());
    ASSERT_TRUE(agent_->WaitForLine(Has("kind=CODE_READ"), std::chrono::seconds(30), "the code read").ok());
  }

  // Lands camera file IMG_<number>.JPG taken at `exif_time` (EXIF form) and returns its bytes.
  std::string Shoot(int number, const char* exif_time) {
    const std::string jpeg = MakeSimJpeg(exif_time, SimJpegComment(1, 1, number));
    const std::string name = "IMG_" + std::string(4 - std::to_string(number).size(), '0') + std::to_string(number) + ".JPG";
    // Written beside the camera folder and renamed in, as a camera's file lands whole.
    EXPECT_TRUE(WriteFileDurably(dir / name, jpeg).ok());
    std::filesystem::rename(dir / name, dir / ("camera/" + name));
    auto shot = agent_->WaitForLine(Has("kind=SHOT_TAKEN"), std::chrono::seconds(30), "the shot");
    EXPECT_TRUE(shot.ok()) << shot.status().message();
    return jpeg;
  }

  // Asks the coordinator until its assignment export holds `row` (the coordinator stores a shot a
  // moment after the agent journals it, and its image a moment after that).
  void AwaitAssignment(const std::string& row) {
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    ProgramRun assignment;
    do {
      assignment = Ctl({"export", "assignment", "--connect", control()});
    } while (assignment.out.find(row) == std::string::npos && Clock::now() < deadline);
    ASSERT_NE(assignment.out.find(row), std::string::npos) << assignment.out << assignment.err;
  }

  void AwaitImagesFiled() {
    const Status filed = ::capture::testing::AwaitImagesFiled({dir / "journal"}, dir / "store", std::chrono::seconds(30));
    ASSERT_TRUE(filed.ok()) << filed.message();
  }

  // The agent's next output line holding `part` (lines before it are consumed).
  std::string AwaitAgentLine(const char* part) {
    auto line = agent_->WaitForLine(Has(part), std::chrono::seconds(30), part);
    EXPECT_TRUE(line.ok()) << line.status().message();
    return line.ok() ? *line : "";
  }

  ProgramRun Ctl(const std::vector<std::string>& args) { return Capturectl(dir.path(), args); }
  const std::string& control() const { return coordinator_->control; }

  TempDir dir;

 private:
  static std::function<bool(const std::string&)> Starts(const char* prefix) {
    return [prefix](const std::string& l) { return l.rfind(prefix, 0) == 0; };
  }
  static std::function<bool(const std::string&)> Has(const char* part) {
    return [part](const std::string& l) { return l.find(part) != std::string::npos; };
  }

  SiteKey key_ = GenerateSiteKey();
  std::optional<StartedCoordinator> coordinator_;
  std::unique_ptr<ChildProcess> agent_;
};

}  // namespace capture::sim::testing
