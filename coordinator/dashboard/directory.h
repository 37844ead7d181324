// What the registrar's dashboard knows of the day besides the judge: the schedule's slots per
// station and class, and the roster's names. The judge keeps no names (it needs none), and the
// coordinator keeps no copy of the schedule, so the dashboard keeps this read-only digest of both,
// built once at start and only when the dashboard is on. Pure data: no clock, no I/O.
//
// Memory: the names are packed, about 30 bytes per roster student; nothing per event.
// Thread safety: immutable after Build, so it may be shared (std::shared_ptr<const Directory>).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture.pb.h"
#include "common/schedule.h"

namespace capture::dashboard {

// One class of the schedule, with its slot as instants.
struct PlannedClass {
  std::string name;
  std::string college;
  uint32_t station = 0;
  int64_t start_us = 0;  // the slot, UTC microseconds
  int64_t end_us = 0;
  uint32_t students = 0;  // roster students of the class (the schedule's headcount when it has none)
};

class Directory {
 public:
  // `config` places the schedule's local times on the day (local_midnight_us).
  static std::shared_ptr<const Directory> Build(const Schedule& schedule, const Roster& roster,
                                                const wire::JudgeConfig& config);

  int64_t local_midnight_us() const { return local_midnight_us_; }
  int utc_offset_minutes() const { return utc_offset_minutes_; }
  // Every class in schedule order, which is each station's planned order.
  const std::vector<PlannedClass>& classes() const { return classes_; }
  // The class of that name, or nullptr.
  const PlannedClass* FindClass(std::string_view name) const;
  // The schedule's stations, ascending.
  const std::vector<uint32_t>& stations() const { return stations_; }
  // The roster name of a student number, or empty when it is on no roster.
  std::string_view NameOf(std::string_view student_no) const;

 private:
  Directory() = default;

  int64_t local_midnight_us_ = 0;
  int utc_offset_minutes_ = 0;
  std::vector<PlannedClass> classes_;
  std::map<std::string, size_t, std::less<>> class_index_;
  std::vector<uint32_t> stations_;
  // "student_no\0name\0" per student, sorted by student_no; offsets_ point at each entry.
  std::string names_;
  std::vector<uint32_t> offsets_;
};

}  // namespace capture::dashboard
