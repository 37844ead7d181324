#include "tools/bench/e2e.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "common/collection_code.h"
#include "common/fs.h"
#include "common/schedule.h"
#include "coordinator/judge/judge.h"
#include "coordinator/record_store.h"
#include "tools/bench/bench_day.h"
#include "tools/capture-sim/output_line.h"
#include "tools/capture-sim/process.h"
#include "tools/capture-sim/sim_jpeg.h"

namespace capture::bench {
namespace {

using Clock = std::chrono::steady_clock;
using sim::ChildProcess;
constexpr auto kStartTimeout = std::chrono::seconds(120);
constexpr auto kRunTimeout = std::chrono::seconds(900);

struct RunResult {
  double events_per_second = 0;
  uint64_t events = 0;
  double coordinator_peak_rss_mb = 0;
  double coordinator_ready_rss_mb = 0;  // with the judge's inputs loaded, before any event
  double coordinator_cpu_us_per_event = 0;  // user + system time of the coordinator while ingesting
  double store_bytes = 0;
  std::vector<int64_t> latencies_us;
  std::string store;
};

// "key=value" out of a line of `key=value` words.
std::string Field(const std::string& line, const std::string& key) {
  std::istringstream words(line);
  std::string word;
  while (words >> word) {
    if (word.rfind(key + "=", 0) == 0) return word.substr(key.size() + 1);
  }
  return "";
}

bool StartsWith(const std::string& line, const char* word) { return line.rfind(word, 0) == 0; }

// A field of /proc/PID/status ("VmHWM", "VmRSS") of a running process, in MB; 0 when unreadable.
double MemoryMb(pid_t pid, const std::string& field) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (StartsWith(line, (field + ":").c_str())) return std::stod(line.substr(field.size() + 1)) / 1024.0;
  }
  return 0;
}

// User + system CPU seconds a running process has used so far; 0 when unreadable.
double CpuSeconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  double ticks = 0;
  // After the command: state is field 3; utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double FolderBytes(const std::string& dir) {
  double bytes = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (entry.is_regular_file(ec)) bytes += static_cast<double>(entry.file_size(ec));
  }
  return bytes;
}

std::vector<int64_t> ReadLatencies(const std::string& path) {
  std::vector<int64_t> values;
  std::ifstream in(path);
  int64_t v;
  while (in >> v) values.push_back(v);
  return values;
}

double Percentile(std::vector<int64_t>& sorted_us, double p) {
  if (sorted_us.empty()) return 0;
  const size_t i = std::min(sorted_us.size() - 1, static_cast<size_t>(p * static_cast<double>(sorted_us.size())));
  return static_cast<double>(sorted_us[i]) / 1000.0;
}

