#include "coordinator/judge/roster_index.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>
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
std::pair<size_t, std::string_view> PatternOf(std::string_view student_no) {
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

RosterIndex::RosterIndex(const Schedule& schedule, Roster roster) {
  const size_t n = roster.students.size();
  students_.resize(n);
  follows_pattern_.resize(n, true);
  by_registry_no_.Reserve(n);

  // Keys are views of the roster's strings, which live until the constructor returns.
  std::map<std::pair<std::string_view, std::string_view>, ClassId> class_ids;  // (college, class) → id
  std::unordered_map<std::string_view, uint32_t> masked_ids;
  std::vector<uint32_t> class_sizes;
  ClassId last_class = kNone;
  for (size_t i = 0; i < n; ++i) {
    const RosterStudent& s = roster.students[i];
    const auto id = static_cast<StudentId>(i);
    Student& row = students_[i];
    // A roster lists a class's students together, so the previous row's class is usually the one.
    if (last_class == kNone || classes_[static_cast<size_t>(last_class)].name != s.class_name ||
        classes_[static_cast<size_t>(last_class)].college != s.college) {
      auto [it, added] = class_ids.try_emplace({s.college, s.class_name}, static_cast<ClassId>(classes_.size()));
      if (added) {
        classes_.push_back(ClassInfo{s.college, s.class_name, 0, 0, {}});
        class_sizes.push_back(0);
      }
      last_class = it->second;
    }
    row.klass = last_class;
    ++class_sizes[static_cast<size_t>(last_class)];
    row.student_no = texts_.Add(s.student_no);
    row.registry_no = texts_.Add(s.registry_no);
    auto [masked, added] = masked_ids.try_emplace(s.masked_name, static_cast<uint32_t>(masked_names_.size()));
    if (added) masked_names_.push_back(s.masked_name);
    row.masked_name = masked->second;
    // The first of two students with one number wins, as a lookup can name only one.
    const TextKey registry = KeyOf(s.registry_no);
    uint32_t* slot = by_registry_no_.Find(
        registry.hash, [&](uint32_t x) { return texts_.Matches(students_[x].registry_no, registry); });
    if (*slot == IdIndex::kNoId) by_registry_no_.Add(slot, static_cast<uint32_t>(id));
  }
  by_student_no_.resize(n);
  for (size_t i = 0; i < n; ++i) by_student_no_[i] = static_cast<StudentId>(i);
  // Stable: of two students with one number (a roster ParseRoster would refuse), the first is found.
  std::stable_sort(by_student_no_.begin(), by_student_no_.end(), [&](StudentId x, StudentId y) {
    return PackedOrder(students_[static_cast<size_t>(x)].student_no, students_[static_cast<size_t>(y)].student_no) < 0;
  });
  masked_names_.shrink_to_fit();
  classes_.shrink_to_fit();

  // Each class's students together, by student number, in roster order before sorting.
  members_.resize(n);
  uint32_t next = 0;
  for (size_t c = 0; c < classes_.size(); ++c) {
    classes_[c].first_member = next;
    next += class_sizes[c];
  }
  for (size_t i = 0; i < n; ++i) {
    ClassInfo& c = classes_[static_cast<size_t>(students_[i].klass)];
    members_[c.first_member + c.size++] = static_cast<StudentId>(i);
  }
  auto by_number = [this](StudentId x, StudentId y) { return CompareStudents(x, y) < 0; };
  for (ClassInfo& c : classes_) {
    const auto begin = members_.begin() + c.first_member;
    std::sort(begin, begin + c.size, by_number);
    // The most common pattern wins; ties go to the smallest pattern, so the choice is deterministic.
    std::map<std::pair<size_t, std::string_view>, size_t> counts;
    for (auto it = begin; it != begin + c.size; ++it)
      ++counts[PatternOf(roster.students[static_cast<size_t>(*it)].student_no)];
    auto best = counts.begin();
    for (auto it = counts.begin(); it != counts.end(); ++it) {
      if (it->second > best->second) best = it;
    }
    for (auto it = begin; it != begin + c.size; ++it) {
      const auto s = static_cast<size_t>(*it);
      follows_pattern_[s] = PatternOf(roster.students[s].student_no) == best->first;
    }
  }

  // A college's slot at a station: rows with the same (station, college, start) share it.
  std::map<std::tuple<int, std::string, int>, int> slot_end;
  for (const ScheduledClass& row : schedule.classes) {
    int& end = slot_end[{row.station, row.college, row.start_minute}];
    end = std::max(end, row.end_minute);
  }
  for (const ScheduledClass& row : schedule.classes) {
    const auto it = class_ids.find({row.college, row.class_name});
    if (it == class_ids.end()) continue;  // a class with nobody on the roster
    classes_[static_cast<size_t>(it->second)].slots.push_back(Slot{
        static_cast<uint32_t>(row.station), row.start_minute, slot_end[{row.station, row.college, row.start_minute}]});
  }
  for (int station : schedule.Stations()) stations_.push_back(static_cast<uint32_t>(station));
}

int RosterIndex::CompareStudents(StudentId x, StudentId y) const {
  const PackedText a = row(x).student_no, b = row(y).student_no;
  if (PackedTexts::IsNumber(a) && PackedTexts::IsNumber(b)) {
    // Both at most kMaxPackedDigits digits: their values compare as CompareStudentNo's do.
    const uint64_t va = PackedTexts::Value(a), vb = PackedTexts::Value(b);
    if (va != vb) return va < vb ? -1 : 1;
    if (a == b) return 0;
  }
  return CompareStudentNo(texts_.Text(a), texts_.Text(b));
}

StudentId RosterIndex::ByRegistryNo(std::string_view registry_no) const {
  const TextKey key = KeyOf(registry_no);
  const uint32_t id =
      by_registry_no_.Lookup(key.hash, [&](uint32_t x) { return texts_.Matches(students_[x].registry_no, key); });
  return id == IdIndex::kNoId ? kNone : static_cast<StudentId>(id);
}

int RosterIndex::PackedOrder(PackedText a, PackedText b) const {
  const bool na = PackedTexts::IsNumber(a), nb = PackedTexts::IsNumber(b);
  if (na != nb) return na ? -1 : 1;
  if (na) return a < b ? -1 : (a > b ? 1 : 0);
  return texts_.View(a).compare(texts_.View(b));
}

StudentId RosterIndex::ByStudentNo(std::string_view student_no) const {
  const TextKey key = KeyOf(student_no);
  // The order of PackedOrder, with the key for one side.
  auto before = [&](StudentId x) {
    const PackedText p = row(x).student_no;
    if (key.packed != 0) return !PackedTexts::IsNumber(p) ? false : p < key.packed;
    return PackedTexts::IsNumber(p) || texts_.View(p) < key.text;
  };
  const auto it = std::partition_point(by_student_no_.begin(), by_student_no_.end(), before);
  return it != by_student_no_.end() && texts_.Matches(row(*it).student_no, key) ? *it : kNone;
}

std::vector<StudentId> RosterIndex::SortedByStudentNo() const {
  std::vector<StudentId> sorted(students_.size());
  for (size_t i = 0; i < sorted.size(); ++i) sorted[i] = static_cast<StudentId>(i);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [this](StudentId x, StudentId y) { return CompareStudents(x, y) < 0; });
  return sorted;
}

}  // namespace capture::judge
