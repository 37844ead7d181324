// The real coordinator binary, spoken to over real sockets on 127.0.0.1 by a FakeAgent.
#include <signal.h>

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "common/frame.h"
#include "common/fs.h"
#include "coordinator/record_store.h"
#include "coordinator/status_client.h"
#include "tests/coordinator/fake_agent.h"
#include "tests/support/temp_dir.h"
#include "tools/capture-sim/kit.h"
#include "tools/capture-sim/process.h"

namespace capture::coord {
namespace {

using namespace std::chrono_literals;
using testing::FakeAgent;
using testing::MakeEvent;
using ::capture::testing::TempDir;

constexpr auto kWait = 10s;

class CoordinatorProcess {
 public:
  explicit CoordinatorProcess(const TempDir& dir, std::vector<std::string> extra = {}) {
    if (!ReadFile(dir / "roster.csv").ok()) {
      Status s = WriteFileDurably(dir / "roster.csv",
                                  "student_no,registry_no,college,class,name,masked_name\n"
                                  "2021001001,1042120210100001,马克思主义学院,法学2101,张三明,张*明\n"
                                  "2021001002,1042120210100002,马克思主义学院,法学2101,李四,李*\n");
      EXPECT_TRUE(s.ok()) << s.message();
    }
    if (!ReadFile(dir / ("keys/" + std::string(sim::kStationKeysFile))).ok()) {
      Status s = sim::WriteStationKeys(dir / "keys", {1, 2, 3});
      EXPECT_TRUE(s.ok()) << s.message();
    }
    keys_ = dir / "keys";
    store_ = dir / "store";
    std::vector<std::string> argv = {CAPTURE_BIN_DIR "/coordinator",
                                     "--schedule", CAPTURE_DATA_DIR "/schedule-2024-04-22.csv",
                                     "--roster", dir / "roster.csv",
                                     "--store", dir / "store",
                                     "--events", "tcp://127.0.0.1:*",
                                     "--control", "tcp://127.0.0.1:*",
                                     "--station-keys", dir / ("keys/" + std::string(sim::kStationKeysFile))};
    argv.insert(argv.end(), extra.begin(), extra.end());
    log_ = dir / "coordinator.log";
    auto child = sim::ChildProcess::Spawn(argv, log_);
    EXPECT_TRUE(child.ok()) << child.status().message();
    if (!child.ok()) return;
    process_ = std::move(*child);
    auto ready = process_->WaitForLine([](const std::string& l) { return l.rfind("ready ", 0) == 0; }, kWait,
                                       "the coordinator's ready line");
    EXPECT_TRUE(ready.ok()) << ready.status().message();
    if (!ready.ok()) return;
    std::istringstream words(*ready);
    for (std::string word; words >> word;) {
      if (auto eq = word.find('='); eq != std::string::npos) fields_[word.substr(0, eq)] = word.substr(eq + 1);
    }
  }

  const std::string& events() { return fields_["events"]; }
  const std::string& control() { return fields_["control"]; }
  // The control socket, reached as the registrar.
  ControlEndpoint registrar() {
    auto endpoint = RegistrarEndpoint(control(), store_);
    EXPECT_TRUE(endpoint.ok()) << endpoint.status().message();
    return endpoint.ok() ? *endpoint : ControlEndpoint{};
  }
  // Station `n`'s enrolled key, pinned to this coordinator.
  ClientSecurity Station(int n) {
    auto identity = Identity::Load(keys_ + "/" + sim::StationKeyFile(n));
    auto server = ReadPublicKey(store_ + "/coordinator.pub");
    EXPECT_TRUE(identity.ok() && server.ok());
    if (!identity.ok() || !server.ok()) return {};
    return {std::make_shared<const Identity>(*identity), *server};
  }
  std::string field(const std::string& name) { return fields_[name]; }
  std::string Log() const { return ReadFile(log_).ok() ? *ReadFile(log_) : ""; }
  sim::ChildProcess& process() { return *process_; }

