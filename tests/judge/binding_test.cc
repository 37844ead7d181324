// The binding rules: which shot is whose photo, and the anomalies of binding.
#include <gtest/gtest.h>

#include "tests/judge/record_builder.h"

namespace capture::judge::testing {
namespace {

using wire::Anomaly;
using wire::Binding;

TEST(JudgeBinding, EachShotGoesToTheCodeReadBeforeIt) {
  RecordBuilder r;
  r.Photograph(1, "08:30:00", "202100101", 1);
  r.Photograph(1, "08:30:10", "202100102", 2);
  EXPECT_EQ(r.Row("202100101").image_file, "IMG_0001.JPG");
  EXPECT_EQ(r.Row("202100101").status, "photographed");
  EXPECT_EQ(r.Row("202100102").image_file, "IMG_0002.JPG");
  EXPECT_EQ(r.StateOf(1, "IMG_0002.JPG"), Binding::ASSIGNED);
  EXPECT_TRUE(r.judge().anomalies().empty()) << r.Describe();
}

TEST(JudgeBinding, ShotWithNoFreshCodeIsHeldFromThePreviousStudentAsBlocker) {
  RecordBuilder r;
  r.Photograph(1, "08:30:00", "202100101", 1);
  r.Shot(1, "08:30:14", 2, "08:30:14");  // the next student forgot to scan
  const auto swc = r.OfKind(Anomaly::SHOT_WITHOUT_CODE);
  ASSERT_EQ(swc.size(), 1u) << r.Describe();
  EXPECT_EQ(swc[0].anomaly.severity(), wire::BLOCKER);
  EXPECT_TRUE(swc[0].open());
  EXPECT_EQ(swc[0].anomaly.shots(0), "IMG_0002.JPG");
  ASSERT_EQ(swc[0].anomaly.students_size(), 1);  // whom the station would have given it to
  EXPECT_EQ(swc[0].anomaly.students(0).student_no(), "202100101");
  EXPECT_EQ(r.StateOf(1, "IMG_0002.JPG"), Binding::UNASSIGNED);
  EXPECT_EQ(r.Row("202100101").image_file, "IMG_0001.JPG");
}

TEST(JudgeBinding, ShotBeforeAnyCodeIsShotWithoutCode) {
  RecordBuilder r;
  r.Shot(1, "08:29:00", 1, "08:29:00");
  ASSERT_EQ(r.OfKind(Anomaly::SHOT_WITHOUT_CODE).size(), 1u);
  EXPECT_EQ(r.OfKind(Anomaly::SHOT_WITHOUT_CODE)[0].anomaly.students_size(), 0);
}

TEST(JudgeBinding, VoidedTestShotResolvesItsShotWithoutCode) {
  RecordBuilder r;
  r.Shot(1, "08:29:00", 1, "08:29:00");
  r.Void(1, "08:29:05", "IMG_0001.JPG");
  r.Photograph(1, "08:30:00", "202100101", 2);
  const auto swc = r.OfKind(Anomaly::SHOT_WITHOUT_CODE);
  ASSERT_EQ(swc.size(), 1u);
  EXPECT_FALSE(swc[0].open());
  EXPECT_EQ(swc[0].resolution->by(), "judge");
  EXPECT_EQ(r.Row("202100101").image_file, "IMG_0002.JPG");
}

TEST(JudgeBinding, VoidRightAfterAShotLetsTheCodeOwnTheNextShot) {
  RecordBuilder r;
  r.ReadStudent(1, "08:30:00", "202100101");
  r.Shot(1, "08:30:03", 1, "08:30:03");  // a test shot after the read
  r.Void(1, "08:30:04", "IMG_0001.JPG");
  r.Shot(1, "08:30:06", 2, "08:30:06");
  EXPECT_EQ(r.Row("202100101").image_file, "IMG_0002.JPG");
  EXPECT_EQ(r.StateOf(1, "IMG_0001.JPG"), Binding::VOIDED);
  EXPECT_EQ(r.WarningsOrBlockers(), "");
}

TEST(JudgeBinding, VoidAfterTheNextShotGivesThatShotToTheCode) {
  RecordBuilder r;
  r.ReadStudent(1, "08:30:00", "202100101");
  r.Shot(1, "08:30:03", 1, "08:30:03");
  r.Shot(1, "08:30:06", 2, "08:30:06");  // no fresh code: held back
  ASSERT_EQ(r.OfKind(Anomaly::SHOT_WITHOUT_CODE).size(), 1u);
  r.Void(1, "08:30:08", "IMG_0001.JPG");
  EXPECT_FALSE(r.OfKind(Anomaly::SHOT_WITHOUT_CODE)[0].open());
  EXPECT_EQ(r.Row("202100101").image_file, "IMG_0002.JPG");
  EXPECT_EQ(r.StateOf(1, "IMG_0002.JPG"), Binding::ASSIGNED);
}

TEST(JudgeBinding, TwoCodesBeforeOneShotBlockForThePassedOverStudentUntilTheyArePhotographed) {
  RecordBuilder r;
  r.ReadStudent(1, "08:30:00", "202100101");
  r.ReadStudent(1, "08:30:10", "202100102");
  r.Shot(1, "08:30:14", 1, "08:30:14");
  const auto cws = r.OfKind(Anomaly::CODE_WITHOUT_SHOT);
  ASSERT_EQ(cws.size(), 1u) << r.Describe();
  EXPECT_EQ(cws[0].anomaly.severity(), wire::BLOCKER);
  ASSERT_EQ(cws[0].anomaly.students_size(), 2);
  EXPECT_EQ(cws[0].anomaly.students(0).student_no(), "202100101");  // passed over
  EXPECT_EQ(cws[0].anomaly.students(1).student_no(), "202100102");  // got the shot
  EXPECT_EQ(r.Row("202100102").image_file, "IMG_0001.JPG");
  EXPECT_EQ(r.Row("202100101").status, "missing");
  r.Photograph(1, "08:31:00", "202100101", 2);
  EXPECT_FALSE(r.OfKind(Anomaly::CODE_WITHOUT_SHOT)[0].open());
}

TEST(JudgeBinding, ReaderDoubleFireIsOneRead) {
  RecordBuilder r;
  r.ReadStudent(1, "08:30:00", "202100101");
  r.ReadStudent(1, "08:30:00", "202100101");
  r.Shot(1, "08:30:04", 1, "08:30:04");
  // Even a repeat that lands after the shutter, before the file, leaves no read waiting for a shot.
  r.ReadStudent(1, "08:30:10", "202100102");
  r.ReadStudent(1, "08:30:14", "202100102");
  r.Shot(1, "08:30:15", 2, "08:30:13");
  r.Photograph(1, "08:30:20", "202100103", 3);
  EXPECT_TRUE(r.judge().anomalies().empty()) << r.Describe();
  EXPECT_EQ(r.Row("202100101").image_file, "IMG_0001.JPG");
  EXPECT_EQ(r.Row("202100102").image_file, "IMG_0002.JPG");
  EXPECT_EQ(r.Row("202100103").image_file, "IMG_0003.JPG");
}

TEST(JudgeBinding, LateDeliveredFileBindsToTheCodeReadBeforeItsCaptureTime) {
  RecordBuilder r;
  r.Photograph(1, "08:29:00", "202100101", 1);  // the camera clock is learned from normal shots
  r.Photograph(1, "08:29:10", "202100102", 2);
  r.ReadStudent(1, "08:30:00", "202100103");
  r.ReadStudent(1, "08:30:10", "202100104");          // the next student scans ...
  r.Shot(1, "08:30:11", 3, "08:30:04");              // ... before the previous file lands
  r.Shot(1, "08:30:15", 4, "08:30:14");
  EXPECT_EQ(r.Row("202100103").image_file, "IMG_0003.JPG");
  EXPECT_EQ(r.Row("202100104").image_file, "IMG_0004.JPG");
  EXPECT_TRUE(r.judge().anomalies().empty()) << r.Describe();
}

// After the station clock went back, earlier reads carry later station times than new ones; the
// shot must still go to the read waiting for it, never to an old read that already has its shot.
TEST(JudgeBinding, ShotAfterTheStationClockWentBackGoesToTheCodeWaitingForIt) {
  RecordBuilder r;
  r.ReadStudent(1, "08:38:10", "202100101");
  r.Shot(1, "08:38:14", 1, "08:38:14");
  r.ReadStudent(1, "08:40:00", "202100102");
  r.Shot(1, "08:40:04", 2, "08:40:04");
  // The station clock is set back 1 min 52 s; the camera's clock runs on.
  r.ReadStudent(1, "08:38:08", "202100103");
  r.Shot(1, "08:38:12", 3, "08:40:12");
  r.ReadStudent(1, "08:38:18", "202100104");
  r.Shot(1, "08:38:22", 4, "08:40:22");
  EXPECT_TRUE(r.OfKind(Anomaly::SHOT_WITHOUT_CODE).empty()) << r.Describe();
  EXPECT_EQ(r.Row("202100101").image_file, "IMG_0001.JPG");
  EXPECT_EQ(r.Row("202100102").image_file, "IMG_0002.JPG");
  EXPECT_EQ(r.Row("202100103").image_file, "IMG_0003.JPG");
  EXPECT_EQ(r.Row("202100104").image_file, "IMG_0004.JPG");
  ASSERT_EQ(r.OfKind(Anomaly::CLOCK_SKEW).size(), 1u) << r.Describe();
  EXPECT_EQ(r.OfKind(Anomaly::CLOCK_SKEW)[0].anomaly.severity(), wire::WARNING);
  EXPECT_EQ(r.WarningsOrBlockers().find("BLOCKER"), std::string::npos) << r.Describe();
}

TEST(JudgeBinding, ShotWithoutCodeAfterTheStationClockWentBackNamesTheLastCodeRead) {
  RecordBuilder r;
  r.ReadStudent(1, "08:40:00", "202100101");
  r.Shot(1, "08:40:04", 1, "08:40:04");
  r.ReadStudent(1, "08:40:10", "202100102");
  r.Shot(1, "08:40:14", 2, "08:40:14");
  // Clock back 5 min, and the next person does not scan: the station files it under 102.
  r.Shot(1, "08:35:24", 3, "08:40:24");
  const auto swc = r.OfKind(Anomaly::SHOT_WITHOUT_CODE);
  ASSERT_EQ(swc.size(), 1u) << r.Describe();
  ASSERT_EQ(swc[0].anomaly.students_size(), 1);
  EXPECT_EQ(swc[0].anomaly.students(0).student_no(), "202100102");
  EXPECT_EQ(r.StateOf(1, "IMG_0003.JPG"), Binding::UNASSIGNED);
  EXPECT_EQ(r.Row("202100102").image_file, "IMG_0002.JPG");
}

TEST(JudgeBinding, ShotAfterTheStationClockWentBackNeverClaimsAReadFromBeforeTheJump) {
  RecordBuilder r;
  r.ReadStudent(1, "08:35:00", "202100101");
  r.ReadStudent(1, "08:35:10", "202100102");
  r.Shot(1, "08:35:14", 1, "08:35:14");  // 101 is passed over
  r.Photograph(1, "08:40:00", "202100103", 2);
  // Clock back 5 min, and a shot with no code whose time falls where 101 waited, on the old clock.
  r.Shot(1, "08:35:05", 3, "08:40:05");
  const auto swc = r.OfKind(Anomaly::SHOT_WITHOUT_CODE);
  ASSERT_EQ(swc.size(), 1u) << r.Describe();
  ASSERT_EQ(swc[0].anomaly.students_size(), 1);
  EXPECT_EQ(swc[0].anomaly.students(0).student_no(), "202100103");
  EXPECT_EQ(r.Row("202100101").status, "missing");
  ASSERT_EQ(r.OfKind(Anomaly::CODE_WITHOUT_SHOT).size(), 1u) << r.Describe();
  EXPECT_TRUE(r.OfKind(Anomaly::CODE_WITHOUT_SHOT)[0].open());
}

TEST(JudgeBinding, CaptureTimeIsAlignedToTheStationClock) {
  RecordBuilder r;
  // The camera's clock is 1 h 3 s behind the station's; files land 1 s after the shutter.
  r.ReadStudent(1, "08:30:00", "202100101");
  r.Shot(1, "08:30:05", 1, "07:30:02");
  r.ReadStudent(1, "08:30:10", "202100102");
  r.Shot(1, "08:30:15", 2, "07:30:12");
  r.ReadStudent(1, "08:30:20", "202100103");
  r.ReadStudent(1, "08:30:30", "202100104");
  r.Shot(1, "08:30:31", 3, "07:30:22");  // landed after the next read
  r.Shot(1, "08:30:35", 4, "07:30:32");
  EXPECT_EQ(r.Row("202100103").image_file, "IMG_0003.JPG");
  EXPECT_EQ(r.Row("202100104").image_file, "IMG_0004.JPG");
  EXPECT_TRUE(r.judge().anomalies().empty()) << r.Describe();
}

TEST(JudgeBinding, MomentBeforeItsOwnCodeFallsBackToTheCodeReadBeforeArrival) {
  RecordBuilder r;
  // The station clock stands still at each code read; shutters follow 4 s later, once only 1 s.
  r.ReadStudent(1, "08:30:00", "202100101");
  r.Shot(1, "08:30:00", 1, "08:30:04");
  r.ReadStudent(1, "08:30:10", "202100102");
  r.Shot(1, "08:30:10", 2, "08:30:14");
  r.ReadStudent(1, "08:30:20", "202100103");
  r.Shot(1, "08:30:20", 3, "08:30:21");
  EXPECT_EQ(r.Row("202100103").image_file, "IMG_0003.JPG");
  EXPECT_TRUE(r.judge().anomalies().empty()) << r.Describe();
}

TEST(JudgeBinding, ShotLongAfterItsCodeIsStaleCodeButBound) {
  RecordBuilder r;
  r.ReadStudent(1, "08:30:00", "202100101");
  r.Shot(1, "08:32:00", 1, "08:32:00");
  const auto stale = r.OfKind(Anomaly::STALE_CODE);
  ASSERT_EQ(stale.size(), 1u) << r.Describe();
  EXPECT_EQ(stale[0].anomaly.severity(), wire::BLOCKER);
  EXPECT_EQ(r.Row("202100101").image_file, "IMG_0001.JPG");
  r.Retake(1, "08:32:10", Reg("202100101"));
  r.Shot(1, "08:32:14", 2, "08:32:14");
  EXPECT_FALSE(r.OfKind(Anomaly::STALE_CODE)[0].open());
  EXPECT_EQ(r.Row("202100101").image_file, "IMG_0002.JPG");
}

TEST(JudgeBinding, CodeOfNobodyOnTheRosterBlocksAndItsShotGoesToNobody) {
  RecordBuilder r;
  r.Read(1, "08:30:00", "9999000011112222", "李*四");
  r.Shot(1, "08:30:04", 1, "08:30:04");
  const auto unknown = r.OfKind(Anomaly::UNKNOWN_CODE);
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].anomaly.severity(), wire::BLOCKER);
  EXPECT_EQ(unknown[0].anomaly.students(0).registry_no(), "9999000011112222");
  EXPECT_EQ(unknown[0].anomaly.students(0).student_no(), "");
  EXPECT_EQ(r.StateOf(1, "IMG_0001.JPG"), Binding::UNASSIGNED);
  // The shot has a blocker of its own, naming it: whoever sat for it has no photo on any record.
  const auto shot = r.OfKind(Anomaly::SHOT_UNKNOWN_CODE);
  ASSERT_EQ(shot.size(), 1u) << r.Describe();
  EXPECT_EQ(shot[0].anomaly.severity(), wire::BLOCKER);
  EXPECT_EQ(shot[0].anomaly.shots(0), "IMG_0001.JPG");
  EXPECT_EQ(shot[0].anomaly.students(0).registry_no(), "9999000011112222");
  EXPECT_NE(shot[0].anomaly.message().find("nobody's photo"), std::string::npos);
  EXPECT_EQ(unknown[0].anomaly.shots_size(), 0) << "the read's UNKNOWN_CODE stays as it was raised";
  r.Void(1, "08:30:20", "IMG_0001.JPG");
  EXPECT_FALSE(r.OfKind(Anomaly::UNKNOWN_CODE)[0].open());
  EXPECT_FALSE(r.OfKind(Anomaly::SHOT_UNKNOWN_CODE)[0].open());
}

