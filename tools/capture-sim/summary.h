// What a simulated day achieved, per station, as a text table and as JSON. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace capture::sim {

struct StationSummary {
  int station = 0;
  uint64_t epoch = 0;
  uint64_t events_sent = 0;    // the agent's last seq
  uint64_t events_stored = 0;  // the coordinator's contiguous stored seq of that (station, epoch)
  int students = 0;            // on the roster for this station's classes
  int absent = 0;
  int photographed = 0;        // students of the station's classes who sat for a shot (not images)
  int alerts = 0;              // `alert` lines the agent printed
  int restarts = 0;            // times its agent ended during the day and was started again
  std::set<std::string> images;  // SHA-256 (hex) of the images of the station's SHOT_TAKEN events
  // Of those, the ones not in the coordinator's image store; unknown (nullopt) when the simulator
  // does not know that store.
  std::optional<std::set<std::string>> images_not_filed;
  std::string error;           // why the station stopped early; empty when it played its whole day

  int expected() const { return students - absent; }
  bool stored_all() const { return events_stored == events_sent; }
  bool filed_all() const { return !images_not_filed || images_not_filed->empty(); }
  std::optional<size_t> images_filed() const {
    return images_not_filed ? std::optional(images.size() - images_not_filed->size()) : std::nullopt;
  }
};

struct DaySummary {
  std::vector<StationSummary> stations;
  double elapsed_seconds = 0;
  std::string error;  // a failure outside any one station (e.g. the coordinator never answered)

  // Every station's events are all stored, its images all filed where that is known, and every
  // station played its whole day.
  bool ok() const;
};

// A fixed-width table, one row per station and a total row, then a one-line verdict.
std::string FormatSummaryTable(const DaySummary& summary);
// {"ok":…,"elapsed_seconds":…,"stations":[{…},…],"totals":{…},"error":…}
std::string FormatSummaryJson(const DaySummary& summary);

}  // namespace capture::sim
