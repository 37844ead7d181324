#include "coordinator/status_client.h"

#include <chrono>
#include <variant>
#include <vector>

#include "common/frame.h"
#include "common/transport.h"

namespace capture::coord {

Result<wire::StatusReply> QueryStatus(const std::string& control_endpoint, int timeout_ms) {
  zmq::context_t context;
  auto dealer = OpenSocket(context, zmq::socket_type::dealer);
  if (!dealer.ok()) return dealer.status();
  if (Status s = Connect(*dealer, control_endpoint); !s.ok()) return s;
  wire::Frame request;
  request.mutable_status_request();
  // A DEALER queues the message until the connection is up, so this does not race the connect.
  if (!TrySend(*dealer, EncodeFrame(std::move(request)))) {
    return Status::Unavailable("cannot send a status request to " + control_endpoint);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::vector<zmq::pollitem_t> items = {{dealer->handle(), 0, ZMQ_POLLIN, 0}};
  while (true) {
    while (auto message = TryRecv(*dealer, false)) {
      auto decoded = DecodeFrame(message->bytes);
      if (auto* error = std::get_if<FrameError>(&decoded)) {
        return Status::InvalidArgument("bad reply from " + control_endpoint + ": " + error->detail);
      }
      auto& frame = std::get<wire::Frame>(decoded);
      if (!frame.has_status_reply()) {
        return Status::InvalidArgument("reply from " + control_endpoint + " is not a status reply");
      }
      return std::move(*frame.mutable_status_reply());
    }
    using std::chrono::milliseconds;
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return Status::Unavailable("no status reply from " + control_endpoint + " within " + std::to_string(timeout_ms) +
                                 " ms");
    }
    auto ready = Poll(items, left);
    if (!ready.ok()) return ready.status();
  }
}

}  // namespace capture::coord
