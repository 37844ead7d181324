// What a station agent journals for each input of a scenario, computed without disk, sockets or
// processes: the CaptureEvent fields exactly as station-agent/station.cc fills them (epoch and seq
// as its journal sets them, station_time_us from the `!time` clock, the shot number from the file
// name, SHA-256 of the bytes, capture_time_us from EXIF in the zone of the last `!time`).
// It runs the agent's own pure rules (station-agent/station_rules.h), so the two cannot drift
// apart; it adds only what the journal does (epoch, seq). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "capture.pb.h"
#include "common/collection_code.h"
#include "station-agent/shot_name.h"
#include "station-agent/station_clock.h"
#include "station-agent/station_rules.h"
#include "tools/capture-sim/scenario.h"

namespace capture::sim {

class AgentModel {
 public:
  // The agent's default operator name is "station-N".
  AgentModel(uint32_t station, uint64_t epoch, const SiteKey& key);

  // The event the agent journals for `action`, at `stamp` (as Station::HandleLine and HandleFile
  // take it); nullopt for a `!time` line, and for an input the agent answers only with an alert (a
  // bad mark, an image without a shot number).
  std::optional<wire::CaptureEvent> Apply(const StationAction& action, const agent::Stamp& stamp = {});

  // A new agent with a new, empty journal takes over: seq restarts at 1 and what marks refer to
  // (earlier shots, the last code) is gone. The station clock is the computer's: it stays.
  void Replace(uint64_t epoch);

  uint64_t epoch() const { return epoch_; }

 private:
  wire::CaptureEvent Commit(wire::CaptureEvent event);

  uint64_t epoch_;
  agent::ShotNamer namer_;
  agent::StationClock clock_{/*sim_time=*/true};
  agent::StationRules rules_;
  uint64_t seq_ = 0;
};

}  // namespace capture::sim
