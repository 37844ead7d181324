// StationWatch: the coordinator's own observations of the stations, from their heartbeats only.
//
//   CLOCK_OFFSET    offset = the heartbeat's station_time_us − the system clock at receipt.
//                   Recorded when a station's offset crosses the tolerance either way and stays
//                   across for `confirm` of steady time (a burst of heartbeats queued while the
//                   coordinator was down arrives late all at once and must not count); a station
//                   whose clock was never recorded is recorded only once it is beyond the tolerance.
//                   With sim_time there is no true clock and a day may be played at any speed, so a
//                   heartbeat, caught at some moment of the play, says nothing; the stations' live
//                   events in record order do: offset = an event's station time − the median (the
//                   lower one of an even count) of that time and the latest event times of the
//                   stations heard since the station's previous event (so an idle station, or one
//                   whose agent runs ahead or behind, compares with nobody), from three times on
//                   where the room has three stations or more; recorded once it lasts for
//                   kConfirmEvents consecutive estimates of the station (Event).
//   STATION_SILENT  no heartbeat from a station heard before for `silent_after` of steady time.
//   STATION_STOPPED the station's agent said goodbye (its last heartbeat as it stopped cleanly): it
//                   is not silent, only stopped, until it is heard again.
//   STATION_BACK    a heartbeat again from a station recorded silent.
// In real time clocks are never estimated from events: events may come late out of an agent's journal.
//
// The state survives a coordinator restart through the record: Restore() sees every stored item,
// then StartWatching() counts every station the record knows (and not silent) as heard just now.
//
// Pure: the caller passes the clocks in. Not thread-safe: the coordinator's loop owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "capture.pb.h"

namespace capture::coord {

class StationWatch {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  struct Options {
    int64_t clock_tolerance_us = 60'000'000;
    std::chrono::milliseconds silent_after{3000};
    std::chrono::milliseconds confirm{1000};
    bool sim_time = false;
  };

  explicit StationWatch(Options options) : options_(options) {}

  // One stored item, in commit order, at start.
  void Restore(const wire::RecordItem& item);
  // After Restore: silence is measured from `now` for every station the record knows.
  void StartWatching(SteadyTime now);

  // A heartbeat received at `now`, when the coordinator's system clock read `system_now_us`.
  // Returns the observations to record (STATION_BACK before CLOCK_OFFSET).
  std::vector<wire::Observation> Heartbeat(const wire::Heartbeat& heartbeat, int64_t system_now_us, SteadyTime now);

  // With sim_time: an event of `station` taken into the record now (in record order), at station
  // time `station_time_us`; `live` is false for one the agent sends from its backlog (a resend),
  // whose time is not now. Returns the CLOCK_OFFSET to record, if any. Without sim_time: nothing.
  std::vector<wire::Observation> Event(uint32_t station, uint64_t epoch, int64_t station_time_us, bool live);

  // The stations silent for too long as of `now`: their STATION_SILENT observations.
  std::vector<wire::Observation> Tick(SteadyTime now);

  static constexpr int kConfirmEvents = 3;

 private:
  struct Station {
    uint64_t epoch = 0;                 // of the last heartbeat or stored event
    std::optional<SteadyTime> heard;    // last heartbeat (or start of watching)
    bool silent = false;
    bool stopped = false;               // said goodbye, not heard since
    std::optional<bool> clock_off;      // as last recorded; empty: never recorded
    std::optional<bool> pending_off;    // a crossing seen, not yet confirmed
    SteadyTime pending_since{};
    int pending_events = 0;             // sim_time: consecutive events across
    int64_t latest_event_us = 0;        // sim_time: station time of its last event
    uint64_t latest_event_position = 0; // ... and its place among the events (1, 2, …), 0: none
  };

  // Whether the offset `off` (beyond the tolerance) of station `s` is confirmed now, given
  // `confirmed`: the steady time (heartbeats) or the events (sim_time) it has lasted.
  std::optional<wire::Observation> Crossing(uint32_t station, Station& s, int64_t offset, bool confirmed,
                                            const std::string& against);
  wire::Observation Make(wire::Observation::Kind kind, uint32_t station, const Station& s) const;

  Options options_;
  std::map<uint32_t, Station> stations_;
  uint64_t events_ = 0;  // sim_time: events seen, in record order
};

}  // namespace capture::coord
