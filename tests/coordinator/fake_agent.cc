#include "tests/coordinator/fake_agent.h"

#include <variant>

#include "common/frame.h"
#include "common/sha256.h"
#include "common/transport.h"
#include "coordinator/stream_id.h"

namespace capture::coord::testing {

std::string MakeEvent(uint32_t station, uint64_t epoch, uint64_t seq, int64_t station_time_us) {
  wire::CaptureEvent ev;
  ev.set_station(station);
  ev.set_epoch(epoch);
  ev.set_seq(seq);
  ev.set_kind(wire::CODE_READ);
  ev.set_station_time_us(station_time_us);
  ev.mutable_code()->set_registry_no("1042120210" + std::to_string(100000 + seq));
  ev.mutable_code()->set_masked_name("张*明");
  return ev.SerializeAsString();
}

FakeAgent::FakeAgent(uint32_t station, uint64_t epoch, ClientSecurity security)
    : station_(station), epoch_(epoch), security_(std::move(security)) {}

void FakeAgent::Disconnect() {
  pub_.close();
  dealer_.close();
}

Status FakeAgent::Connect(const std::string& events, const std::string& control) {
  auto pub = OpenSocket(context_, zmq::socket_type::pub);
  if (!pub.ok()) return pub.status();
  auto dealer = OpenSocket(context_, zmq::socket_type::dealer);
  if (!dealer.ok()) return dealer.status();
  pub_ = std::move(*pub);
  dealer_ = std::move(*dealer);
  if (Status s = Secure(pub_, security_); !s.ok()) return s;
  if (Status s = Secure(dealer_, security_); !s.ok()) return s;
  if (Status s = capture::Connect(pub_, events); !s.ok()) return s;
  return capture::Connect(dealer_, control);
}

uint64_t FakeAgent::AddEvent(int64_t station_time_us) {
  std::string bytes = MakeEvent(station_, epoch_, events_.size() + 1, station_time_us);
  if (!events_.empty()) {  // linked to the one before, as a journal links them
    wire::CaptureEvent ev;
    ev.ParseFromString(bytes);
    ev.set_prev_sha256(AsBytes(ComputeSha256(events_.back())));
    bytes = ev.SerializeAsString();
  }
  events_.push_back(std::move(bytes));
  return events_.size();
}

Status FakeAgent::SendRaw(const std::string& bytes) {
  return TrySend(dealer_, bytes) ? Status::Ok() : Status::Unavailable("DEALER send would block");
}

Status FakeAgent::SendHello() {
  wire::Frame frame;
  wire::Hello* hello = frame.mutable_hello();
  hello->set_station(station_);
  hello->set_epoch(epoch_);
  hello->set_last_seq(last_seq());
  hello->set_agent_version("fake-agent");
  return SendRaw(EncodeFrame(std::move(frame)));
}

Status FakeAgent::SendEvent(uint64_t seq) { return SendRaw(EncodeEventFrame(event(seq))); }

Status FakeAgent::PublishEvent(uint64_t seq) {
  return TrySend(pub_, EncodeEventFrame(event(seq))) ? Status::Ok() : Status::Unavailable("PUB send failed");
}

Status FakeAgent::PublishHeartbeat() {
  wire::Frame frame;
  wire::Heartbeat* hb = frame.mutable_heartbeat();
  hb->set_station(station_);
  hb->set_epoch(epoch_);
  hb->set_last_seq(last_seq());
  return TrySend(pub_, EncodeFrame(std::move(frame))) ? Status::Ok() : Status::Unavailable("PUB send failed");
}

std::optional<wire::Frame> FakeAgent::WaitFor(const std::function<bool(const wire::Frame&)>& done,
                                              std::chrono::milliseconds timeout, bool serve_resends,
                                              const std::function<void()>& on_idle) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<zmq::pollitem_t> items = {{dealer_.handle(), 0, ZMQ_POLLIN, 0}};
  while (std::chrono::steady_clock::now() < deadline) {
    auto message = TryRecv(dealer_, false);
    if (!message) {
      if (!Poll(items, std::chrono::milliseconds(20)).ok()) return std::nullopt;
      if (!(items[0].revents & ZMQ_POLLIN) && on_idle) on_idle();
      continue;
    }
    auto decoded = DecodeFrame(message->bytes);
    if (!std::holds_alternative<wire::Frame>(decoded)) continue;
    const wire::Frame& frame = std::get<wire::Frame>(decoded);
    if (frame.has_ack()) acked_ = std::max(acked_, frame.ack().stored_seq());
    if (frame.has_resend()) {
      resend_requests_.push_back(frame.resend());
      if (serve_resends) {
        for (uint64_t seq = frame.resend().first_seq(); seq <= frame.resend().last_seq() && seq <= last_seq(); ++seq) {
          if (!SendEvent(seq).ok()) break;  // the coordinator asks again
        }
      }
    }
    if (done(frame)) return frame;
  }
  return std::nullopt;
}

bool FakeAgent::WaitForAck(uint64_t seq, std::chrono::milliseconds timeout, const std::function<void()>& on_idle) {
  if (acked_ >= seq) return true;
  return WaitFor([seq](const wire::Frame& f) { return f.has_ack() && f.ack().stored_seq() >= seq; }, timeout, true,
                 on_idle)
      .has_value();
}

}  // namespace capture::coord::testing
