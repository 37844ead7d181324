// The end-to-end figures, driven through the real `coordinator` binary (from `bin_dir`) and load
// generators (`bench loadgen`, this same program) as separate processes on 127.0.0.1 with ports
// chosen by the OS, each trial in a fresh store under `tmp`, every program with CURVE (the stations'
// keys written for the trial and enrolled with --station-keys; the registrar's key for status):
//   ingest/<S>        S stations in `loadgens` processes publishing as fast as the coordinator
//                     acknowledges: events acknowledged after the start signal / wall time from it
//                     (ratio to limit/pipeline-curve); a trial fails unless every event is
//                     acknowledged, and unless the coordinator admitted every station's connections
//                     by key and rejected no frame;
//   cpu/<S>, loadgen-cpu/<S>
//                     the coordinator's and the load generators' own CPU (user + system, every
//                     thread, from /proc) per event of that run: they share the machine's cores;
//   latency/<R>/...   paced at R events/s in total over 3 load-generator stations and one real
//                     `station-agent` (station 4) landing `agent_rate` images/s among them:
//                       loadgen/pXX   a simulated station's input (its pacing tick) -> the ack of
//                                     the durable commit covering it, in ms;
//                       journal/pXX   image landed at the real agent -> shot journaled (its fsync);
//                       verdict/pXX   image landed -> the BLOCKER it raises shown at the agent
//                                     (the agent's fsync, the coordinator's commit and judgement);
//   insecure/...      with `insecure_too`, the ingest, cpu and latency figures again with --insecure on
//                     every program (ratio to limit/pipeline), paired with their CURVE figures;
//   growth/<N>        ingest of N events (3 stations), then offline re-judge of that record, events/s;
//   memory, disk      the coordinator's peak RSS (VmHWM) and the store's bytes per event after the
//                     largest growth size; the agent's peak RSS after the last paced trial.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "tools/bench/figures.h"
#include "tools/bench/report.h"

namespace capture::bench {

struct E2eOptions {
  std::string bin_dir;   // where coordinator and bench are
  std::string tmp;
  int trials = 3;
  int loadgens = 2;      // processes per run (fewer when there are fewer stations)
  std::vector<int> station_counts = {3, 30, 300};
  uint64_t ingest_events = 300'000;  // per ingest trial, all stations together
  std::vector<double> rates = {1'000, 10'000, 50'000};
  double latency_seconds = 5;        // per paced trial
  std::vector<uint64_t> growth_sizes = {1'000'000, 3'000'000, 10'000'000};
  int growth_trials = 1;             // the large sizes dominate the run's time
  // Unacknowledged events per station. The coordinator drains up to 10,000 frames per commit; with
  // 3 stations this keeps 30,000 in flight, 3 commits' worth, so the window never limits ingest (a
  // load generator caps its stations' sum at half the PUB's high-water mark, 50,000).
  uint64_t window = 10'000;
  double agent_rate = 100;           // images/s landing at the real agent in paced trials; 0: no agent
  // Every program runs with CURVE (enrolled station keys, the coordinator's key pinned). With this,
  // each ingest and paced trial is run again with --insecure on every program, in turn with it, and
  // the report pairs the two (figures `insecure/...`).
  bool insecure_too = true;
};

// What the plots need besides the figures.
struct E2eCurves {
  std::vector<Series> latency_cdf;  // per rate: (latency ms, fraction of events at or below)
  std::vector<Series> ingest;       // per mode (CURVE, then --insecure): (stations, events/s)
  Series growth_ingest;             // (events, events/s)
  Series growth_rejudge;
};

Status RunE2e(const E2eOptions& options, Figures& figures, E2eCurves& curves);

}  // namespace capture::bench