// One coordinator on a fresh store and `loadgens` load generators over `stations` stations.
Result<RunResult> RunOnce(const E2eOptions& o, int stations, uint64_t events_per_station, double rate,
                          const std::string& dir) {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  if (Status s = MakeDirs(dir); !s.ok()) return s;
  const BenchDay day({stations, events_per_station});
  if (Status s = WriteFileDurably(dir + "/schedule.csv", day.ScheduleCsv()); !s.ok()) return s;
  if (Status s = WriteFileDurably(dir + "/roster.csv", day.RosterCsv()); !s.ok()) return s;

  RunResult result;
  result.store = dir + "/store";
  auto coordinator = ChildProcess::Spawn({o.bin_dir + "/coordinator", "--schedule", dir + "/schedule.csv", "--roster",
                                          dir + "/roster.csv", "--store", result.store, "--events",
                                          "tcp://127.0.0.1:*", "--control", "tcp://127.0.0.1:*", "--sim-time"},
                                         dir + "/coordinator.log");
  if (!coordinator.ok()) return coordinator.status();
  auto ready = (*coordinator)->WaitForLine([](const std::string& l) { return StartsWith(l, "ready "); },
                                           kStartTimeout, "the coordinator's ready line");
  if (!ready.ok()) return ready.status();
  result.coordinator_ready_rss_mb = MemoryMb((*coordinator)->pid(), "VmRSS");
  const std::string events = Field(*ready, "events");
  const std::string control = Field(*ready, "control");

  const int processes = std::max(1, std::min(o.loadgens, stations));
  std::vector<std::unique_ptr<ChildProcess>> gens;
  const uint64_t seed = static_cast<uint64_t>(Clock::now().time_since_epoch().count());
  for (int i = 0; i < processes; ++i) {
    const int first = 1 + stations * i / processes;
    const int last = stations * (i + 1) / processes;
    std::vector<std::string> argv = {o.bin_dir + "/bench", "loadgen", "--events", events, "--control", control,
                                     "--first-station", std::to_string(first), "--last-station", std::to_string(last),
                                     "--total-stations", std::to_string(stations), "--events-per-station",
                                     std::to_string(events_per_station), "--window", std::to_string(o.window),
                                     "--epoch-seed", std::to_string(seed + i)};
    if (rate > 0) {
      // Each process paces its share of the total rate by its share of the stations.
      argv.insert(argv.end(), {"--rate", std::to_string(rate * (last - first + 1) / stations), "--latency-file",
                               dir + "/latency-" + std::to_string(i) + ".txt"});
    }
    auto gen = ChildProcess::Spawn(argv, dir + "/loadgen-" + std::to_string(i) + ".log");
    if (!gen.ok()) return gen.status();
    gens.push_back(std::move(*gen));
  }
  for (auto& gen : gens) {
    auto line = gen->WaitForLine([](const std::string& l) { return StartsWith(l, "ready "); }, kStartTimeout,
                                 "a load generator's ready line");
    if (!line.ok()) return line.status();
  }
  const auto start = Clock::now();
  const double cpu_before = CpuSeconds((*coordinator)->pid());
  for (auto& gen : gens) {
    if (Status s = gen->WriteLine("go"); !s.ok()) return s;
  }
  for (auto& gen : gens) {
    auto line = gen->WaitForLine([](const std::string& l) { return StartsWith(l, "done "); }, kRunTimeout,
                                 "a load generator's done line");
    if (!line.ok()) return line.status();
    result.events += std::stoull(Field(*line, "events"));
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  result.events_per_second = static_cast<double>(result.events) / seconds;
  result.coordinator_peak_rss_mb = MemoryMb((*coordinator)->pid(), "VmHWM");
  result.coordinator_cpu_us_per_event =
      1e6 * (CpuSeconds((*coordinator)->pid()) - cpu_before) / static_cast<double>(std::max<uint64_t>(1, result.events));
  for (auto& gen : gens) {
    auto exit = gen->Wait(std::chrono::seconds(30));
    if (!exit.ok()) return exit.status();
    if (!exit->Succeeded()) return Status::Unavailable("a load generator ended with " + exit->ToString());
  }
  if (Status s = (*coordinator)->Signal(SIGTERM); !s.ok()) return s;
  auto exit = (*coordinator)->Wait(std::chrono::seconds(60));
  if (!exit.ok()) return exit.status();
  if (!exit->Succeeded()) return Status::Unavailable("the coordinator ended with " + exit->ToString());
  result.store_bytes = FolderBytes(result.store);
  for (int i = 0; rate > 0 && i < processes; ++i) {
    auto part = ReadLatencies(dir + "/latency-" + std::to_string(i) + ".txt");
    result.latencies_us.insert(result.latencies_us.end(), part.begin(), part.end());
  }
  return result;
}

// Re-judges a stopped store with the inputs stored in it, as an auditor does; events/s of Apply.
Result<double> Rejudge(const std::string& store_dir) {
  auto store = coord::RecordStore::Open(store_dir, true);
  if (!store.ok()) return store.status();
  const auto& inputs = (*store)->judge_inputs();
  if (!inputs) return Status::InvalidArgument(store_dir + " holds no judge inputs");
  auto schedule = ParseSchedule(inputs->schedule_csv, "stored schedule");
  if (!schedule.ok()) return schedule.status();
  auto roster = ParseRoster(inputs->roster_csv, "stored roster");
  if (!roster.ok()) return roster.status();
  judge::Judge judge(std::move(*schedule), std::move(*roster), inputs->config);
  uint64_t items = 0;
  const auto start = Clock::now();
  if (Status s = (*store)->ForEachItem([&](const wire::RecordItem& item) {
        judge.Apply(item);
        ++items;
        return true;
      });
      !s.ok()) {
    return s;
  }
  return static_cast<double>(items) / std::chrono::duration<double>(Clock::now() - start).count();
}

std::string Thousands(uint64_t n) {
  if (n % 1'000'000 == 0) return std::to_string(n / 1'000'000) + "M";
  if (n % 1'000 == 0) return std::to_string(n / 1'000) + "k";
  return std::to_string(n);
}

// A real station agent in the loop: one coordinator, one `station-agent` on the system clock, and
// `samples` camera images landing one at a time with no code read before them. Each lands as a
// shot (the agent's `event` line, after its synced journal write) and raises a SHOT_WITHOUT_CODE
// BLOCKER that comes back to the agent (its `anomaly` line, after the coordinator's synced commit
// and judgement). Both times are from the image landing in the camera folder.
struct AgentLoopResult {
  std::vector<int64_t> journaled_us;
  std::vector<int64_t> verdict_us;
  double agent_peak_rss_mb = 0;
};

Result<AgentLoopResult> RunAgentLoopOnce(const E2eOptions& o, const std::string& dir) {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  if (Status s = MakeDirs(dir + "/camera"); !s.ok()) return s;
  const BenchDay day({1, 2});
  if (Status s = WriteFileDurably(dir + "/schedule.csv", day.ScheduleCsv()); !s.ok()) return s;
  if (Status s = WriteFileDurably(dir + "/roster.csv", day.RosterCsv()); !s.ok()) return s;
  if (Status s = SaveSiteKey(dir + "/site.key", GenerateSiteKey()); !s.ok()) return s;
  auto coordinator = ChildProcess::Spawn({o.bin_dir + "/coordinator", "--schedule", dir + "/schedule.csv", "--roster",
                                          dir + "/roster.csv", "--store", dir + "/store", "--events",
                                          "tcp://127.0.0.1:*", "--control", "tcp://127.0.0.1:*"},
                                         dir + "/coordinator.log");
  if (!coordinator.ok()) return coordinator.status();
  auto ready = (*coordinator)->WaitForLine([](const std::string& l) { return StartsWith(l, "ready "); },
                                           kStartTimeout, "the coordinator's ready line");
  if (!ready.ok()) return ready.status();
  auto agent = ChildProcess::Spawn({o.bin_dir + "/station-agent", "--station", "1", "--camera-dir", dir + "/camera",
                                    "--journal", dir + "/journal", "--site-key", dir + "/site.key", "--events",
                                    Field(*ready, "events"), "--control", Field(*ready, "control")},
                                   dir + "/agent.log");
  if (!agent.ok()) return agent.status();
  auto agent_ready = (*agent)->WaitForLine([](const std::string& l) { return StartsWith(l, "ready "); },
                                           kStartTimeout, "the agent's ready line");
  if (!agent_ready.ok()) return agent_ready.status();

  AgentLoopResult result;
  const auto micros_since = [](Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
  };
  for (int i = 1; i <= o.agent_samples; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "IMG_%04d.JPG", i);
    const std::string jpeg = sim::MakeSimJpeg("2024:04:22 08:30:00", sim::SimJpegComment(1, 1, i));
    const auto landed = Clock::now();
    {
      std::ofstream camera(dir + "/camera/" + name, std::ios::binary);
      camera << jpeg;
    }
    const auto names = [&](const std::string& line, const char* type, const char* key) {
      const sim::OutputLine out = sim::ParseOutputLine(line);
      return out.type == type && out.Get(key).value_or("").find(name) != std::string::npos;
    };
    auto journaled = (*agent)->WaitForLine([&](const std::string& l) { return names(l, "event", "file"); },
                                           kStartTimeout, std::string("the shot event of ") + name);
    if (!journaled.ok()) return journaled.status();
    result.journaled_us.push_back(micros_since(landed));
    auto verdict = (*agent)->WaitForLine([&](const std::string& l) { return names(l, "anomaly", "shots"); },
                                         kStartTimeout, std::string("the verdict on ") + name);
    if (!verdict.ok()) return verdict.status();
    result.verdict_us.push_back(micros_since(landed));
  }
  result.agent_peak_rss_mb = MemoryMb((*agent)->pid(), "VmHWM");
  for (ChildProcess* child : {agent->get(), coordinator->get()}) {
    if (Status s = child->Signal(SIGTERM); !s.ok()) return s;
    if (auto exit = child->Wait(std::chrono::seconds(30)); !exit.ok()) return exit.status();
  }
  return result;
}

