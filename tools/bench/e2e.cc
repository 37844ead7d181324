#include "tools/bench/e2e.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <optional>
#include <sstream>

#include "common/collection_code.h"
#include "common/fs.h"
#include "common/schedule.h"
#include "common/time_format.h"
#include "coordinator/judge/judge.h"
#include "coordinator/audit.h"
#include "coordinator/record_store.h"
#include "coordinator/status_client.h"
#include "tools/bench/bench_day.h"
#include "tools/capture-sim/kit.h"
#include "tools/capture-sim/output_line.h"
#include "tools/capture-sim/process.h"
#include "tools/capture-sim/sim_jpeg.h"

namespace capture::bench {
namespace {

using Clock = std::chrono::steady_clock;
using sim::ChildProcess;
constexpr auto kStartTimeout = std::chrono::seconds(120);
constexpr auto kRunTimeout = std::chrono::seconds(900);

// The stations the load generators play in a paced trial; the real agent is the next one.
constexpr int kPacedStations = 3;
// The benchmark's day is in Asia/Shanghai.
constexpr int kUtcOffset = 8 * 60;
// The camera's counter: IMG_0001.JPG .. IMG_9999.JPG, one image per sample.
constexpr uint64_t kMaxAgentSamples = 9999;

// How a trial's programs talk: CURVE on every socket with enrolled station keys (the default, as on
// a capture day), or --insecure on every program. With E2eOptions::insecure_too each ingest and
// paced figure is measured both ways, trial by trial in turn, so drift of the machine falls on both.
struct Mode {
  bool secure = true;
  std::string key_prefix;      // of the mode's figure keys
  std::string label;           // after the mode's figure labels
  std::string pipeline_limit;  // the bare limit over the same transport
};

std::vector<Mode> ModesOf(const E2eOptions& o) {
  std::vector<Mode> modes = {{true, "", " (CURVE)", "limit/pipeline-curve"}};
  if (o.insecure_too) modes.push_back({false, "insecure/", " (--insecure)", "limit/pipeline"});
  return modes;
}

// What a real agent in the loop saw: per image, microseconds from its landing.
struct AgentSamples {
  std::vector<int64_t> journaled_us;
  std::vector<int64_t> verdict_us;
  double peak_rss_mb = 0;
};

struct RunResult {
  double events_per_second = 0;
  uint64_t events = 0;
  double coordinator_end_rss_mb = 0;   // VmRSS once every event is acknowledged
  double coordinator_peak_rss_mb = 0;
  double coordinator_ready_rss_mb = 0;  // with the judge's inputs loaded, before any event
  double coordinator_cpu_us_per_event = 0;  // user + system time of the coordinator while ingesting
  double loadgen_cpu_us_per_event = 0;      // the same, all load generators together
  double store_bytes = 0;
  std::vector<int64_t> latencies_us;
  AgentSamples agent;
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

// A real station agent beside the load generators. Camera images land at a steady pace with no code
// read before them: each is journaled (the agent's `event` line, after its synced journal write)
// and raises a SHOT_WITHOUT_CODE BLOCKER that comes back to the agent (its `anomaly` line, after the
// coordinator's synced commit and judgement). Both times count from the image's file being closed
// in the camera folder; the pace does not wait for verdicts (no coordinated omission). Before each
// image the agent's clock (--sim-time) is set to what the load generators' stations read at that
// moment, so the coordinator and the judge see one consistent day.
class AgentProbe {
 public:
  // Starts the agent as `station` against a running coordinator, its clock set inside the
  // benchmark's day, and waits for its ready line. `security_flags`: its --identity and
  // --coordinator-key, or --insecure.
  static Result<std::unique_ptr<AgentProbe>> Start(const E2eOptions& o, const std::string& dir, int station,
                                                   const std::string& events, const std::string& control,
                                                   const std::vector<std::string>& security_flags) {
    if (Status s = MakeDirs(dir + "/camera"); !s.ok()) return s;
    if (Status s = SaveSiteKey(dir + "/site.key", GenerateSiteKey()); !s.ok()) return s;
    std::vector<std::string> argv = {o.bin_dir + "/station-agent", "--station", std::to_string(station),
                                     "--camera-dir", dir + "/camera", "--journal", dir + "/journal", "--site-key",
                                     dir + "/site.key", "--events", events, "--control", control, "--sim-time"};
    argv.insert(argv.end(), security_flags.begin(), security_flags.end());
    auto agent = ChildProcess::Spawn(argv, dir + "/agent.log");
    if (!agent.ok()) return agent.status();
    // Before its first hello: the coordinator's clock is the stations' (--sim-time).
    if (Status s = (*agent)->WriteLine("!time " + FormatIso8601(kLocalMidnightUs + 8LL * 3600'000'000, kUtcOffset));
        !s.ok()) {
      return s;
    }
    auto ready = (*agent)->WaitForLine([](const std::string& l) { return StartsWith(l, "ready "); }, kStartTimeout,
                                       "the agent's ready line");
    if (!ready.ok()) return ready.status();
    return std::unique_ptr<AgentProbe>(new AgentProbe(dir + "/camera", station, std::move(*agent)));
  }

