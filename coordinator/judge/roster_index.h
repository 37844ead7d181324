// The registrar's side of judging: roster students and their classes, indexed for O(1) lookups,
// and each class's schedule slots. Built once per Judge; read-only afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/schedule.h"

namespace capture::judge {

using StudentId = int32_t;  // index into the roster
using ClassId = int32_t;    // index into RosterIndex's classes
inline constexpr int32_t kNone = -1;

// Student numbers compare as numbers where both are all digits (leading zeros ignored), else as
// text. Returns <0, 0 or >0.
int CompareStudentNo(std::string_view a, std::string_view b);

// A college's slot at one station: schedule rows of (station, college, start) together; the slot
// ends when the last of them ends. Times in minutes after local midnight.
struct Slot {
  uint32_t station = 0;
  int start_minute = 0;
  int end_minute = 0;
};

struct ClassInfo {
  std::string college;
  std::string name;
  std::vector<StudentId> students;  // by student number
  std::vector<Slot> slots;          // of the schedule rows naming this class; usually one
};

class RosterIndex {
 public:
  RosterIndex(const Schedule& schedule, Roster roster);

  size_t num_students() const { return roster_.students.size(); }
  size_t num_classes() const { return classes_.size(); }
  const RosterStudent& student(StudentId id) const { return roster_.students[static_cast<size_t>(id)]; }
  const ClassInfo& klass(ClassId id) const { return classes_[static_cast<size_t>(id)]; }
  ClassId ClassOf(StudentId id) const { return class_of_[static_cast<size_t>(id)]; }

  StudentId ByRegistryNo(const std::string& registry_no) const;
  StudentId ByStudentNo(const std::string& student_no) const;

  // False for a student whose number has another length or 4-character prefix than most of their
  // class (typically a status change, e.g. an earlier cohort): queue order does not apply to them.
  bool FollowsClassPattern(StudentId id) const { return follows_pattern_[static_cast<size_t>(id)]; }

  // Every student, by student number.
  const std::vector<StudentId>& by_student_no() const { return by_student_no_; }
  // The schedule's stations, ascending.
  const std::vector<uint32_t>& stations() const { return stations_; }

 private:
  Roster roster_;
  std::vector<ClassInfo> classes_;
  std::vector<ClassId> class_of_;
  std::vector<bool> follows_pattern_;
  std::vector<StudentId> by_student_no_;
  std::vector<uint32_t> stations_;
  std::unordered_map<std::string, StudentId> by_registry_no_;
  std::unordered_map<std::string, StudentId> by_number_;
};

}  // namespace capture::judge
