// bench: the capture system's benchmark, in one run (see BENCHMARKS.md for what it measures).
//   bench [flags]           micro benchmarks, the machine's limits, the end-to-end figures through
//                           the real coordinator, then the table, BENCHMARKS.md and the plots
//   bench loadgen [flags]   one load-generator process (started by `bench` itself)
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/log.h"
#include "tools/bench/e2e.h"
#include "tools/bench/figures.h"
#include "tools/bench/images.h"
#include "tools/bench/limits.h"
#include "tools/bench/loadgen.h"
#include "tools/bench/micro.h"
#include "tools/bench/report.h"

namespace {

constexpr char kLog[] = "bench";

constexpr char kNotes[] = R"(## How to read this

- **Event shape** (the same bytes everywhere: micro benchmarks, limits, load generators): a synthetic day
  (`tools/bench/bench_day.h`) where each student yields a `CODE_READ` event (11-digit registry number, masked
  name; about 50 bytes serialized) then a `SHOT_TAKEN` event (`IMG_0412.JPG`, shot number, 32-byte sha256,
  size, EXIF time; about 85 bytes), each wrapped in a `Frame`. Classes of 40 students in schedule slots from
  08:00 to 20:00, so a clean day raises almost no anomalies. The roster has one student per two events.
- **Security**: every program runs as on a capture day, with CURVE on every socket: each trial writes a key
  for every station (`sim::WriteStationKeys`), the coordinator enrols them (`--station-keys`) and admits each
  connection by its key (ZAP), the clients pin the coordinator's `coordinator.pub`. Each load-generator station
  has its own PUB and DEALER with its own key, as an agent has (CURVE authenticates a connection, so stations
  cannot share one); the same sockets in plain text with `--insecure`. A trial fails unless the coordinator
  admitted every connection and rejected no frame.
- **Ingest**: the real `coordinator` binary (`--sim-time`, fresh store per trial) and `--loadgens` processes of
  `bench loadgen` speaking the agents' protocol (hello and resends on DEALER, events and heartbeats on PUB),
  each with many stations' streams and at most `--window` unacknowledged events per station (back-pressure,
  no drops; a trial fails unless every event is acknowledged). events/s = events acknowledged after the start
  signal / wall time from it. The coordinator drains up to 10,000 frames per commit; the default window
  (10,000 per station, at most 50,000 per load generator) keeps at least 2 commits' worth in flight, so the
  window is not the bottleneck. The load generators share the machine's cores with the coordinator: both
  sides' CPU per event (user + system, every thread, from `/proc`, start signal to done) are printed. A load
  generator encodes every frame before the start signal and waits on one `poll()` over its DEALERs'
  readiness descriptors, so its own cost per event stays small beside the coordinator's.
- **Latency**: paced trials of `--latency-seconds` at each `--rates` total: 3 load-generator stations plus one
  real `station-agent` (station 4, `--sim-time`, its journal fsync included) landing `--agent-rate` camera
  images/s (part of the total rate) with no code before them, so each raises a SHOT_WITHOUT_CODE BLOCKER.
  Rows: *simulated station input -> durable commit acked* is from the load generator's pacing tick (1 ms grid;
  a generator late on its pace is charged for it) to the ack of the synced commit covering the event;
  *image landed -> shot journaled* is to the agent's `event` line (after its fsync); *image landed -> verdict
  shown at the agent* is to its `anomaly` line (agent fsync, coordinator commit and judgement, verdict sent
  back). The agent's own input -> durable commit is not measured: the agent prints no line on acks. Tables
  show medians over trials of each trial's nearest-rank percentile; the plot pools the trials.
