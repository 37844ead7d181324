#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/schedule.h"
#include "tools/capture-sim/day_plan.h"
#include "tools/capture-sim/roster.h"

namespace capture::sim {
namespace {

Schedule SeedSchedule() {
  auto schedule = LoadSchedule(CAPTURE_DATA_DIR "/schedule-2024-04-22.csv");
  EXPECT_TRUE(schedule.ok()) << schedule.status().message();
  return *schedule;
}

TEST(SyntheticRoster, IsTheSameForTheSameSeedAndDiffersForAnother) {
  const Schedule schedule = SeedSchedule();
  auto a = MakeSyntheticRoster(schedule, 42);
  auto b = MakeSyntheticRoster(schedule, 42);
  auto c = MakeSyntheticRoster(schedule, 43);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  ASSERT_EQ(a->students.size(), b->students.size());
  size_t registry_differences = 0;
  for (size_t i = 0; i < a->students.size(); ++i) {
    const RosterStudent& x = a->students[i].student;
    const RosterStudent& y = b->students[i].student;
    EXPECT_EQ(x.student_no, y.student_no);
    EXPECT_EQ(x.registry_no, y.registry_no);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.masked_name, y.masked_name);
    EXPECT_EQ(a->students[i].absent, b->students[i].absent);
    registry_differences += x.registry_no != c->students[i].student.registry_no;
  }
  EXPECT_GT(registry_differences, a->students.size() / 2);
}

TEST(SyntheticRoster, HeadcountsMatchTheScheduleClassByClass) {
  const Schedule schedule = SeedSchedule();
  auto roster = MakeSyntheticRoster(schedule, 7);
  ASSERT_TRUE(roster.ok());
  EXPECT_EQ(roster->students.size(), 3575u);
  std::map<size_t, int> per_class;
  for (const SimStudent& s : roster->students) {
    ++per_class[s.class_index];
    EXPECT_EQ(s.student.college, schedule.classes[s.class_index].college);
    EXPECT_EQ(s.student.class_name, schedule.classes[s.class_index].class_name);
  }
  ASSERT_EQ(per_class.size(), schedule.classes.size());
  for (size_t i = 0; i < schedule.classes.size(); ++i) EXPECT_EQ(per_class[i], schedule.classes[i].headcount) << i;
}

TEST(SyntheticRoster, StudentNumbersAscendWithinEachClassAndAreUnique) {
  auto roster = MakeSyntheticRoster(SeedSchedule(), 7);
  ASSERT_TRUE(roster.ok());
  std::set<std::string> student_nos, registry_nos;
  std::map<size_t, std::string> last_in_class;
  for (const SimStudent& s : roster->students) {
    EXPECT_TRUE(student_nos.insert(s.student.student_no).second) << s.student.student_no;
    EXPECT_TRUE(registry_nos.insert(s.student.registry_no).second) << s.student.registry_no;
    EXPECT_EQ(s.student.registry_no.size(), 16u);
    EXPECT_EQ(s.student.registry_no.substr(0, 9), "104212021");
    auto& last = last_in_class[s.class_index];
    // Equal widths make the text order the numeric order.
    EXPECT_TRUE(last.empty() || last.size() == s.student.student_no.size()) << s.student.student_no;
    EXPECT_LT(last, s.student.student_no);
    last = s.student.student_no;
  }
}

TEST(SyntheticRoster, MasksNamesAsSurnameStarLastCharacter) {
  auto roster = MakeSyntheticRoster(SeedSchedule(), 3);
  ASSERT_TRUE(roster.ok());
  constexpr size_t kHan = 3;  // bytes of one CJK character in UTF-8
  int two_char = 0, three_char = 0;
  for (const SimStudent& s : roster->students) {
    const std::string& name = s.student.name;
    const std::string& masked = s.student.masked_name;
    ASSERT_TRUE(name.size() == 2 * kHan || name.size() == 3 * kHan) << name;
    const std::string surname = name.substr(0, kHan);
    if (name.size() == 2 * kHan) {
      ++two_char;
      EXPECT_EQ(masked, surname + "*");
    } else {
      ++three_char;
      EXPECT_EQ(masked, surname + "*" + name.substr(2 * kHan));
    }
  }
  EXPECT_GT(two_char, 0);
  EXPECT_GT(three_char, 0);
}

TEST(SyntheticRoster, MarksTheAbsentShareAsAbsent) {
  const Schedule schedule = SeedSchedule();
  auto count_absent = [&](double share) {
    auto roster = MakeSyntheticRoster(schedule, 5, share);
    EXPECT_TRUE(roster.ok());
    int n = 0;
    for (const SimStudent& s : roster->students) n += s.absent;
    return n;
  };
  EXPECT_EQ(count_absent(0.01), 36);  // round(3575 * 0.01)
  EXPECT_EQ(count_absent(0.0), 0);
  EXPECT_EQ(count_absent(1.0), 3575);
  EXPECT_FALSE(MakeSyntheticRoster(schedule, 5, 1.5).ok());
  EXPECT_FALSE(MakeSyntheticRoster(schedule, 5, -0.1).ok());
}

TEST(SyntheticRoster, EarlierCohortStudentsJoinFirstWithAnotherNumberPatternAndLeaveTheRestAlone) {
  const Schedule schedule = SeedSchedule();
  auto plain = MakeSyntheticRoster(schedule, 8, 0.01);
  auto with = MakeSyntheticRoster(schedule, 8, 0.01, 0.01);
  ASSERT_TRUE(plain.ok() && with.ok());
  ASSERT_EQ(with->students.size(), plain->students.size() + 36);  // round(3575 * 0.01)
  std::vector<SimStudent> regular;
  std::set<std::string> numbers, registry_nos;
  for (size_t i = 0; i < with->students.size(); ++i) {
    const SimStudent& s = with->students[i];
    numbers.insert(s.student.student_no);
    registry_nos.insert(s.student.registry_no);
    if (!s.earlier_cohort) {
      regular.push_back(s);
      continue;
    }
    EXPECT_FALSE(s.absent);
    EXPECT_EQ(s.student.student_no.rfind("2020", 0), 0u) << s.student.student_no;
    EXPECT_EQ(s.student.student_no.size(), 10u) << "one digit longer than the class's own numbers";
    // First in its class's queue: everything before it in the roster is of an earlier class or
    // of its own cohort.
    if (i > 0 && with->students[i - 1].class_index == s.class_index) {
      EXPECT_TRUE(with->students[i - 1].earlier_cohort);
    }
  }
  EXPECT_EQ(numbers.size(), with->students.size());
  EXPECT_EQ(registry_nos.size(), with->students.size());
  ASSERT_EQ(regular.size(), plain->students.size());
  for (size_t i = 0; i < regular.size(); ++i) {
    EXPECT_EQ(regular[i].student.student_no, plain->students[i].student.student_no);
    EXPECT_EQ(regular[i].student.registry_no, plain->students[i].student.registry_no);
    EXPECT_EQ(regular[i].absent, plain->students[i].absent);
  }
  EXPECT_FALSE(MakeSyntheticRoster(schedule, 8, 0.01, 1.5).ok());
}

TEST(DayPlan, StartsEachClassNoEarlierThanItsSlotAndKeepsQueueOrder) {
  const Schedule schedule = SeedSchedule();
  auto roster = MakeSyntheticRoster(schedule, 9, 0.05);
  ASSERT_TRUE(roster.ok());
  PlanTiming timing;
  timing.local_midnight = 1'000'000'000'000;
  const auto plan = PlanDay(schedule, *roster, timing);
  ASSERT_EQ(plan.size(), 3u);
  int students = 0;
  for (const StationPlan& station : plan) {
    MicrosSinceEpoch previous_end = 0;
    students += station.students();
    for (const ClassPlan& c : station.classes) {
      EXPECT_EQ(c.scheduled.station, station.station);
      EXPECT_GE(c.start_time, timing.local_midnight + MicrosSinceEpoch{c.scheduled.start_minute} * 60'000'000);
      EXPECT_GE(c.start_time, previous_end);
      MicrosSinceEpoch t = c.start_time;
      std::string last_no;
      for (const PlannedStudent& p : c.present) {
        EXPECT_FALSE(p.student.absent);
        EXPECT_EQ(p.code_time, t);
        EXPECT_EQ(p.shot_time, t + timing.shot_delay);
        EXPECT_LT(last_no, p.student.student.student_no);
        last_no = p.student.student.student_no;
        t += timing.time_per_student;
      }
      for (const SimStudent& s : c.absent) EXPECT_TRUE(s.absent);
      EXPECT_EQ(c.end_time, t);
      previous_end = c.end_time;
    }
  }
  EXPECT_EQ(students, 3575);
}

}  // namespace
}  // namespace capture::sim