TEST(JudgeBinding, AnUnknownCodeReadWithoutAShotRaisesOnlyTheRead) {
  RecordBuilder r;
  r.Read(1, "08:30:00", "9999000011112222", "李*四");
  r.Photograph(1, "08:30:10", "202100101", 1);
  EXPECT_EQ(r.OfKind(Anomaly::UNKNOWN_CODE).size(), 1u);
  EXPECT_EQ(r.OfKind(Anomaly::SHOT_UNKNOWN_CODE).size(), 0u) << r.Describe();
  EXPECT_EQ(r.OfKind(Anomaly::CODE_WITHOUT_SHOT).size(), 0u) << "a stranger sent away is no lost student";
}

TEST(JudgeBinding, SecondPhotoWithoutRetakeIsHeldBackAsDuplicateStudent) {
  RecordBuilder r;
  r.Photograph(1, "08:30:00", "202100101", 1);
  r.Photograph(1, "08:30:10", "202100101", 2);
  const auto dup = r.OfKind(Anomaly::DUPLICATE_STUDENT);
  ASSERT_EQ(dup.size(), 1u) << r.Describe();
  EXPECT_EQ(dup[0].anomaly.severity(), wire::BLOCKER);
  EXPECT_EQ(r.StateOf(1, "IMG_0002.JPG"), Binding::UNASSIGNED);
  EXPECT_EQ(r.Row("202100101").image_file, "IMG_0001.JPG");  // the first stands
  r.Void(1, "08:30:20", "IMG_0002.JPG");
  EXPECT_FALSE(r.OfKind(Anomaly::DUPLICATE_STUDENT)[0].open());
}

