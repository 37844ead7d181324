// The simulated day as a plan: per station, its classes in schedule order, each student's code and
// shot times on the station clock, and who is absent. Pure: the player (day.h) only executes it.
//
// Timing rules: a station's clock starts at its first slot; a class starts at the later of the
// station clock and its slot start (never early); each present student takes `time_per_student`:
// code read at T, shot at T + shot_delay; absent students are marked when the class ends.
#pragma once

#include <vector>

#include "common/schedule.h"
#include "common/time_format.h"
#include "tools/capture-sim/roster.h"

namespace capture::sim {

struct PlannedStudent {
  SimStudent student;
  MicrosSinceEpoch code_time = 0;
  MicrosSinceEpoch shot_time = 0;
};

struct ClassPlan {
  ScheduledClass scheduled;
  std::vector<PlannedStudent> present;  // in student-number order
  std::vector<SimStudent> absent;       // in student-number order
  MicrosSinceEpoch start_time = 0;
  MicrosSinceEpoch end_time = 0;        // when the absent are marked; the next class starts no earlier
};

struct StationPlan {
  int station = 0;
  std::vector<ClassPlan> classes;
  int students() const;
  int absent() const;
};

struct PlanTiming {
  MicrosSinceEpoch local_midnight = 0;  // the schedule's minutes count from here
  MicrosSinceEpoch time_per_student = 10'000'000;
  MicrosSinceEpoch shot_delay = 4'000'000;  // must be below time_per_student
};

// Stations ascending. `roster` must have been made from `schedule`.
std::vector<StationPlan> PlanDay(const Schedule& schedule, const SyntheticRoster& roster, const PlanTiming& timing);

}  // namespace capture::sim
