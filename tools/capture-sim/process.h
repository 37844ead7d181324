// A child process we talk to by lines: its stdin is a pipe we write, its stdout a pipe we read
// line by line with deadlines, its stderr appended to a log file. Used by the simulator and by
// tests that drive station-agent and coordinator.
//
// Thread safety: one thread uses an instance at a time. Spawning ignores SIGPIPE in this process
// (once), so that writing to a child that died is an error Status rather than our death; children
// start with default signal handling and an empty signal mask.
// Lifetime: the destructor kills a child still running (SIGKILL) and reaps it, so no test or
// failed run leaves processes behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace capture::sim {

using Clock = std::chrono::steady_clock;

struct ExitStatus {
  int exit_code = -1;  // when the process exited normally
  int signal = 0;      // when a signal ended it
  bool Succeeded() const { return signal == 0 && exit_code == 0; }
  std::string ToString() const;  // "exit code 0", "killed by signal 9"
};

class ChildProcess {
 public:
  // Starts argv[0] (a path; not searched in PATH). Stderr goes to `stderr_log` (created or
  // appended), or stays ours when it is empty.
  static Result<std::unique_ptr<ChildProcess>> Spawn(std::vector<std::string> argv,
                                                     const std::string& stderr_log = "");
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& name() const { return name_; }  // the program's file name, for messages

  // Writes `line` and a newline to the child's stdin.
  Status WriteLine(std::string_view line);
  // Closes the child's stdin (it sees EOF).
  void CloseInput();

  // The next stdout line without its newline; nullopt when the deadline passes first or stdout
  // is closed (then at_eof() is true).
  std::optional<std::string> ReadLine(Clock::time_point deadline);
  bool at_eof() const { return eof_; }

  // Reads lines until one satisfies `matches` and returns it. Lines before it are consumed. On
  // timeout or EOF the error names `what` and quotes the last lines seen.
  Result<std::string> WaitForLine(const std::function<bool(const std::string&)>& matches,
                                  std::chrono::milliseconds timeout, std::string_view what);

  Status Signal(int signal);
  // Waits for the child to end; Unavailable when it is still running at the timeout.
  Result<ExitStatus> Wait(std::chrono::milliseconds timeout);

 private:
  ChildProcess(pid_t pid, std::string name, int stdin_fd, int stdout_fd);
  std::string RecentLines() const;

  pid_t pid_;
  std::string name_;
  int stdin_fd_;
  int stdout_fd_;
  std::string buffer_;  // stdout bytes read but not yet returned as a line
  bool eof_ = false;
  std::deque<std::string> recent_;  // the last few lines returned, for error messages
  std::optional<ExitStatus> exit_;
};

}  // namespace capture::sim
