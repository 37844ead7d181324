// A station agent played by a test: real PUB and DEALER sockets like station-agent's, with its
// events kept in memory, so a test can send exactly what it wants (gaps, duplicates, garbage)
// and answer the coordinator's resend requests.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "capture.pb.h"
#include "common/status.h"
#include "common/transport.h"

namespace capture::coord::testing {

// A CODE_READ event of `station`/`epoch` with sequence number `seq`, as an agent journals it.
std::string MakeEvent(uint32_t station, uint64_t epoch, uint64_t seq, int64_t station_time_us = 0);

class FakeAgent {
 public:
  // `security`: the station's key and the coordinator's (plain text for an --insecure coordinator).
  FakeAgent(uint32_t station, uint64_t epoch, ClientSecurity security);

  // Opens fresh sockets (dropping old ones): PUB to `events`, DEALER to `control`.
  Status Connect(const std::string& events, const std::string& control);
  // Closes both sockets, as a laptop that is switched off does.
  void Disconnect();

  // Adds the next event (seq 1, 2, …), linked to the one before it, to the agent's memory and
  // returns its seq.
  uint64_t AddEvent(int64_t station_time_us = 0);
  void AddEvents(uint64_t count) {
    for (uint64_t i = 0; i < count; ++i) AddEvent();
  }
  const std::string& event(uint64_t seq) const { return events_.at(seq - 1); }
  uint64_t last_seq() const { return events_.size(); }

  Status SendHello();
  Status SendEvent(uint64_t seq);  // on the DEALER, as a resend is
  Status PublishEvent(uint64_t seq);
  Status PublishHeartbeat();
  Status SendRaw(const std::string& bytes);  // any bytes on the DEALER
  zmq::socket_t& dealer() { return dealer_; }

  // Receives what the coordinator sends until `done` accepts a frame (returned) or `timeout`
  // passes (nullopt). Acks update acked(); resend requests are recorded and, if serve_resends,
  // answered from memory. `on_idle` runs whenever ~20 ms pass with nothing received.
  std::optional<wire::Frame> WaitFor(const std::function<bool(const wire::Frame&)>& done,
                                     std::chrono::milliseconds timeout, bool serve_resends = true,
                                     const std::function<void()>& on_idle = nullptr);
  // Waits for an ack covering `seq`.
  bool WaitForAck(uint64_t seq, std::chrono::milliseconds timeout, const std::function<void()>& on_idle = nullptr);

  uint64_t acked() const { return acked_; }
  const std::vector<wire::ResendRequest>& resend_requests() const { return resend_requests_; }

 private:
  uint32_t station_;
  uint64_t epoch_;
  ClientSecurity security_;
  std::vector<std::string> events_;
  zmq::context_t context_;
  zmq::socket_t pub_;
  zmq::socket_t dealer_;
  uint64_t acked_ = 0;
  std::vector<wire::ResendRequest> resend_requests_;
};

}  // namespace capture::coord::testing