- **Limits**: `limit/rocksdb` is one synced `WriteBatch` of `--batch` RecordItems (the coordinator's group-commit
  cap), one key per event; `limit/zmq` a bare PUB->SUB over loopback; `limit/zmq-curve` the same with CURVE (the
  SUB a server with its key, the PUB a client with its own; no ZAP handler, which libzmq asks once per
  connection, never per frame); `limit/decode` protobuf parsing alone; `limit/pipeline` and
  `limit/pipeline-curve` the three in series on one thread, `1 / (1/zmq + 1/decode + 1/rocksdb)`. Figures
  with CURVE are ratios of `limit/pipeline-curve`, those with `--insecure` of `limit/pipeline`.
- **Images**: one real `station-agent` and the real `coordinator`; `--images` JPEGs of `--image-mib` MiB (filler in
  comment segments, `sim::PaddedJpeg`) are renamed into the camera folder at once. *journal* is MiB/s until the agent has hashed,
  copied (written whole, not fsynced) and journaled the last one; *filed* until the coordinator has filed the last one (offered once
  acked, pulled in 60 KiB chunks with 8 in flight, hashed again, fsynced, renamed); *lag* is the time between.
- **Growth**: ingest of each size, then an offline re-judge of that stored record (`RecordStore` read-only +
  `judge::Judge`), as an auditor runs it. Memory and disk per event come from the largest size.
- Flags: `--stations 3,30,300 --ingest-events N --rates 1000,10000,50000 --latency-seconds S --agent-rate N
  --sizes 1000000,3000000,10000000 --trials N --growth-trials N --loadgens N --window N --batch N
  --judge-events N --limit-events N --insecure-too|--secure-only`; `--smoke` runs tiny sizes in seconds (see
  `bench --help`).
)";

constexpr char kSecurityIntro[] = R"(Each figure below was measured twice in this run, the trials of the two in
turn: with CURVE on every socket (the default; the table above has these) and with `--insecure` on every program, the
same processes and sockets in plain text. *CURVE / insecure* is the ratio of the medians: below 1 for a rate
(what security costs), above 1 for a latency or a CPU time. Each side's ratio to a limit is to the bare limit
over its own transport.
)";

struct RunOptions {
  bool smoke = false;
  int trials = 3;
  std::string out = "BENCHMARKS.md";
  std::string plots = "docs/bench";
  std::string tmp;
  capture::bench::MicroOptions micro;
  capture::bench::LimitOptions limits;
  capture::bench::E2eOptions e2e;
  capture::bench::ImageOptions images;
  bool skip_e2e = false;
};

// The folder of this program: the coordinator is built beside it.
std::string OwnFolder() {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : self.parent_path().string();
}

std::string CommandLine(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) line += (i ? " " : "") + std::string(argv[i]);
  return line;
}

