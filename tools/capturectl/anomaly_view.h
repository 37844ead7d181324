// The anomalies as the registrar reads them: rows parsed from the judge's JSON Lines export
// (coordinator/judge/export.h), so a stopped store and a running coordinator go through one path,
// ordered for reading and rendered as a table. Pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace capture::ctl {

struct AnomalyRow {
  std::string id;        // "A3"
  std::string kind;      // wire::Anomaly::Kind name, as exported
  std::string severity;  // "BLOCKER", "WARNING" or "INFO"
  uint32_t station = 0;  // 0: no station
  std::vector<std::string> students;  // student numbers; a registry number where none is known
  std::vector<std::string> shots;     // image file names
  std::string message;
  bool open = true;
  std::optional<int64_t> raised_time_us;  // the raising item's commit time; known from a store only
};

// Every line of an anomalies export, in the order raised. InvalidArgument naming `source` and the
// line when a line is not one of the export's objects.
Result<std::vector<AnomalyRow>> ParseAnomalyJsonLines(std::string_view text, std::string_view source);

// Sets raised_time_us of each row whose id is in `raised_at` (anomaly id -> commit time).
void AddRaisedTimes(std::vector<AnomalyRow>& rows, const std::map<std::string, int64_t>& raised_at);

// Open before resolved, then blockers, warnings, infos; the order raised within each.
void SortForReading(std::vector<AnomalyRow>& rows);

// True when an open WARNING or BLOCKER is among `rows`: something a person must still look at.
bool NeedsAttention(const std::vector<AnomalyRow>& rows);

// A table: id, severity, state, kind, station, students, shots, raised (local HH:MM:SS at
// `utc_offset_minutes`, "-" when unknown), message; then one line of counts.
std::string AnomalyTable(const std::vector<AnomalyRow>& rows, int utc_offset_minutes);

}  // namespace capture::ctl