TEST(JudgeBinding, StudentPhotographedAtTwoStationsIsDuplicateStudentAtTheSecond) {
  RecordBuilder r;
  r.Photograph(1, "08:30:00", "202100101", 1);
  r.Photograph(2, "08:31:00", "202100101", 1);
  const auto dup = r.OfKind(Anomaly::DUPLICATE_STUDENT);
  ASSERT_EQ(dup.size(), 1u) << r.Describe();
  EXPECT_EQ(dup[0].anomaly.station(), 2u);
  EXPECT_EQ(r.Row("202100101").station, 1u);
}

TEST(JudgeBinding, MarkedRetakeLeavesOnlyTheLaterPhotoAssigned) {
  RecordBuilder r;
  r.Photograph(1, "08:30:00", "202100101", 1);
  r.Retake(1, "08:30:08", Reg("202100101"));
  r.Shot(1, "08:30:12", 2, "08:30:12");
  r.Photograph(1, "08:30:20", "202100102", 3);
  EXPECT_EQ(r.StateOf(1, "IMG_0001.JPG"), Binding::SUPERSEDED);
  EXPECT_EQ(r.StateOf(1, "IMG_0002.JPG"), Binding::ASSIGNED);
  EXPECT_EQ(r.Row("202100101").image_file, "IMG_0002.JPG");
  EXPECT_EQ(r.WarningsOrBlockers(), "");
}

