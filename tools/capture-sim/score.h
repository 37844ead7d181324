// The scorer: compares a judge's exports (coordinator/judge/export.h) with a simulated day's ground
// truth (truth.h). Pure.
//
// Matching: an anomaly matches an injected fault when they share a station and a student
// (registry number) or a shot (file name); a fault that names neither (a clock, a silent or
// replaced station, an unreadable code) is matched by an anomaly of its kind at its station.
//   recall of kind K     faults of kind K matched by an anomaly of kind K, over faults of kind K
//   precision of kind K  anomalies of kind K matching any fault, over anomalies of kind K
//   overall precision    WARNING and BLOCKER anomalies matching any fault (consequences of a
//                        fault count as explained), over all WARNING and BLOCKER anomalies but
//                        those the day's own corrections resolved: an anomaly that matches no
//                        fault and is no longer open (a test shot the operator voided) was right
//                        when raised and was dealt with on the day. They are counted apart
//                        ("corrected") so a reader sees them.
//   silent misassignment a student whose final photo's true subject is someone else while no
//                        open anomaly names them
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "tools/capture-sim/scenario.h"

namespace capture::sim {

// One line of the anomalies export, as far as scoring needs it.
struct ExportedAnomaly {
  std::string id;
  std::string kind;
  std::string severity;
  int station = 0;
  std::vector<std::string> shots;
  std::vector<std::string> registry_nos;  // of the students it names
  bool open = false;
};
Result<std::vector<ExportedAnomaly>> ParseAnomaliesJsonl(std::string_view text, std::string_view source);

// One row of the assignment export.
struct AssignedPhoto {
  std::string student_no;
  std::string registry_no;
  std::string status;
  int station = 0;
  std::string image_file;
  std::string image_sha256;
};
Result<std::vector<AssignedPhoto>> ParseAssignmentCsv(std::string_view text, std::string_view source);

// The severity the issue fixes for a kind name: "BLOCKER", "WARNING" or "INFO".
std::string SeverityOfKind(std::string_view kind);

struct KindScore {
  std::string kind;
  std::string severity;
  int faults = 0;     // injected
  int detected = 0;   // of those, matched by an anomaly of this kind
  int anomalies = 0;  // raised, of any severity
  int explained = 0;  // of those, matching some injected fault
};

struct SilentMisassignment {
  std::string student_no;
  std::string registry_no;
  int station = 0;
  std::string image_file;
  std::string true_registry_no;  // empty: a test shot, no one, or an image the truth does not know
};

struct Score {
  std::vector<KindScore> kinds;  // kinds with faults or anomalies, by name
  // WARNING and BLOCKER anomalies: explained + corrected + unexplained.size() of them.
  int explained = 0;                          // matching some fault
  int corrected = 0;                          // matching no fault, resolved by the end of the day
  std::vector<ExportedAnomaly> unexplained;   // matching no fault, open at the end of the day
  std::vector<SilentMisassignment> silent;
  std::vector<InjectedFault> missed;          // faults no anomaly of their kind matched

  int graded() const { return explained + static_cast<int>(unexplained.size()); }
  double precision() const { return graded() == 0 ? 1.0 : static_cast<double>(explained) / graded(); }

  const KindScore* Kind(std::string_view kind) const;
};

Score ScoreDay(const std::vector<InjectedFault>& faults, const std::vector<PhotoTruth>& photos,
               const std::vector<ExportedAnomaly>& anomalies, const std::vector<AssignedPhoto>& assignment);

// A fixed-width table (one row per kind, recall and precision in percent, "-" where undefined),
// then the overall precision, the silent misassignments, and each missed fault and unexplained
// anomaly on a line of its own.
std::string FormatScoreTable(const Score& score);
// {"kinds":[{"kind":…,"severity":…,"faults":…,"detected":…,"recall":…,"anomalies":…,"explained":…,
//  "precision":…},…],"silent_misassignments":[…],
//  "missed":[…],"unexplained":[…]} with "precision":{"explained","unexplained","corrected","value"};
// undefined ratios are null.
std::string FormatScoreJson(const Score& score);

}  // namespace capture::sim
