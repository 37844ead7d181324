// A thin wrapper over cppzmq: ZeroMQ's exceptions stay in here; callers get Status values and
// "nothing arrived" as an empty optional. Each socket is owned and used by one thread only.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <zmq.hpp>

#include "common/identity.h"
#include "common/status.h"

namespace capture {

// High-water mark for every socket on a data path. Frames beyond it are not lost: the sender
// keeps them in its journal and they are resent on request.
inline constexpr int kHighWaterMark = 100000;

// Sockets are created with linger 0 (a process that exits does not hang on unsent frames: the
// journal still has them), the high-water mark above, and a receive cap of 1 MiB (the frame cap
// is enforced, with a counter, by the receiver's decoder).
Result<zmq::socket_t> OpenSocket(zmq::context_t& ctx, zmq::socket_type type);
Status Bind(zmq::socket_t& socket, const std::string& endpoint);
Status Connect(zmq::socket_t& socket, const std::string& endpoint);
Status SetRoutingId(zmq::socket_t& socket, std::string_view id);
// ROUTER: fail sends to unknown peers instead of dropping them. No handover: a connection that
// names itself like one that is up gets nothing of it (ZeroMQ's own routing ids are predictable).
Status MakeRouterStrict(zmq::socket_t& router);

// DEALER (before Connect): queue messages only while the connection is up, so frames sent while
// the peer is down (e.g. repeated hellos) are refused (TrySend false) rather than delivered as a
// stale burst when it comes back.
Status QueueOnlyWhenConnected(zmq::socket_t& socket);

// Before Connect: accept messages up to `max_bytes` (-1: any size) instead of the 1 MiB cap, for
// a client that asks for replies larger than that (e.g. an export).
Status SetReceiveLimit(zmq::socket_t& socket, int64_t max_bytes);

// How a socket is secured: ZeroMQ's CURVE (RFC 26), with the keys derived from Ed25519 identities
// (common/identity.h). A null identity is plain text, which only an explicit --insecure asks for.
struct ClientSecurity {
  std::shared_ptr<const Identity> identity;  // this client's own keys
  PublicKey server_key{};                    // the pinned coordinator key
  bool insecure() const { return identity == nullptr; }
};
struct ServerSecurity {
  std::shared_ptr<const Identity> identity;
  bool insecure() const { return identity == nullptr; }
};
// The ZAP domain of every server socket: the coordinator's Gatekeeper answers for it.
inline constexpr char kZapDomain[] = "capture";
// Before Connect: CURVE client with its own keys, pinned to the server's key. Plain text: nothing.
Status Secure(zmq::socket_t& socket, const ClientSecurity& security);
// Before Bind: CURVE server; every connection is then put to the context's ZAP handler.
Status Secure(zmq::socket_t& socket, const ServerSecurity& security);

// A test hook in the manner of RocksDB's fault-injection Env: a sender asks Drop() before each send
// and, when it says so, skips the send as a lossy network would, reporting success. Seeded, so a
// test's losses repeat. Only the test flags of the programs make one.
class SendFaults {
 public:
  SendFaults(double drop_share, uint64_t seed) : drop_share_(drop_share), random_(seed) {}
  bool Drop() { return std::uniform_real_distribution<double>(0, 1)(random_) < drop_share_; }

 private:
  double drop_share_;
  std::mt19937_64 random_;
};

// Two PAIR sockets of `ctx` joined at inproc://`name` (unique within `ctx`): one end for a thread
// that runs a loop of its own, one for its owner, which wakes or stops it through the pipe.
struct InprocPipe {
  zmq::socket_t owner_end;
  zmq::socket_t loop_end;
};
Result<InprocPipe> OpenInprocPipe(zmq::context_t& ctx, const std::string& name);

// `endpoint` ("tcp://host:port") with its port replaced: the image socket lives on the control
// socket's host at a port of its own.
std::string WithPort(std::string_view endpoint, std::string_view port);

// SUB: receive every message.
Status SubscribeAll(zmq::socket_t& sub);
// The address the socket bound last, with a `*` port resolved: "tcp://127.0.0.1:40123".
Result<std::string> LastEndpoint(zmq::socket_t& socket);
// Waits up to `timeout` (negative: forever) until an item is ready; returns how many are. A signal
// interrupting the wait is not an error: it returns 0, so the caller's loop re-checks its state.
Result<int> Poll(std::vector<zmq::pollitem_t>& items, std::chrono::milliseconds timeout);
// The descriptor (ZMQ_FD) that polls readable when `socket` may have messages to receive, for a
// thread that waits on hundreds of sockets: Poll over their descriptors costs one system call,
// Poll over the sockets themselves one per socket. Edge-triggered in effect: before the first wait,
// after it signals and after every send on the socket, receive until nothing is left, or a message
// may sit unseen.
Result<int> ReadinessFd(zmq::socket_t& socket);

// A ROUTER peer's routing id for log lines: as it is when printable, else in hex ("0x0080000001").
std::string PeerName(std::string_view routing_id);

// Non-blocking send of one single-part message; false when it would block or the peer is gone.
bool TrySend(zmq::socket_t& socket, std::string_view bytes);
// ROUTER: send `bytes` to the peer with routing id `peer`; false if unknown or it would block.
bool TrySendTo(zmq::socket_t& router, std::string_view peer, std::string_view bytes);

// Non-blocking receive of one message (all parts joined is never done: extra parts are dropped
// and reported as such by `extra_parts`).
struct Received {
  std::string peer;     // ROUTER only: the sender's routing id
  std::string user_id;  // the ZAP handler's name for the sender's connection; empty in plain text
  std::string bytes;
  size_t extra_parts = 0;
};
std::optional<Received> TryRecv(zmq::socket_t& socket, bool routed);

}  // namespace capture
