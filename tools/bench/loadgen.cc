#include "tools/bench/loadgen.h"

#include <poll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string_view>
#include <vector>

#include "common/frame.h"
#include "common/identity.h"
#include "common/sha256.h"
#include "common/transport.h"
#include "tools/bench/bench_day.h"
#include "tools/capture-sim/kit.h"

namespace capture::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kHeartbeatEvery = std::chrono::milliseconds(250);
constexpr auto kHelloEvery = std::chrono::milliseconds(200);
constexpr auto kStallLimit = std::chrono::seconds(30);
constexpr int64_t kTickUs = 1'000;  // the pacing grid
// Unacknowledged events of the whole process: each station's share stays below its PUB's
// high-water mark (common/transport.h), so no PUB drops, and the coordinator is never handed more
// than a few commits' worth at once by one process.
constexpr uint64_t kProcessWindow = kHighWaterMark / 2;

int64_t MicrosBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::microseconds>(to - from).count();
}

// One station's event frames back to back, seq 1 first: one allocation for the whole stream.
class EncodedFrames {
 public:
  void Reserve(uint64_t frames, size_t bytes_each) {
    ends_.reserve(frames);
    bytes_.reserve(frames * bytes_each);
  }
  void Add(std::string_view frame) {
    bytes_.append(frame);
    ends_.push_back(bytes_.size());
  }
  std::string_view Get(uint64_t seq) const {
    const uint64_t begin = seq == 1 ? 0 : ends_[seq - 2];
    return std::string_view(bytes_).substr(begin, ends_[seq - 1] - begin);
  }

 private:
  std::string bytes_;
  std::vector<uint64_t> ends_;
};

struct Station {
  uint32_t number = 0;
  uint64_t epoch = 0;
  zmq::socket_t pub;     // events and heartbeats, as the agent's PUB
  zmq::socket_t dealer;  // hello, acks, resends: the coordinator answers the DEALER that said hello
  EncodedFrames frames;
  uint64_t published = 0;
  uint64_t acked = 0;
  bool hello_acked = false;
};

// A periodic timer on the pacing grid, polled beside the sockets: wakes land on the grid itself,
// where a poll timeout in whole milliseconds would drift up to a millisecond behind it.
class Ticker {
 public:
  Ticker() = default;
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;
  ~Ticker() {
    if (fd_ >= 0) ::close(fd_);
  }

