// The day's schedule (which class photographs at which station when) and the registrar's roster.
// Pure data and parsing: no clock, no sockets.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace capture {

// One row of the schedule CSV: station,college,class,headcount,start,end (times HH:MM, local).
struct ScheduledClass {
  int station = 0;
  std::string college;
  std::string class_name;
  int headcount = 0;
  int start_minute = 0;  // minutes after local midnight
  int end_minute = 0;
};

struct Schedule {
  std::vector<ScheduledClass> classes;  // in file order, which is each station's planned order
  std::vector<int> Stations() const;    // ascending, distinct
};

Result<Schedule> ParseSchedule(std::string_view csv_text, std::string_view source);
Result<Schedule> LoadSchedule(const std::string& path);

// One row of the roster CSV: student_no,registry_no,college,class,name,masked_name.
struct RosterStudent {
  std::string student_no;   // 学号: queue order within a class
  std::string registry_no;  // 学生唯一编号: what a collection code reveals
  std::string college;
  std::string class_name;
  std::string name;
  std::string masked_name;
};

struct Roster {
  std::vector<RosterStudent> students;
};

inline constexpr std::string_view kRosterHeader = "student_no,registry_no,college,class,name,masked_name";

Result<Roster> ParseRoster(std::string_view csv_text, std::string_view source);
Result<Roster> LoadRoster(const std::string& path);

}  // namespace capture
