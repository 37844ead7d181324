// Helpers of the capture-sim and capturectl tests: temp folders and running the programs.
#pragma once

#include <stdlib.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/csv.h"
#include "common/fs.h"
#include "common/status.h"
#include "coordinator/control_client.h"
#include "tests/support/temp_dir.h"
#include "tools/capture-sim/kit.h"
#include "tools/capture-sim/output_line.h"
#include "tools/capture-sim/process.h"

namespace capture::sim::testing {

using ::capture::testing::TempDir;

// One of the project's programs, as built.
inline std::string Bin(const std::string& program) { return std::string(CAPTURE_BIN_DIR) + "/" + program; }

// The first `per_station` classes of every station of the seed schedule: a short morning, as CSV.
inline std::string MorningOfTheSeedSchedule(size_t per_station) {
  auto text = ReadFile(CAPTURE_DATA_DIR "/schedule-2024-04-22.csv");
  EXPECT_TRUE(text.ok());
  auto rows = ParseCsv(text.ok() ? *text : "", "seed schedule");
  EXPECT_TRUE(rows.ok() && !rows->empty());
  if (!rows.ok() || rows->empty()) return "";
  std::string out = CsvLine((*rows)[0]);
  std::map<std::string, size_t> taken;
  for (size_t i = 1; i < rows->size(); ++i) {
    if (taken[(*rows)[i][0]]++ < per_station) out += CsvLine((*rows)[i]);
  }
  return out;
}

// A coordinator of a simulated day (--sim-time) on ports the system chose, once it is ready.
struct StartedCoordinator {
  std::unique_ptr<ChildProcess> process;
  std::string events;   // its endpoints, from the ready line
  std::string control;
  coord::ControlEndpoint registrar;  // the control socket, reached as the registrar
};

// Starts CAPTURE_BIN_DIR/coordinator with a new store in `dir`/store (its stderr in
// `dir`/coordinator.log), the roster and enrolment of the kit in `kit` (roster.csv,
// station-keys.csv), and waits for its ready line.
inline Result<StartedCoordinator> StartCoordinator(const std::string& dir, const std::string& schedule,
                                                   const std::string& kit) {
  auto child = ChildProcess::Spawn({Bin("coordinator"), "--store", dir + "/store", "--schedule", schedule, "--roster",
                                    kit + "/" + kRosterFile, "--station-keys", kit + "/" + kStationKeysFile,
                                    "--sim-time", "--events", "tcp://127.0.0.1:*", "--control", "tcp://127.0.0.1:*"},
                                   dir + "/coordinator.log");
  if (!child.ok()) return child.status();
  auto ready = (*child)->WaitForLine([](const std::string& l) { return l.rfind("ready ", 0) == 0; },
                                     std::chrono::seconds(30), "the coordinator's ready line");
  if (!ready.ok()) return ready.status();
  const OutputLine line = ParseOutputLine(*ready);
  auto registrar = coord::RegistrarEndpoint(line.Get("control").value_or(""), dir + "/store");
  if (!registrar.ok()) return registrar.status();
  return StartedCoordinator{std::move(*child), line.Get("events").value_or(""), line.Get("control").value_or(""),
                            std::move(*registrar)};
}

// A file's text for a test message or comparison; the error text when it cannot be read.
inline std::string FileText(const std::string& path) {
  auto text = ReadFile(path);
  return text.ok() ? *text : "(" + text.status().message() + ")";
}

struct ProgramRun {
  int exit_code = -1;
  std::string out;  // stdout, each line ending in "\n"
  std::string err;  // stderr
};

// Runs `program` with `args` to its end; its stderr goes to a log file of its own in `log_dir`.
inline ProgramRun RunProgram(const std::string& log_dir, const std::string& program,
                             const std::vector<std::string>& args) {
  static int runs = 0;
  const std::string log = log_dir + "/run-" + std::to_string(++runs) + ".log";
  std::vector<std::string> argv = {program};
  argv.insert(argv.end(), args.begin(), args.end());
  ProgramRun run;
  auto child = ChildProcess::Spawn(argv, log);
  EXPECT_TRUE(child.ok()) << child.status().message();
  if (!child.ok()) return run;
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (auto line = (*child)->ReadLine(deadline)) run.out += *line + "\n";
  auto exit = (*child)->Wait(std::chrono::seconds(30));
  EXPECT_TRUE(exit.ok()) << exit.status().message();
  if (exit.ok()) run.exit_code = exit->signal == 0 ? exit->exit_code : -1;
  run.err = FileText(log);
  return run;
}

// capturectl with `args`; with --connect and no --keys, --keys is `log_dir`/store: the test's
// coordinator store, which holds the registrar's keys.
inline ProgramRun Capturectl(const std::string& log_dir, std::vector<std::string> args) {
  const bool connects = std::find(args.begin(), args.end(), "--connect") != args.end();
  if (connects && std::find(args.begin(), args.end(), "--keys") == args.end()) {
    args.insert(args.end(), {"--keys", log_dir + "/store"});
  }
  return RunProgram(log_dir, Bin("capturectl"), args);
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
