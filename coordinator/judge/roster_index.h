// The registrar's side of judging: roster students and their classes, indexed for O(1) lookups,
// and each class's schedule slots. Built once per Judge; read-only afterwards.
//
// It keeps per student only what the rules and the outputs need, packed (under 50 bytes a
// student): student and registry numbers as PackedTexts, the masked name interned, the class. The
// Roster it is built from (names, colleges and class names per student) is released when the
// constructor returns.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/schedule.h"
#include "coordinator/judge/id_index.h"
#include "coordinator/judge/packed_text.h"

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
  uint32_t first_member = 0;  // its students are members_[first_member, first_member + size)
  uint32_t size = 0;
  std::vector<Slot> slots;  // of the schedule rows naming this class; usually one
};

class RosterIndex {
 public:
  RosterIndex(const Schedule& schedule, Roster roster);

  size_t num_students() const { return students_.size(); }
  size_t num_classes() const { return classes_.size(); }
  const ClassInfo& klass(ClassId id) const { return classes_[static_cast<size_t>(id)]; }
  // The class's students, by student number.
  std::span<const StudentId> Members(ClassId id) const {
    const ClassInfo& c = klass(id);
    return {members_.data() + c.first_member, c.size};
  }
  ClassId ClassOf(StudentId id) const { return row(id).klass; }

  std::string StudentNo(StudentId id) const { return texts_.Text(row(id).student_no); }
  std::string RegistryNo(StudentId id) const { return texts_.Text(row(id).registry_no); }
  std::string_view MaskedName(StudentId id) const { return masked_names_[row(id).masked_name]; }
  // CompareStudentNo of two students' numbers, without unpacking them where both are numbers.
  int CompareStudents(StudentId x, StudentId y) const;

  StudentId ByRegistryNo(std::string_view registry_no) const;
  StudentId ByStudentNo(std::string_view student_no) const;

  // False for a student whose number has another length or 4-character prefix than most of their
  // class (typically a status change, e.g. an earlier cohort): queue order does not apply to them.
  bool FollowsClassPattern(StudentId id) const { return follows_pattern_[static_cast<size_t>(id)]; }

  // Every student, by student number (made on each call: exports only).
  std::vector<StudentId> SortedByStudentNo() const;
  // The schedule's stations, ascending.
  const std::vector<uint32_t>& stations() const { return stations_; }

 private:
  struct Student {
    PackedText student_no = 0;
    PackedText registry_no = 0;
    uint32_t masked_name = 0;  // index into masked_names_
    ClassId klass = kNone;
  };
  const Student& row(StudentId id) const { return students_[static_cast<size_t>(id)]; }
  // A total order of PackedTexts, for by_student_no_: <0, 0 or >0.
  int PackedOrder(PackedText a, PackedText b) const;

  PackedTexts texts_;
  std::vector<Student> students_;
  std::vector<std::string> masked_names_;  // distinct
  std::vector<ClassInfo> classes_;
  std::vector<StudentId> members_;  // grouped by class
  std::vector<bool> follows_pattern_;
  std::vector<uint32_t> stations_;
  IdIndex by_registry_no_;  // every code read looks here
  // Absent marks look here, rarely: every student ordered by PackedText (numbers by value and
  // length, then other texts), searched by halving. 4 bytes a student, where an IdIndex takes 11.
  std::vector<StudentId> by_student_no_;
};

}  // namespace capture::judge
