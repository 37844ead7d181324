// The day over time, for the dashboard's plots, paces and anomaly ages: per minute of the record's
// clock (RecordItem.received_time_us, the stations' clock under --sim-time), the events stored,
// each station's photographed count and the commit latency; and when each commit index was stored.
//
// Fed by the coordinator's loop: from the record replayed at start and from each committed turn.
// Pure: times come in as arguments. Memory: a few numbers per minute and station, and one entry
// per second of the record's clock that saw a commit; nothing per event.
// Not thread-safe: the loop's thread only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "coordinator/judge/judge.h"

namespace capture::dashboard {

// Whole minutes from `local_midnight_us` to `time_us`, rounded down (before midnight too).
inline int64_t MinuteOfDay(int64_t time_us, int64_t local_midnight_us) {
  constexpr int64_t kMicrosPerMinute = 60'000'000;
  const int64_t since = time_us - local_midnight_us;
  return since >= 0 ? since / kMicrosPerMinute : -((-since + kMicrosPerMinute - 1) / kMicrosPerMinute);
}

class Timeline {
 public:
  struct Minute {
    uint64_t events = 0;
    std::map<uint32_t, uint32_t> photographed;  // per station, as sampled last in or after the minute
    uint64_t commits = 0;                       // live commits timed in this minute
    double commit_seconds_sum = 0;
    double commit_seconds_max = 0;
  };

  // `local_midnight_us`: minute 0 of the day (minute numbers may be negative or pass 1440).
  explicit Timeline(int64_t local_midnight_us) : local_midnight_us_(local_midnight_us) {}

  // Items up to `last_commit_index`, `events` of them events, were stored at `time_us`.
  void Committed(uint64_t first_commit_index, uint64_t last_commit_index, int64_t time_us, uint64_t events);
  // One synced commit took `seconds` (only live commits are timed).
  void CommitTimed(int64_t time_us, double seconds);
  // True when `Sample` should be given the judge's progress at `time_us`: the first time in a
  // minute, so every past minute ends with a sample taken when the next one began.
  bool WantsSample(int64_t time_us) const;
  // The stations' photographed counts at `time_us`; closes the previous minute with them too.
  void Sample(int64_t time_us, const std::vector<judge::StationProgress>& progress);

  // When the item of that commit index was stored (to the second), or nullopt before any commit.
  std::optional<int64_t> TimeOfCommit(uint64_t commit_index) const;
  // A station's photographed count as of the end of the minute holding `time_us` (0 before any sample).
  uint32_t PhotographedAt(uint32_t station, int64_t time_us) const;
  // The minute number of an instant (minutes since local midnight, rounded down).
  int64_t MinuteOf(int64_t time_us) const { return MinuteOfDay(time_us, local_midnight_us_); }
  const std::map<int64_t, Minute>& minutes() const { return minutes_; }

 private:
  int64_t local_midnight_us_;
  std::map<int64_t, Minute> minutes_;
  std::optional<int64_t> sampled_minute_;
  // (first commit index stored at a time, that time), at most one entry per second.
  std::vector<std::pair<uint64_t, int64_t>> commit_times_;
};

}  // namespace capture::dashboard
