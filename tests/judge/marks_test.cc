// Absent and resolve marks, coordinator observations, clocks, and the record's own order.
#include <gtest/gtest.h>

#include "tests/judge/record_builder.h"

namespace capture::judge::testing {
namespace {

using wire::Anomaly;
using wire::Observation;

Observation Obs(Observation::Kind kind, uint32_t station) {
  Observation o;
  o.set_kind(kind);
  o.set_station(station);
  return o;
}

TEST(JudgeMarks, AbsentStudentsMarkedAreNoWarning) {
  RecordBuilder r;
  r.Photograph(1, "08:30:00", "202000199", 1);
  r.Photograph(1, "08:30:10", "202100101", 2);
  r.Photograph(1, "08:30:20", "202100102", 3);
  r.Absent(1, "08:30:25", "202100103");
  r.Photograph(1, "08:30:30", "202100104", 4);
  r.Photograph(1, "08:30:40", "202100105", 5);
  r.Photograph(1, "08:31:00", "202100201", 6);  // the next class
  r.Photograph(1, "08:31:10", "202100202", 7);
  EXPECT_EQ(r.Row("202100103").status, "absent");
  EXPECT_EQ(r.Row("202100103").image_file, "");
  EXPECT_EQ(r.WarningsOrBlockers(), "");
}

TEST(JudgeMarks, PhotoAfterAbsentMarkSupersedesItAsInfo) {
  RecordBuilder r;
  r.Absent(1, "08:30:00", "202100101");
  r.Photograph(1, "08:30:10", "202100101", 1);
  const auto info = r.OfKind(Anomaly::ABSENT_SUPERSEDED);
  ASSERT_EQ(info.size(), 1u) << r.Describe();
  EXPECT_EQ(info[0].anomaly.severity(), wire::INFO);
  EXPECT_EQ(r.Row("202100101").status, "photographed");
  EXPECT_EQ(r.WarningsOrBlockers(), "");
}

// Someone else may have sat under the absent student's code: the photo may be on the wrong student.
TEST(JudgeMarks, AbsentMarkAfterAPhotoIsABlockerUntilThePhotoIsVoided) {
  RecordBuilder r;
  r.Photograph(1, "08:30:00", "202100101", 1);
  r.Absent(1, "08:30:10", "202100101");
  const auto conflict = r.OfKind(Anomaly::ABSENT_AFTER_PHOTO);
  ASSERT_EQ(conflict.size(), 1u) << r.Describe();
  EXPECT_EQ(conflict[0].anomaly.severity(), wire::BLOCKER);
  EXPECT_NE(conflict[0].anomaly.message().find("someone else may have sat for it"), std::string::npos);
  EXPECT_EQ(r.Row("202100101").status, "photographed");
  const wire::Verdict voided = r.Void(1, "08:30:20", "IMG_0001.JPG");
  EXPECT_FALSE(r.OfKind(Anomaly::ABSENT_AFTER_PHOTO)[0].open());
  EXPECT_EQ(r.Row("202100101").status, "absent");
  // The judge says why in both languages; the console shows the operator's.
  ASSERT_EQ(voided.resolved_size(), 1);
  EXPECT_EQ(voided.resolved(0).by(), "judge");
  EXPECT_EQ(voided.resolved(0).reason(), "its shots were voided or replaced");
  EXPECT_EQ(voided.resolved(0).reason_zh(), "相关照片已作废或被取代");
}

TEST(JudgeMarks, AbsentMarkForANumberOnNoRosterIsUnknownStudent) {
  RecordBuilder r;
  r.Absent(1, "08:30:00", "209999999");
  ASSERT_EQ(r.OfKind(Anomaly::UNKNOWN_STUDENT).size(), 1u);
  EXPECT_EQ(r.OfKind(Anomaly::UNKNOWN_STUDENT)[0].anomaly.severity(), wire::WARNING);
}

TEST(JudgeMarks, OperatorResolveRecordsWhoAndWhy) {
  RecordBuilder r;
  r.Photograph(1, "08:30:00", "202100101", 1);
  r.Shot(1, "08:30:14", 2, "08:30:14");
  const std::string id = r.OfKind(Anomaly::SHOT_WITHOUT_CODE)[0].anomaly.id();
  const wire::Verdict v = r.Resolve(1, "08:30:30", id, "it was the same student, checked the form");
  ASSERT_EQ(v.resolved_size(), 1);
  EXPECT_EQ(v.resolved(0).anomaly_id(), id);
  EXPECT_EQ(v.resolved(0).by(), "photographer 1");
  EXPECT_EQ(v.resolved(0).reason(), "it was the same student, checked the form");
  EXPECT_EQ(v.resolved(0).reason_zh(), "") << "a person's reason is kept as typed, in one field";
  EXPECT_EQ(v.resolved(0).station(), 1u);
  EXPECT_FALSE(r.OfKind(Anomaly::SHOT_WITHOUT_CODE)[0].open());
}

TEST(JudgeMarks, ResolveOfNoOpenAnomalyIsUnknownAnomaly) {
  RecordBuilder r;
  r.Resolve(1, "08:30:00", "A7", "typo");
  const auto unknown = r.OfKind(Anomaly::UNKNOWN_ANOMALY);
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].anomaly.severity(), wire::INFO);
  r.Resolve(1, "08:30:10", "A1", "resolving the info itself works");
  r.Resolve(1, "08:30:20", "A1", "but not twice");
  EXPECT_EQ(r.OfKind(Anomaly::UNKNOWN_ANOMALY).size(), 2u);
}

