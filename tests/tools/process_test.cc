#include "tools/capture-sim/process.h"

#include <gtest/gtest.h>

#include <csignal>

#include "common/fs.h"
#include "tests/tools/test_support.h"

namespace capture::sim {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<ChildProcess> Shell(const std::string& script, const std::string& log = "") {
  auto child = ChildProcess::Spawn({"/bin/sh", "-c", script}, log);
  EXPECT_TRUE(child.ok()) << child.status().message();
  return std::move(child).value();
}

TEST(ChildProcess, EchoesLinesWrittenToItsInput) {
  auto child = Shell("while read -r line; do echo \"got $line\"; done");
  ASSERT_TRUE(child->WriteLine("one").ok());
  ASSERT_TRUE(child->WriteLine("two words").ok());
  EXPECT_EQ(child->ReadLine(Clock::now() + 5s), "got one");
  EXPECT_EQ(child->ReadLine(Clock::now() + 5s), "got two words");
  child->CloseInput();
  auto exit = child->Wait(5s);
  ASSERT_TRUE(exit.ok()) << exit.status().message();
  EXPECT_TRUE(exit->Succeeded()) << exit->ToString();
}

TEST(ChildProcess, ReadLineReturnsNothingWhenTheDeadlinePassesFirst) {
  auto child = Shell("read -r line; echo late");
  const auto start = Clock::now();
  EXPECT_EQ(child->ReadLine(start + 100ms), std::nullopt);
  EXPECT_GE(Clock::now() - start, 100ms);
  EXPECT_FALSE(child->at_eof());
  ASSERT_TRUE(child->WriteLine("go").ok());
  EXPECT_EQ(child->ReadLine(Clock::now() + 5s), "late");
}

TEST(ChildProcess, WaitForLineSkipsOtherLinesAndReturnsTheMatch) {
  auto child = Shell("echo noise; echo 'alert station=1 something'; echo 'ready station=1'");
  auto line = child->WaitForLine([](const std::string& l) { return l.rfind("ready ", 0) == 0; }, 5s, "the ready line");
  ASSERT_TRUE(line.ok()) << line.status().message();
  EXPECT_EQ(*line, "ready station=1");
}

TEST(ChildProcess, WaitForLineTimeoutNamesWhatItWaitedForAndQuotesTheLastLines) {
  auto child = Shell("echo first; echo second; read -r never");
  auto line = child->WaitForLine([](const std::string& l) { return l == "ready"; }, 200ms, "the agent's ready line");
  ASSERT_FALSE(line.ok());
  const std::string& message = line.status().message();
  EXPECT_NE(message.find("timed out after 200 ms waiting for the agent's ready line"), std::string::npos) << message;
  EXPECT_NE(message.find("\"first\" \"second\""), std::string::npos) << message;
}

TEST(ChildProcess, WaitForLineReportsAClosedOutputInsteadOfWaitingOut) {
  auto child = Shell("echo bye; exit 3");
  const auto start = Clock::now();
  auto line = child->WaitForLine([](const std::string&) { return false; }, 10s, "an event line");
  ASSERT_FALSE(line.ok());
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_NE(line.status().message().find("closed its output while we waited for an event line"), std::string::npos)
      << line.status().message();
  auto exit = child->Wait(5s);
  ASSERT_TRUE(exit.ok());
  EXPECT_EQ(exit->exit_code, 3);
}

TEST(ChildProcess, SendsStderrToTheLogFile) {
  testing::TempDir dir;
  auto child = Shell("echo oops >&2; echo done", dir / "child.log");
  EXPECT_EQ(child->ReadLine(Clock::now() + 5s), "done");
  ASSERT_TRUE(child->Wait(5s).ok());
  auto log = ReadFile(dir / "child.log");
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(*log, "oops\n");
}

TEST(ChildProcess, SignalEndsTheChildAndWaitReportsTheSignal) {
  auto child = Shell("echo up; exec sleep 60");
  ASSERT_EQ(child->ReadLine(Clock::now() + 5s), "up");
  EXPECT_FALSE(child->Wait(50ms).ok());
  ASSERT_TRUE(child->Signal(SIGTERM).ok());
  auto exit = child->Wait(5s);
  ASSERT_TRUE(exit.ok()) << exit.status().message();
  EXPECT_EQ(exit->signal, SIGTERM);
  EXPECT_FALSE(exit->Succeeded());
}

TEST(ChildProcess, WritingToADeadChildIsAnErrorNotADeath) {
  auto child = Shell("exit 0");
  ASSERT_TRUE(child->Wait(5s).ok());
  Status st = Status::Ok();
  for (int i = 0; i < 100 && st.ok(); ++i) st = child->WriteLine("anyone?");
  EXPECT_FALSE(st.ok());
}

TEST(ChildProcess, StartingAMissingProgramFailsWithItsName) {
  auto child = ChildProcess::Spawn({"/nonexistent/program"});
  ASSERT_FALSE(child.ok());
  EXPECT_NE(child.status().message().find("/nonexistent/program"), std::string::npos);
}

TEST(ChildProcess, DestructorKillsAndReapsARunningChild) {
  pid_t pid = 0;
  {
    auto child = Shell("exec sleep 60");
    pid = child->pid();
  }
  EXPECT_NE(::kill(pid, 0), 0);  // reaped: the pid no longer names our child
}

}  // namespace
}  // namespace capture::sim
