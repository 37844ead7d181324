// The judge: reads the stored record in commit order and decides which shot is whose photo
// (bindings) and what could put a photo on the wrong student (anomalies).
//
// Pure and deterministic: no sockets, files or clocks. Its only inputs are the schedule, the
// roster, a JudgeConfig and the RecordItems in commit order (1, 2, 3 …); its outputs depend on
// nothing else (no wall clock, no hash-map iteration order), so re-judging a record gives the
// same Verdict bytes as the live coordinator stored. Rules: see rules.md beside this file.
//
// Thread safety: one thread uses a Judge.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture.pb.h"
#include "common/schedule.h"
#include "common/status.h"

namespace capture::judge {

// The version of the rules in rules.md that this judge applies. A change that gives any record
// other verdict bytes raises it: a record is judged, live and on every re-judge, by one version.
inline constexpr uint32_t kRulesVersion = 3;

// The defaults of every tolerance, for a day whose local midnight is `local_midnight_us`, judged by
// this version of the rules. A Judge also takes an unset (0) tolerance in its config as the default.
wire::JudgeConfig DefaultJudgeConfig(int64_t local_midnight_us, int utc_offset_minutes);

// `config` with each unset (0) tolerance at its default: the tolerances a Judge applies.
wire::JudgeConfig EffectiveJudgeConfig(wire::JudgeConfig config);

// The version of the rules that judged a record with this config.
uint32_t RulesVersionOf(const wire::JudgeConfig& config);
// Ok when this judge's rules are the ones that judged a record with this config; else an error that
// names both versions, so that nobody compares verdicts of different rules.
Status SameRules(const wire::JudgeConfig& config);

struct AnomalyState {
  wire::Anomaly anomaly;
  std::optional<wire::Resolution> resolution;  // empty while open
  bool open() const { return !resolution.has_value(); }
};

// One row of the final assignment, per roster student.
struct AssignmentRow {
  std::string student_no;
  std::string registry_no;
  std::string class_name;
  std::string status;        // "photographed", "absent" or "missing"
  uint32_t station = 0;      // 0 where there is no photo
  uint32_t shot_number = 0;  // 0 where there is no photo
  std::string image_file;
  std::string image_sha256;  // 64 hex digits, or empty
  // The open WARNING and BLOCKER anomalies that name the student or their photo, in the order
  // raised: while any is open, the photo is in doubt and must not leave the room.
  std::vector<std::string> open_anomalies;
};

// A shot that is nobody's photo, and why.
struct UnassignedShot {
  uint32_t station = 0;
  uint64_t seq = 0;
  uint32_t shot_number = 0;
  std::string image_file;
  std::string image_sha256;  // 64 hex digits
  // "voided", "superseded" (a retake replaced it), "unknown_code" (bound to a code on no roster),
  // "no_code" (no read could own it) or "held_back" (a blocker keeps it from the student it is bound
  // to, or from every student read in the stall it was taken in)
  std::string reason;
};

// Per station, for dashboards and the operator's console.
struct StationProgress {
  uint32_t station = 0;
  std::string current_class;   // of the last student bound at the station
  uint32_t class_done = 0;     // students of that class with a photo
  uint32_t class_expected = 0; // roster students of that class
  uint32_t photographed = 0;   // students with a photo from this station
  bool day_over = false;       // its day was closed, or its last slot is over (LAST_SLOT_OVER)
};

class Judge {
 public:
  // Keeps of the roster only what the rules need, packed (under 60 bytes a student): move the
  // roster in, and it is released when the constructor returns. Each shot judged then costs about
  // 80 bytes for the rest of the day (a void may name it), a code read nothing lasting.
  Judge(Schedule schedule, Roster roster, wire::JudgeConfig config);
  ~Judge();
  Judge(const Judge&) = delete;
  Judge& operator=(const Judge&) = delete;

  // Judges the next record item. Items must come in commit order without holes; an item out of
  // order is ignored and yields an empty Verdict carrying only its commit index.
  wire::Verdict Apply(const wire::RecordItem& item);
  // The same, for a caller that has parsed the item's event already: `event` is item.event() as
  // ParseEvent (common/frame.h) returned it, or nullptr to have it parsed here. The verdict is
  // byte for byte the one Apply(item) gives. `event` is only read during the call.
  wire::Verdict Apply(const wire::RecordItem& item, const wire::CaptureEvent* event);
  // The same into `*verdict`, cleared first. Its room is reused: a caller that judges every item
  // into one Verdict (a replay, a commit loop) allocates nothing for it per item.
  void Apply(const wire::RecordItem& item, const wire::CaptureEvent* event, wire::Verdict* verdict);

  // Every anomaly raised so far, in the order raised (ids A1, A2, …).
  const std::vector<AnomalyState>& anomalies() const;
  // One row per roster student, sorted by student_no (numerically where both are numeric).
  std::vector<AssignmentRow> Assignment() const;
  // Every shot that is nobody's photo, sorted by station, then seq (record order among equals).
  std::vector<UnassignedShot> Unassigned() const;
  std::vector<StationProgress> Progress() const;
  uint64_t last_commit_index() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// What a station may be told of a verdict: only the anomalies raised and resolved at its own
// station (Resolution.station), students named only by registry number and masked name (every
// student_no cleared); bindings dropped.
wire::Verdict ForStation(const wire::Verdict& verdict, uint32_t station);

}  // namespace capture::judge
