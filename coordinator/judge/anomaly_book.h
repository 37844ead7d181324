// The anomalies raised so far: ids in raise order, severities, and what resolves each one.
// Open anomalies are indexed by the students and shots whose fate resolves them, so resolving
// never scans all anomalies. Pure.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "capture.pb.h"
#include "coordinator/judge/binding.h"
#include "coordinator/judge/judge.h"
#include "coordinator/judge/messages.h"

namespace capture::judge {

wire::Severity SeverityOf(wire::Anomaly::Kind kind);

// What resolves an anomaly by itself, besides an operator's or registrar's resolve.
struct Tracking {
  std::vector<StudentId> named;   // roster students it names: they count as flagged while it is open
  std::vector<ShotId> shots;      // resolved once at most `live_limit` of these are live
  uint32_t live_limit = 0;        //   (live: neither voided nor superseded)
  StudentId until_photo = kNone;  // resolved when this student gets a photo
  bool or_absent = false;         //   ... or is marked absent
};

inline constexpr const char* kByJudge = "judge";

class AnomalyBook {
 public:
  explicit AnomalyBook(size_t num_students);

  // Raise and Resolve report into this verdict (the record item being judged) from now on.
  void Begin(wire::Verdict* verdict) { verdict_ = verdict; }

  // Sets id, severity and raised_commit, records the anomaly and reports it.
  AnomalyIndex Raise(wire::Anomaly anomaly, Tracking tracking);
  // Resolves an open anomaly and reports it; does nothing to one already resolved.
  void Resolve(AnomalyIndex index, const std::string& by, const std::string& reason);
  // Resolved by the judge, for a reason it gives in both languages.
  void Resolve(AnomalyIndex index, msg::Reason reason);
  // By id ("A7"), open or not.
  std::optional<AnomalyIndex> Find(std::string_view id) const;
  bool IsOpen(AnomalyIndex index) const { return states_[index].open(); }

  // Adds a shot to what resolves an anomaly (e.g. the shot taken for an unknown code).
  void TrackShot(AnomalyIndex index, ShotId shot);
  void StudentPhotographed(StudentId student);
  void StudentAbsent(StudentId student);
  // `shot` was voided or superseded: resolves the anomalies tracking it that now have at most
  // their live_limit of tracked shots live.
  void ShotDead(ShotId shot, const std::function<bool(ShotId)>& live, msg::Reason reason);
  // Whether an open anomaly names the student.
  bool Flagged(StudentId student) const { return open_naming_[static_cast<size_t>(student)] > 0; }

  const std::vector<AnomalyState>& states() const { return states_; }

 private:
  void Resolve(AnomalyIndex index, const std::string& by, const std::string& reason, const std::string& reason_zh);
  void ResolveListed(std::unordered_map<StudentId, std::vector<AnomalyIndex>>& lists, StudentId student,
                     msg::Reason reason);

  std::vector<AnomalyState> states_;
  std::vector<Tracking> tracking_;
  std::vector<uint32_t> open_naming_;  // per student
  // Only the few students and shots some open anomaly waits for have an entry.
  std::unordered_map<StudentId, std::vector<AnomalyIndex>> by_photo_;
  std::unordered_map<StudentId, std::vector<AnomalyIndex>> by_absent_;
  std::unordered_map<ShotId, std::vector<AnomalyIndex>> by_shot_;
  wire::Verdict* verdict_ = nullptr;
};

}  // namespace capture::judge
