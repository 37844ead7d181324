// The benchmark's synthetic capture day: a schedule, a roster and every station's event stream,
// all derived from (stations, events) so that the load generators, the micro benchmarks and the
// limits send, judge and store exactly the same bytes without sharing memory.
//
// Event shape (documented in BENCHMARKS.md, kept stable for the side-by-side runs against peers):
// each student at a station yields two events, CODE_READ (seq odd: registry_no of 11 digits and a
// 3-character masked name) then SHOT_TAKEN (seq even: "IMG_0412.JPG", shot number, a 32-byte sha256,
// size and capture time). The station clock runs from 08:00 to 20:00 local across the stream, each
// class in its own schedule slot, so a clean day raises almost no anomalies (only the camera's shot
// counter wrapping after 9999 shots).
//
// Pure: no I/O, no clock. Thread-compatible (const after construction).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "capture.pb.h"

namespace capture::bench {

// 2024-04-22 00:00 in Asia/Shanghai, the coordinator's default day.
inline constexpr int64_t kLocalMidnightUs = 1713715200LL * 1'000'000;

struct DayShape {
  int stations = 3;            // numbered 1..stations
  uint64_t events_per_station = 1000;
  int class_size = 40;
};

class BenchDay {
 public:
  explicit BenchDay(DayShape shape);

  const DayShape& shape() const { return shape_; }
  uint64_t total_events() const { return shape_.events_per_station * static_cast<uint64_t>(shape_.stations); }
  uint64_t roster_students() const { return students_per_station_ * static_cast<uint64_t>(shape_.stations); }

  // CSV texts in the formats of common/schedule.h.
  std::string ScheduleCsv() const;
  std::string RosterCsv() const;

  // The serialized CaptureEvent `seq` (1-based) of `station` in `epoch`, as an agent journals it.
  // `prev_sha256`: the chain link (CaptureEvent.prev_sha256), the SHA-256 of the event before it;
  // empty for seq 1, and for callers that never give the events to a coordinator.
  std::string EventBytes(uint32_t station, uint64_t epoch, uint64_t seq, std::string_view prev_sha256 = {}) const;
  // That event's station clock, microseconds since the Unix epoch.
  int64_t EventTimeUs(uint64_t seq) const;

 private:
  std::string StudentNo(uint32_t station, uint64_t student) const;
  std::string RegistryNo(uint32_t station, uint64_t student) const;
  std::string ClassName(uint32_t station, uint64_t klass) const;
  uint64_t classes_per_station() const;

  DayShape shape_;
  uint64_t students_per_station_;
};

}  // namespace capture::bench
