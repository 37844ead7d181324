#include "tools/bench/loadgen.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <vector>

#include "common/frame.h"
#include "common/transport.h"
#include "coordinator/stream_id.h"
#include "tools/bench/bench_day.h"

namespace capture::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kHeartbeatEvery = std::chrono::milliseconds(250);
constexpr auto kHelloEvery = std::chrono::milliseconds(200);
constexpr auto kStallLimit = std::chrono::seconds(30);
// Below the PUB's high-water mark (common/transport.h), so the PUB never drops.
constexpr uint64_t kProcessWindow = kHighWaterMark / 2;

struct Station {
  uint32_t number = 0;
  uint64_t epoch = 0;
  zmq::socket_t dealer;
  uint64_t published = 0;
  uint64_t acked = 0;
  bool hello_acked = false;
  std::vector<int64_t> published_at_us;  // by seq - 1; only with a latency file
};

int64_t MicrosSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
}

bool StdinSays(const std::string& word, std::chrono::milliseconds timeout) {
  pollfd fd{STDIN_FILENO, POLLIN, 0};
  if (poll(&fd, 1, static_cast<int>(timeout.count())) <= 0) return false;
  std::string line;
  return std::getline(std::cin, line) && line == word;
}

class Loadgen {
 public:
  explicit Loadgen(const LoadgenOptions& o)
      : o_(o), day_({o.total_stations, o.events_per_station}) {}

  Status Run() {
    if (Status s = Open(); !s.ok()) return s;
    if (Status s = Handshake(); !s.ok()) return s;
    std::printf("ready stations=%d-%d\n", o_.first_station, o_.last_station);
    std::fflush(stdout);
    while (!StdinSays("go", std::chrono::milliseconds(100))) {
      if (std::cin.eof()) return Status::Unavailable("stdin closed before go");
      Heartbeats();
      if (Status s = Receive(std::chrono::milliseconds(0)); !s.ok()) return s;
    }
    start_ = Clock::now();
    for (Station& s : stations_) base_ += s.acked;
    if (Status s = Pump(); !s.ok()) return s;
    const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    uint64_t total = 0;
    for (const Station& s : stations_) total += s.acked;
    std::printf("done events=%llu seconds=%.6f resends=%llu verdicts=%llu\n",
                static_cast<unsigned long long>(total - base_), seconds, static_cast<unsigned long long>(resends_),
                static_cast<unsigned long long>(verdicts_));
    std::fflush(stdout);
    return WriteLatencies();
  }

 private:
  Status Open() {
    auto pub = OpenSocket(context_, zmq::socket_type::pub);
    if (!pub.ok()) return pub.status();
    pub_ = std::move(*pub);
    if (Status s = Connect(pub_, o_.events_endpoint); !s.ok()) return s;
    const int count = o_.last_station - o_.first_station + 1;
    window_ = std::max<uint64_t>(1, std::min<uint64_t>(o_.window, kProcessWindow / count));
    stations_.resize(count);
    for (int i = 0; i < count; ++i) {
      Station& st = stations_[i];
      st.number = o_.first_station + i;
      st.epoch = o_.epoch_seed * 1000003ULL + st.number;
      auto dealer = OpenSocket(context_, zmq::socket_type::dealer);
      if (!dealer.ok()) return dealer.status();
      st.dealer = std::move(*dealer);
      if (Status s = SetRoutingId(st.dealer, coord::AgentRoutingId({st.number, st.epoch})); !s.ok()) return s;
      if (Status s = Connect(st.dealer, o_.control_endpoint); !s.ok()) return s;
      if (!o_.latency_file.empty()) st.published_at_us.assign(o_.events_per_station, 0);
    }
    return Status::Ok();
  }

  // Hello until acked, then event 1 until stored: afterwards the coordinator hears this process on
  // both sockets, so nothing measured is lost to a slow subscription.
  Status Handshake() {
    const auto deadline = Clock::now() + kStallLimit;
    auto last_try = Clock::time_point{};
    while (true) {
      bool all = true;
      for (Station& st : stations_) all = all && st.hello_acked && st.acked >= 1;
      if (all) return Status::Ok();
      if (Clock::now() > deadline) return Status::Unavailable("the coordinator did not answer the hellos");
      if (Clock::now() - last_try > kHelloEvery) {
        last_try = Clock::now();
        for (Station& st : stations_) {
          if (!st.hello_acked) SendHello(st);
          else if (st.acked == 0) {
            TrySend(pub_, EncodeEventFrame(day_.EventBytes(st.number, st.epoch, 1)));
            st.published = 1;
          }
        }
      }
      if (Status s = Receive(std::chrono::milliseconds(5)); !s.ok()) return s;
    }
  }

  void SendHello(Station& st) {
    wire::Frame frame;
    wire::Hello* hello = frame.mutable_hello();
    hello->set_station(st.number);
    hello->set_epoch(st.epoch);
    hello->set_last_seq(st.published);
    hello->set_station_time_us(day_.EventTimeUs(std::max<uint64_t>(1, st.published)));
    hello->set_agent_version("bench-loadgen");
    TrySend(st.dealer, EncodeFrame(std::move(frame)));
  }