// `--smoke` overrides every size with a tiny one, so the run takes seconds.
void ApplySmoke(RunOptions& o) {
  o.trials = 1;
  o.micro.min_seconds = 0.01;
  o.micro.judge_events = 2'000;
  o.limits.events = 5'000;
  o.limits.batch = 1'000;
  o.e2e.station_counts = {3, 30};
  o.e2e.ingest_events = 3'000;
  o.e2e.rates = {1'000};
  o.e2e.latency_seconds = 0.5;
  o.e2e.growth_sizes = {3'000};
  o.images.count = 3;
  o.images.mib = 1;
}

void DrawPlots(const RunOptions& o, const capture::bench::E2eCurves& curves, capture::bench::ReportText& text) {
  using namespace capture::bench;
  const std::string report_dir = std::filesystem::absolute(o.out).parent_path().string();
  const auto draw = [&](const std::string& name, const std::string& title, const std::string& x, const std::string& y,
                        const std::vector<Series>& series, bool log_x) {
    bool any = false;
    for (const Series& s : series) any = any || !s.points.empty();
    if (!any) return;
    const std::string png = o.plots + "/" + name;
    if (capture::Status s = Plot(png, title, x, y, series, log_x, o.tmp); !s.ok()) {
      capture::LogWarn(kLog, s.message());
      return;
    }
    text.plots.push_back(std::filesystem::relative(std::filesystem::absolute(png), report_dir).string());
  };
  draw("latency.png", "Latency at paced rates, cumulative", "latency (ms)", "fraction of events",
       curves.latency_cdf, true);
  draw("ingest.png", "Ingest at saturation by station count", "stations", "events/s stored+judged+acked",
       curves.ingest, true);
  draw("growth.png", "Cost per event by record size", "events in the record", "events/s",
       {curves.growth_ingest, curves.growth_rejudge}, true);
}

int Run(RunOptions& o, const std::string& command) {
  using namespace capture::bench;
  if (o.smoke) ApplySmoke(o);
  o.micro.trials = o.limits.trials = o.e2e.trials = o.images.trials = o.trials;
  if (o.e2e.bin_dir.empty()) o.e2e.bin_dir = OwnFolder();
  o.images.bin_dir = o.e2e.bin_dir;
  if (o.tmp.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      capture::LogError(kLog, "cannot make a temporary folder");
      return 1;
    }
    o.tmp = pattern;
  }
  o.limits.tmp = o.e2e.tmp = o.images.tmp = o.tmp;
  Figures figures;
  const auto step = [&](const char* what, capture::Status status) {
    if (!status.ok()) capture::LogError(kLog, std::string(what) + ": " + status.message());
    std::printf("bench step=%s ok=%d\n", what, status.ok() ? 1 : 0);
    std::fflush(stdout);
    return status.ok();
  };
  bool ok = step("micro", RunMicro(o.micro, figures));
  ok = step("limits", RunLimits(o.limits, figures)) && ok;
  AddPipelineLimit(figures);
  E2eCurves curves;
  if (!o.skip_e2e) ok = step("e2e", RunE2e(o.e2e, figures, curves)) && ok;
  if (!o.skip_e2e) ok = step("images", RunImages(o.images, figures)) && ok;

  std::printf("%s", RenderTable(figures).c_str());
  if (!figures.pairs().empty()) std::printf("\n%s", RenderSecurityTable(figures).c_str());
  ReportText text;
  text.notes = kNotes;
  text.security_intro = kSecurityIntro;
  DrawPlots(o, curves, text);
  text.command = command;
  text.machine = DescribeMachine(o.tmp);
  ok = step("report", WriteReport(o.out, figures, text)) && ok;
  // A failed run keeps its scratch folder: the coordinator's and load generators' logs are there.
  if (ok) std::filesystem::remove_all(o.tmp);
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Benchmarks the capture system against the machine's own limits, in one run, and writes "
               "BENCHMARKS.md and the plots."};
  RunOptions o;
  app.add_flag("--smoke", o.smoke, "Tiny sizes, one trial: a few seconds (CI).");
  app.add_option("--trials", o.trials, "Trials per figure; the table shows medians.")->capture_default_str();
  app.add_option("--out", o.out, "The Markdown report to (re)write.")->capture_default_str();
  app.add_option("--plots", o.plots, "Folder of the PNG plots.")->capture_default_str();
  app.add_option("--tmp", o.tmp, "Scratch folder (default: a new one under $TMPDIR, removed at the end).");
  app.add_option("--judge-events", o.micro.judge_events, "Events of the day the judge micro benchmark judges.")
      ->capture_default_str();
  app.add_option("--micro-seconds", o.micro.min_seconds, "Least time per micro benchmark trial.")->capture_default_str();
  app.add_option("--limit-events", o.limits.events, "Events per limit trial.")->capture_default_str();
  app.add_option("--batch", o.limits.batch, "Events per synced RocksDB batch in the limit (the coordinator's "
                                            "group-commit cap is 10000).")
      ->capture_default_str();
  app.add_option("--stations", o.e2e.station_counts, "Station counts of the ingest runs.")->delimiter(',')
      ->capture_default_str();
  app.add_option("--ingest-events", o.e2e.ingest_events, "Events per ingest trial, all stations together.")
      ->capture_default_str();
  app.add_option("--rates", o.e2e.rates, "Paced rates (events/s, all stations) of the latency runs.")
      ->delimiter(',')->capture_default_str();
  app.add_option("--latency-seconds", o.e2e.latency_seconds, "Length of each paced latency trial.")
      ->capture_default_str();
  app.add_option("--sizes", o.e2e.growth_sizes, "Record sizes (events) of the growth runs; the largest also gives "
                                               "memory and disk per event.")
      ->delimiter(',')->capture_default_str();
  app.add_option("--growth-trials", o.e2e.growth_trials, "Trials per growth size.")->capture_default_str();
  app.add_option("--agent-rate", o.e2e.agent_rate,
                 "Images/s landing at one real station-agent beside the load generators in each paced trial, "
                 "part of the paced rate (0: no agent).")
      ->capture_default_str();
  app.add_option("--loadgens", o.e2e.loadgens, "Load-generator processes per run.")->capture_default_str();
  app.add_option("--window", o.e2e.window,
                 "Unacknowledged events per station, at most (a load generator caps its stations' sum at 50000). "
                 "The coordinator drains up to 10000 frames per commit: keep stations x window at 2 commits' worth "
                 "or more, or the window, not the coordinator, limits ingest.")
      ->capture_default_str();
  app.add_option("--images", o.images.count, "Camera images of the image-shipping trials.")->capture_default_str();
  app.add_option("--image-mib", o.images.mib, "MiB per image of the image-shipping trials.")->capture_default_str();
  app.add_option("--bin-dir", o.e2e.bin_dir, "Folder of the coordinator program (default: this program's).");
  app.add_flag("--no-e2e", o.skip_e2e, "Only the micro benchmarks and the limits.");
  app.add_flag("--insecure-too,!--secure-only", o.e2e.insecure_too,
               "Measure every ingest and paced-latency figure twice, with CURVE (always) and with --insecure on every "
               "program, and report them side by side (on by default, --smoke included).")
      ->capture_default_str();

  capture::bench::LoadgenOptions g;
  CLI::App* loadgen = app.add_subcommand("loadgen", "One load-generator process (started by bench itself).");
  loadgen->add_option("--events", g.events_endpoint, "The coordinator's events endpoint.")->required();
  loadgen->add_option("--control", g.control_endpoint, "The coordinator's control endpoint.")->required();
  loadgen->add_option("--first-station", g.first_station, "First station this process plays.")->required();
  loadgen->add_option("--last-station", g.last_station, "Last station this process plays.")->required();
  loadgen->add_option("--total-stations", g.total_stations, "Stations of the whole day (its shape).")->required();
  loadgen->add_option("--events-per-station", g.events_per_station, "Events of each station, event 1 included.")
      ->required();
  loadgen->add_option("--window", g.window, "Unacknowledged events per station, at most.")->capture_default_str();
  loadgen->add_option("--rate", g.rate, "Events/s of this process, paced on a 1 ms grid; 0: as fast as acked.")
      ->capture_default_str();
  loadgen->add_option("--latency-file", g.latency_file,
                      "Paced only: where to write each event's microseconds from its pacing tick to its ack.");
  loadgen->add_option("--epoch-seed", g.epoch_seed, "Seed of the stations' journal epochs.")->capture_default_str();
  loadgen->add_option("--keys", g.keys_dir,
                      "Folder of the stations' key files (station-N.key, as capture-sim kit writes them): each "
                      "station's sockets are CURVE clients with its key.");
  loadgen->add_option("--coordinator-key", g.coordinator_key,
                      "The coordinator's public key: its <store>/coordinator.pub, or 64 hex digits.");
  loadgen->add_flag("--insecure", g.insecure, "Plain text, for a coordinator started with --insecure.");
  CLI11_PARSE(app, argc, argv);
  if (loadgen->parsed()) {
    capture::Status s = capture::bench::RunLoadgen(g);
    if (!s.ok()) capture::LogError("bench loadgen", s.message());
    return s.ok() ? 0 : 1;
  }
  return Run(o, CommandLine(argc, argv));
}
