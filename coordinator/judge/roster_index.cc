#include "coordinator/judge/roster_index.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

namespace capture::judge {

namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view StripLeadingZeros(std::string_view s) {
  const size_t first = s.find_first_not_of('0');
  return first == std::string_view::npos ? std::string_view() : s.substr(first);
}

// What "follows the class's pattern" compares: the length and the first 4 characters.
std::pair<size_t, std::string> PatternOf(const std::string& student_no) {
  return {student_no.size(), student_no.substr(0, 4)};
}

}  // namespace

int CompareStudentNo(std::string_view a, std::string_view b) {
  if (AllDigits(a) && AllDigits(b)) {
    const std::string_view x = StripLeadingZeros(a), y = StripLeadingZeros(b);
    if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
    const int c = x.compare(y);
    if (c != 0) return c < 0 ? -1 : 1;
    // Equal values: fall through to the text, so that "007" and "7" still order consistently.
  }
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

RosterIndex::RosterIndex(const Schedule& schedule, Roster roster) : roster_(std::move(roster)) {
  const size_t n = roster_.students.size();
  class_of_.resize(n, kNone);
  follows_pattern_.resize(n, true);

  std::map<std::pair<std::string, std::string>, ClassId> class_ids;  // (college, class) → id
  for (size_t i = 0; i < n; ++i) {
    const RosterStudent& s = roster_.students[i];
    auto [it, added] = class_ids.try_emplace({s.college, s.class_name}, static_cast<ClassId>(classes_.size()));
    if (added) classes_.push_back(ClassInfo{s.college, s.class_name, {}, {}});
    class_of_[i] = it->second;
    classes_[static_cast<size_t>(it->second)].students.push_back(static_cast<StudentId>(i));
    by_registry_no_.emplace(s.registry_no, static_cast<StudentId>(i));
    by_number_.emplace(s.student_no, static_cast<StudentId>(i));
  }

  auto by_number = [this](StudentId x, StudentId y) {
    return CompareStudentNo(student(x).student_no, student(y).student_no) < 0;
  };
  for (ClassInfo& c : classes_) {
    std::sort(c.students.begin(), c.students.end(), by_number);
    // The most common pattern wins; ties go to the smallest pattern, so the choice is deterministic.
    std::map<std::pair<size_t, std::string>, size_t> counts;
    for (StudentId s : c.students) ++counts[PatternOf(student(s).student_no)];
    auto best = counts.begin();
    for (auto it = counts.begin(); it != counts.end(); ++it) {
      if (it->second > best->second) best = it;
    }
    for (StudentId s : c.students) {
      follows_pattern_[static_cast<size_t>(s)] = PatternOf(student(s).student_no) == best->first;
    }
  }
  by_student_no_.resize(n);
  for (size_t i = 0; i < n; ++i) by_student_no_[i] = static_cast<StudentId>(i);
  std::stable_sort(by_student_no_.begin(), by_student_no_.end(), by_number);

  // A college's slot at a station: rows with the same (station, college, start) share it.
  std::map<std::tuple<int, std::string, int>, int> slot_end;
  for (const ScheduledClass& row : schedule.classes) {
    int& end = slot_end[{row.station, row.college, row.start_minute}];
    end = std::max(end, row.end_minute);
  }
  for (const ScheduledClass& row : schedule.classes) {
    const auto it = class_ids.find({row.college, row.class_name});
    if (it == class_ids.end()) continue;  // a class with nobody on the roster
    classes_[static_cast<size_t>(it->second)].slots.push_back(
        Slot{static_cast<uint32_t>(row.station), row.start_minute, slot_end[{row.station, row.college, row.start_minute}]});
  }
  for (int station : schedule.Stations()) stations_.push_back(static_cast<uint32_t>(station));
}

StudentId RosterIndex::ByRegistryNo(const std::string& registry_no) const {
  const auto it = by_registry_no_.find(registry_no);
  return it == by_registry_no_.end() ? kNone : it->second;
}

StudentId RosterIndex::ByStudentNo(const std::string& student_no) const {
  const auto it = by_number_.find(student_no);
  return it == by_number_.end() ? kNone : it->second;
}

}  // namespace capture::judge