  void Heartbeats() {
    if (Clock::now() - last_heartbeat_ < kHeartbeatEvery) return;
    last_heartbeat_ = Clock::now();
    for (Station& st : stations_) {
      wire::Frame frame;
      wire::Heartbeat* hb = frame.mutable_heartbeat();
      hb->set_station(st.number);
      hb->set_epoch(st.epoch);
      hb->set_last_seq(st.published);
      hb->set_station_time_us(day_.EventTimeUs(std::max<uint64_t>(1, st.published)));
      TrySend(pub_, EncodeFrame(std::move(frame)));
    }
  }

  // Publishes what the window (and the pace, if any) allows; true when something was published.
  bool Publish() {
    bool any = false;
    const uint64_t stations = stations_.size();
    // Paced: by now this many events of each station should be out.
    uint64_t due = o_.events_per_station;
    if (o_.rate > 0) {
      const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
      due = std::min<uint64_t>(due, 1 + static_cast<uint64_t>(elapsed * o_.rate / stations));
    }
    for (Station& st : stations_) {
      while (st.published < due && st.published - st.acked < window_) {
        const uint64_t seq = st.published + 1;
        if (!TrySend(pub_, EncodeEventFrame(day_.EventBytes(st.number, st.epoch, seq)))) return any;
        if (!st.published_at_us.empty()) st.published_at_us[seq - 1] = MicrosSince(start_);
        st.published = seq;
        any = true;
      }
    }
    return any;
  }

  Status Pump() {
    auto last_progress = Clock::now();
    uint64_t last_acked = 0;
    while (true) {
      uint64_t acked = 0;
      bool done = true;
      for (const Station& st : stations_) {
        acked += st.acked;
        done = done && st.acked >= o_.events_per_station;
      }
      if (done) return Status::Ok();
      if (acked != last_acked) {
        last_acked = acked;
        last_progress = Clock::now();
      } else if (Clock::now() - last_progress > kStallLimit) {
        return Status::Unavailable("no ack for " + std::to_string(kStallLimit.count()) + " s");
      }
      const bool published = Publish();
      Heartbeats();
      if (Status s = Receive(published ? std::chrono::milliseconds(0) : std::chrono::milliseconds(1)); !s.ok()) {
        return s;
      }
    }
  }

  Status Receive(std::chrono::milliseconds timeout) {
    if (items_.size() != stations_.size()) {
      items_.clear();
      for (Station& st : stations_) items_.push_back({st.dealer.handle(), 0, ZMQ_POLLIN, 0});
    }
    auto ready = Poll(items_, timeout);
    if (!ready.ok()) return ready.status();
    if (*ready == 0) return Status::Ok();
    for (size_t i = 0; i < stations_.size(); ++i) {
      if (!(items_[i].revents & ZMQ_POLLIN)) continue;
      Station& st = stations_[i];
      while (auto message = TryRecv(st.dealer, false)) {
        auto decoded = DecodeFrame(message->bytes);
        if (!std::holds_alternative<wire::Frame>(decoded)) continue;
        const wire::Frame& frame = std::get<wire::Frame>(decoded);
        if (frame.has_ack()) OnAck(st, frame.ack().stored_seq());
        else if (frame.has_resend()) OnResend(st, frame.resend());
        else if (frame.has_verdict()) ++verdicts_;
      }
    }
    return Status::Ok();
  }

  void OnAck(Station& st, uint64_t stored) {
    st.hello_acked = true;
    if (stored <= st.acked) return;
    if (!st.published_at_us.empty() && start_ != Clock::time_point{}) {
      const int64_t now = MicrosSince(start_);
      for (uint64_t seq = std::max<uint64_t>(st.acked + 1, 2); seq <= stored; ++seq) {
        latencies_us_.push_back(now - st.published_at_us[seq - 1]);
      }
    }
    st.acked = stored;
  }

  // Answered from the day's generator, as an agent answers from its journal.
  void OnResend(Station& st, const wire::ResendRequest& request) {
    for (uint64_t seq = request.first_seq(); seq <= std::min(request.last_seq(), st.published); ++seq) {
      if (!TrySend(st.dealer, EncodeEventFrame(day_.EventBytes(st.number, st.epoch, seq)))) break;
      ++resends_;
    }
  }

  Status WriteLatencies() {
    if (o_.latency_file.empty()) return Status::Ok();
    std::ofstream out(o_.latency_file);
    for (int64_t us : latencies_us_) out << us << "\n";
    out.close();
    return out ? Status::Ok() : Status::IoError("cannot write " + o_.latency_file);
  }

  LoadgenOptions o_;
  BenchDay day_;
  zmq::context_t context_;
  zmq::socket_t pub_;
  std::vector<Station> stations_;
  std::vector<zmq::pollitem_t> items_;
  uint64_t window_ = 1;
  Clock::time_point start_{};
  Clock::time_point last_heartbeat_{};
  uint64_t base_ = 0;
  uint64_t resends_ = 0;
  uint64_t verdicts_ = 0;
  std::vector<int64_t> latencies_us_;
};

}  // namespace

Status RunLoadgen(const LoadgenOptions& options) {
  return Loadgen(options).Run();
}

}  // namespace capture::bench
