// The end-to-end figures, driven through the real `coordinator` binary (from `bin_dir`) and load
// generators (`bench loadgen`, this same program) as separate processes on 127.0.0.1 with ports
// chosen by the OS, each trial in a fresh store under `tmp`:
//   ingest/<S>        S stations in `loadgens` processes publishing as fast as the coordinator
//                     acknowledges: events/s durably stored, judged and acknowledged (ratio to
//                     limit/pipeline);
//   latency/<R>/pXX   paced at R events/s in total: from publication to the ack (stored), in ms;
//   growth/<N>        ingest of N events (3 stations), then offline re-judge of that record, events/s;
//   agent/...         a real station agent in the loop, one image at a time: image landed -> shot
//                     journaled, and -> the BLOCKER it raises shown back at the agent, in ms;
//   memory, disk      the coordinator's peak RSS (VmHWM) and the store's bytes per event after the
//                     largest growth size.
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
  uint64_t window = 2'000;           // per station
  int agent_samples = 300;           // shots through a real station agent, one at a time
};

// What the plots need besides the figures.
struct E2eCurves {
  std::vector<Series> latency_cdf;  // per rate: (latency ms, fraction of events at or below)
  Series ingest;                    // (stations, events/s)
  Series growth_ingest;             // (events, events/s)
  Series growth_rejudge;
};

Status RunE2e(const E2eOptions& options, Figures& figures, E2eCurves& curves);

}  // namespace capture::bench