  // Lands `count` images at `rate` per second from now, and waits until each one's verdict is shown.
  // The load generators' stations are on `day`, from event 1 at the start, `station_rate` events/s.
  Result<AgentSamples> Measure(uint64_t count, double rate, const BenchDay& day, double station_rate) {
    const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / rate));
    std::vector<Clock::time_point> landed(count);
    std::vector<int64_t> journaled(count, -1), verdict(count, -1);
    uint64_t landed_count = 0, verdicts = 0;
    const auto start = Clock::now();
    auto next = start;
    auto deadline = Clock::time_point::max();
    while (verdicts < count) {
      if (landed_count < count && Clock::now() >= next) {
        const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        const int64_t now_us = day.EventTimeUs(1 + static_cast<uint64_t>(elapsed * station_rate));
        if (Status s = agent_->WriteLine("!time " + FormatIso8601(now_us, kUtcOffset)); !s.ok()) return s;
        if (Status s = Land(landed_count + 1, now_us); !s.ok()) return s;
        landed[landed_count++] = Clock::now();
        next += period;
        if (landed_count == count) deadline = Clock::now() + kStartTimeout;
        continue;
      }
      auto line = agent_->ReadLine(landed_count < count ? next : deadline);
      const auto at = Clock::now();
      if (!line) {
        if (agent_->at_eof()) return Status::Unavailable("the agent ended during the paced trial (see agent.log)");
        if (at >= deadline) {
          return Status::Unavailable(std::to_string(count - verdicts) + " of " + std::to_string(count) +
                                     " images got no verdict at the agent");
        }
        continue;
      }
      const sim::OutputLine out = sim::ParseOutputLine(*line);
      if (out.type == "event") {
        if (auto i = ImageIndex(out.Get("file").value_or(""), landed_count)) {
          journaled[*i] = std::chrono::duration_cast<std::chrono::microseconds>(at - landed[*i]).count();
        }
      } else if (out.type == "anomaly") {
        std::istringstream shots(out.Get("shots").value_or(""));
        for (std::string shot; std::getline(shots, shot, ',');) {
          auto i = ImageIndex(shot, landed_count);
          if (!i || verdict[*i] >= 0) continue;
          verdict[*i] = std::chrono::duration_cast<std::chrono::microseconds>(at - landed[*i]).count();
          ++verdicts;
        }
      }
    }
    // A verdict comes after the shot's own event line: without it the agent's output is not what
    // this probe reads.
    const uint64_t unjournaled = static_cast<uint64_t>(std::count(journaled.begin(), journaled.end(), -1));
    if (unjournaled > 0) {
      return Status::Unavailable(std::to_string(unjournaled) + " images got a verdict but no event line at the agent");
    }
    AgentSamples samples;
    samples.journaled_us = std::move(journaled);
    samples.verdict_us = std::move(verdict);
    samples.peak_rss_mb = MemoryMb(agent_->pid(), "VmHWM");
    return samples;
  }

  Status Stop() {
    if (Status s = agent_->Signal(SIGTERM); !s.ok()) return s;
    auto exit = agent_->Wait(std::chrono::seconds(30));
    if (!exit.ok()) return exit.status();
    return exit->Succeeded() ? Status::Ok() : Status::Unavailable("the agent ended with " + exit->ToString());
  }

