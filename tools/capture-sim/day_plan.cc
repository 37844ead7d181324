#include "tools/capture-sim/day_plan.h"

#include <algorithm>
#include <map>

namespace capture::sim {

int StationPlan::students() const {
  int n = 0;
  for (const ClassPlan& c : classes) n += static_cast<int>(c.present.size() + c.absent.size());
  return n;
}

int StationPlan::absent() const {
  int n = 0;
  for (const ClassPlan& c : classes) n += static_cast<int>(c.absent.size());
  return n;
}

std::vector<StationPlan> PlanDay(const Schedule& schedule, const SyntheticRoster& roster, const PlanTiming& timing) {
  std::vector<std::vector<const SimStudent*>> by_class(schedule.classes.size());
  for (const SimStudent& s : roster.students) by_class.at(s.class_index).push_back(&s);

  std::map<int, StationPlan> stations;
  std::map<int, MicrosSinceEpoch> clocks;  // per station: when it is free for the next class
  for (size_t ci = 0; ci < schedule.classes.size(); ++ci) {
    const ScheduledClass& sc = schedule.classes[ci];
    StationPlan& station = stations[sc.station];
    station.station = sc.station;
    const MicrosSinceEpoch slot_start = timing.local_midnight + MicrosSinceEpoch{sc.start_minute} * 60'000'000;
    auto clock = clocks.find(sc.station);
    MicrosSinceEpoch t = clock == clocks.end() ? slot_start : std::max(clock->second, slot_start);

    ClassPlan plan;
    plan.scheduled = sc;
    plan.start_time = t;
    std::vector<const SimStudent*> queue = by_class[ci];
    std::sort(queue.begin(), queue.end(), [](const SimStudent* a, const SimStudent* b) {
      return a->student.student_no < b->student.student_no;
    });
    for (const SimStudent* s : queue) {
      if (s->absent) {
        plan.absent.push_back(*s);
        continue;
      }
      plan.present.push_back({*s, t, t + timing.shot_delay});
      t += timing.time_per_student;
    }
    plan.end_time = t;
    clocks[sc.station] = t;
    station.classes.push_back(std::move(plan));
  }

  std::vector<StationPlan> out;
  for (auto& [number, plan] : stations) out.push_back(std::move(plan));
  return out;
}

}  // namespace capture::sim