  // SIGTERM and the clean exit the contract promises.
  void Stop() {
    ASSERT_TRUE(process_->Signal(SIGTERM).ok());
    auto exit = process_->Wait(kWait);
    ASSERT_TRUE(exit.ok()) << exit.status().message();
    EXPECT_TRUE(exit->Succeeded()) << exit->ToString();
  }

 private:
  std::unique_ptr<sim::ChildProcess> process_;
  std::map<std::string, std::string> fields_;
  std::string log_;
  std::string keys_, store_;
};

uint64_t CounterValue(const wire::StatusReply& reply, const std::string& name) {
  for (const auto& c : reply.counters()) {
    if (c.name() == name) return c.value();
  }
  return 0;
}

// Polls the status until every counter named reaches its value.
Result<wire::StatusReply> WaitForCounters(const ControlEndpoint& control, const std::map<std::string, uint64_t>& want) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (true) {
    auto reply = QueryStatus(control, 2000);
    if (!reply.ok()) return reply;
    bool all = true;
    for (const auto& [name, value] : want) all = all && CounterValue(*reply, name) >= value;
    if (all || std::chrono::steady_clock::now() > deadline) return reply;
  }
}

std::vector<wire::RecordItem> StoredItems(const TempDir& dir) {
  std::vector<wire::RecordItem> items;
  auto store = RecordStore::Open(dir / "store", /*read_only=*/true);
  EXPECT_TRUE(store.ok()) << store.status().message();
  if (!store.ok()) return items;
  Status s = (*store)->ForEachItem([&](const wire::RecordItem& item) {
    items.push_back(item);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return items;
}

// (station, epoch, seq) of every stored event, in commit order.
std::vector<std::tuple<uint32_t, uint64_t, uint64_t>> StoredEventIds(const std::vector<wire::RecordItem>& items) {
  std::vector<std::tuple<uint32_t, uint64_t, uint64_t>> out;
  for (const auto& item : items) {
    if (!item.has_event()) continue;
    wire::CaptureEvent ev;
    EXPECT_TRUE(ev.ParseFromString(item.event()));
    out.emplace_back(ev.station(), ev.epoch(), ev.seq());
  }
  return out;
}

TEST(CoordinatorProcess, PrintsReadyWithResolvedEndpointsAndTheScheduleStations) {
  TempDir dir;
  CoordinatorProcess coordinator(dir);
  EXPECT_EQ(coordinator.events().rfind("tcp://127.0.0.1:", 0), 0u) << coordinator.events();
  EXPECT_EQ(coordinator.events().find('*'), std::string::npos);
  EXPECT_EQ(coordinator.control().find('*'), std::string::npos);
  EXPECT_EQ(coordinator.field("stations"), "1,2,3");
  EXPECT_EQ(coordinator.field("commit_index"), "0");
  auto status = QueryStatus(coordinator.registrar(), 5000);
  ASSERT_TRUE(status.ok()) << status.status().message();
  EXPECT_EQ(status->commit_index(), 0u);
  coordinator.Stop();
}

TEST(CoordinatorProcess, AcksEventsPublishedInOrder) {
  TempDir dir;
  CoordinatorProcess coordinator(dir);
  FakeAgent agent(1, 0x1111222233334444, coordinator.Station(1));
  ASSERT_TRUE(agent.Connect(coordinator.events(), coordinator.control()).ok());
  ASSERT_TRUE(agent.SendHello().ok());
  ASSERT_TRUE(agent.WaitFor([](const wire::Frame& f) { return f.has_ack(); }, kWait).has_value());

  agent.AddEvents(20);
  for (uint64_t seq = 1; seq <= 20; ++seq) ASSERT_TRUE(agent.PublishEvent(seq).ok());
  // The PUB connection may still be coming up and lose the first frames: heartbeats announce
  // them and the resend path fills in, as with a real agent.
  ASSERT_TRUE(agent.WaitForAck(20, kWait, [&] { agent.PublishHeartbeat().IgnoreError(); }));
  coordinator.Stop();

  auto items = StoredItems(dir);
  ASSERT_EQ(items.size(), 20u);
  for (uint64_t i = 0; i < items.size(); ++i) {
    EXPECT_EQ(items[i].commit_index(), i + 1);
    EXPECT_EQ(items[i].event(), agent.event(i + 1));
  }
}

TEST(CoordinatorProcess, RepairsAGapByResendBeforeApplyingLaterEvents) {
  TempDir dir;
  CoordinatorProcess coordinator(dir);
  FakeAgent agent(2, 0xfeed, coordinator.Station(2));
  ASSERT_TRUE(agent.Connect(coordinator.events(), coordinator.control()).ok());
  ASSERT_TRUE(agent.SendHello().ok());
  ASSERT_TRUE(agent.WaitFor([](const wire::Frame& f) { return f.has_ack(); }, kWait).has_value());

  agent.AddEvents(5);
  for (uint64_t seq : {1, 2, 4, 5}) ASSERT_TRUE(agent.SendEvent(seq).ok());
  auto resend = agent.WaitFor([](const wire::Frame& f) { return f.has_resend(); }, kWait, /*serve_resends=*/false);
  ASSERT_TRUE(resend.has_value());
  EXPECT_EQ(resend->resend().station(), 2u);
  EXPECT_EQ(resend->resend().epoch(), 0xfeedu);
  EXPECT_EQ(resend->resend().first_seq(), 3u);
  EXPECT_EQ(resend->resend().last_seq(), 3u);
  EXPECT_LE(agent.acked(), 2u);

  ASSERT_TRUE(agent.SendEvent(3).ok());
  ASSERT_TRUE(agent.WaitForAck(5, kWait));
  auto status = QueryStatus(coordinator.registrar(), 5000);
  ASSERT_TRUE(status.ok()) << status.status().message();
  EXPECT_GE(CounterValue(*status, "resend_requests{station=\"2\"}"), 1u);
  EXPECT_EQ(CounterValue(*status, "events_stored{station=\"2\"}"), 5u);
  ASSERT_EQ(status->stations_size(), 1);
  EXPECT_EQ(status->stations(0).stored_seq(), 5u);
  EXPECT_EQ(status->stations(0).announced_seq(), 5u);
  coordinator.Stop();

  auto ids = StoredEventIds(StoredItems(dir));
  ASSERT_EQ(ids.size(), 5u);
  for (uint64_t i = 0; i < ids.size(); ++i) EXPECT_EQ(std::get<2>(ids[i]), i + 1);
}

TEST(CoordinatorProcess, RejectsBadInputCountsItLogsItAndStoresNoneOfIt) {
  TempDir dir;
  CoordinatorProcess coordinator(dir);
  FakeAgent agent(1, 0xabc, coordinator.Station(1));
  ASSERT_TRUE(agent.Connect(coordinator.events(), coordinator.control()).ok());
  agent.AddEvent();
  ASSERT_TRUE(agent.SendHello().ok());
  ASSERT_TRUE(agent.SendEvent(1).ok());
  ASSERT_TRUE(agent.WaitForAck(1, kWait));

  std::mt19937 rng(42);
  std::string random_bytes(200, '\0');
  for (char& c : random_bytes) c = static_cast<char>(rng());
  ASSERT_FALSE(std::holds_alternative<wire::Frame>(DecodeFrame(random_bytes)));
  const std::string whole = EncodeEventFrame(agent.event(1));
  const std::string truncated = whole.substr(0, whole.size() / 2);
  ASSERT_FALSE(std::holds_alternative<wire::Frame>(DecodeFrame(truncated)));
  wire::Frame future;
  future.set_format_version(static_cast<wire::FormatVersion>(2));
  future.set_event(agent.event(1));
  wire::Frame bad_event;
  bad_event.set_event("\x08\x01 not an event");
  wire::CaptureEvent forged;
  ASSERT_TRUE(forged.ParseFromString(agent.event(1)));
  forged.mutable_code()->set_registry_no("1042120210999999");
  wire::Frame stranger_hello;
  stranger_hello.mutable_hello()->set_station(9);
  wire::Frame misdirected;  // only the coordinator sends acks
  misdirected.mutable_ack()->set_station(1);

  ASSERT_TRUE(agent.SendRaw(random_bytes).ok());
  ASSERT_TRUE(agent.SendRaw(truncated).ok());
  ASSERT_TRUE(agent.SendRaw(std::string(70 * 1024, 'x')).ok());
  ASSERT_TRUE(agent.SendRaw(future.SerializeAsString()).ok());
  ASSERT_TRUE(agent.SendRaw(EncodeFrame(bad_event)).ok());
  ASSERT_TRUE(agent.SendRaw(EncodeEventFrame(MakeEvent(9, 0xabc, 1))).ok());
  ASSERT_TRUE(agent.SendRaw(EncodeFrame(stranger_hello)).ok());
  ASSERT_TRUE(agent.SendRaw(EncodeFrame(misdirected)).ok());
  // A two-part message: transport.h only sends single parts, which is the point.
  ASSERT_TRUE(agent.dealer().send(zmq::str_buffer("part one"), zmq::send_flags::sndmore).has_value());
  ASSERT_TRUE(agent.dealer().send(zmq::buffer(whole), zmq::send_flags::none).has_value());
  ASSERT_TRUE(agent.SendRaw(EncodeEventFrame(forged.SerializeAsString())).ok());
  // Once the first conflict is committed, the same forgery again is counted but not recorded again.
  ASSERT_TRUE(WaitForCounters(coordinator.registrar(), {{"seq_conflicts", 1}}).ok());
  ASSERT_TRUE(agent.SendRaw(EncodeEventFrame(forged.SerializeAsString())).ok());
  ASSERT_TRUE(agent.SendEvent(1).ok());  // the same bytes again: harmless

  const std::map<std::string, uint64_t> want = {
      {"frames_rejected{reason=\"malformed\"}", 2},       {"frames_rejected{reason=\"oversized\"}", 1},
      {"frames_rejected{reason=\"unknown_version\"}", 1}, {"frames_rejected{reason=\"bad_event\"}", 1},
      {"frames_rejected{reason=\"unknown_station\"}", 2}, {"frames_rejected{reason=\"extra_parts\"}", 1},
      {"frames_rejected{reason=\"unexpected_message\"}", 1},
      {"seq_conflicts", 2},                               {"duplicates_ignored", 1},
  };
  auto status = WaitForCounters(coordinator.registrar(), want);
  ASSERT_TRUE(status.ok()) << status.status().message();
  for (const auto& [name, value] : want) EXPECT_EQ(CounterValue(*status, name), value) << name;

  // Still working: the next good event is stored and acked.
  agent.AddEvent();
  ASSERT_TRUE(agent.SendEvent(2).ok());
  ASSERT_TRUE(agent.WaitForAck(2, kWait));
  coordinator.Stop();

  const std::string log = coordinator.Log();
  for (const char* reason : {"(malformed)", "(oversized)", "(unknown_version)", "(bad_event)", "(unknown_station)",
                             "(extra_parts)", "Frame{ack} is not sent", "arrived again with different content"}) {
    EXPECT_NE(log.find(reason), std::string::npos) << reason << " not in the log:\n" << log;
  }
  EXPECT_NE(log.find("station 9"), std::string::npos) << log;

  auto items = StoredItems(dir);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].event(), agent.event(1));
  ASSERT_TRUE(items[1].has_observation());
  EXPECT_EQ(items[1].observation().kind(), wire::Observation::SEQ_CONFLICT);
  EXPECT_EQ(items[1].observation().seq(), 1u);
  EXPECT_EQ(items[1].observation().sha256(), AsBytes(ComputeSha256(forged.SerializeAsString())));
  EXPECT_EQ(items[2].event(), agent.event(2));
}

TEST(CoordinatorProcess, LosesAndDuplicatesNothingWhenKilledMidStream) {
  TempDir dir;
  constexpr uint64_t kEvents = 20'000;
  std::unique_ptr<FakeAgent> agent;
  uint64_t acked_before_kill = 0;
  {
    CoordinatorProcess coordinator(dir);
    agent = std::make_unique<FakeAgent>(3, 0x5eed, coordinator.Station(3));
    agent->AddEvents(kEvents);
    ASSERT_TRUE(agent->Connect(coordinator.events(), coordinator.control()).ok());
    ASSERT_TRUE(agent->SendHello().ok());
    for (uint64_t seq = 1; seq <= kEvents; ++seq) ASSERT_TRUE(agent->SendEvent(seq).ok());
    ASSERT_TRUE(agent->WaitForAck(1, kWait));
    ASSERT_TRUE(coordinator.process().Signal(SIGKILL).ok());
    auto exit = coordinator.process().Wait(kWait);
    ASSERT_TRUE(exit.ok());
    EXPECT_EQ(exit->signal, SIGKILL);
    acked_before_kill = agent->acked();
  }
  CoordinatorProcess restarted(dir);
  EXPECT_GE(std::stoull(restarted.field("commit_index")), acked_before_kill);
  ASSERT_TRUE(agent->Connect(restarted.events(), restarted.control()).ok());
  ASSERT_TRUE(agent->SendHello().ok());
  ASSERT_TRUE(agent->WaitForAck(kEvents, 60s));
  restarted.Stop();

  auto items = StoredItems(dir);
  ASSERT_EQ(items.size(), kEvents);
  auto ids = StoredEventIds(items);
  for (uint64_t i = 0; i < items.size(); ++i) {
    ASSERT_EQ(items[i].commit_index(), i + 1);
    ASSERT_EQ(ids[i], std::make_tuple(3u, uint64_t{0x5eed}, i + 1));
    ASSERT_EQ(items[i].event(), agent->event(i + 1));
  }
  std::cerr << "killed with " << acked_before_kill << " of " << kEvents << " acked\n";
}

TEST(CoordinatorProcess, RecordsANewJournalEpochOfAStationAsAnObservation) {
  TempDir dir;
  CoordinatorProcess coordinator(dir);
  FakeAgent old_laptop(2, 0x01d, coordinator.Station(2));
  FakeAgent new_laptop(2, 0x2e3, coordinator.Station(2));
  for (FakeAgent* agent : {&old_laptop, &new_laptop}) {
    ASSERT_TRUE(agent->Connect(coordinator.events(), coordinator.control()).ok());
    agent->AddEvents(2);
    ASSERT_TRUE(agent->SendHello().ok());
    // The coordinator may not yet have seen the old laptop's connection close: it hears the new
    // one once it has.
    ASSERT_TRUE(agent->WaitForAck(2, kWait, [&] { agent->SendHello().IgnoreError(); }));
    agent->Disconnect();  // the old laptop is switched off
  }
  coordinator.Stop();
  EXPECT_NE(coordinator.Log().find("station 2 started a new journal epoch 00000000000002e3"), std::string::npos)
      << coordinator.Log();

  auto items = StoredItems(dir);
  ASSERT_EQ(items.size(), 5u);
  ASSERT_TRUE(items[2].has_observation());
  EXPECT_EQ(items[2].observation().kind(), wire::Observation::EPOCH_STARTED);
  EXPECT_EQ(items[2].observation().station(), 2u);
  EXPECT_EQ(items[2].observation().epoch(), 0x2e3u);
  EXPECT_EQ(items[3].event(), new_laptop.event(1));
}

TEST(CoordinatorProcess, StampsTheRecordWithStationTimeUnderSimTime) {
  TempDir dir;
  CoordinatorProcess coordinator(dir, {"--sim-time"});
  FakeAgent agent(1, 0x7, coordinator.Station(1));
  ASSERT_TRUE(agent.Connect(coordinator.events(), coordinator.control()).ok());
  constexpr int64_t kEight30 = 1713745800'000000;  // 2024-04-22T08:30:00+08:00
  agent.AddEvent(kEight30);
  ASSERT_TRUE(agent.SendHello().ok());
  ASSERT_TRUE(agent.WaitForAck(1, kWait));
  coordinator.Stop();
  auto items = StoredItems(dir);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].received_time_us(), kEight30);
}

}  // namespace
}  // namespace capture::coord
