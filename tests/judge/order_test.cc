// Shot numbers, queue order, class runs, the schedule, and classes moving on.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "coordinator/judge/roster_index.h"
#include "coordinator/judge/shot_numbers.h"
#include "tests/judge/record_builder.h"

namespace capture::judge::testing {
namespace {

using wire::Anomaly;

// Photographs students of station 1 one after another, every 10 s from `start`, shots 1, 2, ….
void Queue(RecordBuilder& r, const std::vector<std::string>& students, int start_minute = 8 * 60 + 30,
           uint32_t station = 1, uint32_t first_shot = 1) {
  int second = 0;
  uint32_t number = first_shot;
  for (const std::string& s : students) {
    char t[40];
    std::snprintf(t, sizeof t, "%02d:%02d:%02d", (start_minute + second / 60) / 60, (start_minute + second / 60) % 60,
                  second % 60);
    r.Photograph(station, t, s, number++);
    second += 10;
  }
}

std::vector<std::string> Students(const std::vector<AnomalyState>& anomalies) {
  std::vector<std::string> out;
  for (const AnomalyState& a : anomalies) out.push_back(a.anomaly.students(0).student_no());
  return out;
}

TEST(JudgeShotNumbers, RepeatedNumberIsDuplicateShotUntilOneIsVoided) {
  RecordBuilder r;
  r.Photograph(1, "08:30:00", "202100101", 7);
  r.Photograph(1, "08:30:10", "202100102", 7);
  const auto dup = r.OfKind(Anomaly::DUPLICATE_SHOT);
  ASSERT_EQ(dup.size(), 1u) << r.Describe();
  EXPECT_EQ(dup[0].anomaly.severity(), wire::BLOCKER);
  EXPECT_EQ(dup[0].anomaly.students_size(), 2);
  r.Void(1, "08:30:20", "IMG_0007.JPG");  // the later of the two
  EXPECT_FALSE(r.OfKind(Anomaly::DUPLICATE_SHOT)[0].open());
}

TEST(JudgeShotNumbers, CounterGoingBackIsRewind) {
  RecordBuilder r;
  r.Photograph(1, "08:30:00", "202100101", 532);
  r.Photograph(1, "08:30:10", "202100102", 1);
  const auto rewind = r.OfKind(Anomaly::SHOT_NUMBER_REWIND);
  ASSERT_EQ(rewind.size(), 1u) << r.Describe();
  EXPECT_EQ(rewind[0].anomaly.severity(), wire::BLOCKER);
}

TEST(JudgeShotNumbers, WrapFrom9999To0001IsNotARewind) {
  RecordBuilder r;
  r.Photograph(1, "08:30:00", "202100101", 9998);
  r.Photograph(1, "08:30:10", "202100102", 9999);
  r.Photograph(1, "08:30:20", "202100103", 1);
  EXPECT_TRUE(r.judge().anomalies().empty()) << r.Describe();
}

TEST(JudgeShotNumbers, SkippedNumbersAreAnInfoGap) {
  RecordBuilder r;
  r.Photograph(1, "08:30:00", "202100101", 10);
  r.Photograph(1, "08:30:10", "202100102", 13);
  const auto gap = r.OfKind(Anomaly::SHOT_NUMBER_GAP);
  ASSERT_EQ(gap.size(), 1u);
  EXPECT_EQ(gap[0].anomaly.severity(), wire::INFO);
}

TEST(JudgeShotNumbers, LowerNumberTakenEarlierIsALateFileNotARewind) {
  RecordBuilder r;
  r.ReadStudent(1, "08:30:00", "202100101");
  r.ReadStudent(1, "08:30:10", "202100102");
  r.Shot(1, "08:30:15", 2, "08:30:14");  // the second file lands first ...
  r.Shot(1, "08:30:16", 1, "08:30:04");  // ... and the first one after it
  EXPECT_TRUE(r.OfKind(Anomaly::SHOT_NUMBER_REWIND).empty()) << r.Describe();
  EXPECT_EQ(r.Row("202100101").image_file, "IMG_0001.JPG");
  EXPECT_EQ(r.Row("202100102").image_file, "IMG_0002.JPG");
  // The first file's read looked passed over until the file landed: raised, then resolved by it.
  const auto cws = r.OfKind(Anomaly::CODE_WITHOUT_SHOT);
  ASSERT_EQ(cws.size(), 1u) << r.Describe();
  EXPECT_FALSE(cws[0].open());
  EXPECT_EQ(r.judge().anomalies().size(), 1u) << r.Describe();
}

TEST(JudgeShotNumbers, CounterGoingBackRightAfterTheStationClockWentBackIsStillRewind) {
  RecordBuilder r;
  r.Photograph(1, "08:40:00", "202100101", 11);
  r.Photograph(1, "08:40:10", "202100102", 12);
  // The station clock is set back 5 min and the camera's counter restarts; its clock runs on.
  r.ReadStudent(1, "08:35:20", "202100103");
  r.Shot(1, "08:35:24", 1, "08:40:24");
  ASSERT_EQ(r.OfKind(Anomaly::SHOT_NUMBER_REWIND).size(), 1u) << r.Describe();
  EXPECT_EQ(r.Row("202100103").image_file, "IMG_0001.JPG");
}

TEST(JudgeShotNumbers, ClassifiesEachStep) {
  EXPECT_EQ(ClassifyShotNumber(std::nullopt, 5, false).step, ShotStep::kFirst);
  EXPECT_EQ(ClassifyShotNumber(4, 5, false).step, ShotStep::kNext);
  EXPECT_EQ(ClassifyShotNumber(4, 4, false).step, ShotStep::kDuplicate);
  EXPECT_EQ(ClassifyShotNumber(4, 3, false).step, ShotStep::kRewind);
  EXPECT_EQ(ClassifyShotNumber(4, 3, true).step, ShotStep::kLateArrival);
  EXPECT_EQ(ClassifyShotNumber(9999, 1, false).step, ShotStep::kNext);
  EXPECT_EQ(ClassifyShotNumber(9999, 0, false).step, ShotStep::kNext);
  const ShotNumberStep wrap_gap = ClassifyShotNumber(9998, 2, false);
  EXPECT_EQ(wrap_gap.step, ShotStep::kGap);
  EXPECT_EQ(wrap_gap.missing, 2u);
  EXPECT_EQ(ClassifyShotNumber(9899, 1, false).step, ShotStep::kRewind);
  EXPECT_EQ(ClassifyShotNumber(4, 9, false).missing, 4u);
}

TEST(JudgeQueue, StudentNumbersCompareAsNumbersWhereNumeric) {
  EXPECT_LT(CompareStudentNo("9", "10"), 0);
  EXPECT_GT(CompareStudentNo("100", "99"), 0);
  EXPECT_LT(CompareStudentNo("0099", "100"), 0);
  EXPECT_LT(CompareStudentNo("A10", "A9"), 0);  // not numeric: as text
  EXPECT_EQ(CompareStudentNo("2021001", "2021001"), 0);
}

TEST(JudgeQueue, OneStudentJumpingAheadIsOneOutOfOrder) {
  RecordBuilder r;
  Queue(r, {"202100101", "202100102", "202100105", "202100103", "202100104"});
  const auto ooo = r.OfKind(Anomaly::OUT_OF_ORDER);
  EXPECT_EQ(Students(ooo), std::vector<std::string>{"202100105"}) << r.Describe();
  EXPECT_EQ(ooo[0].anomaly.severity(), wire::WARNING);
}

TEST(JudgeQueue, OneStudentComingLateIsOneOutOfOrder) {
  RecordBuilder r;
  Queue(r, {"202100101", "202100103", "202100104", "202100105", "202100102"});
  EXPECT_EQ(Students(r.OfKind(Anomaly::OUT_OF_ORDER)), std::vector<std::string>{"202100102"}) << r.Describe();
}

TEST(JudgeQueue, StudentGoingFirstIsOneOutOfOrder) {
  RecordBuilder r;
  Queue(r, {"202100104", "202100101", "202100102", "202100103", "202100105"});
  EXPECT_EQ(Students(r.OfKind(Anomaly::OUT_OF_ORDER)), std::vector<std::string>{"202100104"}) << r.Describe();
}

// Queue order is the order the station recorded the reads in, which a clock jump cannot disturb.
TEST(JudgeQueue, StudentsInOrderAfterTheStationClockWentBackAreInOrder) {
  RecordBuilder r;
  r.Photograph(1, "08:40:00", "202100101", 1);
  r.Photograph(1, "08:40:10", "202100102", 2);
  // The station clock is set back 5 min; the camera's clock runs on.
  r.ReadStudent(1, "08:35:20", "202100103");
  r.Shot(1, "08:35:24", 3, "08:40:24");
  r.ReadStudent(1, "08:35:30", "202100104");
  r.Shot(1, "08:35:34", 4, "08:40:34");
  EXPECT_TRUE(r.OfKind(Anomaly::OUT_OF_ORDER).empty()) << r.Describe();
  EXPECT_EQ(r.OfKind(Anomaly::CLOCK_SKEW).size(), 1u) << r.Describe();
  EXPECT_EQ(r.Row("202100103").image_file, "IMG_0003.JPG");
  EXPECT_EQ(r.Row("202100104").image_file, "IMG_0004.JPG");
}

TEST(JudgeQueue, StudentComingLateAfterTheStationClockWentBackIsStillOutOfOrder) {
  RecordBuilder r;
  r.Photograph(1, "08:40:00", "202100101", 1);
  r.Photograph(1, "08:40:10", "202100103", 2);
  r.Photograph(1, "08:35:20", "202100104", 3);  // clock set back 5 min
  r.Photograph(1, "08:35:30", "202100102", 4);
  EXPECT_EQ(Students(r.OfKind(Anomaly::OUT_OF_ORDER)), std::vector<std::string>{"202100102"}) << r.Describe();
}

TEST(JudgeQueue, StudentOfAnEarlierCohortMayGoFirst) {
  RecordBuilder r;
  Queue(r, {"202000199", "202100101", "202100102", "202100103", "202100104", "202100105"});
  EXPECT_EQ(r.WarningsOrBlockers(), "");
}

TEST(JudgeQueue, ClassesOfOneCollegeReorderedWithinTheirSlotAreFine) {
  RecordBuilder r;
  Queue(r, {"202100201", "202100202", "202100203", "202100204", "202100205",  // B before A
            "202000199", "202100101", "202100102", "202100103", "202100104", "202100105"});
  EXPECT_EQ(r.WarningsOrBlockers(), "");
}

TEST(JudgeQueue, StationRunningTwentyMinutesLateIsFine) {
  RecordBuilder r;
  // Slot 09:30–10:30 for class C: the station reaches it at 10:50, 20 min after the slot's end.
  Queue(r, {"202100301", "202100302", "202100303", "202100304", "202100305"}, 10 * 60 + 50);
  EXPECT_EQ(r.WarningsOrBlockers(), "");
}

TEST(JudgeQueue, StudentOfAnotherClassInTheMiddleIsInterleaved) {
  RecordBuilder r;
  Queue(r, {"202100101", "202100102", "202100201", "202100103", "202100104", "202100105"});
  const auto interleaved = r.OfKind(Anomaly::CLASS_INTERLEAVED);
  EXPECT_EQ(Students(interleaved), std::vector<std::string>{"202100201"}) << r.Describe();
  EXPECT_EQ(interleaved[0].anomaly.severity(), wire::WARNING);
  EXPECT_TRUE(r.OfKind(Anomaly::MISSING_STUDENT).empty()) << r.Describe();
  EXPECT_TRUE(r.OfKind(Anomaly::OUT_OF_ORDER).empty()) << r.Describe();
}

TEST(JudgeQueue, ClassAtAStationWithoutItsSlotIsWrongStationOncePerStation) {
  RecordBuilder r;
  Queue(r, {"202100401", "202100402", "202100403"});  // class E belongs to station 2
  const auto wrong = r.OfKind(Anomaly::WRONG_STATION);
  EXPECT_EQ(Students(wrong), std::vector<std::string>{"202100401"}) << r.Describe();
  EXPECT_EQ(wrong[0].anomaly.severity(), wire::WARNING);
  EXPECT_TRUE(r.OfKind(Anomaly::OFF_SCHEDULE).empty());
  Queue(r, {"202000199", "202100101", "202100102"}, 8 * 60 + 35, 1, 4);  // then station 1's own class
  EXPECT_TRUE(r.OfKind(Anomaly::MISSING_STUDENT).empty()) << r.Describe();  // E is not expected here
}

TEST(JudgeQueue, ClassFarOutsideItsSlotIsOffScheduleOnce) {
  RecordBuilder r;
  // Class C's slot is 09:30–10:30: at 08:30 it is an hour early.
  Queue(r, {"202100301", "202100302", "202100303"}, 8 * 60 + 30);
  const auto off = r.OfKind(Anomaly::OFF_SCHEDULE);
  ASSERT_EQ(off.size(), 1u) << r.Describe();
  EXPECT_EQ(off[0].anomaly.severity(), wire::WARNING);
  EXPECT_NE(off[0].anomaly.message().find("08:30"), std::string::npos) << off[0].anomaly.message();
}

TEST(JudgeQueue, ClassMovingOnLeavesItsUnphotographedStudentsMissingUntilMarkedAbsent) {
  RecordBuilder r;
  Queue(r, {"202000199", "202100101", "202100102", "202100104", "202100105", "202100201", "202100202"});
  const auto missing = r.OfKind(Anomaly::MISSING_STUDENT);
  EXPECT_EQ(Students(missing), std::vector<std::string>{"202100103"}) << r.Describe();
  EXPECT_EQ(missing[0].anomaly.severity(), wire::WARNING);
  r.Absent(1, "08:40:00", "202100103");
  EXPECT_FALSE(r.OfKind(Anomaly::MISSING_STUDENT)[0].open());
}

TEST(JudgeQueue, StudentWhoseOnlyShotWasVoidedHasNoValidPhotoWhenTheClassMovesOn) {
  RecordBuilder r;
  Queue(r, {"202000199", "202100101", "202100102", "202100103", "202100104", "202100105"});
  r.Void(1, "08:31:10", "IMG_0006.JPG");  // 202100105's only photo
  Queue(r, {"202100201", "202100202"}, 8 * 60 + 32, 1, 7);
  const auto nvp = r.OfKind(Anomaly::NO_VALID_PHOTO);
  EXPECT_EQ(Students(nvp), std::vector<std::string>{"202100105"}) << r.Describe();
  EXPECT_TRUE(r.OfKind(Anomaly::MISSING_STUDENT).empty()) << r.Describe();
  r.Photograph(1, "08:33:00", "202100105", 9);
  EXPECT_FALSE(r.OfKind(Anomaly::NO_VALID_PHOTO)[0].open());
}

TEST(JudgeQueue, AssignmentIsSortedByStudentNumberNumerically) {
  Roster roster;
  for (const char* no : {"100", "9", "10", "2"}) {
    roster.students.push_back({no, Reg(no), "文学院", "汉语言文学2101", "张", "张*"});
  }
  RecordBuilder r(TestSchedule(), roster);
  std::vector<std::string> order;
  for (const AssignmentRow& row : r.judge().Assignment()) order.push_back(row.student_no);
  EXPECT_EQ(order, (std::vector<std::string>{"2", "9", "10", "100"}));
  for (const AssignmentRow& row : r.judge().Assignment()) EXPECT_EQ(row.status, "missing");
}

TEST(JudgeQueue, ProgressCountsTheCurrentClassAndTheStationsPhotos) {
  RecordBuilder r;
  Queue(r, {"202100101", "202100102"});
  const auto progress = r.judge().Progress();
  ASSERT_EQ(progress.size(), 2u);  // the schedule's stations
  EXPECT_EQ(progress[0].station, 1u);
  EXPECT_EQ(progress[0].current_class, "汉语言文学2101");
  EXPECT_EQ(progress[0].class_done, 2u);
  EXPECT_EQ(progress[0].class_expected, 6u);
  EXPECT_EQ(progress[0].photographed, 2u);
  EXPECT_EQ(progress[1].photographed, 0u);
}

}  // namespace
}  // namespace capture::judge::testing
