#include "tools/bench/limits.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "common/frame.h"
#include "common/transport.h"
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

// `layout`: as RecordStore writes an event (record item, its verdict and the stream index, each in
// its own column family) instead of the one key per event of the bare limit.
Result<double> RocksTrial(const std::vector<std::string>& events, uint64_t batch_size, const std::string& dir,
                          bool layout) {
  std::filesystem::remove_all(dir);
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {{rocksdb::kDefaultColumnFamilyName, {}}};
  if (layout) families.insert(families.end(), {{"record", {}}, {"verdicts", {}}, {"events", {}}});
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened = rocksdb::DB::Open(options, dir, families, &handles, &raw);
  if (!opened.ok()) return Status::IoError("cannot open a RocksDB in " + dir + ": " + opened.ToString());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  wire::RecordItem item;
  wire::Verdict verdict;
  const std::string hash(32, 'h');
  Status result = Status::Ok();
  const auto start = Clock::now();
  for (uint64_t first = 0; first < events.size() && result.ok(); first += batch_size) {
    rocksdb::WriteBatch batch;
    for (uint64_t i = first; i < std::min<uint64_t>(events.size(), first + batch_size); ++i) {
      item.set_commit_index(i + 1);
      item.set_received_time_us(static_cast<int64_t>(i));
      item.set_event(events[i]);
      const std::string key = Big64(i + 1);
      rocksdb::Status s = batch.Put(handles[layout ? 1 : 0], key, item.SerializeAsString());
      if (layout && s.ok()) {
        verdict.set_commit_index(i + 1);
        s = batch.Put(handles[2], key, verdict.SerializeAsString());
        // station u32 + epoch u64 + seq u64 -> commit index + sha256, as the stream index is keyed.
        if (s.ok()) s = batch.Put(handles[3], Big64(i % kStations) + key + key.substr(4), key + hash);
      }
      if (!s.ok()) result = Status::IoError("RocksDB batch: " + s.ToString());
    }
    if (rocksdb::Status s = db->Write(sync, &batch); result.ok() && !s.ok()) {
      result = Status::IoError("RocksDB write: " + s.ToString());
    }
  }
  const double rate = static_cast<double>(events.size()) / Seconds(start);
  for (rocksdb::ColumnFamilyHandle* handle : handles) db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  db.reset();
  std::filesystem::remove_all(dir);
  if (!result.ok()) return result;
  return rate;
}

// Each socket is owned by its own thread; they share only two counters.
Result<double> ZmqTrial(const std::vector<std::string>& frames, uint64_t window) {
  zmq::context_t context;
  auto sub = OpenSocket(context, zmq::socket_type::sub);
  if (!sub.ok()) return sub.status();
  if (Status s = SubscribeAll(*sub); !s.ok()) return s;
  if (Status s = Bind(*sub, "tcp://127.0.0.1:*"); !s.ok()) return s;
  auto endpoint = LastEndpoint(*sub);
  if (!endpoint.ok()) return endpoint.status();

  std::atomic<uint64_t> received{0};
  std::atomic<bool> probed{false};
  std::atomic<bool> stop{false};
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
    }
  });

  Status result = Status::Ok();
  double rate = 0;
  {
    auto pub = OpenSocket(context, zmq::socket_type::pub);
    if (!pub.ok()) result = pub.status();
    if (result.ok()) result = Connect(*pub, *endpoint);
    // A PUB drops what it sends before the subscription arrives: probe until one gets through.
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (result.ok() && !probed.load()) {
      if (Clock::now() > deadline) result = Status::Unavailable("the bare SUB never received the probe");
      TrySend(*pub, "");
      std::this_thread::yield();
    }
    const auto start = Clock::now();
    uint64_t sent = 0;
    while (result.ok() && received.load(std::memory_order_acquire) < total) {
      while (sent < total && sent - received.load(std::memory_order_acquire) < window) {
        if (!TrySend(*pub, frames[sent])) break;
        ++sent;
      }
      if (Clock::now() - start > std::chrono::seconds(60)) result = Status::Unavailable("bare PUB->SUB stalled");
    }
    rate = static_cast<double>(total) / Seconds(start);
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
  Figure layout{"rocksdb/layout",
                 "RocksDB loop with the store's layout (item + verdict + stream index, 3 column families)",
                 "events/s", {}, "limit/rocksdb", "", true};
  Figure zmq{"limit/zmq", "Limit: bare ZeroMQ PUB->SUB on loopback", "events/s", {}, "", "", true};
  for (int t = 0; t < options.trials; ++t) {
    auto r = RocksTrial(events, options.batch, options.tmp + "/limit-rocksdb", false);
    if (!r.ok()) return r.status();
    rocks.trials.push_back(*r);
    auto l = RocksTrial(events, options.batch, options.tmp + "/limit-rocksdb", true);
    if (!l.ok()) return l.status();
    layout.trials.push_back(*l);
    auto z = ZmqTrial(frames, options.window);
    if (!z.ok()) return z.status();
    zmq.trials.push_back(*z);
  }
  figures.Add(std::move(rocks));
  figures.Add(std::move(layout));
  figures.Add(std::move(zmq));
  return Status::Ok();
}

void AddPipelineLimit(Figures& figures) {
  const Figure* zmq = figures.Find("limit/zmq");
  const Figure* decode = figures.Find("limit/decode");
  const Figure* rocks = figures.Find("limit/rocksdb");
  if (zmq == nullptr || decode == nullptr || rocks == nullptr) return;
  Figure pipeline{"limit/pipeline", "Limit: bare ZeroMQ + decode + synced RocksDB in series", "events/s", {}, "", "",
                  true};
  const size_t n = std::min({zmq->trials.size(), decode->trials.size(), rocks->trials.size()});
  for (size_t i = 0; i < n; ++i) {
    pipeline.trials.push_back(1.0 / (1.0 / zmq->trials[i] + 1.0 / decode->trials[i] + 1.0 / rocks->trials[i]));
  }
  figures.Add(std::move(pipeline));
}

}  // namespace capture::bench