Status RunAgentLoop(const E2eOptions& o, Figures& figures) {
  const std::string n = std::to_string(o.agent_samples);
  Figure journal_p50{"agent/journaled/p50", "Image landed -> shot journaled at the agent (synced), p50", "ms",
                     {}, "", "", false};
  Figure journal_p99{"agent/journaled/p99", "Image landed -> shot journaled at the agent (synced), p99", "ms",
                     {}, "", "", false};
  Figure verdict_p50{"agent/verdict/p50", "Image landed -> BLOCKER shown at the agent (both fsyncs), p50", "ms",
                     {}, "", "", false};
  Figure verdict_p99{"agent/verdict/p99", "Image landed -> BLOCKER shown at the agent (both fsyncs), p99", "ms",
                     {}, "", "<= 5 ms at realistic load", false};
  Figure rss{"memory/agent", "Agent peak RSS after " + n + " shots", "MB", {}, "", "", false};
  for (int t = 0; t < o.trials; ++t) {
    auto run = RunAgentLoopOnce(o, o.tmp + "/agent-loop");
    if (!run.ok()) return Status::Unavailable("agent in the loop: " + run.status().message());
    std::sort(run->journaled_us.begin(), run->journaled_us.end());
    std::sort(run->verdict_us.begin(), run->verdict_us.end());
    journal_p50.trials.push_back(Percentile(run->journaled_us, 0.50));
    journal_p99.trials.push_back(Percentile(run->journaled_us, 0.99));
    verdict_p50.trials.push_back(Percentile(run->verdict_us, 0.50));
    verdict_p99.trials.push_back(Percentile(run->verdict_us, 0.99));
    rss.trials.push_back(run->agent_peak_rss_mb);
  }
  for (Figure* f : {&journal_p50, &journal_p99, &verdict_p50, &verdict_p99, &rss}) figures.Add(std::move(*f));
  return Status::Ok();
}

}  // namespace

