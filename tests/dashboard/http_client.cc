#include "tests/dashboard/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>

namespace capture::dashboard::testing {

namespace {

using Clock = std::chrono::steady_clock;

Result<int> ConnectTo(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IoError(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return Status::Unavailable("connect to 127.0.0.1:" + std::to_string(port) + ": " + why);
  }
  return fd;
}

bool SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Appends what arrives until the deadline; false on EOF or error.
bool ReadSome(int fd, std::string& into, Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  if (left <= 0) return false;
  pollfd p{fd, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(left));
  if (ready <= 0) return false;
  char buf[65536];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  if (n <= 0) return false;
  into.append(buf, static_cast<size_t>(n));
  return true;
}

// The request line, the Host header and `headers`, each line ending in CRLF: the caller ends the head.
std::string Head(const std::string& request_line, int port, const Headers& headers) {
  std::string head = request_line + "\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  return head;
}

std::string Dechunk(const std::string& body) {
  std::string out;
  size_t i = 0;
  while (i < body.size()) {
    const size_t eol = body.find("\r\n", i);
    if (eol == std::string::npos) break;
    const size_t size = std::stoul(body.substr(i, eol - i), nullptr, 16);
    if (size == 0) break;
    out += body.substr(eol + 2, size);
    i = eol + 2 + size + 2;
  }
  return out;
}

}  // namespace

int PortOf(const std::string& url) {
  const size_t colon = url.rfind(':');
  if (colon == std::string::npos || url.find_first_not_of("0123456789", colon + 1) != std::string::npos) return 0;
  return std::stoi(url.substr(colon + 1));
}

Result<HttpReply> SendRaw(int port, std::string_view request, std::chrono::milliseconds timeout) {
  auto fd = ConnectTo(port);
  if (!fd.ok()) return fd.status();
  const auto deadline = Clock::now() + timeout;
  // A server may answer (413) and close before it has read everything: what it read counts.
  SendAll(*fd, request);
  std::string raw;
  while (ReadSome(*fd, raw, deadline)) {
  }
  ::close(*fd);
  const size_t head_end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || head_end == std::string::npos) {
    return Status::Unavailable("no HTTP reply (" + std::to_string(raw.size()) + " bytes)");
  }
  HttpReply reply;
  reply.status = std::stoi(raw.substr(9, 3));
  size_t line = raw.find("\r\n") + 2;
  while (line < head_end) {
    const size_t eol = raw.find("\r\n", line);
    const std::string header = raw.substr(line, eol - line);
    const size_t colon = header.find(':');
    if (colon != std::string::npos) {
      std::string name = header.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      const std::string value = header.substr(header.find_first_not_of(' ', colon + 1));
      std::string& joined = reply.headers[name];
      joined = joined.empty() ? value : joined + ", " + value;
    }
    line = eol + 2;
  }
  reply.body = raw.substr(head_end + 4);
  if (reply.headers["transfer-encoding"] == "chunked") reply.body = Dechunk(reply.body);
  return reply;
}

Result<HttpReply> Get(int port, const std::string& path, const Headers& headers) {
  return SendRaw(port, Head("GET " + path + " HTTP/1.1", port, headers) + "Connection: close\r\n\r\n");
}

Result<HttpReply> Post(int port, const std::string& path, std::string_view body,
                       const std::optional<std::string>& authorization, const Headers& headers) {
  std::string request = Head("POST " + path + " HTTP/1.1", port, headers) + "Connection: close\r\n" +
                        "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  if (authorization) request += "Authorization: " + *authorization + "\r\n";
  request += "\r\n";
  request += body;
  return SendRaw(port, request);
}

Result<std::unique_ptr<EventStream>> EventStream::Open(int port, const Headers& headers) {
  auto fd = ConnectTo(port);
  if (!fd.ok()) return fd.status();
  if (!SendAll(*fd, Head("GET /api/events HTTP/1.1", port, headers) + "Accept: text/event-stream\r\n\r\n")) {
    ::close(*fd);
    return Status::Unavailable("cannot send the event stream request");
  }
  return std::unique_ptr<EventStream>(new EventStream(*fd));
}

EventStream::~EventStream() { ::close(fd_); }

std::optional<std::string> EventStream::ReadEvent(Clock::time_point deadline) {
  // Chunk framing lines never start with "data: ", so the events can be read through it.
  while (true) {
    const size_t data = buffer_.find("\ndata: ");
    if (data != std::string::npos) {
      const size_t eol = buffer_.find('\n', data + 1);
      if (eol != std::string::npos) {
        std::string event = buffer_.substr(data + 7, eol - data - 7);
        buffer_.erase(0, eol);
        return event;
      }
    }
    if (!ReadSome(fd_, buffer_, deadline)) return std::nullopt;
  }
}

}  // namespace capture::dashboard::testing
