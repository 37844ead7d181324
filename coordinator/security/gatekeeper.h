// The Gatekeeper: who may connect to the coordinator's sockets at all.
//
// Every server socket of the coordinator is a CURVE server (common/transport.h, Secure) in one
// ZeroMQ context, and this answers that context's ZAP requests (RFC 27) on its own thread: a client
// is admitted only when the CURVE key it presents belongs to an admitted Ed25519 key (an enrolled
// station's, or the registrar's), and its connection is named by the User-Id of that key
// ("station/<N>/<key hex>" or "registrar", enrolment.h), which libzmq attaches to every message of
// the connection, SUB included. Every other key is refused: counted as
// curve_refused{reason="unknown_key"} or {reason="withdrawn_key"} and logged with the key (each key
// once). Handshakes that never reach ZAP (a client without CURVE, a client whose keys do not fit) are
// seen on the sockets' monitors and counted as curve_refused{reason="no_curve"},
// {reason="hung_up"} (the client left mid-handshake, as a client without CURVE does when it reads
// the coordinator's mechanism first) or {reason="bad_handshake"}.
//
// libzmq admits every client when no ZAP handler answers, so the handler is bound before any CURVE
// socket (Open), and SelfTest tries an unknown key against a bound socket: the coordinator refuses
// to run if that key gets in.
//
// Life: Open (binds the ZAP socket) -> Watch each server socket on its owner's thread before it is
// used -> Start (the thread runs) -> Admit from any thread, as often as enrolment changes -> the
// destructor stops and joins the thread. The context must outlive the Gatekeeper.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <zmq.hpp>

#include "common/identity.h"
#include "common/status.h"

namespace capture::coord {

// What the Gatekeeper admits: by the CURVE key a client presents, the User-Id its connection gets.
struct Admission {
  std::map<CurveKey, std::string> admitted;
  std::set<CurveKey> withdrawn;  // refused as withdrawn_key rather than unknown_key
};

class Gatekeeper {
 public:
  static Result<std::unique_ptr<Gatekeeper>> Open(zmq::context_t* context, Admission admission);
  ~Gatekeeper();
  Gatekeeper(const Gatekeeper&) = delete;
  Gatekeeper& operator=(const Gatekeeper&) = delete;

  // Counts the failed handshakes of `socket` (named `name` in logs). Before Start, on the thread
  // that owns `socket`.
  Status Watch(zmq::socket_t& socket, const std::string& name);
  Status Start();
  // Replaces what is admitted; connections made from now on are judged by it. Any thread.
  void Admit(Admission admission);

  // Connects with a fresh, unenrolled key to `endpoint` (a bound CURVE ROUTER of `server_key`) and
  // fails unless that connection is refused. After Start.
  Status SelfTest(const std::string& endpoint, const PublicKey& server_key);

  // curve_admitted and curve_refused{reason="…"}; any thread.
  std::vector<std::pair<std::string, uint64_t>> counters() const;

 private:
  struct Monitor {
    std::string name;
    zmq::socket_t pair;
  };
  explicit Gatekeeper(zmq::context_t* context) : context_(context) {}
  void Run();
  void Answer();
  void ReadMonitor(Monitor& monitor);
  std::shared_ptr<const Admission> Current() const;
  void Refuse(const std::string& reason, const std::string& peer_address, const CurveKey* key);

  zmq::context_t* context_;
  zmq::socket_t zap_;     // REP at inproc://zeromq.zap.01; the thread's once started
  zmq::socket_t wake_;    // the owner's end of the stop pipe
  zmq::socket_t wake_loop_end_;
  std::vector<Monitor> monitors_;  // the thread's once started
  std::thread thread_;

  mutable std::mutex admission_mutex_;
  std::shared_ptr<const Admission> admission_;  // guarded by admission_mutex_; replaced, never changed

  std::shared_ptr<const Identity> probe_identity_;  // SelfTest's key: refused without being counted
  CurveKey probe_{};
  std::atomic<uint64_t> admitted_{0};
  std::atomic<uint64_t> unknown_key_{0};
  std::atomic<uint64_t> withdrawn_key_{0};
  std::atomic<uint64_t> no_curve_{0};
  std::atomic<uint64_t> hung_up_{0};
  std::atomic<uint64_t> bad_handshake_{0};
  std::set<CurveKey> logged_;  // the thread's: keys whose refusal was logged
};

}  // namespace capture::coord
