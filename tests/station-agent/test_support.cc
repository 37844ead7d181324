#include "test_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace capture::agent::testing {

namespace {

void Check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what + ": " + std::strerror(errno));
}

std::string U16(uint16_t v, bool le) {
  return le ? std::string{static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)}
            : std::string{static_cast<char>(v >> 8), static_cast<char>(v & 0xFF)};
}

std::string U32(uint32_t v, bool le) {
  return le ? U16(v & 0xFFFF, le) + U16(static_cast<uint16_t>(v >> 16), le)
            : U16(static_cast<uint16_t>(v >> 16), le) + U16(v & 0xFFFF, le);
}

std::string Segment(unsigned char type, std::string_view payload) {
  std::string out = {'\xFF', static_cast<char>(type)};
  out += U16(static_cast<uint16_t>(payload.size() + 2), false);  // JPEG lengths are big-endian
  out += payload;
  return out;
}

}  // namespace

std::string ExifSegment(std::string_view date_time, bool le) {
  // TIFF header (8) | IFD0 at 8: 1 entry -> Exif IFD at 26 | Exif IFD: 1 entry -> string at 44.
  std::string tiff = le ? "II" : "MM";
  tiff += U16(42, le) + U32(8, le);
  tiff += U16(1, le) + U16(0x8769, le) + U16(4, le) + U32(1, le) + U32(26, le) + U32(0, le);
  tiff += U16(1, le) + U16(0x9003, le) + U16(2, le) + U32(20, le) + U32(44, le) + U32(0, le);
  tiff += std::string(date_time) + '\0';
  return Segment(0xE1, std::string("Exif\0\0", 6) + tiff);
}

std::string MakeJpeg(uint32_t seed, std::string_view exif_segment, size_t filler) {
  std::string comment(filler, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (char& c : comment) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>('a' + (x >> 24) % 26);  // never 0xFF: no marker inside the segment
  }
  return std::string("\xFF\xD8", 2) + std::string(exif_segment) + Segment(0xFE, comment) + "\xFF\xD9";
}

void WriteFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  Check(out.good(), "write " + path);
}

int UnusedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  Check(fd >= 0, "socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  Check(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0, "bind");
  Check(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0, "getsockname");
  ::close(fd);
  return ntohs(addr.sin_port);
}

AgentProcess::AgentProcess(std::vector<std::string> args, const std::string& stderr_log) {
  ::signal(SIGPIPE, SIG_IGN);
  int in[2], out[2];
  Check(::pipe2(in, O_CLOEXEC) == 0 && ::pipe2(out, O_CLOEXEC) == 0, "pipe");
  const int log = ::open(stderr_log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  Check(log >= 0, "open " + stderr_log);
  args.insert(args.begin(), std::string(CAPTURE_BIN_DIR) + "/station-agent");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  Check(pid_ >= 0, "fork");
  if (pid_ == 0) {
    ::dup2(in[0], STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
    ::signal(SIGPIPE, SIG_DFL);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  ::close(log);
  stdin_fd_ = in[1];
  stdout_fd_ = out[0];
}

AgentProcess::~AgentProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  CloseInput();
  ::close(stdout_fd_);
}

void AgentProcess::WriteLine(std::string_view line) {
  const std::string bytes = std::string(line) + "\n";
  Check(::write(stdin_fd_, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()), "write to agent");
}

void AgentProcess::CloseInput() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  stdin_fd_ = -1;
}

std::optional<std::string> AgentProcess::ReadLine(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (const size_t nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() < 0) return std::nullopt;
    pollfd p{stdout_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[4096];
    const ssize_t n = ::read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

std::optional<std::string> AgentProcess::WaitFor(std::string_view prefix, std::chrono::milliseconds timeout,
                                                 std::vector<std::string>* seen) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto line = ReadLine(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
    if (!line) return std::nullopt;
    if (seen != nullptr) seen->push_back(*line);
    if (line->rfind(prefix, 0) == 0) return line;
  }
  return std::nullopt;
}

void AgentProcess::Signal(int sig) { ::kill(pid_, sig); }

std::optional<int> AgentProcess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);  // polling a condition with a deadline
  }
}

std::string Field(const std::string& line, std::string_view key) {
  const std::string needle = " " + std::string(key) + "=";
  const size_t at = line.find(needle);
  if (at == std::string::npos) return "";
  size_t pos = at + needle.size();
  std::string value;
  if (pos < line.size() && line[pos] == '"') {
    for (++pos; pos < line.size() && line[pos] != '"'; ++pos) {
      if (line[pos] == '\\' && pos + 1 < line.size()) ++pos;
      value += line[pos];
    }
    return value;
  }
  const size_t end = line.find(' ', pos);
  return line.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
}

}  // namespace capture::agent::testing