 private:
  AgentProbe(std::string camera, int station, std::unique_ptr<ChildProcess> agent)
      : camera_(std::move(camera)), station_(station), agent_(std::move(agent)) {}

  static std::string ImageName(uint64_t n) {
    char name[32];
    std::snprintf(name, sizeof name, "IMG_%04llu.JPG", static_cast<unsigned long long>(n));
    return name;
  }

  // The 0-based sample of an image name, if it is one of the first `landed`.
  static std::optional<size_t> ImageIndex(const std::string& name, uint64_t landed) {
    unsigned n = 0;
    if (std::sscanf(name.c_str(), "IMG_%4u.JPG", &n) != 1 || n == 0 || n > landed || ImageName(n) != name) {
      return std::nullopt;
    }
    return n - 1;
  }

  // The camera's EXIF time is half a second before the file lands, on the station's local clock.
  Status Land(uint64_t n, int64_t now_us) {
    const std::string jpeg =
        sim::MakeSimJpeg(sim::ExifDateTime(now_us - 500'000, kUtcOffset), sim::SimJpegComment(1, station_, n));
    std::ofstream camera(camera_ + "/" + ImageName(n), std::ios::binary);
    camera << jpeg;
    camera.close();
    return camera ? Status::Ok() : Status::IoError("cannot land " + ImageName(n) + " in " + camera_);
  }

  std::string camera_;
  int station_;
  std::unique_ptr<ChildProcess> agent_;
};

// After a trial, before the coordinator stops: the run went the way its mode says. With CURVE, at
// least `connections` connections were admitted by their keys; either way no frame was rejected (a
// station_mismatch would be a load generator speaking on another station's connection, and a trial
// measured with rejections would measure something else).
Status CheckTransport(const Mode& mode, const std::string& control_address, const std::string& store,
                      uint64_t connections) {
  coord::ControlEndpoint control{control_address, {}};
  if (mode.secure) {
    auto registrar = coord::RegistrarEndpoint(control_address, store);
    if (!registrar.ok()) return registrar.status();
    control = std::move(*registrar);
  }
  auto status = coord::QueryStatus(control, 10'000);
  if (!status.ok()) {
    return Status::Unavailable("the coordinator's status after the trial: " + status.status().message());
  }
  std::string rejected;
  for (const wire::Counter& c : status->counters()) {
    if (c.value() > 0 && (StartsWith(c.name(), "frames_rejected") || StartsWith(c.name(), "curve_refused"))) {
      rejected += " " + c.name() + "=" + std::to_string(c.value());
    }
  }
  if (!rejected.empty()) return Status::Unavailable("the coordinator refused part of the trial:" + rejected);
  const uint64_t admitted = coord::CounterValue(*status, "curve_admitted");
  if (mode.secure && admitted < connections) {
    return Status::Unavailable("only " + std::to_string(admitted) + " CURVE connections were admitted, " +
                               std::to_string(connections) + " were expected");
  }
  return Status::Ok();
}

// One trial: a coordinator on a fresh store and load generators over `stations` stations, as fast as
// acknowledged (`rate` 0) or paced at `rate` events/s in total; paced, with a real agent beside them
// when `o.agent_rate` > 0. Every program runs as `mode` says.
Result<RunResult> RunOnce(const E2eOptions& o, const Mode& mode, int stations, uint64_t events_per_station,
                          double rate, const std::string& dir) {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  if (Status s = MakeDirs(dir); !s.ok()) return s;
  const bool with_agent = rate > 0 && o.agent_rate > 0;
  const uint64_t agent_samples =
      with_agent ? std::clamp<uint64_t>(static_cast<uint64_t>(o.agent_rate * o.latency_seconds), 1, kMaxAgentSamples)
                 : 0;
  // The agent's station is in the schedule and roster too, as one more station of the same day.
  const BenchDay day({stations + (with_agent ? 1 : 0), events_per_station});
  if (Status s = WriteFileDurably(dir + "/schedule.csv", day.ScheduleCsv()); !s.ok()) return s;
  if (Status s = WriteFileDurably(dir + "/roster.csv", day.RosterCsv()); !s.ok()) return s;

  RunResult result;
  result.store = dir + "/store";
  // With CURVE: a key for every station of the day, the agent's included, enrolled at the
  // coordinator's first start; the clients pin the key the coordinator writes into its store.
  const std::string keys = dir + "/keys";
  const std::string coordinator_pub = result.store + "/coordinator.pub";
  std::vector<std::string> coordinator_argv = {
      o.bin_dir + "/coordinator", "--schedule", dir + "/schedule.csv", "--roster", dir + "/roster.csv", "--store",
      result.store, "--events", "tcp://127.0.0.1:*", "--control", "tcp://127.0.0.1:*", "--http", "127.0.0.1:0",
      "--sim-time"};
  if (mode.secure) {
    std::vector<int> enrolled(static_cast<size_t>(day.shape().stations));
    std::iota(enrolled.begin(), enrolled.end(), 1);
    if (Status s = sim::WriteStationKeys(keys, enrolled); !s.ok()) return s;
    coordinator_argv.insert(coordinator_argv.end(), {"--station-keys", keys + "/" + sim::kStationKeysFile});
  } else {
    coordinator_argv.push_back("--insecure");
  }
  auto coordinator = ChildProcess::Spawn(coordinator_argv, dir + "/coordinator.log");
  if (!coordinator.ok()) return coordinator.status();
  auto ready = (*coordinator)->WaitForLine([](const std::string& l) { return StartsWith(l, "ready "); },
                                           kStartTimeout, "the coordinator's ready line");
  if (!ready.ok()) return ready.status();
  result.coordinator_ready_rss_mb = MemoryMb((*coordinator)->pid(), "VmRSS");
  const std::string events = Field(*ready, "events");
  const std::string control = Field(*ready, "control");

  std::unique_ptr<AgentProbe> agent;
  if (with_agent) {
    const int station = stations + 1;
    auto started = AgentProbe::Start(
        o, dir + "/agent", station, events, control,
        mode.secure ? sim::AgentKeyFlags(keys, station, coordinator_pub) : std::vector<std::string>{"--insecure"});
    if (!started.ok()) return started.status();
    agent = std::move(*started);
  }
  // The agent's images are part of the total rate.
  const double loadgen_rate = std::max(1.0, rate - (with_agent ? o.agent_rate : 0));

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
    if (mode.secure) {
      argv.insert(argv.end(), {"--keys", keys, "--coordinator-key", coordinator_pub});
    } else {
      argv.push_back("--insecure");
    }
    if (rate > 0) {
      // Each process paces its share of the total rate by its share of the stations.
      argv.insert(argv.end(), {"--rate", std::to_string(loadgen_rate * (last - first + 1) / stations),
                               "--latency-file", dir + "/latency-" + std::to_string(i) + ".txt"});
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
  // Each load generator's CPU from the start signal to its done line; the coordinator's until the
  // last done line.
  std::vector<double> gen_cpu(gens.size());
  const auto start = Clock::now();
  const double cpu_before = CpuSeconds((*coordinator)->pid());
  for (size_t i = 0; i < gens.size(); ++i) {
    gen_cpu[i] = -CpuSeconds(gens[i]->pid());
    if (Status s = gens[i]->WriteLine("go"); !s.ok()) return s;
  }
  if (agent) {
    auto samples = agent->Measure(agent_samples, o.agent_rate, day, loadgen_rate / stations);
    if (!samples.ok()) return samples.status();
    result.agent = std::move(*samples);
  }
  for (size_t i = 0; i < gens.size(); ++i) {
    auto line = gens[i]->WaitForLine([](const std::string& l) { return StartsWith(l, "done "); }, kRunTimeout,
                                     "a load generator's done line");
    if (!line.ok()) return line.status();
    gen_cpu[i] += CpuSeconds(gens[i]->pid());
    result.events += std::stoull(Field(*line, "events"));
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  // Event 1 of each station went out in the handshake, before the start signal.
  const uint64_t expected = static_cast<uint64_t>(stations) * (events_per_station - 1);
  if (result.events != expected) {
    return Status::Unavailable(std::to_string(expected) + " events were to be acknowledged after the start, " +
                               std::to_string(result.events) + " were");
  }
  result.events_per_second = static_cast<double>(result.events) / seconds;
  result.coordinator_peak_rss_mb = MemoryMb((*coordinator)->pid(), "VmHWM");
  result.coordinator_end_rss_mb = MemoryMb((*coordinator)->pid(), "VmRSS");
  const double per_event = 1e6 / static_cast<double>(std::max<uint64_t>(1, result.events));
  result.coordinator_cpu_us_per_event = per_event * (CpuSeconds((*coordinator)->pid()) - cpu_before);
  for (double cpu : gen_cpu) result.loadgen_cpu_us_per_event += per_event * cpu;
  for (auto& gen : gens) {
    auto exit = gen->Wait(std::chrono::seconds(30));
    if (!exit.ok()) return exit.status();
    if (!exit->Succeeded()) return Status::Unavailable("a load generator ended with " + exit->ToString());
  }
  // Per station a PUB and a DEALER; the agent has its image DEALER too.
  const uint64_t connections = 2 * static_cast<uint64_t>(stations) + (agent ? 3 : 0);
  if (Status s = CheckTransport(mode, control, result.store, connections); !s.ok()) return s;
  if (agent) {
    if (Status s = agent->Stop(); !s.ok()) return s;
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
  auto inputs = (*store)->ReadJudgeInputs();
  if (!inputs.ok()) return inputs.status();
  auto judge = coord::MakeJudge(*inputs);
  if (!judge.ok()) return judge.status();
  // The auditors' path: coord::Replay, as `capturectl verify` and a restarting coordinator run it.
  uint64_t items = 0;
  const auto start = Clock::now();
  if (Status s = coord::Replay(**store, **judge, [&](const wire::RecordItem&, const wire::Verdict&) { ++items; });
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

// The cumulative distribution of `sorted_us` in at most 400 points, in ms.
Series Cdf(const std::string& title, const std::vector<int64_t>& sorted_us) {
  Series cdf{title, {}};
  const size_t points = std::min<size_t>(sorted_us.size(), 400);
  for (size_t i = 1; i <= points; ++i) {
    const size_t at = sorted_us.size() * i / points - 1;
    cdf.points.emplace_back(static_cast<double>(sorted_us[at]) / 1000.0,
                            static_cast<double>(at + 1) / static_cast<double>(sorted_us.size()));
  }
  return cdf;
}

// p50 and p99 of one latency in one mode, and p99.9 where the issue asks for it (10,000/s and up);
// the medians over trials go in the table, the pooled samples in the plot.
class LatencyRows {
 public:
  LatencyRows(const Mode& mode, const std::string& key, const std::string& label, double rate,
              const std::string& p99_target)
      : with_p999_(rate >= 10'000), p99_target_(p99_target) {
    const std::string r = Thousands(static_cast<uint64_t>(rate));
    for (const auto& [p, name] : {std::pair{0.50, "p50"}, {0.99, "p99"}, {0.999, "p99.9"}}) {
      const std::string base = "Paced " + r + "/s: " + label + ", " + name;
      rows_.push_back({p, base, Figure{mode.key_prefix + "latency/" + r + "/" + key + "/" + name, base + mode.label,
                                       "ms", {}, "", std::string(name) == "p99" ? p99_target : "", false}});
    }
  }

  void AddTrial(std::vector<int64_t> us) {
    std::sort(us.begin(), us.end());
    for (Row& row : rows_) row.figure.trials.push_back(static_cast<double>(NearestRank(us, row.p)) / 1000.0);
    pooled_.insert(pooled_.end(), us.begin(), us.end());
  }

  void AddTo(Figures& figures) const {
    for (const Row& row : rows_) {
      if (Reported(row.p)) figures.Add(row.figure);
    }
  }

  // Pairs each row with the same row of `insecure`, the same latency measured with --insecure.
  void PairWith(const LatencyRows& insecure, Figures& figures) const {
    for (size_t i = 0; i < rows_.size() && i < insecure.rows_.size(); ++i) {
      const Row& row = rows_[i];
      if (!Reported(row.p)) continue;
      const bool with_target = row.p == 0.99 && !p99_target_.empty();
      figures.AddPair({row.base_label, row.figure.key, insecure.rows_[i].figure.key,
                       with_target ? "CURVE " + p99_target_ : ""});
    }
  }

  // Every trial's samples together, for the plot.
  void PlotAs(const std::string& title, std::vector<Series>& cdfs) {
    std::sort(pooled_.begin(), pooled_.end());
    if (!pooled_.empty()) cdfs.push_back(Cdf(title, pooled_));
  }

 private:
  bool Reported(double p) const { return p < 0.999 || with_p999_; }

  struct Row {
    double p;
    std::string base_label;  // without the mode
    Figure figure;
  };
  bool with_p999_;
  std::string p99_target_;
  std::vector<Row> rows_;
  std::vector<int64_t> pooled_;
};

// The latencies of one paced rate in one mode.
struct PacedRows {
  LatencyRows loadgen, journal, verdict;
};

}  // namespace

Status RunE2e(const E2eOptions& o, Figures& figures, E2eCurves& curves) {
  const std::string dir = o.tmp + "/e2e";
  const std::vector<Mode> modes = ModesOf(o);
  // One figure per mode, the CURVE one first, each labelled `base` + its mode: all go in, each other
  // mode's paired with the first.
  const auto add_modes = [&](std::vector<Figure>& per_mode, const std::string& base, const std::string& pair_target) {
    for (size_t m = 1; m < per_mode.size(); ++m) {
      figures.AddPair({base, per_mode[0].key, per_mode[m].key, pair_target});
    }
    for (Figure& f : per_mode) figures.Add(std::move(f));
  };
  curves.ingest.resize(modes.size());
  for (int stations : o.station_counts) {
    const std::string s = std::to_string(stations);
    const std::string ingest_label =
        "Ingest, " + s + " stations, " + Thousands(o.ingest_events) + " events: stored, judged, acked";
    // Machine-independent: the load generators share the cores; each side's own cost per event.
    const std::string cpu_label = "Coordinator CPU per event, " + s + " stations (user + system, all threads)";
    const std::string gen_cpu_label =
        "Load generators CPU per event, " + s + " stations (user + system, all processes and threads)";
    std::vector<Figure> ingest, cpu, gen_cpu;
    for (const Mode& mode : modes) {
      ingest.push_back({mode.key_prefix + "ingest/" + s, ingest_label + mode.label, "events/s", {},
                        mode.pipeline_limit, mode.secure ? ">= 270,000 (0.70 of limit)" : "", true});
      cpu.push_back({mode.key_prefix + "cpu/" + s, cpu_label + mode.label, "us/event", {}, "", "", false});
      gen_cpu.push_back(
          {mode.key_prefix + "loadgen-cpu/" + s, gen_cpu_label + mode.label, "us/event", {}, "", "", false});
    }
    const uint64_t per_station = std::max<uint64_t>(2, o.ingest_events / stations);
    for (int t = 0; t < o.trials; ++t) {
      for (size_t m = 0; m < modes.size(); ++m) {
        auto run = RunOnce(o, modes[m], stations, per_station, 0, dir);
        if (!run.ok()) {
          return Status::Unavailable("ingest with " + s + " stations" + modes[m].label + ": " + run.status().message() +
                                     " (logs in " + dir + ")");
        }
        ingest[m].trials.push_back(run->events_per_second);
        cpu[m].trials.push_back(run->coordinator_cpu_us_per_event);
        gen_cpu[m].trials.push_back(run->loadgen_cpu_us_per_event);
      }
    }
    for (size_t m = 0; m < modes.size(); ++m) {
      curves.ingest[m].title = "coordinator ingest" + modes[m].label;
      curves.ingest[m].points.emplace_back(stations, ingest[m].Median());
    }
    // Security may cost at most 30% of ingest.
    add_modes(ingest, ingest_label, "CURVE / insecure >= 0.70");
    add_modes(cpu, cpu_label, "");
    add_modes(gen_cpu, gen_cpu_label, "");
  }

  double agent_rss_mb = 0;
  uint64_t agent_shots = 0;
  for (double rate : o.rates) {
    const std::string r = Thousands(static_cast<uint64_t>(rate));
    const std::string target = rate <= 10'000 ? "<= 5" : "<= 20";
    std::vector<PacedRows> rows;
    for (const Mode& mode : modes) {
      rows.push_back(
          {LatencyRows(mode, "loadgen", "simulated station input -> durable commit acked (load generators)", rate,
                       target),
           LatencyRows(mode, "journal", "real agent, image landed -> shot journaled (agent fsync)", rate, ""),
           LatencyRows(mode, "verdict", "real agent, image landed -> verdict shown at the agent (both fsyncs)", rate,
                       target)});
    }
    const double loadgen_rate = std::max(1.0, rate - o.agent_rate);
    const uint64_t per_station =
        std::max<uint64_t>(2, static_cast<uint64_t>(loadgen_rate * o.latency_seconds / kPacedStations));
    for (int t = 0; t < o.trials; ++t) {
      for (size_t m = 0; m < modes.size(); ++m) {
        auto run = RunOnce(o, modes[m], kPacedStations, per_station, rate, dir);
        if (!run.ok()) {
          return Status::Unavailable("latency at " + r + "/s" + modes[m].label + ": " + run.status().message() +
                                     " (logs in " + dir + ")");
        }
        rows[m].loadgen.AddTrial(std::move(run->latencies_us));
        if (o.agent_rate > 0) {
          if (modes[m].secure) {
            agent_shots = run->agent.verdict_us.size();
            agent_rss_mb = run->agent.peak_rss_mb;
          }
          rows[m].journal.AddTrial(std::move(run->agent.journaled_us));
          rows[m].verdict.AddTrial(std::move(run->agent.verdict_us));
        }
      }
    }
    const auto add_rows = [&](LatencyRows PacedRows::*which) {
      for (const PacedRows& mode_rows : rows) (mode_rows.*which).AddTo(figures);
      for (size_t m = 1; m < rows.size(); ++m) (rows[0].*which).PairWith(rows[m].*which, figures);
    };
    add_rows(&PacedRows::loadgen);
    if (o.agent_rate > 0) {
      add_rows(&PacedRows::journal);
      add_rows(&PacedRows::verdict);
    }
    for (size_t m = 0; m < modes.size(); ++m) {
      rows[m].loadgen.PlotAs(r + "/s input -> commit acked (load generators)" + modes[m].label, curves.latency_cdf);
      // The real agent's curve with CURVE only: the plot stays readable.
      if (o.agent_rate > 0 && modes[m].secure) {
        rows[m].verdict.PlotAs(r + "/s image -> verdict (real agent)" + modes[m].label, curves.latency_cdf);
      }
    }
  }
  if (agent_shots > 0) {
    figures.Add({"memory/agent", "Agent peak RSS after " + std::to_string(agent_shots) + " shots", "MB",
                 {agent_rss_mb}, "", "", false});
  }

  RunResult largest;
  for (uint64_t size : o.growth_sizes) {
    const std::string n = Thousands(size);
    // With CURVE only: the cost of a large record does not depend on the transport.
    Figure ingest{"growth/ingest/" + n, "Growth: ingest of " + n + " events, 3 stations" + modes[0].label, "events/s",
                  {}, modes[0].pipeline_limit, "flat", true};
    Figure rejudge{"growth/rejudge/" + n, "Growth: offline re-judge of " + n + " stored events", "events/s", {}, "",
                   ">= 1,000,000", true};
    for (int t = 0; t < o.growth_trials; ++t) {
      auto run = RunOnce(o, modes[0], 3, (size + 2) / 3, 0, dir);
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
    const std::string students = " (" + std::to_string(day.roster_students()) + " roster students)";
    figures.Add({"memory/coordinator-end", "Coordinator RSS after " + n + " events" + students, "MB",
                 {largest.coordinator_end_rss_mb}, "", target, false});
    figures.Add({"memory/coordinator", "Coordinator peak RSS (start-up included) after " + n + " events" + students,
                 "MB", {largest.coordinator_peak_rss_mb}, "", target, false});
    figures.Add({"disk/per-event", "Store on disk per event after " + n + " events (roster and verdicts included)",
                 "bytes/event", {largest.store_bytes / static_cast<double>(day.total_events())}, "", "<= 300", false});
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return Status::Ok();
}

}  // namespace capture::bench
