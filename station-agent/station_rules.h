// What a station's inputs mean, without any I/O: one input line, or one complete camera image,
// becomes the event to journal and/or a sentence for the operator. It remembers what marks refer
// to (the shots so far, the last code read) from the events it is told were journaled.
//
// Pure: the station agent (station.h) wraps it with the journal, image store and output; the
// simulator's in-process day uses it as it is, so both turn the same inputs into the same events.
// One thread uses a StationRules.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "capture.pb.h"
#include "common/camera_clock.h"
#include "common/collection_code.h"
#include "common/language.h"
#include "common/sha256.h"
#include "station-agent/station_clock.h"

namespace capture::agent {

// When an input happened, where the agent knows it better than by its clock at the moment it gets
// round to it: a line as the reader took it in, an image taken while the agent was held up.
struct Stamp {
  MicrosSinceEpoch at_us = 0;             // 0: now, by the station clock
  MicrosSinceEpoch arrived_after_us = 0;  // non-zero: the agent was held up since then, and the
                                          // input came at some moment after it (CaptureEvent.arrived_after_us)
};

class StationRules {
 public:
  // Borrows `clock`: it must outlive the rules.
  StationRules(uint32_t station, std::string operator_name, std::unique_ptr<CodeDecoder> decoder,
               StationClock* clock);

  struct Outcome {
    std::optional<wire::CaptureEvent> event;  // to journal (epoch and seq are the journal's to set)
    Bilingual alert;                          // for the operator; empty when there is none
  };

  // One input line (a code, or a mark starting with '!'), come at `at_us` (0: the clock's now).
  Outcome OnLine(std::string_view line, MicrosSinceEpoch at_us = 0);

  // The SHOT_TAKEN event of a complete JPEG `bytes` named `relative` (to the camera folder), come
  // at `at_us` (0: the clock's now).
  wire::CaptureEvent ShotEvent(const std::string& relative, uint32_t shot_number, std::string_view bytes,
                               const Sha256& sha256, MicrosSinceEpoch at_us = 0) const;

  // When the image `bytes` was taken, on the station clock: its EXIF capture time aligned by the
  // camera's offset from the station clock over its last images (common/camera_clock.h); nullopt
  // without one.
  std::optional<MicrosSinceEpoch> ImageTime(std::string_view bytes) const;
  // Whether `line` is only a `!time` line or an empty one: it makes no event, so nothing happens at it.
  static bool MakesNoEvent(std::string_view line);

  // Call for every event once it is journaled, and for each journaled event when rebuilding.
  void Remember(const wire::CaptureEvent& event);
  // A new, empty journal: nothing earlier can be referred to any more.
  void Forget();

 private:
  struct ShotRecord {
    wire::Shot shot;
    std::string registry_no;  // of the last code read before the shot; empty if none
  };

  wire::CaptureEvent NewEvent(wire::EventKind kind, MicrosSinceEpoch at_us) const;
  Outcome OnCode(const std::string& code, MicrosSinceEpoch at_us);
  Outcome OnRetake(const std::optional<std::string>& registry_no, MicrosSinceEpoch at_us);
  Outcome OnVoid(const std::optional<std::string>& which, MicrosSinceEpoch at_us);
  const ShotRecord* FindShot(const std::string& which) const;

  uint32_t station_;
  std::string operator_name_;
  std::unique_ptr<CodeDecoder> decoder_;
  StationClock* clock_;
  uint64_t line_number_ = 0;
  std::vector<ShotRecord> shots_;  // in journal order
  CameraClock camera_;             // the offset of the camera's clock, from the shots journaled
  std::string last_registry_no_;   // of the last CODE_READ
  std::unordered_map<std::string, std::string> masked_names_;  // registry_no -> masked name seen
};

}  // namespace capture::agent
