// The station's own binding rule, "the code read last owns the next shot", as data: the recent
// code reads of one station and when each shot was taken on the station clock. Pure.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/judge/roster_index.h"

namespace capture::judge {

using ShotId = uint32_t;       // index into the judge's shots, in arrival order
using AnomalyIndex = uint32_t;  // index into the judge's anomalies: id "A<index+1>"
inline constexpr ShotId kNoShot = UINT32_MAX;
inline constexpr AnomalyIndex kNoAnomaly = UINT32_MAX;

// Reads are ordered by station time; `arrival` breaks ties (and tells reads of one instant apart).
struct ReadKey {
  int64_t time_us = 0;
  uint64_t arrival = 0;
  auto operator<=>(const ReadKey&) const = default;
};

struct CodeRead {
  enum class Use {
    kFresh,       // waiting for its shot
    kConsumed,    // a shot is bound to it
    kPassedOver,  // a later read got the next shot; a late-delivered file may still claim it
  };
  ReadKey key;
  StudentId student = kNone;  // kNone: on no roster
  std::string registry_no;
  std::string masked_name;
  uint64_t seq = 0;
  int64_t last_seen_us = 0;  // a repeat of the same code refreshes it: staleness counts from here
  bool retake = false;       // a retake mark: the shot replaces the student's photo
  bool revived = false;      // fresh again because its shot was voided: passing it over loses no one new
  Use use = Use::kFresh;
  ShotId consumer = kNoShot;
  std::deque<ShotId> blocked;            // shots that found this read already consumed
  AnomalyIndex unknown_code = kNoAnomaly;  // the UNKNOWN_CODE raised for it
};

// One station's code reads. Keeps the last kMaxReads (by station time); older ones can only matter
// to an image delivered minutes late, which then finds no read and is reported.
class StationReads {
 public:
  static constexpr size_t kMaxReads = 64;

  // Stores a read (its key's arrival is assigned here) and returns it; or, when it repeats the
  // registry number of the read just before with no shot between (a reader double-fire), refreshes
  // that read's last_seen_us and returns nullptr. A retake mark never counts as a repeat.
  CodeRead* Add(CodeRead read);
  // A shot arrived: the next read is not a repeat, whatever its code.
  void NoteShot() { shot_since_last_read_ = true; }

  // The last read at or before `moment`, or nullptr.
  CodeRead* LastAtOrBefore(int64_t moment);
  // The fresh reads just before `read` (back to the previous non-fresh one), oldest first: the
  // ones a shot bound to `read` passes over.
  std::vector<CodeRead*> FreshBefore(const CodeRead& read);
  CodeRead* Find(const ReadKey& key);
  bool IsLatest(const CodeRead& read) const { return !reads_.empty() && reads_.rbegin()->first == read.key; }

 private:
  std::map<ReadKey, CodeRead> reads_;
  uint64_t arrivals_ = 0;
  std::optional<ReadKey> last_added_;
  bool shot_since_last_read_ = false;
};

// When a shot was taken, on the station clock. A tethered camera delivers the file after the
// shutter, so the arrival time is late by a varying delay; the EXIF capture time is exact but on
// the camera's clock. The camera's offset is estimated as the median of (capture − arrival) over
// the station's last kWindow images, so one odd image does not shift it; a shot's moment is its
// capture time minus that offset, and never later than its arrival.
class CameraClock {
 public:
  static constexpr size_t kWindow = 9;
  // `capture_time_us` 0: the image carries none, its arrival is all there is.
  int64_t Moment(int64_t capture_time_us, int64_t arrival_us);

 private:
  std::array<int64_t, kWindow> offsets_{};
  size_t count_ = 0;
};

}  // namespace capture::judge
