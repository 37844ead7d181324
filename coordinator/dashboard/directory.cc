#include "coordinator/dashboard/directory.h"

#include <algorithm>
#include <numeric>
#include <set>

namespace capture::dashboard {

namespace {

constexpr int64_t kMicrosPerMinute = 60'000'000;

std::string_view EntryKey(const std::string& names, uint32_t offset) {
  return std::string_view(names.data() + offset);  // up to its NUL
}

}  // namespace

std::shared_ptr<const Directory> Directory::Build(const Schedule& schedule, const Roster& roster,
                                                  const wire::JudgeConfig& config) {
  std::shared_ptr<Directory> d(new Directory());
  d->local_midnight_us_ = config.local_midnight_us();
  d->utc_offset_minutes_ = config.utc_offset_minutes();

  std::map<std::string_view, uint32_t> roster_sizes;
  for (const RosterStudent& s : roster.students) ++roster_sizes[s.class_name];
  std::set<uint32_t> stations;
  for (const ScheduledClass& c : schedule.classes) {
    if (d->class_index_.count(c.class_name) > 0) continue;  // a schedule names a class once
    PlannedClass p;
    p.name = c.class_name;
    p.college = c.college;
    p.station = static_cast<uint32_t>(c.station);
    p.start_us = d->local_midnight_us_ + c.start_minute * kMicrosPerMinute;
    p.end_us = d->local_midnight_us_ + c.end_minute * kMicrosPerMinute;
    const auto size = roster_sizes.find(c.class_name);
    p.students = size != roster_sizes.end() ? size->second : static_cast<uint32_t>(std::max(c.headcount, 0));
    d->class_index_.emplace(p.name, d->classes_.size());
    d->classes_.push_back(std::move(p));
    stations.insert(static_cast<uint32_t>(c.station));
  }
  d->stations_.assign(stations.begin(), stations.end());

  std::vector<size_t> order(roster.students.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return roster.students[a].student_no < roster.students[b].student_no; });
  d->offsets_.reserve(order.size());
  for (size_t i : order) {
    const RosterStudent& s = roster.students[i];
    d->offsets_.push_back(static_cast<uint32_t>(d->names_.size()));
    d->names_ += s.student_no;
    d->names_ += '\0';
    d->names_ += s.name;
    d->names_ += '\0';
  }
  d->names_.shrink_to_fit();
  return d;
}

const PlannedClass* Directory::FindClass(std::string_view name) const {
  const auto it = class_index_.find(name);
  return it == class_index_.end() ? nullptr : &classes_[it->second];
}

std::string_view Directory::NameOf(std::string_view student_no) const {
  const auto it =
      std::lower_bound(offsets_.begin(), offsets_.end(), student_no,
                       [&](uint32_t offset, std::string_view key) { return EntryKey(names_, offset) < key; });
  if (it == offsets_.end() || EntryKey(names_, *it) != student_no) return {};
  return std::string_view(names_.data() + *it + student_no.size() + 1);
}

}  // namespace capture::dashboard
