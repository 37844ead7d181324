#include "coordinator/security/gatekeeper.h"

#include <cerrno>
#include <cstring>

#include <zmq_addon.hpp>

#include "common/log.h"
#include "common/sha256.h"
#include "common/transport.h"

namespace capture::coord {

namespace {

constexpr char kLog[] = "gatekeeper";
constexpr char kZapEndpoint[] = "inproc://zeromq.zap.01";
constexpr int kMonitoredEvents = ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL;
// A flood of refused keys must not grow the log set without bound.
constexpr size_t kMaxLoggedKeys = 10'000;

std::string CurveHex(const CurveKey& key) { return ToHex(std::string_view(reinterpret_cast<const char*>(key.data()), 32)); }

// A monitor event's first frame: the event (u16) and its value (u32), in host order (zmq_socket_monitor).
bool ParseMonitorEvent(const zmq::message_t& frame, uint16_t* event, uint32_t* value) {
  if (frame.size() != 6) return false;
  std::memcpy(event, frame.data(), 2);
  std::memcpy(value, static_cast<const char*>(frame.data()) + 2, 4);
  return true;
}

}  // namespace

Result<std::unique_ptr<Gatekeeper>> Gatekeeper::Open(zmq::context_t* context, Admission admission) {
  std::unique_ptr<Gatekeeper> keeper(new Gatekeeper(context));
  keeper->admission_ = std::make_shared<const Admission>(std::move(admission));
  keeper->probe_identity_ = std::make_shared<const Identity>(Identity::Generate());
  keeper->probe_ = keeper->probe_identity_->curve_public();
  auto zap = OpenSocket(*context, zmq::socket_type::rep);
  if (!zap.ok()) return zap.status();
  keeper->zap_ = std::move(*zap);
  if (Status s = Bind(keeper->zap_, kZapEndpoint); !s.ok()) {
    return Status::IoError("cannot become the ZAP handler (" + s.message() + "): another one is bound in this context");
  }
  auto wake = OpenInprocPipe(*context, "gatekeeper-stop");
  if (!wake.ok()) return wake.status();
  keeper->wake_ = std::move(wake->owner_end);
  keeper->wake_loop_end_ = std::move(wake->loop_end);
  return keeper;
}

Gatekeeper::~Gatekeeper() {
  if (thread_.joinable()) {
    if (!TrySend(wake_, "stop")) LogError(kLog, "cannot signal the ZAP thread to stop");
    thread_.join();
  }
}

Status Gatekeeper::Watch(zmq::socket_t& socket, const std::string& name) {
  const std::string endpoint = "inproc://gatekeeper-monitor-" + std::to_string(monitors_.size());
  if (zmq_socket_monitor(socket.handle(), endpoint.c_str(), kMonitoredEvents) != 0) {
    return Status::IoError("cannot monitor the " + name + " socket: " + zmq_strerror(zmq_errno()));
  }
  auto pair = OpenSocket(*context_, zmq::socket_type::pair);
  if (!pair.ok()) return pair.status();
  if (Status s = Connect(*pair, endpoint); !s.ok()) return s;
  monitors_.push_back({name, std::move(*pair)});
  return Status::Ok();
}

Status Gatekeeper::Start() {
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void Gatekeeper::Admit(Admission admission) {
  auto next = std::make_shared<const Admission>(std::move(admission));
  std::lock_guard<std::mutex> lock(admission_mutex_);
  admission_ = std::move(next);
}

std::shared_ptr<const Admission> Gatekeeper::Current() const {
  std::lock_guard<std::mutex> lock(admission_mutex_);
  return admission_;
}

void Gatekeeper::Run() {
  for (;;) {
    std::vector<zmq::pollitem_t> items = {{zap_.handle(), 0, ZMQ_POLLIN, 0}, {wake_loop_end_.handle(), 0, ZMQ_POLLIN, 0}};
    for (Monitor& m : monitors_) items.push_back({m.pair.handle(), 0, ZMQ_POLLIN, 0});
    auto ready = Poll(items, std::chrono::milliseconds(-1));
    if (!ready.ok()) {
      LogError(kLog, ready.status().message());
      return;
    }
    if (items[1].revents & ZMQ_POLLIN) return;
    if (items[0].revents & ZMQ_POLLIN) Answer();
    for (size_t i = 0; i < monitors_.size(); ++i) {
      if (items[2 + i].revents & ZMQ_POLLIN) ReadMonitor(monitors_[i]);
    }
  }
}

// RFC 27: request [version, request id, domain, address, routing id, mechanism, credentials…];
// reply [version, request id, status code, status text, user id, metadata].
void Gatekeeper::Answer() {
  std::vector<zmq::message_t> request;
  try {
    if (!zmq::recv_multipart(zap_, std::back_inserter(request), zmq::recv_flags::dontwait)) return;
  } catch (const zmq::error_t& e) {
    LogError(kLog, std::string("cannot read a ZAP request: ") + e.what());
    return;
  }
  auto frame = [&](size_t i) { return i < request.size() ? request[i].to_string() : std::string(); };
  std::string code = "400", text = "refused", user_id;
  const std::string mechanism = frame(5);
  if (frame(0) != "1.0") {
    text = "unknown ZAP version";
  } else if (mechanism != "CURVE" || request.size() < 7 || request[6].size() != 32) {
    Refuse("no_curve", frame(3), nullptr);
    text = "CURVE only";
  } else {
    CurveKey key{};
    std::memcpy(key.data(), request[6].data(), key.size());
    const std::shared_ptr<const Admission> admission = Current();
    if (const auto it = admission->admitted.find(key); it != admission->admitted.end()) {
      code = "200";
      text = "OK";
      user_id = it->second;
      ++admitted_;
    } else if (key == probe_) {
      text = "self-test";
    } else {
      Refuse(admission->withdrawn.count(key) ? "withdrawn_key" : "unknown_key", frame(3), &key);
    }
  }
  std::vector<std::string> reply = {"1.0", frame(1), code, text, user_id, ""};
  try {
    for (size_t i = 0; i < reply.size(); ++i) {
      zap_.send(zmq::buffer(reply[i]), i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
  } catch (const zmq::error_t& e) {
    LogError(kLog, std::string("cannot answer a ZAP request: ") + e.what());
  }
}

void Gatekeeper::Refuse(const std::string& reason, const std::string& peer_address, const CurveKey* key) {
  if (reason == "unknown_key") ++unknown_key_;
  if (reason == "withdrawn_key") ++withdrawn_key_;
  if (reason == "no_curve") ++no_curve_;
  if (key && (logged_.count(*key) || logged_.size() >= kMaxLoggedKeys)) return;
  if (key) logged_.insert(*key);
  LogWarn(kLog, "refused a connection from " + peer_address + " (" + reason + ")" +
                    (key ? ", CURVE key " + CurveHex(*key) : std::string()));
}

void Gatekeeper::ReadMonitor(Monitor& monitor) {
  for (;;) {
    std::vector<zmq::message_t> event;
    try {
      if (!zmq::recv_multipart(monitor.pair, std::back_inserter(event), zmq::recv_flags::dontwait)) return;
    } catch (const zmq::error_t&) {
      return;
    }
    uint16_t what = 0;
    uint32_t value = 0;
    if (event.empty() || !ParseMonitorEvent(event[0], &what, &value)) continue;
    const std::string endpoint = event.size() > 1 ? event[1].to_string() : monitor.name;
    // A client without CURVE is refused at the greeting. When the coordinator reads the client's
    // mechanism first, libzmq says so; when the client reads ours first, it hangs up, and libzmq
    // reports only the broken connection (no detail, EPIPE or ECONNRESET).
    const bool no_curve = what == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL && value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH;
    const bool hung_up = what == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL && (value == EPIPE || value == ECONNRESET);
    const char* why = no_curve ? "no_curve: the client does not speak CURVE"
                      : hung_up ? "hung_up: the client left during the handshake, as one without CURVE does"
                                : "bad_handshake: its keys do not fit";
    ++(no_curve ? no_curve_ : hung_up ? hung_up_ : bad_handshake_);
    LogWarn(kLog, "refused a connection to the " + monitor.name + " socket at " + endpoint + " (" + why +
                      "; zmq monitor event " + std::to_string(what) + ", value " + std::to_string(value) + ")");
  }
}

Status Gatekeeper::SelfTest(const std::string& endpoint, const PublicKey& server_key) {
  zmq::context_t context;
  auto dealer = OpenSocket(context, zmq::socket_type::dealer);
  if (!dealer.ok()) return dealer.status();
  if (Status s = Secure(*dealer, ClientSecurity{probe_identity_, server_key}); !s.ok()) return s;
  constexpr char kProbeMonitor[] = "inproc://gatekeeper-probe";
  if (zmq_socket_monitor(dealer->handle(), kProbeMonitor,
                         ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                             ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0) {
    return Status::IoError(std::string("cannot monitor the self-test connection: ") + zmq_strerror(zmq_errno()));
  }
  auto events = OpenSocket(context, zmq::socket_type::pair);
  if (!events.ok()) return events.status();
  if (Status s = Connect(*events, kProbeMonitor); !s.ok()) return s;
  if (Status s = Connect(*dealer, endpoint); !s.ok()) return s;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    std::vector<zmq::pollitem_t> items = {{events->handle(), 0, ZMQ_POLLIN, 0}};
    auto ready = Poll(items, std::chrono::milliseconds(200));
    if (!ready.ok()) return ready.status();
    std::vector<zmq::message_t> event;
    try {
      if (!zmq::recv_multipart(*events, std::back_inserter(event), zmq::recv_flags::dontwait)) continue;
    } catch (const zmq::error_t& e) {
      return Status::IoError(std::string("cannot read the self-test monitor: ") + e.what());
    }
    uint16_t what = 0;
    uint32_t value = 0;
    if (event.empty() || !ParseMonitorEvent(event[0], &what, &value)) continue;
    if (what == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
      return Status::Unavailable("an unenrolled key was admitted to " + endpoint +
                                 ": no ZAP handler is in force, so the coordinator will not run");
    }
    if (what == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) return Status::Ok();
  }
  return Status::Unavailable("the CURVE self-test against " + endpoint + " got no answer in 10 s");
}

std::vector<std::pair<std::string, uint64_t>> Gatekeeper::counters() const {
  return {{"curve_admitted", admitted_.load()},
          {"curve_refused{reason=\"unknown_key\"}", unknown_key_.load()},
          {"curve_refused{reason=\"withdrawn_key\"}", withdrawn_key_.load()},
          {"curve_refused{reason=\"no_curve\"}", no_curve_.load()},
          {"curve_refused{reason=\"hung_up\"}", hung_up_.load()},
          {"curve_refused{reason=\"bad_handshake\"}", bad_handshake_.load()}};
}

}  // namespace capture::coord