TEST(JudgeMarks, RegistrarResolveRecordsTheRegistrar) {
  RecordBuilder r;
  r.Read(1, "08:30:00", "9999000011112222", "李*四");
  Observation o = Obs(Observation::REGISTRAR_RESOLVE, 0);
  o.set_anomaly_id("A1");
  o.set_by("registrar Wang");
  o.set_detail("late enrolment, roster to be updated");
  const wire::Verdict v = r.Observe(o);
  ASSERT_EQ(v.resolved_size(), 1);
  EXPECT_EQ(v.resolved(0).by(), "registrar Wang");
  EXPECT_EQ(v.resolved(0).station(), 1u);
}

TEST(JudgeMarks, UnreadableCodeIsInfo) {
  RecordBuilder r;
  r.Unreadable(1, "08:30:00");
  ASSERT_EQ(r.OfKind(Anomaly::CODE_UNREADABLE).size(), 1u);
  EXPECT_EQ(r.OfKind(Anomaly::CODE_UNREADABLE)[0].anomaly.severity(), wire::INFO);
}

TEST(JudgeStations, ClockOffsetBeyondToleranceIsSkewUntilItIsBack) {
  RecordBuilder r;
  Observation off = Obs(Observation::CLOCK_OFFSET, 2);
  off.set_offset_us(95'000'000);
  r.Observe(off);
  r.Observe(off);  // still off: no second anomaly
  ASSERT_EQ(r.OfKind(Anomaly::CLOCK_SKEW).size(), 1u);
  EXPECT_EQ(r.OfKind(Anomaly::CLOCK_SKEW)[0].anomaly.severity(), wire::WARNING);
  Observation back = Obs(Observation::CLOCK_OFFSET, 2);
  back.set_offset_us(-2'000'000);
  r.Observe(back);
  EXPECT_FALSE(r.OfKind(Anomaly::CLOCK_SKEW)[0].open());
}

TEST(JudgeStations, StationClockGoingBackwardsIsSkew) {
  RecordBuilder r;
  r.ReadStudent(1, "08:35:00", "202100101");
  r.ReadStudent(1, "08:33:00", "202100102");
  ASSERT_EQ(r.OfKind(Anomaly::CLOCK_SKEW).size(), 1u) << r.Describe();
  EXPECT_EQ(r.OfKind(Anomaly::CLOCK_SKEW)[0].anomaly.seqs_size(), 2);
}

TEST(JudgeStations, ClockGoneBackIsResolvedOnceItPassesWhereItWentBackFrom) {
  RecordBuilder r;
  r.ReadStudent(1, "08:35:00", "202100101");
  r.ReadStudent(1, "08:33:00", "202100102");
  r.ReadStudent(1, "08:34:59", "202100103");  // not yet where it went back from
  ASSERT_EQ(r.OfKind(Anomaly::CLOCK_SKEW).size(), 1u) << r.Describe();
  EXPECT_TRUE(r.OfKind(Anomaly::CLOCK_SKEW)[0].open());
  const wire::Verdict v = r.ReadStudent(1, "08:35:01", "202100104");
  const auto skew = r.OfKind(Anomaly::CLOCK_SKEW);
  ASSERT_EQ(skew.size(), 1u) << r.Describe();
  ASSERT_FALSE(skew[0].open());
  EXPECT_EQ(skew[0].resolution->by(), "judge");
  ASSERT_EQ(v.resolved_size(), 1);
  EXPECT_EQ(v.resolved(0).station(), 1u);
}

