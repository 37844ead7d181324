// Helpers for the station agent's tests: temp folders, synthetic camera JPEGs, and the real
// station-agent binary as a child process read line by line with deadlines.
#pragma once

#include "tests/support/temp_dir.h"

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace capture::agent::testing {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

using ::capture::testing::TempDir;

// "YYYY:MM:DD HH:MM:SS" inside an APP1 Exif segment (TIFF in either byte order), or no Exif at all.
std::string ExifSegment(std::string_view date_time_original, bool little_endian);
// SOI, optional `exif_segment`, a COM segment with `filler` bytes derived from `seed`, EOI.
std::string MakeJpeg(uint32_t seed, std::string_view exif_segment = {}, size_t filler = 2000);

void WriteFile(const std::string& path, std::string_view bytes);

// A TCP port on 127.0.0.1 with nobody listening: bound by the OS, then released.
int UnusedPort();

// A running station-agent (CAPTURE_BIN_DIR/station-agent): stdin is a pipe, stdout is read by
// lines, stderr goes to a log file. The destructor kills (SIGKILL) and reaps it.
class AgentProcess {
 public:
  AgentProcess(std::vector<std::string> args, const std::string& stderr_log);
  ~AgentProcess();
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;

  void WriteLine(std::string_view line);
  void CloseInput();
  // The next stdout line, or nullopt when `timeout` passes first (or stdout ended).
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  // Lines until one starts with `prefix` (consumed, returned), or nullopt at the timeout; `seen`
  // collects every line read, the matching one included.
  std::optional<std::string> WaitFor(std::string_view prefix, std::chrono::milliseconds timeout = 10s,
                                     std::vector<std::string>* seen = nullptr);
  void Signal(int sig);
  // The exit code, or -signal when a signal ended it; nullopt if still running at the timeout.
  std::optional<int> Wait(std::chrono::milliseconds timeout = 10s);

 private:
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  std::string buffer_;
};

// The value of `key=` in an agent stdout line ("" if absent); quoted values are unquoted.
std::string Field(const std::string& line, std::string_view key);

}  // namespace capture::agent::testing
