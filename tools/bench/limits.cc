#include "tools/bench/limits.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>
#include <tuple>
#include <vector>

#include "common/frame.h"
#include "common/identity.h"
#include "common/log.h"
#include "common/transport.h"
#include "coordinator/record_store.h"
#include "tools/bench/bench_day.h"

namespace capture::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint64_t kEpoch = 0x00b0b0b0b0b0b0b2ULL;
constexpr int kStations = 3;

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

std::string Big64(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
  return out;
}

// The day's events in commit order, as the coordinator receives them.
std::vector<std::string> Events(uint64_t count) {
  const BenchDay day({kStations, (count + kStations - 1) / kStations});
  std::vector<std::string> events;
  events.reserve(count);
  for (uint64_t i = 0; i < count; ++i) events.push_back(day.EventBytes(i % kStations + 1, kEpoch, i / kStations + 1));
  return events;
}

// The bare limit: one key per event, default options.
Result<double> RocksTrial(const std::vector<std::string>& events, uint64_t batch_size, const std::string& dir) {
  std::filesystem::remove_all(dir);
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened = rocksdb::DB::Open(options, dir, &raw);
  if (!opened.ok()) return Status::IoError("cannot open a RocksDB in " + dir + ": " + opened.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  wire::RecordItem item;
  Status result = Status::Ok();
  const auto start = Clock::now();
  for (uint64_t first = 0; first < events.size() && result.ok(); first += batch_size) {
    rocksdb::WriteBatch batch;
    for (uint64_t i = first; i < std::min<uint64_t>(events.size(), first + batch_size); ++i) {
      item.set_commit_index(i + 1);
      item.set_received_time_us(static_cast<int64_t>(i));
      item.set_event(events[i]);
      if (rocksdb::Status s = batch.Put(Big64(i + 1), item.SerializeAsString()); !s.ok()) {
        result = Status::IoError("RocksDB batch: " + s.ToString());
      }
    }
    if (rocksdb::Status s = db->Write(sync, &batch); result.ok() && !s.ok()) {
      result = Status::IoError("RocksDB write: " + s.ToString());
    }
  }
  const double rate = static_cast<double>(events.size()) / Seconds(start);
  db.reset();
  std::filesystem::remove_all(dir);
  if (!result.ok()) return result;
  return rate;
}

// The same events through RecordStore::Commit itself, with a judge that has nothing to say: the
// store's own cost (its layout, encoding and checks) beside the bare loop. Batches are built first.
Result<double> StoreTrial(const std::vector<std::string>& events, uint64_t batch_size, const std::string& dir) {
  std::filesystem::remove_all(dir);
  std::vector<coord::RecordStore::Batch> batches;
  for (uint64_t i = 0; i < events.size(); ++i) {
    if (i % batch_size == 0) batches.emplace_back();
    wire::CaptureEvent event;
    event.ParseFromString(events[i]);
    const coord::StreamId stream{event.station(), event.epoch()};
    const uint64_t seq = event.seq();
    batches.back().AddEvent(stream, seq, events[i], std::move(event));
  }
  auto store = coord::RecordStore::Open(dir, /*read_only=*/false);
  if (!store.ok()) return store.status();
  wire::Verdict verdict;
  const coord::ItemJudge judge = [&verdict](const wire::RecordItem& item,
                                            const wire::CaptureEvent*) -> const wire::Verdict& {
    verdict.set_commit_index(item.commit_index());
    return verdict;
  };
  const auto start = Clock::now();
  for (coord::RecordStore::Batch& batch : batches) {
    if (Status s = (*store)->Commit(std::move(batch), 0, judge); !s.ok()) return s;
  }
  const double rate = static_cast<double>(events.size()) / Seconds(start);
  store->reset();
  std::filesystem::remove_all(dir);
  return rate;
}

// Each socket is owned by its own thread; they share only two counters. With `curve`, the SUB is a
// CURVE server with a key of its own and the PUB a client with another, as the coordinator and a
// station are; no ZAP handler answers (libzmq then admits the client), which costs nothing per
// frame: ZAP is asked once per connection.
Result<double> ZmqTrial(const std::vector<std::string>& frames, uint64_t window, bool curve) {
  zmq::context_t context;
  ServerSecurity server;
  ClientSecurity client;
  if (curve) {
    server.identity = std::make_shared<const Identity>(Identity::Generate());
    client = {std::make_shared<const Identity>(Identity::Generate()), server.identity->public_key()};
  }
  auto sub = OpenSocket(context, zmq::socket_type::sub);
  if (!sub.ok()) return sub.status();
  if (Status s = SubscribeAll(*sub); !s.ok()) return s;
  if (Status s = Secure(*sub, server); !s.ok()) return s;
  if (Status s = Bind(*sub, "tcp://127.0.0.1:*"); !s.ok()) return s;
  auto endpoint = LastEndpoint(*sub);
  if (!endpoint.ok()) return endpoint.status();

  std::atomic<uint64_t> received{0};
  std::atomic<bool> probed{false};
  std::atomic<bool> stop{false};
  // Not atomic<>::wait, which has no timeout: once the PUB drops a frame the count stops short of
  // the total and the publisher would wait for good. With a timed wait the trial can end (below).
  std::mutex progress_mu;
  std::condition_variable progressed;
  const uint64_t total = frames.size();
  std::thread receiver([&, socket = std::move(*sub)]() mutable {
    std::vector<zmq::pollitem_t> items = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
    while (!stop.load()) {
      if (!Poll(items, std::chrono::milliseconds(10)).ok()) break;
      while (auto message = TryRecv(socket, false)) {
        // The connection probes are empty frames; only measured frames count.
        if (message->bytes.empty()) probed.store(true);
        else received.fetch_add(1, std::memory_order_release);
      }
      // After every poll, also one that timed out: a waiting publisher wakes at least every 10 ms.
      progressed.notify_all();
    }
  });

  Status result = Status::Ok();
  double rate = 0;
  {
    auto pub = OpenSocket(context, zmq::socket_type::pub);
    if (!pub.ok()) result = pub.status();
    if (result.ok()) result = Secure(*pub, client);
    if (result.ok()) result = Connect(*pub, *endpoint);
    // A PUB drops what it sends before the subscription arrives: probe until one gets through, a
    // probe a millisecond rather than as fast as the loop turns, so that few probes are in flight.
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (result.ok() && !probed.load()) {
      if (Clock::now() > deadline) result = Status::Unavailable("the bare SUB never received the probe");
      TrySend(*pub, "");
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    const auto start = Clock::now();
    uint64_t sent = 0;
    // Should the PUB still drop a frame (see the window in limits.h): once everything is sent, a
    // second without news ends the trial, and the rate counts the frames that arrived.
    auto last_news = start;
    uint64_t last_seen = 0;
    while (result.ok() && received.load(std::memory_order_acquire) < total) {
      bool refused = false;
      while (sent < total && sent - received.load(std::memory_order_acquire) < window) {
        if (!TrySend(*pub, frames[sent])) {
          refused = true;
          break;
        }
        ++sent;
      }
      // Nothing more to send for now: wait for the receiver instead of spinning, so the cores go to
      // the ZeroMQ I/O threads, which with CURVE encrypt and decrypt every frame. A spinning
      // publisher took one of the machine's two cores from them and understated both limits.
      const uint64_t seen = received.load(std::memory_order_acquire);
      if (seen < total && (refused || sent == total || sent - seen >= window)) {
        std::unique_lock lock(progress_mu);
        progressed.wait_for(lock, std::chrono::milliseconds(10),
                            [&] { return received.load(std::memory_order_acquire) != seen; });
      }
      const uint64_t now_seen = received.load(std::memory_order_acquire);
      if (now_seen != last_seen) {
        last_seen = now_seen;
        last_news = Clock::now();
      } else if (Clock::now() - last_news > std::chrono::seconds(1)) {
        break;
      }
    }
    const uint64_t arrived = received.load(std::memory_order_acquire);
    if (result.ok() && arrived * 1000 < total * 999) {
      result = Status::Unavailable("bare PUB->SUB stalled: " + std::to_string(arrived) + " of " + std::to_string(sent) +
                                   " sent frames arrived (" + (curve ? "CURVE" : "plain text") + ")");
    }
    if (result.ok() && arrived < total) {
      LogWarn("bench", "bare PUB->SUB (" + std::string(curve ? "CURVE" : "plain text") + "): " +
                           std::to_string(total - arrived) + " of " + std::to_string(total) + " frames dropped");
    }
    rate = static_cast<double>(arrived) / std::chrono::duration<double>(last_news - start).count();
  }
  stop.store(true);
  receiver.join();
  if (!result.ok()) return result;
  return rate;
}

}  // namespace

Status RunLimits(const LimitOptions& options, Figures& figures) {
  const std::vector<std::string> events = Events(options.events);
  std::vector<std::string> frames;
  frames.reserve(events.size());
  for (const std::string& e : events) frames.push_back(EncodeEventFrame(e));
  Figure rocks{"limit/rocksdb",
               "Limit: bare synced RocksDB WriteBatch loop (" + std::to_string(options.batch) + " events/batch)",
               "events/s", {}, "", "", true};
  Figure layout{"rocksdb/layout", "RecordStore::Commit alone (item + verdict in one value, one stream run per batch)",
                 "events/s", {}, "limit/rocksdb", "", true};
  Figure zmq{"limit/zmq", "Limit: bare ZeroMQ PUB->SUB on loopback, plain text", "events/s", {}, "", "", true};
  Figure zmq_curve{"limit/zmq-curve",
                   "Limit: bare ZeroMQ PUB->SUB on loopback, CURVE (keys on both ends, no ZAP handler)", "events/s",
                   {}, "", "", true};
  for (int t = 0; t < options.trials; ++t) {
    auto r = RocksTrial(events, options.batch, options.tmp + "/limit-rocksdb");
    if (!r.ok()) return r.status();
    rocks.trials.push_back(*r);
    auto l = StoreTrial(events, options.batch, options.tmp + "/limit-store");
    if (!l.ok()) return l.status();
    layout.trials.push_back(*l);
    auto z = ZmqTrial(frames, options.window, false);
    if (!z.ok()) return z.status();
    zmq.trials.push_back(*z);
    auto c = ZmqTrial(frames, options.window, true);
    if (!c.ok()) return c.status();
    zmq_curve.trials.push_back(*c);
  }
  figures.Add(std::move(rocks));
  figures.Add(std::move(layout));
  figures.Add(std::move(zmq));
  figures.Add(std::move(zmq_curve));
  return Status::Ok();
}

void AddPipelineLimit(Figures& figures) {
  const Figure* decode = figures.Find("limit/decode");
  const Figure* rocks = figures.Find("limit/rocksdb");
  if (decode == nullptr || rocks == nullptr) return;
  // Built first, added after: Add may move the figures the pointers point into.
  std::vector<Figure> pipelines;
  for (const auto& [zmq_key, key, label] :
       {std::tuple{"limit/zmq", "limit/pipeline", "Limit: bare ZeroMQ + decode + synced RocksDB in series, plain text"},
        std::tuple{"limit/zmq-curve", "limit/pipeline-curve",
                   "Limit: bare ZeroMQ with CURVE + decode + synced RocksDB in series"}}) {
    const Figure* zmq = figures.Find(zmq_key);
    if (zmq == nullptr) continue;
    Figure pipeline{key, label, "events/s", {}, "", "", true};
    const size_t n = std::min({zmq->trials.size(), decode->trials.size(), rocks->trials.size()});
    for (size_t i = 0; i < n; ++i) {
      pipeline.trials.push_back(1.0 / (1.0 / zmq->trials[i] + 1.0 / decode->trials[i] + 1.0 / rocks->trials[i]));
    }
    pipelines.push_back(std::move(pipeline));
  }
  for (Figure& pipeline : pipelines) figures.Add(std::move(pipeline));
}

}  // namespace capture::bench