TEST(JudgeStations, SecondJumpBackAfterTheClockCaughtUpIsRaisedAgain) {
  RecordBuilder r;
  r.ReadStudent(1, "08:35:00", "202100101");
  r.ReadStudent(1, "08:30:00", "202100102");  // back 5 min
  r.ReadStudent(1, "08:35:10", "202100103");  // caught up
  r.ReadStudent(1, "08:32:00", "202100104");  // back again
  const auto skew = r.OfKind(Anomaly::CLOCK_SKEW);
  ASSERT_EQ(skew.size(), 2u) << r.Describe();
  EXPECT_FALSE(skew[0].open());
  EXPECT_TRUE(skew[1].open());
}

TEST(JudgeStations, ClockGoingBackTwiceIsOneSkewUntilItPassesTheFirstJump) {
  RecordBuilder r;
  r.ReadStudent(1, "08:35:00", "202100101");
  r.ReadStudent(1, "08:30:00", "202100102");  // back 5 min
  r.ReadStudent(1, "08:34:00", "202100103");
  r.ReadStudent(1, "08:32:00", "202100104");  // back again: still the one open anomaly
  r.ReadStudent(1, "08:34:30", "202100105");  // past 08:34, not past 08:35
  auto skew = r.OfKind(Anomaly::CLOCK_SKEW);
  ASSERT_EQ(skew.size(), 1u) << r.Describe();
  EXPECT_TRUE(skew[0].open());
  r.ReadStudent(1, "08:35:00", "202100201");
  EXPECT_FALSE(r.OfKind(Anomaly::CLOCK_SKEW)[0].open());
}

TEST(JudgeStations, SilentStationIsAWarningUntilItIsBack) {
  RecordBuilder r;
  r.Observe(Obs(Observation::STATION_SILENT, 3));
  ASSERT_EQ(r.OfKind(Anomaly::STATION_SILENT).size(), 1u);
  EXPECT_TRUE(r.OfKind(Anomaly::STATION_SILENT)[0].open());
  r.Observe(Obs(Observation::STATION_BACK, 3));
  EXPECT_FALSE(r.OfKind(Anomaly::STATION_SILENT)[0].open());
}

TEST(JudgeStations, NewJournalEpochIsStationReplacedAndBindingCarriesOn) {
  RecordBuilder r;
  r.ReadStudent(1, "08:30:00", "202100101");
  r.Observe(Obs(Observation::EPOCH_STARTED, 1));
  wire::CaptureEvent shot;
  shot.set_station(1);
  shot.set_seq(1);
  shot.set_kind(wire::SHOT_TAKEN);
  shot.set_station_time_us(At("08:30:04"));
  shot.mutable_shot()->set_file_name("IMG_0001.JPG");
  shot.mutable_shot()->set_shot_number(1);
  shot.mutable_shot()->set_sha256(std::string(32, 'x'));
  r.EventIn(0xabcdef, shot);
  ASSERT_EQ(r.OfKind(Anomaly::STATION_REPLACED).size(), 1u);
  EXPECT_EQ(r.OfKind(Anomaly::STATION_REPLACED)[0].anomaly.severity(), wire::INFO);
  EXPECT_EQ(r.Row("202100101").image_file, "IMG_0001.JPG");
}

TEST(JudgeRecord, ItemOutOfCommitOrderIsIgnored) {
  RecordBuilder r;
  r.ReadStudent(1, "08:30:00", "202100101");
  wire::RecordItem skipped;
  skipped.set_commit_index(5);
  skipped.set_event(r.items().back().event());
  const wire::Verdict v = r.judge().Apply(skipped);
  EXPECT_EQ(v.commit_index(), 5u);
  EXPECT_EQ(v.raised_size() + v.resolved_size() + v.bindings_size(), 0);
  EXPECT_EQ(r.judge().last_commit_index(), 1u);
}

}  // namespace
}  // namespace capture::judge::testing
