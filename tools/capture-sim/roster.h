// A synthetic roster for a schedule: made-up students (no real names), deterministic per seed.
// Pure: no clock, no files.
//
// Per scheduled class, `headcount` students in queue (student-number) order:
//   student_no  = "2021" + class index in schedule order (3+ digits) + position (2+ digits), so
//                 numbers ascend within a class and are unique across the roster;
//   registry_no = "10421" + "2021" + 7 seeded digits, unique across the roster;
//   name        = a surname and one or two given-name characters from fixed syllable lists;
//   masked_name = surname + "*" + last character, or surname + "*" for a two-character name.
// round(absent_share * total) students, chosen by the seed, are absent (away as interns).
//
// Optionally, round(earlier_cohort_share * total) students of earlier cohorts (a status change:
// a deferral or a student taken back) join classes beyond their headcount, first in the queue:
//   student_no  = "2020" + class index + "9" + position: a pattern other than the class's (one
//                 digit longer, so numerically *after* the class), which the queue rules exempt.
// They are drawn after everything else, so a seed gives the same regular students either way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/schedule.h"
#include "common/status.h"

namespace capture::sim {

struct SimStudent {
  RosterStudent student;
  size_t class_index = 0;  // into Schedule::classes
  bool absent = false;
  bool earlier_cohort = false;
};

struct SyntheticRoster {
  std::vector<SimStudent> students;  // class by class in schedule order, each in queue order
  Roster ToRoster() const;
};

inline constexpr double kDefaultAbsentShare = 0.01;

// Fails only on a share outside [0, 1] or a schedule too large for 7-digit registry numbers.
Result<SyntheticRoster> MakeSyntheticRoster(const Schedule& schedule, uint64_t seed,
                                            double absent_share = kDefaultAbsentShare,
                                            double earlier_cohort_share = 0.0);

}  // namespace capture::sim
