// DayEnd: a station's day ends by the clock only when the clock passed its end while the record was kept.
#include "coordinator/day_end.h"

#include <gtest/gtest.h>

#include "coordinator/judge/judge.h"

namespace capture::coord {
namespace {

constexpr int64_t kMinuteUs = 60'000'000;
constexpr int64_t kMidnight = 1'713'715'200'000'000;  // 2024-04-22 00:00 at UTC+08:00

Schedule TwoStations() {
  Schedule s;
  s.classes = {{1, "文学院", "A", 5, 8 * 60 + 30, 9 * 60 + 30},
               {1, "文学院", "B", 5, 9 * 60 + 30, 10 * 60 + 30},
               {2, "外国语学院", "E", 5, 8 * 60 + 30, 9 * 60 + 30}};
  return s;
}

wire::JudgeConfig Config() { return judge::DefaultJudgeConfig(kMidnight, 480); }  // late tolerance 60 min

int64_t At(int hour, int minute) { return kMidnight + (hour * 60 + minute) * kMinuteUs; }

// The record's first item, committed at `hour`:`minute`.
wire::RecordItem FirstItemAt(int hour, int minute) {
  wire::RecordItem item;
  item.set_commit_index(1);
  item.set_received_time_us(At(hour, minute));
  return item;
}

TEST(DayEnd, EachStationEndsOnceTheClockPassesItsLastSlotPlusTheTolerance) {
  DayEnd day(TwoStations(), Config());
  EXPECT_TRUE(day.Tick(At(8, 0)).empty());
  EXPECT_TRUE(day.Tick(At(10, 29)).empty());
  const auto two = day.Tick(At(10, 30));  // station 2: 09:30 + 60 min
  ASSERT_EQ(two.size(), 1u);
  EXPECT_EQ(two[0].kind(), wire::Observation::LAST_SLOT_OVER);
  EXPECT_EQ(two[0].station(), 2u);
  EXPECT_TRUE(day.Tick(At(11, 0)).empty());
  const auto one = day.Tick(At(11, 30));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].station(), 1u);
  EXPECT_TRUE(day.Tick(At(23, 0)).empty()) << "once per station";
}

TEST(DayEnd, ARecordKeptOnlyAfterTheDayIsNeverEndedByTheClock) {
  DayEnd day(TwoStations(), Config());
  day.Restore(FirstItemAt(23, 0));
  EXPECT_TRUE(day.Tick(At(23, 30)).empty()) << "a replay or a late start: the registrar closes that day";
}

TEST(DayEnd, ARestartAfterTheEndStillEndsADayWhoseRecordBeganBeforeIt) {
  DayEnd day(TwoStations(), Config());
  day.Restore(FirstItemAt(9, 0));
  EXPECT_EQ(day.Tick(At(12, 0)).size(), 2u);
}

TEST(DayEnd, AStationTheRecordEndedAlreadyIsNotEndedAgain) {
  DayEnd day(TwoStations(), Config());
  wire::RecordItem item = FirstItemAt(9, 0);
  item.mutable_observation()->set_kind(wire::Observation::DAY_CLOSED);
  item.mutable_observation()->set_station(2);
  day.Restore(item);
  const auto out = day.Tick(At(12, 0));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].station(), 1u);
  wire::RecordItem all = item;
  all.mutable_observation()->set_station(0);
  DayEnd closed(TwoStations(), Config());
  closed.Restore(all);
  EXPECT_TRUE(closed.Tick(At(12, 0)).empty()) << "station 0 closes every station";
}

}  // namespace
}  // namespace capture::coord
