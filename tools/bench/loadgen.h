// A load generator: one process playing many stations' agents against a real coordinator, with the
// agents' protocol (proto/capture.proto). Each station has what an agent has: a DEALER for hello,
// acks and resends, and a PUB for its events and heartbeats, both CURVE clients with that station's
// own key (`keys_dir`/station-N.key) pinned to the coordinator's (`coordinator_key`), or plain text
// with `insecure`. The coordinator admits a connection by its key and answers the DEALER that said
// hello for the station; no routing id is set.
//
// Protocol of the process (stdout lines, flushed at once; stdin lines):
//   `ready stations=A-B`              every station's hello was acked and its event 1 is stored
//   stdin `go`                        start publishing (all load generators start together)
//   `done events=N seconds=T resends=R verdicts=V`
//                                     every event of every station is acknowledged: N events were
//                                     published and acknowledged after `go`, in T seconds; the
//                                     latency file, if any, is written
// With a latency file, each paced event's time from its input to the ack covering it is written
// there, one line per event in microseconds. The input of an event is the pacing tick (1 ms grid from
// `go`) at which it became due, not the moment it was sent: a generator that falls behind its pace
// is charged for it, as an agent's operator would be (no coordinated omission).
//
// Cheap per event, because it shares the cores with the coordinator it measures: every event frame
// is encoded before `ready`, so the send path only hands bytes to ZeroMQ; acks are read into one
// reused Frame; and one poll() over the DEALERs' readiness descriptors replaces a poll per DEALER
// (the PUBs receive nothing and are never polled). The price is memory: about 90 bytes per event of
// the process, held until it exits; and with CURVE, the encryption of every frame in the process's
// ZeroMQ I/O thread, which the CPU figures count.
//
// Back-pressure, never drops: a station publishes only while fewer than `window` of its events are
// unacknowledged, so its PUB stays under its high-water mark, and the windows of all stations of
// the process together stay at half of it (50,000 events in flight per process).
// Events the coordinator misses anyway (e.g. published before its subscription arrived) are asked
// for with resend requests and sent again on the DEALER.
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
  uint64_t window = 10'000;           // unacknowledged events per station, at most
  double rate = 0;                    // events/s of this whole process, 0: as fast as acked
  std::string latency_file;           // empty: no latencies recorded (only paced runs record them)
  uint64_t epoch_seed = 1;
  std::string keys_dir;               // station-N.key of every station played (tools/capture-sim/kit.h)
  std::string coordinator_key;        // the coordinator's public key: its <store>/coordinator.pub
  bool insecure = false;              // plain text: the coordinator runs with --insecure too
};

// The pace of one station at `rate` events/s on a grid of `tick_us`: event 1 goes out in the
// handshake, before the start; by tick k (k ticks after the start) events 1..DueAt(k) are due. An
// event's input time is the first tick at which it is due. Pure.
class PaceGrid {
 public:
  PaceGrid(double rate, int64_t tick_us, uint64_t events) : rate_(rate), tick_us_(tick_us), events_(events) {}

  uint64_t DueAt(int64_t tick) const;
  // For 2 <= seq <= events: the least tick with DueAt(tick) >= seq.
  int64_t TickOf(uint64_t seq) const;

 private:
  double rate_;
  int64_t tick_us_;
  uint64_t events_;
};

// Runs the whole protocol above on stdin/stdout; an error when a key cannot be read (or neither keys
// nor `insecure` are given), a socket fails, or nothing moves for a long time.
Status RunLoadgen(const LoadgenOptions& options);

}  // namespace capture::bench
