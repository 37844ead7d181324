// Helpers of the capture-sim tests: temp folders and running the capture-sim program.
#pragma once

#include <stdlib.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/fs.h"
#include "tests/support/temp_dir.h"
#include "tools/capture-sim/process.h"

namespace capture::sim::testing {

using ::capture::testing::TempDir;

// A file's text for a test message or comparison; the error text when it cannot be read.
inline std::string FileText(const std::string& path) {
  auto text = ReadFile(path);
  return text.ok() ? *text : "(" + text.status().message() + ")";
}

struct SimRun {
  std::vector<std::string> lines;  // all of its stdout
  ExitStatus exit;
};

// Runs CAPTURE_BIN_DIR/capture-sim with `args` to its end (stderr to `log`).
inline SimRun RunCaptureSim(const std::vector<std::string>& args, const std::string& log,
                            std::chrono::seconds timeout = std::chrono::seconds(120)) {
  std::vector<std::string> argv = {CAPTURE_BIN_DIR "/capture-sim"};
  argv.insert(argv.end(), args.begin(), args.end());
  SimRun run;
  auto child = ChildProcess::Spawn(argv, log);
  EXPECT_TRUE(child.ok()) << child.status().message();
  if (!child.ok()) return run;
  const auto deadline = Clock::now() + timeout;
  while (auto line = (*child)->ReadLine(deadline)) run.lines.push_back(*line);
  EXPECT_TRUE((*child)->at_eof()) << "capture-sim did not finish in " << timeout.count() << " s";
  auto exit = (*child)->Wait(std::chrono::seconds(10));
  EXPECT_TRUE(exit.ok()) << exit.status().message();
  if (exit.ok()) run.exit = *exit;
  return run;
}

}  // namespace capture::sim::testing
