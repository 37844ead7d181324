// What one camera station observes, turned into journaled events: code lines, operator marks and
// camera images. Owns the rules of the station (which shot a mark means, what is alerted); the
// event loop (agent.h) feeds it lines and file names and publishes what it journals.
//
// Order of durability: an image is copied into the image store, then its event is journaled with
// sync, and only then handed to StationOutput (which prints and publishes it).
// Raw collection codes go to the decoder only: never to a log, an alert, or the journal.
//
// One thread uses a Station.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "capture.pb.h"
#include "common/collection_code.h"
#include "common/status.h"
#include "station-agent/image_store.h"
#include "station-agent/journal.h"
#include "station-agent/shot_name.h"
#include "station-agent/station_clock.h"

namespace capture::agent {

// Where a station's results go. Called on the station's thread.
class StationOutput {
 public:
  virtual ~StationOutput() = default;
  // `bytes` are the event exactly as journaled.
  virtual void EventJournaled(const wire::CaptureEvent& event, std::string_view bytes) = 0;
  // A sentence for the operator: something needs their attention now.
  virtual void Alert(std::string_view sentence) = 0;
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
  // failed).
  Status HandleLine(std::string_view line);

  // A file under the camera folder that may have become complete (`relative` to the folder).
  // Takes a complete JPEG in once per (file name, content); an error returned is fatal (the
  // journal or the image store failed).
  Status HandleFile(const std::string& relative);

 private:
  struct ShotRecord {
    wire::Shot shot;
    std::string registry_no;  // of the last code read before the shot; empty if none
  };

  Status Commit(wire::CaptureEvent event);
  void Remember(const wire::CaptureEvent& event);
  wire::CaptureEvent NewEvent(wire::EventKind kind) const;
  Status OnCode(const std::string& code);
  Status OnRetake(const std::optional<std::string>& registry_no);
  Status OnVoid(const std::optional<std::string>& which);
  const ShotRecord* FindShot(const std::string& which) const;
  void Alert(const std::string& sentence);

  StationConfig config_;
  Journal* journal_;
  ImageStore images_;
  ShotNamer namer_;
  std::unique_ptr<CodeDecoder> decoder_;
  StationClock* clock_;
  StationOutput* output_;

  uint64_t line_number_ = 0;
  std::vector<ShotRecord> shots_;  // in journal order
  std::string last_registry_no_;   // of the last CODE_READ
  std::unordered_map<std::string, std::string> masked_names_;  // registry_no -> masked name seen
};

}  // namespace capture::agent
