// The micro benchmarks, on Google Benchmark, each repeated `trials` times, one core:
//   micro/decode    DecodeFrame + ParseEvent of an event Frame (the coordinator's per-frame path)
//   micro/judge     judge::Judge::Apply over a generated day of RecordItems
//   micro/tracker   SequenceTracker::Offer, in order, interleaved over the day's stations
//   limit/decode    protobuf decode alone: Frame and CaptureEvent ParseFromString, no checks
// Every figure is in events/s.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "tools/bench/figures.h"

namespace capture::bench {

struct MicroOptions {
  int trials = 3;
  double min_seconds = 0.2;      // per trial and benchmark
  uint64_t judge_events = 100'000;
  int stations = 3;
};

// Adds the four figures; fails only if the generated day does not parse.
Status RunMicro(const MicroOptions& options, Figures& figures);

}  // namespace capture::bench
