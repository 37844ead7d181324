#include "coordinator/control_client.h"

#include <chrono>
#include <limits>
#include <variant>
#include <vector>

#include "common/frame.h"
#include "common/fs.h"
#include "common/transport.h"

namespace capture::coord {

Result<ClientSecurity> RegistrarSecurity(const std::string& keys_dir, const std::string& registrar_key,
                                         const std::string& coordinator_key) {
  const std::string key_path = registrar_key.empty() ? keys_dir + "/registrar.key" : registrar_key;
  const std::string pub_path = coordinator_key.empty() ? keys_dir + "/coordinator.pub" : coordinator_key;
  auto identity = Identity::Load(key_path);
  if (!identity.ok()) {
    return Status::InvalidArgument(identity.status().message() +
                                   " (the registrar's key: the coordinator makes it in its store folder; see --keys)");
  }
  auto server = ReadPublicKey(pub_path);
  if (!server.ok()) {
    return Status::InvalidArgument(server.status().message() + " (the coordinator's public key; see --keys)");
  }
  return ClientSecurity{std::make_shared<const Identity>(std::move(*identity)), *server};
}

Result<ControlEndpoint> RegistrarEndpoint(const std::string& address, const std::string& store_dir) {
  auto security = RegistrarSecurity(store_dir);
  if (!security.ok()) return security.status();
  return ControlEndpoint{address, std::move(*security)};
}

Result<std::string> ReadRegistrarToken(const std::string& path) {
  auto token = ReadFile(path);
  if (!token.ok()) return Status::InvalidArgument("cannot read the registrar token: " + token.status().message());
  while (!token->empty() && (token->back() == '\n' || token->back() == '\r')) token->pop_back();
  return token;
}

Result<wire::Frame> CallControl(const ControlEndpoint& control, wire::Frame request,
                                wire::Frame::BodyCase reply_body, int timeout_ms) {
  zmq::context_t context;
  auto dealer = OpenSocket(context, zmq::socket_type::dealer);
  if (!dealer.ok()) return dealer.status();
  if (Status s = SetReceiveLimit(*dealer, -1); !s.ok()) return s;
  if (Status s = Secure(*dealer, control.security); !s.ok()) return s;
  if (Status s = Connect(*dealer, control.address); !s.ok()) return s;
  // A DEALER queues the message until the connection is up, so this does not race the connect.
  if (!TrySend(*dealer, EncodeFrame(std::move(request)))) {
    return Status::Unavailable("cannot send a request to " + control.address);
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::vector<zmq::pollitem_t> items = {{dealer->handle(), 0, ZMQ_POLLIN, 0}};
  while (true) {
    while (auto message = TryRecv(*dealer, false)) {
      auto decoded = DecodeFrame(message->bytes, std::numeric_limits<size_t>::max());
      if (auto* error = std::get_if<FrameError>(&decoded)) {
        return Status::InvalidArgument("bad reply from " + control.address + ": " + error->detail);
      }
      auto& frame = std::get<wire::Frame>(decoded);
      if (frame.body_case() != reply_body) {
        return Status::InvalidArgument("the reply from " + control.address + " is not the one asked for (body " +
                                       std::to_string(frame.body_case()) + ")");
      }
      return std::move(frame);
    }
    using std::chrono::milliseconds;
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return Status::Unavailable("no reply from " + control.address + " within " + std::to_string(timeout_ms) +
                                 " ms");
    }
    auto ready = Poll(items, left);
    if (!ready.ok()) return ready.status();
  }
}

Result<wire::ResolveReply> RequestResolve(const ControlEndpoint& control, const std::string& anomaly_id,
                                          const std::string& reason, const std::string& by, const std::string& token,
                                          int timeout_ms) {
  wire::Frame request;
  wire::ResolveRequest* r = request.mutable_resolve_request();
  r->set_anomaly_id(anomaly_id);
  r->set_reason(reason);
  r->set_by(by);
  r->set_token(token);
  auto reply = CallControl(control, std::move(request), wire::Frame::kResolveReply, timeout_ms);
  if (!reply.ok()) return reply.status();
  return std::move(*reply->mutable_resolve_reply());
}

Result<wire::CloseDayReply> RequestCloseDay(const ControlEndpoint& control, uint32_t station, const std::string& by,
                                            const std::string& token, int timeout_ms) {
  wire::Frame request;
  wire::CloseDayRequest* r = request.mutable_close_day_request();
  r->set_station(station);
  r->set_by(by);
  r->set_token(token);
  auto reply = CallControl(control, std::move(request), wire::Frame::kCloseDayReply, timeout_ms);
  if (!reply.ok()) return reply.status();
  return std::move(*reply->mutable_close_day_reply());
}

Result<wire::ExportReply> RequestExport(const ControlEndpoint& control, const wire::ExportRequest& request,
                                        int timeout_ms) {
  wire::Frame frame;
  *frame.mutable_export_request() = request;
  auto reply = CallControl(control, std::move(frame), wire::Frame::kExportReply, timeout_ms);
  if (!reply.ok()) return reply.status();
  return std::move(*reply->mutable_export_reply());
}

}  // namespace capture::coord
