// What one camera station observes, turned into journaled events: code lines, operator marks and
// camera images. StationRules (station_rules.h) decides what an input means; a Station adds the
// journal, the image store and the output. The event loop (agent.h) feeds it lines and file names
// and publishes what it journals.
//
// Order of durability: an image is copied into the image store, then its event is journaled with
// sync, and only then handed to StationOutput (which prints and publishes it).
// Raw collection codes go to the decoder only: never to a log, an alert, or the journal.
//
// One thread uses a Station.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "capture.pb.h"
#include "common/collection_code.h"
#include "common/image_store.h"
#include "common/language.h"
#include "common/status.h"
#include "station-agent/journal.h"
#include "station-agent/shot_name.h"
#include "station-agent/station_clock.h"
#include "station-agent/station_rules.h"

namespace capture::agent {

// Where a station's results go. Called on the station's thread.
class StationOutput {
 public:
  virtual ~StationOutput() = default;
  // `bytes` are the event exactly as journaled.
  virtual void EventJournaled(const wire::CaptureEvent& event, std::string_view bytes) = 0;
  // A sentence for the operator: something needs their attention now.
  virtual void Alert(const Bilingual& sentence) = 0;
};

struct StationConfig {
  uint32_t station = 0;
  std::string operator_name;
  std::string camera_dir;
};

class Station {
 public:
  // Borrows `journal`, `clock` and `output`: they must outlive the Station.
  Station(StationConfig config, Journal* journal, ImageStore images, ShotNamer namer,
          std::unique_ptr<CodeDecoder> decoder, StationClock* clock, StationOutput* output);

  // Rebuilds what marks refer to (the shots so far, the last code read) from the journal.
  Status RebuildHistory();

  // One input line. Operator mistakes become alerts; an error returned is fatal (the journal
  // failed). A stamped time earlier than the last journaled event's is taken as that one's: a
  // backlog never looks like a clock going back.
  Status HandleLine(std::string_view line, const Stamp& stamp = {});

  // A file under the camera folder that may have become complete (`relative` to the folder).
  // Takes a complete JPEG in once per (file name, content); an error returned is fatal (the
  // journal or the image store failed). `stamp`: as for HandleLine.
  Status HandleFile(const std::string& relative, const Stamp& stamp = {});

  // When the camera file `relative` was taken, on the station clock: its EXIF capture time
  // (StationRules::ImageTime), else, on the computer's clock, the file's last change (the camera
  // wrote it then); nullopt when it is no shot or cannot be read now.
  std::optional<MicrosSinceEpoch> ImageTime(const std::string& relative) const;

 private:
  Status Commit(wire::CaptureEvent event);
  void Alert(const Bilingual& sentence);
  // The event time of `stamp` (0: the clock's now), never before the last journaled event's.
  MicrosSinceEpoch TimeOf(const Stamp& stamp) const;

  StationConfig config_;
  Journal* journal_;
  ImageStore images_;
  ShotNamer namer_;
  StationRules rules_;
  StationClock* clock_;
  StationOutput* output_;
  MicrosSinceEpoch last_time_us_ = 0;  // of the last event journaled
};

}  // namespace capture::agent