Status RunE2e(const E2eOptions& o, Figures& figures, E2eCurves& curves) {
  if (o.agent_samples > 0) {
    if (Status st = RunAgentLoop(o, figures); !st.ok()) return st;
  }
  const std::string dir = o.tmp + "/e2e";
  for (int stations : o.station_counts) {
    Figure f{"ingest/" + std::to_string(stations),
             "Ingest, " + std::to_string(stations) + " stations, " + Thousands(o.ingest_events) +
                 " events: stored, judged, acked",
             "events/s", {}, "limit/pipeline", ">= 270,000 (0.70 of limit)", true};
    // Machine-independent: the load generators share the cores, this is the coordinator's own cost.
    Figure cpu{"cpu/" + std::to_string(stations), "Coordinator CPU per event, " + std::to_string(stations) +
                                                      " stations (user + system, all threads)",
               "us/event", {}, "", "", false};
    for (int t = 0; t < o.trials; ++t) {
      const uint64_t per_station = std::max<uint64_t>(2, o.ingest_events / stations);
      auto run = RunOnce(o, stations, per_station, 0, dir);
      if (!run.ok()) return Status::Unavailable("ingest with " + std::to_string(stations) + " stations: " +
                                                run.status().message() + " (logs in " + dir + ")");
      f.trials.push_back(run->events_per_second);
      cpu.trials.push_back(run->coordinator_cpu_us_per_event);
    }
    curves.ingest.title = "coordinator ingest";
    curves.ingest.points.emplace_back(stations, f.Median());
    figures.Add(std::move(f));
    figures.Add(std::move(cpu));
  }

  for (double rate : o.rates) {
    const std::string r = Thousands(static_cast<uint64_t>(rate));
    Figure p50{"latency/" + r + "/p50", "Latency publish -> stored ack at " + r + "/s, p50", "ms", {}, "", "", false};
    Figure p99{"latency/" + r + "/p99", "Latency publish -> stored ack at " + r + "/s, p99", "ms", {}, "",
               rate <= 10'000 ? "<= 5 (to verdict, with agents)" : "<= 20 (to verdict, with agents)", false};
    Figure p999{"latency/" + r + "/p99.9", "Latency publish -> stored ack at " + r + "/s, p99.9", "ms", {}, "", "",
                false};
    std::vector<int64_t> pooled;
    for (int t = 0; t < o.trials; ++t) {
      const int stations = 3;
      const uint64_t per_station = std::max<uint64_t>(2, static_cast<uint64_t>(rate * o.latency_seconds / stations));
      auto run = RunOnce(o, stations, per_station, rate, dir);
      if (!run.ok()) return Status::Unavailable("latency at " + r + "/s: " + run.status().message());
      std::sort(run->latencies_us.begin(), run->latencies_us.end());
      p50.trials.push_back(Percentile(run->latencies_us, 0.50));
      p99.trials.push_back(Percentile(run->latencies_us, 0.99));
      p999.trials.push_back(Percentile(run->latencies_us, 0.999));
      pooled.insert(pooled.end(), run->latencies_us.begin(), run->latencies_us.end());
    }
    std::sort(pooled.begin(), pooled.end());
    Series cdf{r + "/s", {}};
    const size_t points = std::min<size_t>(pooled.size(), 400);
    for (size_t i = 1; i <= points; ++i) {
      const size_t at = std::min(pooled.size() - 1, pooled.size() * i / points - 1);
      cdf.points.emplace_back(static_cast<double>(pooled[at]) / 1000.0, static_cast<double>(at + 1) / pooled.size());
    }
    curves.latency_cdf.push_back(std::move(cdf));
    figures.Add(std::move(p50));
    figures.Add(std::move(p99));
    if (rate >= 10'000) figures.Add(std::move(p999));
  }

  RunResult largest;
  for (uint64_t size : o.growth_sizes) {
    const std::string n = Thousands(size);
    Figure ingest{"growth/ingest/" + n, "Growth: ingest of " + n + " events, 3 stations", "events/s", {},
                  "limit/pipeline", "flat", true};
    Figure rejudge{"growth/rejudge/" + n, "Growth: offline re-judge of " + n + " stored events", "events/s", {}, "",
                   ">= 1,000,000", true};
    for (int t = 0; t < o.growth_trials; ++t) {
      auto run = RunOnce(o, 3, (size + 2) / 3, 0, dir);
      if (!run.ok()) return Status::Unavailable("growth at " + n + " events: " + run.status().message());
      ingest.trials.push_back(run->events_per_second);
      auto rate = Rejudge(run->store);
      if (!rate.ok()) return rate.status();
      rejudge.trials.push_back(*rate);
      largest = std::move(*run);
      largest.events = size;
    }
    curves.growth_ingest.title = "ingest";
    curves.growth_ingest.points.emplace_back(static_cast<double>(size), ingest.Median());
    curves.growth_rejudge.title = "re-judge";
    curves.growth_rejudge.points.emplace_back(static_cast<double>(size), rejudge.Median());
    figures.Add(std::move(ingest));
    figures.Add(std::move(rejudge));
  }
  if (largest.events > 0) {
    const BenchDay day({3, (largest.events + 2) / 3});
    const std::string n = Thousands(largest.events);
    const double budget = 150 + 100.0 * static_cast<double>(day.roster_students()) / 1e6;
    char target[64];
    std::snprintf(target, sizeof target, "<= %.0f (150 MB + 100 B/student)", budget);
    figures.Add({"memory/coordinator-ready", "Coordinator RSS at ready, judge inputs loaded, before any event", "MB",
                 {largest.coordinator_ready_rss_mb}, "", "", false});
    figures.Add({"memory/coordinator", "Coordinator peak RSS after " + n + " events (" +
                                           std::to_string(day.roster_students()) + " roster students)",
                 "MB", {largest.coordinator_peak_rss_mb}, "", target, false});
    figures.Add({"disk/per-event", "Store on disk per event after " + n + " events (roster and verdicts included)",
                 "bytes/event", {largest.store_bytes / static_cast<double>(day.total_events())}, "", "<= 300", false});
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return Status::Ok();
}

}  // namespace capture::bench
