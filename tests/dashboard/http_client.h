// A deliberately plain HTTP/1.1 client for tests: it sends exactly the bytes it is given (so a
// test can send what no polite client would: path tricks, garbage, huge bodies) to 127.0.0.1 and
// reads the reply until the server closes the connection.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace capture::dashboard::testing {

struct HttpReply {
  int status = 0;
  // Names lowercased; a header sent more than once holds its values joined by ", " (RFC 9110 5.3).
  std::map<std::string, std::string> headers;
  std::string body;                            // de-chunked
};

// Header lines a request adds to its own: {{"Cookie", "capture_session=…"}, {"Origin", "http://…"}}.
using Headers = std::vector<std::pair<std::string, std::string>>;

// The port of "http://127.0.0.1:41234"; 0 when it has none.
int PortOf(const std::string& url);

// Sends `request` as is and reads the whole reply. Unavailable on a timeout or a connection refused
// or closed before a status line.
Result<HttpReply> SendRaw(int port, std::string_view request,
                          std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

// With "Host: 127.0.0.1:<port>", as a browser sends it.
Result<HttpReply> Get(int port, const std::string& path, const Headers& headers = {});
// `authorization` is the Authorization header's value; none when nullopt.
Result<HttpReply> Post(int port, const std::string& path, std::string_view body,
                       const std::optional<std::string>& authorization, const Headers& headers = {});

// An open GET /api/events: ReadEvent returns each event's data line in turn.
class EventStream {
 public:
  static Result<std::unique_ptr<EventStream>> Open(int port, const Headers& headers = {});
  ~EventStream();
  // The data of the next "update" event, or nullopt when none comes before the deadline.
  std::optional<std::string> ReadEvent(std::chrono::steady_clock::time_point deadline);

 private:
  explicit EventStream(int fd) : fd_(fd) {}
  int fd_;
  std::string buffer_;
};

}  // namespace capture::dashboard::testing