TEST(JudgeBinding, RetakeThenTheStudentsCodeAgainIsStillOneRetake) {
  RecordBuilder r;
  r.Photograph(1, "08:30:00", "202100101", 1);
  r.Retake(1, "08:30:08", Reg("202100101"));
  r.ReadStudent(1, "08:30:09", "202100101");
  r.Shot(1, "08:30:12", 2, "08:30:12");
  EXPECT_EQ(r.Row("202100101").image_file, "IMG_0002.JPG");
  EXPECT_EQ(r.WarningsOrBlockers(), "");
}

TEST(JudgeBinding, AnotherStudentsCodeDropsAPendingRetakeSilently) {
  RecordBuilder r;
  r.Photograph(1, "08:30:00", "202100101", 1);
  r.Retake(1, "08:30:08", Reg("202100101"));
  r.Photograph(1, "08:30:10", "202100102", 2);
  EXPECT_EQ(r.Row("202100101").image_file, "IMG_0001.JPG");
  EXPECT_EQ(r.Row("202100102").image_file, "IMG_0002.JPG");
  EXPECT_TRUE(r.judge().anomalies().empty()) << r.Describe();
}

TEST(JudgeBinding, SameImageTwiceIsOneShot) {
  RecordBuilder r;
  r.Photograph(1, "08:30:00", "202100101", 1);
  wire::CaptureEvent again;
  ASSERT_TRUE(again.ParseFromString(r.items().back().event()));
  again.set_seq(again.seq() + 1);
  const wire::Verdict v = r.EventIn(again.epoch(), again);
  EXPECT_EQ(v.bindings_size(), 0);
  EXPECT_TRUE(r.judge().anomalies().empty()) << r.Describe();
}

}  // namespace
}  // namespace capture::judge::testing
