#include "tools/capture-sim/process.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

extern char** environ;

namespace capture::sim {

namespace {

constexpr size_t kRecentLines = 5;
// Wait() checks the child this often: reaping has no file descriptor to poll portably.
constexpr auto kReapPollInterval = std::chrono::milliseconds(2);

Status ErrnoStatus(const std::string& what, int err) { return Status::IoError(what + ": " + std::strerror(err)); }

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

ExitStatus FromWaitStatus(int status) {
  ExitStatus e;
  if (WIFEXITED(status)) e.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) e.signal = WTERMSIG(status);
  return e;
}

// Pipes and the log file are close-on-exec in the parent; posix_spawn's dup2 onto 0/1/2 clears it
// for the child's copies only, so concurrent spawns from other threads never inherit them.
struct SpawnFds {
  int in[2] = {-1, -1};
  int out[2] = {-1, -1};
  int err = -1;
  ~SpawnFds() {
    for (int* fd : {&in[0], &in[1], &out[0], &out[1], &err}) CloseFd(*fd);
  }
};

}  // namespace

std::string ExitStatus::ToString() const {
  if (signal != 0) return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  return "exit code " + std::to_string(exit_code);
}

Result<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(std::vector<std::string> argv,
                                                          const std::string& stderr_log) {
  if (argv.empty()) return Status::InvalidArgument("no program to start");
  static std::once_flag ignore_sigpipe;
  std::call_once(ignore_sigpipe, [] { std::signal(SIGPIPE, SIG_IGN); });

  const std::string name = std::filesystem::path(argv[0]).filename().string();
  SpawnFds fds;
  if (::pipe2(fds.in, O_CLOEXEC) != 0 || ::pipe2(fds.out, O_CLOEXEC) != 0) {
    return ErrnoStatus("cannot make pipes for " + name, errno);
  }
  if (!stderr_log.empty()) {
    fds.err = ::open(stderr_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fds.err < 0) return ErrnoStatus("cannot open log file " + stderr_log, errno);
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds.in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds.out[1], STDOUT_FILENO);
  if (fds.err >= 0) posix_spawn_file_actions_adddup2(&actions, fds.err, STDERR_FILENO);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults, empty;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigemptyset(&empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char*> cargv;
  for (std::string& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, cargv[0], &actions, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return ErrnoStatus("cannot start " + argv[0], rc);

  std::unique_ptr<ChildProcess> child(new ChildProcess(pid, name, fds.in[1], fds.out[0]));
  fds.in[1] = -1;
  fds.out[0] = -1;
  return child;
}

ChildProcess::ChildProcess(pid_t pid, std::string name, int stdin_fd, int stdout_fd)
    : pid_(pid), name_(std::move(name)), stdin_fd_(stdin_fd), stdout_fd_(stdout_fd) {}

ChildProcess::~ChildProcess() {
  CloseFd(stdin_fd_);
  CloseFd(stdout_fd_);
  if (!exit_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

Status ChildProcess::WriteLine(std::string_view line) {
  if (stdin_fd_ < 0) return Status::Unavailable("stdin of " + name_ + " is closed");
  std::string bytes(line);
  bytes.push_back('\n');
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(stdin_fd_, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("cannot write to " + name_ + " (pid " + std::to_string(pid_) + ")", errno);
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

void ChildProcess::CloseInput() { CloseFd(stdin_fd_); }

std::optional<std::string> ChildProcess::ReadLine(Clock::time_point deadline) {
  for (;;) {
    const size_t nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      recent_.push_back(line);
      if (recent_.size() > kRecentLines) recent_.pop_front();
      return line;
    }
    if (eof_) return std::nullopt;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left < 0) return std::nullopt;
    pollfd pfd{stdout_fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(std::min<int64_t>(left + 1, 1 << 30)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      if (Clock::now() >= deadline) return std::nullopt;
      continue;
    }
    char chunk[4096];
    const ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof_ = true;
      // A last line without a newline still counts as a line.
      if (!buffer_.empty()) buffer_.push_back('\n');
      continue;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

std::string ChildProcess::RecentLines() const {
  if (recent_.empty()) return "no output lines seen";
  std::string out = "last lines seen:";
  for (const std::string& l : recent_) out += " \"" + l + "\"";
  return out;
}

Result<std::string> ChildProcess::WaitForLine(const std::function<bool(const std::string&)>& matches,
                                              std::chrono::milliseconds timeout, std::string_view what) {
  const auto deadline = Clock::now() + timeout;
  while (auto line = ReadLine(deadline)) {
    if (matches(*line)) return std::move(*line);
  }
  const std::string who = name_ + " (pid " + std::to_string(pid_) + ")";
  if (eof_) {
    return Status::Unavailable(who + " closed its output while we waited for " + std::string(what) + "; " +
                               RecentLines());
  }
  return Status::Unavailable("timed out after " + std::to_string(timeout.count()) + " ms waiting for " +
                             std::string(what) + " from " + who + "; " + RecentLines());
}

Status ChildProcess::Signal(int signal) {
  if (exit_) return Status::Unavailable(name_ + " has already ended (" + exit_->ToString() + ")");
  if (::kill(pid_, signal) != 0) return ErrnoStatus("cannot signal " + name_, errno);
  return Status::Ok();
}

Result<ExitStatus> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!exit_) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return ErrnoStatus("cannot wait for " + name_, errno);
    if (r == pid_) {
      exit_ = FromWaitStatus(status);
      break;
    }
    if (Clock::now() >= deadline) {
      return Status::Unavailable(name_ + " (pid " + std::to_string(pid_) + ") still running after " +
                                 std::to_string(timeout.count()) + " ms");
    }
    std::this_thread::sleep_for(kReapPollInterval);
  }
  return *exit_;
}

}  // namespace capture::sim
