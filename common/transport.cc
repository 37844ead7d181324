#include "common/transport.h"

#include <algorithm>
#include <cerrno>

namespace capture {

namespace {

// The ZAP handler's User-Id that libzmq attaches to each message of an authenticated connection.
std::string UserIdOf(const zmq::message_t& msg) {
  // zmq_msg_gets, not message_t::gets: a message without the property is not an error here.
  const char* id = zmq_msg_gets(msg.handle(), "User-Id");
  return id ? id : "";
}

}  // namespace

Result<zmq::socket_t> OpenSocket(zmq::context_t& ctx, zmq::socket_type type) {
  try {
    zmq::socket_t s(ctx, type);
    s.set(zmq::sockopt::linger, 0);
    s.set(zmq::sockopt::sndhwm, kHighWaterMark);
    s.set(zmq::sockopt::rcvhwm, kHighWaterMark);
    s.set(zmq::sockopt::maxmsgsize, int64_t{1} << 20);
    return s;
  } catch (const zmq::error_t& e) {
    return Status::IoError(std::string("cannot open ZeroMQ socket: ") + e.what());
  }
}

Status Bind(zmq::socket_t& socket, const std::string& endpoint) {
  try {
    socket.bind(endpoint);
    return Status::Ok();
  } catch (const zmq::error_t& e) {
    return Status::IoError("cannot bind " + endpoint + ": " + e.what());
  }
}

Status Connect(zmq::socket_t& socket, const std::string& endpoint) {
  try {
    socket.connect(endpoint);
    return Status::Ok();
  } catch (const zmq::error_t& e) {
    return Status::IoError("cannot connect to " + endpoint + ": " + e.what());
  }
}

Status SetRoutingId(zmq::socket_t& socket, std::string_view id) {
  try {
    socket.set(zmq::sockopt::routing_id, zmq::buffer(id.data(), id.size()));
    return Status::Ok();
  } catch (const zmq::error_t& e) {
    return Status::IoError(std::string("cannot set routing id: ") + e.what());
  }
}

Status MakeRouterStrict(zmq::socket_t& router) {
  try {
    router.set(zmq::sockopt::router_mandatory, 1);
    return Status::Ok();
  } catch (const zmq::error_t& e) {
    return Status::IoError(std::string("cannot configure ROUTER: ") + e.what());
  }
}

Status QueueOnlyWhenConnected(zmq::socket_t& socket) {
  try {
    socket.set(zmq::sockopt::immediate, 1);
    return Status::Ok();
  } catch (const zmq::error_t& e) {
    return Status::IoError(std::string("cannot set immediate mode: ") + e.what());
  }
}

Status SetReceiveLimit(zmq::socket_t& socket, int64_t max_bytes) {
  try {
    socket.set(zmq::sockopt::maxmsgsize, max_bytes);
    return Status::Ok();
  } catch (const zmq::error_t& e) {
    return Status::IoError(std::string("cannot set the receive limit: ") + e.what());
  }
}

Status Secure(zmq::socket_t& socket, const ClientSecurity& security) {
  if (security.insecure()) return Status::Ok();
  try {
    auto curve = CurvePublicOf(security.server_key);
    if (!curve.ok()) return curve.status();
    socket.set(zmq::sockopt::curve_serverkey, zmq::buffer(curve->data(), curve->size()));
    socket.set(zmq::sockopt::curve_publickey, zmq::buffer(security.identity->curve_public().data(), 32));
    socket.set(zmq::sockopt::curve_secretkey, zmq::buffer(security.identity->curve_secret().data(), 32));
    return Status::Ok();
  } catch (const zmq::error_t& e) {
    return Status::IoError(std::string("cannot set up CURVE: ") + e.what());
  }
}

Status Secure(zmq::socket_t& socket, const ServerSecurity& security) {
  if (security.insecure()) return Status::Ok();
  try {
    socket.set(zmq::sockopt::curve_server, 1);
    socket.set(zmq::sockopt::curve_secretkey, zmq::buffer(security.identity->curve_secret().data(), 32));
    socket.set(zmq::sockopt::zap_domain, kZapDomain);
    return Status::Ok();
  } catch (const zmq::error_t& e) {
    return Status::IoError(std::string("cannot set up the CURVE server: ") + e.what());
  }
}

Status SubscribeAll(zmq::socket_t& sub) {
  try {
    sub.set(zmq::sockopt::subscribe, "");
    return Status::Ok();
  } catch (const zmq::error_t& e) {
    return Status::IoError(std::string("cannot subscribe: ") + e.what());
  }
}

Result<std::string> LastEndpoint(zmq::socket_t& socket) {
  try {
    return socket.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    return Status::IoError(std::string("cannot read the bound endpoint: ") + e.what());
  }
}

Result<int> Poll(std::vector<zmq::pollitem_t>& items, std::chrono::milliseconds timeout) {
  try {
    return zmq::poll(items, timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() == EINTR) return 0;
    return Status::IoError(std::string("poll failed: ") + e.what());
  }
}

Result<int> ReadinessFd(zmq::socket_t& socket) {
  try {
    return static_cast<int>(socket.get(zmq::sockopt::fd));
  } catch (const zmq::error_t& e) {
    return Status::IoError(std::string("cannot read the socket's descriptor: ") + e.what());
  }
}

std::string PeerName(std::string_view routing_id) {
  const bool printable = !routing_id.empty() && std::all_of(routing_id.begin(), routing_id.end(), [](char c) {
    return c > 0x20 && c < 0x7f;
  });
  if (printable) return "'" + std::string(routing_id) + "'";
  static const char kDigits[] = "0123456789abcdef";
  std::string hex = "0x";
  for (unsigned char c : routing_id) {
    hex += kDigits[c >> 4];
    hex += kDigits[c & 15];
  }
  return hex;
}

bool TrySend(zmq::socket_t& socket, std::string_view bytes) {
  try {
    return socket.send(zmq::buffer(bytes.data(), bytes.size()), zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t&) {
    return false;
  }
}

bool TrySendTo(zmq::socket_t& router, std::string_view peer, std::string_view bytes) {
  try {
    if (!router.send(zmq::buffer(peer.data(), peer.size()), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
      return false;
    }
    return router.send(zmq::buffer(bytes.data(), bytes.size()), zmq::send_flags::dontwait).has_value();
  } catch (const zmq::error_t&) {  // EHOSTUNREACH: the peer is not connected now
    return false;
  }
}

std::optional<Received> TryRecv(zmq::socket_t& socket, bool routed) {
  try {
    Received out;
    zmq::message_t msg;
    if (!socket.recv(msg, zmq::recv_flags::dontwait)) return std::nullopt;
    out.user_id = UserIdOf(msg);
    if (routed) {
      out.peer = msg.to_string();
      if (!msg.more()) return out;  // a routing id with no body: empty message
      if (!socket.recv(msg, zmq::recv_flags::none)) return out;
      out.user_id = UserIdOf(msg);
    }
    out.bytes = msg.to_string();
    while (msg.more()) {
      if (!socket.recv(msg, zmq::recv_flags::none)) break;
      ++out.extra_parts;
    }
    return out;
  } catch (const zmq::error_t&) {
    return std::nullopt;
  }
}

Result<InprocPipe> OpenInprocPipe(zmq::context_t& ctx, const std::string& name) {
  auto owner_end = OpenSocket(ctx, zmq::socket_type::pair);
  if (!owner_end.ok()) return owner_end.status();
  auto loop_end = OpenSocket(ctx, zmq::socket_type::pair);
  if (!loop_end.ok()) return loop_end.status();
  const std::string endpoint = "inproc://" + name;
  if (Status s = Bind(*loop_end, endpoint); !s.ok()) return s;
  if (Status s = Connect(*owner_end, endpoint); !s.ok()) return s;
  return InprocPipe{std::move(*owner_end), std::move(*loop_end)};
}

std::string WithPort(std::string_view endpoint, std::string_view port) {
  const size_t colon = endpoint.rfind(':');
  const size_t scheme = endpoint.find("://");
  const std::string host(colon == std::string_view::npos || colon <= scheme + 2 ? endpoint : endpoint.substr(0, colon));
  return host + ":" + std::string(port);
}

}  // namespace capture
