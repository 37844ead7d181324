// The station's own binding rule, "the code read last owns the next shot", as data: the recent
// code reads of one station and when each shot was taken on the station clock. Pure.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/camera_clock.h"
#include "coordinator/judge/roster_index.h"

namespace capture::judge {

using ShotId = uint32_t;        // index into the judge's shots, in arrival order
using AnomalyIndex = uint32_t;  // index into the judge's anomalies: id "A<index+1>"
inline constexpr ShotId kNoShot = UINT32_MAX;
inline constexpr AnomalyIndex kNoAnomaly = UINT32_MAX;

// A shot that found its read already consumed (SHOT_WITHOUT_CODE), waiting in case the shot that
// consumed it is voided: what binding it then needs, which the judge keeps for no other shot.
struct BlockedShot {
  ShotId shot = kNoShot;
  int64_t moment_us = 0;                   // when it was taken
  AnomalyIndex without_code = kNoAnomaly;  // its SHOT_WITHOUT_CODE
};

struct CodeRead {
  enum class Use {
    kFresh,       // waiting for its shot
    kConsumed,    // a shot is bound to it
    kPassedOver,  // a later read got the next shot; a late-delivered file may still claim it
  };
  // Its place in the station's record order (1, 2, … over the day, across epochs). Station times
  // do not order reads: a station clock set back gives later reads earlier times.
  uint64_t order = 0;
  int64_t time_us = 0;        // station time of the read
  StudentId student = kNone;  // kNone: on no roster
  std::string registry_no;
  std::string masked_name;
  uint64_t seq = 0;
  int64_t last_seen_us = 0;  // a repeat of the same code refreshes it: staleness counts from here
  bool retake = false;       // a retake mark: the shot replaces the student's photo
  bool revived = false;      // fresh again because its shot was voided: passing it over loses no one new
  Use use = Use::kFresh;
  ShotId consumer = kNoShot;
  std::vector<BlockedShot> blocked;        // shots that found this read already consumed, in arrival order
  AnomalyIndex unknown_code = kNoAnomaly;  // the UNKNOWN_CODE raised for it
  int64_t arrived_after_us = 0;            // read after a stall: it came at some moment after this
};

// One station's code reads, in record order. Keeps the last kMaxReads; older ones can only matter
// to an image delivered minutes late, which then finds no read and is reported. Every query looks
// at no more than kMaxReads reads, so each costs O(1) in the length of the day.
//
// The fresh reads always form the tail of the record order: a shot consumes a read and passes over
// the fresh ones before it, so no fresh read is ever followed by one that is not fresh.
class StationReads {
 public:
  static constexpr size_t kMaxReads = 64;

  // Stores a read of `registry_no` at station time `time_us` and returns it, with its order
  // assigned and the rest as a fresh read's (student, masked_name and seq for the caller to set);
  // or, when it repeats the registry number of the read just before with no shot between (a reader
  // double-fire), refreshes that read's last_seen_us and returns nullptr. A retake mark never
  // counts as a repeat.
  CodeRead* Add(std::string_view registry_no, int64_t time_us, bool retake);
  // A shot arrived: the next read is not a repeat, whatever its code.
  void NoteShot() { shot_since_last_read_ = true; }

  // What a shot taken at `moment` and arriving at `arrival` finds, walking back in record order
  // to the last read at or before the moment, but never across a point where the station clock
  // went back, between two reads or between a read and the shot's arrival (times on the two sides
  // of a jump do not compare):
  //   - that read, if it is fresh or passed over (a late-delivered file claims it);
  //   - else the newest read, if it is fresh: the station's own rule, for the moment is an
  //     estimate (it matters where a station clock stands still between code and shot);
  //   - else nothing to bind: `taken` is the read the shot found already consumed (the one at the
  //     moment, else the newest one, under whom the station files the shot), or nullptr.
  struct Found {
    CodeRead* read = nullptr;
    CodeRead* taken = nullptr;
  };
  Found ForShot(int64_t moment, int64_t arrival);
  // The fresh reads just before `read` (back to the previous non-fresh one), oldest first: the
  // ones a shot bound to `read` passes over.
  std::vector<CodeRead*> FreshBefore(const CodeRead& read);
  // The read `shot` is bound to, nullptr if none or once dropped (more than kMaxReads reads ago).
  CodeRead* ConsumedBy(ShotId shot);
  // Takes `shot` out of the blocked list it is in, if its read has not been dropped.
  void Unblock(ShotId shot);
  bool IsLatest(const CodeRead& read) const { return orders_ != 0 && read.order == orders_; }
  // The read of that order, nullptr once dropped (more than kMaxReads reads ago).
  CodeRead* Find(uint64_t order) { return order >= first() && order <= orders_ ? &at(order) : nullptr; }

 private:
  // The reads of orders first()..orders_, each at ring_[order % kMaxReads]: a read's slot is reused
  // (its strings' room with it) once kMaxReads newer reads came.
  uint64_t first() const { return orders_ > kMaxReads ? orders_ - kMaxReads + 1 : 1; }
  CodeRead& at(uint64_t order) { return ring_[order % kMaxReads]; }

  std::array<CodeRead, kMaxReads> ring_;
  uint64_t orders_ = 0;  // the newest read's order, 0 before the first
  bool shot_since_last_read_ = false;
};

using ::capture::CameraClock;

}  // namespace capture::judge
