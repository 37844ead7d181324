// The benchmark's own arithmetic (percentiles, the load generators' pace), a load generator against
// a real coordinator with CURVE and in plain text, and the smoke run of the whole benchmark: what
// the table says must be what was measured.
#include <gtest/gtest.h>

#include <poll.h>

#include <chrono>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "common/fs.h"
#include "common/transport.h"
#include "coordinator/control_client.h"
#include "coordinator/status_client.h"
#include "tests/support/temp_dir.h"
#include "tools/bench/bench_day.h"
#include "tools/bench/figures.h"
#include "tools/bench/loadgen.h"
#include "tools/capture-sim/kit.h"
#include "tools/capture-sim/output_line.h"
#include "tools/capture-sim/process.h"

namespace capture::bench {
namespace {

using ::capture::testing::TempDir;
using sim::ChildProcess;
constexpr auto kTimeout = std::chrono::seconds(60);

TEST(NearestRank, IsTheSmallestSampleWithTheFractionAtOrBelowIt) {
  std::vector<int64_t> hundred;
  for (int64_t i = 1; i <= 100; ++i) hundred.push_back(i);
  EXPECT_EQ(NearestRank(hundred, 0.50), 50);
  EXPECT_EQ(NearestRank(hundred, 0.99), 99);
  EXPECT_EQ(NearestRank(hundred, 0.999), 100);
  EXPECT_EQ(NearestRank(hundred, 1.0), 100);
  EXPECT_EQ(NearestRank({7, 9}, 0.50), 7);
  EXPECT_EQ(NearestRank({}, 0.99), 0);
}

TEST(PaceGrid, DueAtAndTickOfAgreeForEverySeq) {
  for (double rate : {333.333, 1'000.0, 3'300.0, 16'666.67, 100'000.0}) {
    const PaceGrid pace(rate, 1'000, 20'000);
    for (uint64_t seq = 2; seq <= 20'000; ++seq) {
      const int64_t tick = pace.TickOf(seq);
      ASSERT_GE(pace.DueAt(tick), seq) << "rate " << rate << " seq " << seq;
      ASSERT_LT(tick == 0 ? 1 : pace.DueAt(tick - 1), seq) << "rate " << rate << " seq " << seq;
    }
  }
}

TEST(PaceGrid, DuesTheRateEachSecondAndNeverPassesTheLastEvent) {
  const PaceGrid pace(3'333.3, 1'000, 5'000);
  EXPECT_EQ(pace.DueAt(0), 1u);  // event 1 went out in the handshake
  EXPECT_EQ(pace.DueAt(1'000), 1u + 3'333u);
  EXPECT_EQ(pace.DueAt(1'000'000), 5'000u);
}

// The load generators wait on DEALERs' readiness descriptors: an ack must wake them after a drain,
// also when a send on the same socket came in between.
TEST(ReadinessFd, SignalsEveryMessageAfterTheSocketWasDrained) {
  zmq::context_t context;
  auto router = OpenSocket(context, zmq::socket_type::router);
  auto dealer = OpenSocket(context, zmq::socket_type::dealer);
  ASSERT_TRUE(router.ok() && dealer.ok());
  ASSERT_TRUE(Bind(*router, "tcp://127.0.0.1:*").ok());
  auto endpoint = LastEndpoint(*router);
  ASSERT_TRUE(endpoint.ok());
  ASSERT_TRUE(Connect(*dealer, *endpoint).ok());
  auto fd = ReadinessFd(*dealer);
  ASSERT_TRUE(fd.ok()) << fd.status().message();

  const auto wait_readable = [&] {
    pollfd p{*fd, POLLIN, 0};
    return ::poll(&p, 1, 10'000) == 1;
  };
  const auto drain = [&] {
    int n = 0;
    while (TryRecv(*dealer, false)) ++n;
    return n;
  };
  std::optional<Received> hello;
  const auto deadline = std::chrono::steady_clock::now() + kTimeout;
  while (!hello && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(TrySend(*dealer, "hello"));
    std::vector<zmq::pollitem_t> items = {{router->handle(), 0, ZMQ_POLLIN, 0}};
    ASSERT_TRUE(Poll(items, std::chrono::milliseconds(100)).ok());
    hello = TryRecv(*router, true);
  }
  ASSERT_TRUE(hello) << "the router never heard the dealer";
  drain();
  for (int round = 0; round < 50; ++round) {
    ASSERT_TRUE(TrySendTo(*router, hello->peer, "ack"));
    ASSERT_TRUE(wait_readable()) << "round " << round;
    EXPECT_EQ(drain(), 1) << "round " << round;
    // A send on the dealer may take the signal of a message queued meanwhile: draining after it
    // keeps the contract.
    ASSERT_TRUE(TrySend(*dealer, "resend"));
    drain();
  }
}

enum class Transport { kCurve, kPlain };

struct Day {
  Transport transport = Transport::kCurve;
  std::string events;
  std::string control;
  std::string store;
  std::unique_ptr<ChildProcess> coordinator;
};

// A coordinator on a fresh store of a benchmark day: with CURVE, every station's key written into
// dir/keys and enrolled; in plain text, --insecure.
Day StartCoordinator(const TempDir& dir, int stations, uint64_t events_per_station,
                     Transport transport = Transport::kCurve) {
  const BenchDay day({stations, events_per_station});
  EXPECT_TRUE(WriteFileDurably(dir / "schedule.csv", day.ScheduleCsv()).ok());
  EXPECT_TRUE(WriteFileDurably(dir / "roster.csv", day.RosterCsv()).ok());
  std::vector<std::string> argv = {CAPTURE_BIN_DIR "/coordinator", "--schedule", dir / "schedule.csv", "--roster",
                                   dir / "roster.csv", "--store", dir / "store", "--events", "tcp://127.0.0.1:*",
                                   "--control", "tcp://127.0.0.1:*", "--sim-time"};
  if (transport == Transport::kCurve) {
    std::vector<int> enrolled(static_cast<size_t>(stations));
    std::iota(enrolled.begin(), enrolled.end(), 1);
    EXPECT_TRUE(sim::WriteStationKeys(dir / "keys", enrolled).ok());
    argv.insert(argv.end(), {"--station-keys", dir / "keys/" + std::string(sim::kStationKeysFile)});
  } else {
    argv.push_back("--insecure");
  }
  auto coordinator = ChildProcess::Spawn(argv, dir / "coordinator.log");
  Day out;
  out.transport = transport;
  out.store = dir / "store";
  EXPECT_TRUE(coordinator.ok()) << coordinator.status().message();
  if (!coordinator.ok()) return out;
  auto ready = (*coordinator)->WaitForLine([](const std::string& l) { return l.rfind("ready ", 0) == 0; }, kTimeout,
                                           "the coordinator's ready line");
  EXPECT_TRUE(ready.ok()) << ready.status().message();
  if (!ready.ok()) return out;  // the test fails with the message above, not on a missing line
  const sim::OutputLine line = sim::ParseOutputLine(*ready);
  out.events = line.Get("events").value_or("");
  out.control = line.Get("control").value_or("");
  out.coordinator = std::move(*coordinator);
  return out;
}

// The flags that give a load generator the day's transport: the stations' keys and the
// coordinator's, or --insecure.
std::vector<std::string> TransportFlags(const TempDir& dir, const Day& day) {
  if (day.transport == Transport::kPlain) return {"--insecure"};
  return {"--keys", dir / "keys", "--coordinator-key", day.store + "/coordinator.pub"};
}

std::vector<std::string> LoadgenArgv(const Day& day, int stations, uint64_t events_per_station) {
  return {CAPTURE_BIN_DIR "/bench", "loadgen", "--events", day.events, "--control", day.control,
          "--first-station", "1", "--last-station", std::to_string(stations), "--total-stations",
          std::to_string(stations), "--events-per-station", std::to_string(events_per_station)};
}

// Runs one `bench loadgen` over stations 1..stations, with the day's transport, to its done line.
std::string RunLoadgen(const TempDir& dir, const Day& day, int stations, uint64_t events_per_station,
                       std::vector<std::string> extra) {
  std::vector<std::string> argv = LoadgenArgv(day, stations, events_per_station);
  const std::vector<std::string> transport = TransportFlags(dir, day);
  argv.insert(argv.end(), transport.begin(), transport.end());
  argv.insert(argv.end(), extra.begin(), extra.end());
  auto gen = ChildProcess::Spawn(argv, dir / "loadgen.log");
  EXPECT_TRUE(gen.ok());
  auto ready = (*gen)->WaitForLine([](const std::string& l) { return l.rfind("ready ", 0) == 0; }, kTimeout,
                                   "the load generator's ready line");
  EXPECT_TRUE(ready.ok()) << ready.status().message();
  EXPECT_TRUE((*gen)->WriteLine("go").ok());
  auto done = (*gen)->WaitForLine([](const std::string& l) { return l.rfind("done ", 0) == 0; }, kTimeout,
                                  "the load generator's done line");
  EXPECT_TRUE(done.ok()) << done.status().message();
  auto exit = (*gen)->Wait(std::chrono::seconds(30));
  EXPECT_TRUE(exit.ok() && exit->Succeeded());
  return done.ok() ? *done : "";
}

// The coordinator's counters, asked as the registrar (CURVE) or in plain text.
wire::StatusReply StatusOf(const Day& day) {
  coord::ControlEndpoint control{day.control, {}};
  if (day.transport == Transport::kCurve) {
    auto registrar = coord::RegistrarEndpoint(day.control, day.store);
    EXPECT_TRUE(registrar.ok()) << registrar.status().message();
    if (registrar.ok()) control = std::move(*registrar);
  }
  auto status = coord::QueryStatus(control, 10'000);
  EXPECT_TRUE(status.ok()) << status.status().message();
  return status.ok() ? *status : wire::StatusReply{};
}

uint64_t Rejected(const wire::StatusReply& status) {
  uint64_t rejected = 0;
  for (const wire::Counter& c : status.counters()) {
    if (c.name().rfind("frames_rejected", 0) == 0) rejected += c.value();
  }
  return rejected;
}

TEST(Loadgen, IsDoneOnlyWhenEveryEventOfEveryStationIsAcknowledged) {
  TempDir dir;
  // A window far below the events: the stations must wait for acks many times over.
  const Day day = StartCoordinator(dir, 4, 20'000);
  ASSERT_TRUE(day.coordinator) << "the coordinator did not start";
  const std::string done = RunLoadgen(dir, day, 4, 20'000, {"--window", "500"});
  EXPECT_NE(done.find("events=79996 "), std::string::npos) << done;  // event 1 of each went before `go`
}

// CURVE authenticates a connection: each station speaks on connections of its own key, so the
// coordinator admits them all and rejects none of their frames as another station's.
TEST(Loadgen, SpeaksForEachStationOnConnectionsOfItsOwnKey) {
  TempDir dir;
  const Day day = StartCoordinator(dir, 5, 2'000);
  ASSERT_TRUE(day.coordinator) << "the coordinator did not start";
  const std::string done = RunLoadgen(dir, day, 5, 2'000, {});
  EXPECT_NE(done.find("events=9995 "), std::string::npos) << done;
  const wire::StatusReply status = StatusOf(day);
  EXPECT_GE(coord::CounterValue(status, "curve_admitted"), 10u);  // a PUB and a DEALER per station
  EXPECT_EQ(Rejected(status), 0u);
}

TEST(Loadgen, RunsInPlainTextAgainstAnInsecureCoordinator) {
  TempDir dir;
  const Day day = StartCoordinator(dir, 3, 2'000, Transport::kPlain);
  ASSERT_TRUE(day.coordinator) << "the coordinator did not start";
  const std::string done = RunLoadgen(dir, day, 3, 2'000, {});
  EXPECT_NE(done.find("events=5997 "), std::string::npos) << done;
  EXPECT_EQ(Rejected(StatusOf(day)), 0u);
}

// Plain text only when asked for: without keys and without --insecure it refuses to start.
TEST(Loadgen, WithoutKeysOrInsecureRefusesToStart) {
  TempDir dir;
  const Day day = StartCoordinator(dir, 1, 10);
  ASSERT_TRUE(day.coordinator) << "the coordinator did not start";
  auto gen = ChildProcess::Spawn(LoadgenArgv(day, 1, 10), dir / "loadgen.log");
  ASSERT_TRUE(gen.ok()) << gen.status().message();
  auto exit = (*gen)->Wait(kTimeout);
  ASSERT_TRUE(exit.ok()) << exit.status().message();
  EXPECT_FALSE(exit->Succeeded());
  std::ifstream log(dir / "loadgen.log");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("--keys"), std::string::npos) << text;
}

TEST(Loadgen, PacedChargesEachEventFromItsTickNeverBefore) {
  TempDir dir;
  const Day day = StartCoordinator(dir, 2, 1'000);
  ASSERT_TRUE(day.coordinator) << "the coordinator did not start";
  // 1,000 events/s over 2 stations: the last of the 999 events each after `go` is due at 1.998 s.
  const std::string done = RunLoadgen(dir, day, 2, 1'000, {"--rate", "1000", "--latency-file", dir / "latency.txt"});
  const size_t at = done.find("seconds=");
  ASSERT_NE(at, std::string::npos) << done;
  EXPECT_GE(std::stod(done.substr(at + 8)), 1.998) << done;
  std::ifstream in(dir / "latency.txt");
  std::vector<int64_t> latencies;
  for (int64_t us; in >> us;) latencies.push_back(us);
  ASSERT_EQ(latencies.size(), 1'998u);
  for (int64_t us : latencies) ASSERT_GE(us, 0);
}

// The cells of the Markdown table row whose first cell is `label`, in the section after `heading`;
// empty when there is none.
std::vector<std::string> RowOf(const std::string& report, const std::string& heading, const std::string& label) {
  const size_t section = report.find(heading);
  if (section == std::string::npos) return {};
  std::istringstream lines(report.substr(section));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| " + label + " |", 0) != 0) continue;
    std::vector<std::string> cells;
    std::istringstream parts(line.substr(2));
    for (std::string cell; std::getline(parts, cell, '|');) {
      const size_t first = cell.find_first_not_of(' ');
      const size_t last = cell.find_last_not_of(' ');
      cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    }
    return cells;
  }
  return {};
}

bool IsNumber(const std::string& cell) {
  return !cell.empty() && cell.find_first_not_of("0123456789.,") == std::string::npos;
}

// The whole benchmark at tiny sizes, so it never rots; its report measures every ingest and paced
// figure with CURVE beside the same run with --insecure, and both pipeline limits.
TEST(BenchSmoke, RunsEveryPartAndReportsCurveBesideInsecure) {
  TempDir dir;
  auto bench = ChildProcess::Spawn({CAPTURE_BIN_DIR "/bench", "--smoke", "--out", dir / "BENCHMARKS.md", "--plots",
                                    dir / "plots"},
                                   dir / "bench.log");
  ASSERT_TRUE(bench.ok()) << bench.status().message();
  auto report = (*bench)->WaitForLine([](const std::string& l) { return l.rfind("bench step=report ", 0) == 0; },
                                      std::chrono::seconds(300), "the benchmark's report step");
  ASSERT_TRUE(report.ok()) << report.status().message();
  auto exit = (*bench)->Wait(kTimeout);
  ASSERT_TRUE(exit.ok()) << exit.status().message();
  ASSERT_TRUE(exit->Succeeded()) << exit->ToString() << " (see " << dir / "bench.log" << ")";

  std::ifstream in(dir / "BENCHMARKS.md");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* limit : {"Limit: bare ZeroMQ + decode + synced RocksDB in series, plain text",
                            "Limit: bare ZeroMQ with CURVE + decode + synced RocksDB in series"}) {
    const std::vector<std::string> row = RowOf(text, "## Results", limit);
    ASSERT_GE(row.size(), 2u) << limit << " is not in the report";
    EXPECT_TRUE(IsNumber(row[1])) << limit << ": " << row[1];
  }
  const std::string pairs = "## Security: CURVE beside --insecure";
  const std::vector<std::string> paired = {
      "Ingest, 3 stations, 3k events: stored, judged, acked",
      "Ingest, 30 stations, 3k events: stored, judged, acked",
      "Paced 1k/s: simulated station input -> durable commit acked (load generators), p99",
      "Paced 1k/s: real agent, image landed -> verdict shown at the agent (both fsyncs), p99"};
  for (const std::string& label : paired) {
    // | label | CURVE | --insecure | unit | trials | CURVE / insecure | CURVE to limit | insecure to limit | target |
    const std::vector<std::string> row = RowOf(text, pairs, label);
    ASSERT_GE(row.size(), 9u) << label << " is not in the security table";
    EXPECT_TRUE(IsNumber(row[1])) << label << " with CURVE: " << row[1];
    EXPECT_TRUE(IsNumber(row[2])) << label << " with --insecure: " << row[2];
    EXPECT_TRUE(IsNumber(row[5])) << label << ", CURVE / insecure: " << row[5];
    if (label.rfind("Ingest", 0) == 0) {
      // Each side against the limit of its own transport.
      EXPECT_NE(row[6].find("limit/pipeline-curve"), std::string::npos) << row[6];
      EXPECT_NE(row[7].find("limit/pipeline"), std::string::npos) << row[7];
      EXPECT_EQ(row[7].find("curve"), std::string::npos) << row[7];
    }
  }
  // The main table has the CURVE figures, as a capture day runs.
  EXPECT_FALSE(RowOf(text, "## Results", "Ingest, 3 stations, 3k events: stored, judged, acked (CURVE)").empty());
}

}  // namespace
}  // namespace capture::bench