  Status Start(int64_t period_us) {
    fd_ = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (fd_ < 0) return Status::IoError("cannot create the pacing timer");
    const timespec period{period_us / 1'000'000, (period_us % 1'000'000) * 1'000};
    const itimerspec spec{period, period};
    if (::timerfd_settime(fd_, 0, &spec, nullptr) != 0) return Status::IoError("cannot start the pacing timer");
    return Status::Ok();
  }
  int fd() const { return fd_; }
  void Clear() {
    uint64_t expirations;
    [[maybe_unused]] const ssize_t n = ::read(fd_, &expirations, sizeof expirations);
  }

 private:
  int fd_ = -1;
};

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
      Heartbeats(Clock::now());
      if (Status s = Wait(std::chrono::milliseconds(0)); !s.ok()) return s;
    }
    start_ = Clock::now();
    const uint64_t base = acked_;
    if (o_.rate > 0) {
      if (Status s = ticker_.Start(kTickUs); !s.ok()) return s;
      items_.insert(items_.begin(), {nullptr, ticker_.fd(), ZMQ_POLLIN, 0});
      latencies_us_.reserve(stations_.size() * o_.events_per_station);
    }
    if (Status s = Pump(); !s.ok()) return s;
    const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    if (Status s = WriteLatencies(); !s.ok()) return s;
    std::printf("done events=%llu seconds=%.6f resends=%llu verdicts=%llu\n",
                static_cast<unsigned long long>(acked_ - base), seconds, static_cast<unsigned long long>(resends_),
                static_cast<unsigned long long>(verdicts_));
    std::fflush(stdout);
    return Status::Ok();
  }

 private:
  // The security of each station's sockets: its own key, the coordinator's pinned; plain text only
  // when asked for.
  Result<ClientSecurity> SecurityOf(uint32_t station) const {
    if (o_.insecure) return ClientSecurity{};
    auto identity = Identity::Load(o_.keys_dir + "/" + sim::StationKeyFile(static_cast<int>(station)));
    if (!identity.ok()) return Status::InvalidArgument("station " + std::to_string(station) + "'s key (--keys): " +
                                                       identity.status().message());
    return ClientSecurity{std::make_shared<const Identity>(std::move(*identity)), coordinator_key_};
  }

  Status Open() {
    if (!o_.insecure) {
      if (o_.keys_dir.empty() || o_.coordinator_key.empty()) {
        return Status::InvalidArgument("give --keys and --coordinator-key, or --insecure for plain text");
      }
      auto key = ReadPublicKey(o_.coordinator_key);
      if (!key.ok()) return Status::InvalidArgument("--coordinator-key: " + key.status().message());
      coordinator_key_ = *key;
    }
    const int count = o_.last_station - o_.first_station + 1;
    window_ = std::max<uint64_t>(1, std::min<uint64_t>(o_.window, kProcessWindow / count));
    pace_ = PaceGrid(o_.rate / count, kTickUs, o_.events_per_station);
    stations_.resize(count);
    for (int i = 0; i < count; ++i) {
      Station& st = stations_[i];
      st.number = o_.first_station + i;
      st.epoch = o_.epoch_seed * 1000003ULL + st.number;
      Encode(st);
      auto security = SecurityOf(st.number);
      if (!security.ok()) return security.status();
      // One connection per socket and station, as each agent has: CURVE authenticates a
      // connection, so stations cannot share one.
      auto pub = OpenSocket(context_, zmq::socket_type::pub);
      if (!pub.ok()) return pub.status();
      st.pub = std::move(*pub);
      if (Status s = Secure(st.pub, *security); !s.ok()) return s;
      if (Status s = Connect(st.pub, o_.events_endpoint); !s.ok()) return s;
      auto dealer = OpenSocket(context_, zmq::socket_type::dealer);
      if (!dealer.ok()) return dealer.status();
      st.dealer = std::move(*dealer);
      if (Status s = Secure(st.dealer, *security); !s.ok()) return s;
      if (Status s = Connect(st.dealer, o_.control_endpoint); !s.ok()) return s;
      auto fd = ReadinessFd(st.dealer);
      if (!fd.ok()) return fd.status();
      items_.push_back({nullptr, *fd, ZMQ_POLLIN, 0});
      Drain(st);
    }
    return Status::Ok();
  }

  void Encode(Station& st) {
    // Each event links to the one before it, as a journal links them (the coordinator checks).
    std::string event = day_.EventBytes(st.number, st.epoch, 1);
    const std::string first = EncodeEventFrame(event);
    event = day_.EventBytes(st.number, st.epoch, 2, AsBytes(ComputeSha256(event)));
    const std::string second = EncodeEventFrame(event);
    // The two kinds alternate; the longer one's size, plus digits that grow, bounds the mean.
    st.frames.Reserve(o_.events_per_station, std::max(first.size(), second.size()) + 4);
    st.frames.Add(first);
    if (o_.events_per_station >= 2) st.frames.Add(second);
    for (uint64_t seq = 3; seq <= o_.events_per_station; ++seq) {
      event = day_.EventBytes(st.number, st.epoch, seq, AsBytes(ComputeSha256(event)));
      st.frames.Add(EncodeEventFrame(event));
    }
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
          if (!st.hello_acked) {
            SendHello(st);
          } else if (st.acked == 0) {
            TrySend(st.pub, st.frames.Get(1));
            st.published = 1;
          }
        }
      }
      if (Status s = Wait(std::chrono::milliseconds(5)); !s.ok()) return s;
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
    Drain(st);  // a send may take the readiness signal of an ack already queued
  }

  void Heartbeats(Clock::time_point now) {
    if (now - last_heartbeat_ < kHeartbeatEvery) return;
    last_heartbeat_ = now;
    for (Station& st : stations_) {
      wire::Frame frame;
      wire::Heartbeat* hb = frame.mutable_heartbeat();
      hb->set_station(st.number);
      hb->set_epoch(st.epoch);
      hb->set_last_seq(st.published);
      hb->set_station_time_us(day_.EventTimeUs(std::max<uint64_t>(1, st.published)));
      TrySend(st.pub, EncodeFrame(std::move(frame)));
    }
  }

  // Publishes what the window and the pace allow.
  void Publish(Clock::time_point now) {
    const uint64_t due = o_.rate > 0 ? pace_.DueAt(MicrosBetween(start_, now) / kTickUs) : o_.events_per_station;
    for (Station& st : stations_) {
      const uint64_t until = std::min(due, st.acked + window_);
      for (; st.published < until; ++st.published) TrySend(st.pub, st.frames.Get(st.published + 1));
    }
  }

  Status Pump() {
    const uint64_t all = stations_.size() * o_.events_per_station;
    auto last_progress = Clock::now();
    uint64_t last_acked = acked_;
    while (acked_ < all) {
      const auto now = Clock::now();
      if (acked_ != last_acked) {
        last_acked = acked_;
        last_progress = now;
      } else if (now - last_progress > kStallLimit) {
        return Status::Unavailable("no ack for " + std::to_string(kStallLimit.count()) + " s");
      }
      Publish(now);
      Heartbeats(now);
      // Paced, the ticker wakes us on the grid; either way an ack or the next heartbeat does.
      const auto until_heartbeat = last_heartbeat_ + kHeartbeatEvery - Clock::now();
      if (Status s = Wait(std::chrono::ceil<std::chrono::milliseconds>(until_heartbeat)); !s.ok()) return s;
    }
    return Status::Ok();
  }

  // One poll over the pacing timer and every DEALER's readiness descriptor, then drains the DEALERs
  // that signalled.
  Status Wait(std::chrono::milliseconds timeout) {
    auto ready = Poll(items_, std::max(timeout, std::chrono::milliseconds(0)));
    if (!ready.ok()) return ready.status();
    if (*ready == 0) return Status::Ok();
    const size_t first_dealer = items_.size() - stations_.size();
    if (first_dealer == 1 && (items_[0].revents & ZMQ_POLLIN)) ticker_.Clear();
    for (size_t i = 0; i < stations_.size(); ++i) {
      if (items_[first_dealer + i].revents & ZMQ_POLLIN) Drain(stations_[i]);
    }
    return Status::Ok();
  }

  // Receives until nothing is left: the readiness descriptor only signals again after that.
  void Drain(Station& st) {
    while (auto message = TryRecv(st.dealer, false)) {
      if (message->bytes.size() > kMaxFrameBytes || !frame_.ParseFromString(message->bytes)) continue;
      switch (frame_.body_case()) {
        case wire::Frame::kAck: OnAck(st, frame_.ack().stored_seq()); break;
        case wire::Frame::kResend: OnResend(st, frame_.resend()); break;
        case wire::Frame::kVerdict: ++verdicts_; break;
        default: break;
      }
    }
  }

  void OnAck(Station& st, uint64_t stored) {
    st.hello_acked = true;
    stored = std::min(stored, st.published);
    if (stored <= st.acked) return;
    if (o_.rate > 0 && start_ != Clock::time_point{}) {
      const int64_t now_us = MicrosBetween(start_, Clock::now());
      for (uint64_t seq = std::max<uint64_t>(st.acked + 1, 2); seq <= stored; ++seq) {
        latencies_us_.push_back(now_us - pace_.TickOf(seq) * kTickUs);
      }
    }
    acked_ += stored - st.acked;
    st.acked = stored;
  }

  // Answered from the encoded stream, as an agent answers from its journal.
  void OnResend(Station& st, const wire::ResendRequest& request) {
    for (uint64_t seq = std::max<uint64_t>(1, request.first_seq()); seq <= std::min(request.last_seq(), st.published);
         ++seq) {
      if (!TrySend(st.dealer, st.frames.Get(seq))) break;
      ++resends_;
    }
  }

  Status WriteLatencies() {
    if (o_.latency_file.empty()) return Status::Ok();
    std::string text;
    text.reserve(latencies_us_.size() * 8);
    for (int64_t us : latencies_us_) text += std::to_string(us) + "\n";
    std::ofstream out(o_.latency_file);
    out << text;
    out.close();
    return out ? Status::Ok() : Status::IoError("cannot write " + o_.latency_file);
  }

  LoadgenOptions o_;
  BenchDay day_;
  zmq::context_t context_;
  PublicKey coordinator_key_{};
  std::vector<Station> stations_;
  std::vector<zmq::pollitem_t> items_;  // [pacing timer,] then each station's DEALER, in order
  Ticker ticker_;
  wire::Frame frame_;  // reused: an ack parses without allocating
  uint64_t window_ = 1;
  PaceGrid pace_{0, kTickUs, 0};
  Clock::time_point start_{};
  Clock::time_point last_heartbeat_{};
  uint64_t acked_ = 0;  // over every station
  uint64_t resends_ = 0;
  uint64_t verdicts_ = 0;
  std::vector<int64_t> latencies_us_;
};

}  // namespace

uint64_t PaceGrid::DueAt(int64_t tick) const {
  const double due = 1 + std::floor(static_cast<double>(tick) * static_cast<double>(tick_us_) * rate_ / 1e6);
  return std::min(events_, static_cast<uint64_t>(due));
}

int64_t PaceGrid::TickOf(uint64_t seq) const {
  // The closed form, then corrected by the rule itself, so rounding never puts the two apart.
  auto tick = static_cast<int64_t>(std::ceil(static_cast<double>(seq - 1) * 1e6 / static_cast<double>(tick_us_) / rate_));
  while (tick > 0 && DueAt(tick - 1) >= seq) --tick;
  while (DueAt(tick) < seq) ++tick;
  return tick;
}

Status RunLoadgen(const LoadgenOptions& options) {
  return Loadgen(options).Run();
}

}  // namespace capture::bench
