// A load generator: one process playing many stations' agents against a real coordinator, with the
// agents' protocol (proto/capture.proto): per station a DEALER with the agent's routing id for hello,
// acks and resends, and one PUB for every station's events and heartbeats.
//
// Protocol of the process (stdout lines, flushed at once; stdin lines):
//   `ready stations=A-B`              every station's hello was acked and its event 1 is stored
//   stdin `go`                        start publishing (all load generators start together)
//   `done events=N seconds=T resends=R verdicts=V`
//                                     every event of every station is acknowledged: N events were
//                                     published and acknowledged after `go`, in T seconds
// With a latency file, each event's time from its publication to the ack covering it is written
// there, one line per event in microseconds, after `done`.
//
// Back-pressure, never drops: a station publishes only while fewer than `window` of its events are
// unacknowledged, and the window of all stations together stays under the PUB's high-water mark.
// Events the coordinator misses anyway (e.g. published before its subscription arrived) are asked
// for with resend requests and sent again on the DEALER from the day's generator.
//
// Not thread-safe: one thread owns every socket.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace capture::bench {

struct LoadgenOptions {
  std::string events_endpoint;
  std::string control_endpoint;
  int first_station = 1;
  int last_station = 1;
  int total_stations = 1;             // the day's shape: the schedule lists 1..total_stations
  uint64_t events_per_station = 1000;
  uint64_t window = 2000;             // unacknowledged events per station, at most
  double rate = 0;                    // events/s of this whole process, 0: as fast as acked
  std::string latency_file;           // empty: no latencies recorded
  uint64_t epoch_seed = 1;
};

// Runs the whole protocol above on stdin/stdout; an error when a socket fails or nothing moves for
// a long time.
Status RunLoadgen(const LoadgenOptions& options);

}  // namespace capture::bench
