// The machine's own limits for the pipeline, measured with the benchmark's event bytes in the same
// run as the pipeline figures (the protobuf decode limit is a micro benchmark, see micro.h):
//   limit/rocksdb  a bare loop of synced RocksDB WriteBatches, `batch` RecordItems each (the
//                  coordinator's group-commit cap), default options, in a fresh folder under `tmp`;
//   limit/zmq      event frames through a bare ZeroMQ PUB -> SUB on 127.0.0.1 (one thread per
//                  socket); the publisher keeps at most `window` frames unreceived, so none are
//                  dropped at the high-water mark (libzmq's writer learns of reads only every
//                  half high-water mark, so the window must stay below the other half);
//   limit/zmq-curve the same with CURVE: the SUB a server with its own key, the PUB a client with
//                  another (no ZAP handler: it is asked once per connection, not per frame);
//   limit/pipeline, limit/pipeline-curve
//                  the three in series on one thread, as the coordinator runs them:
//                  1 / (1/zmq + 1/decode + 1/rocksdb), with the plain or the CURVE zmq limit.
// Each figure is in events/s, one value per trial.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "common/transport.h"
#include "tools/bench/figures.h"

namespace capture::bench {

struct LimitOptions {
  int trials = 3;
  uint64_t events = 200'000;  // per trial
  uint64_t batch = 10'000;
  uint64_t window = kHighWaterMark / 5;
  std::string tmp;  // a folder for the RocksDB trials
};

Status RunLimits(const LimitOptions& options, Figures& figures);

// limit/pipeline and limit/pipeline-curve from limit/zmq (or limit/zmq-curve), limit/decode and
// limit/rocksdb, trial by trial; nothing for a pipeline whose parts are missing.
void AddPipelineLimit(Figures& figures);

}  // namespace capture::bench
