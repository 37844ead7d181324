// The end of the day: a station's last class moves on when the day is closed or its last slot is
// over, so every student without a photo is named; and the shots that are nobody's photo.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "common/sha256.h"
#include "coordinator/judge/export.h"
#include "tests/judge/record_builder.h"

namespace capture::judge::testing {
namespace {

using wire::Anomaly;
using wire::Observation;

wire::Verdict Close(RecordBuilder& r, uint32_t station, Observation::Kind kind = Observation::DAY_CLOSED) {
  Observation o;
  o.set_kind(kind);
  o.set_station(station);
  if (kind == Observation::DAY_CLOSED) o.set_by("教务处 王老师");
  return r.Observe(o);
}

// The registry numbers an anomaly kind names, in raise order.
std::vector<std::string> Named(const RecordBuilder& r, Anomaly::Kind kind) {
  std::vector<std::string> out;
  for (const AnomalyState& a : r.OfKind(kind)) {
    for (const wire::StudentRef& s : a.anomaly.students()) out.push_back(s.registry_no());
  }
  return out;
}

// Station 1's classes A and B photographed in full, then its last class C but for C4 (absent) and C5.
void PlayStationOne(RecordBuilder& r) {
  uint32_t shot = 1;
  int second = 0;
  auto next_time = [&] {
    second += 10;
    char t[16];
    std::snprintf(t, sizeof t, "09:%02d:%02d", second / 60, second % 60);
    return std::string(t);
  };
  std::vector<std::string> students = {"202000199"};
  for (const char* klass : {"001", "002"}) {
    for (int i = 1; i <= 5; ++i) students.push_back(std::string("2021") + klass + "0" + std::to_string(i));
  }
  std::sort(students.begin(), students.end());
  for (const std::string& s : students) r.Photograph(1, next_time(), s, shot++);
  for (const char* s : {"202100301", "202100302", "202100303"}) r.Photograph(1, next_time(), s, shot++);
  r.Absent(1, next_time(), "202100304");
}

TEST(JudgeDayOver, ClosingTheDayNamesTheLastClassesStudentsWithNeitherPhotoNorAbsentMark) {
  RecordBuilder r;
  PlayStationOne(r);
  ASSERT_EQ(r.WarningsOrBlockers(), "") << "the last class has not moved on yet";

  const wire::Verdict closed = Close(r, 1);
  EXPECT_EQ(Named(r, Anomaly::MISSING_STUDENT), std::vector<std::string>{Reg("202100305")}) << r.Describe();
  ASSERT_EQ(closed.raised_size(), 1);
  EXPECT_EQ(closed.raised(0).station(), 1u);
  EXPECT_EQ(closed.raised(0).severity(), wire::WARNING);
  EXPECT_NE(closed.raised(0).message().find("历史学2101"), std::string::npos) << closed.raised(0).message();
  EXPECT_TRUE(Named(r, Anomaly::NO_VALID_PHOTO).empty());
  // Station 2 is not closed: none of its students is named (the list above is C5 alone).

  // A photo taken afterwards resolves it, and closing again names no one anew.
  r.Photograph(1, "10:10:00", "202100305", 99);
  EXPECT_FALSE(r.OfKind(Anomaly::MISSING_STUDENT)[0].open());
  EXPECT_EQ(Close(r, 1).raised_size(), 0);
}

TEST(JudgeDayOver, AStudentWhoseOnlyShotWasVoidedHasNoValidPhotoAtTheClose) {
  RecordBuilder r;
  PlayStationOne(r);
  r.Photograph(1, "10:00:00", "202100305", 50);
  r.Void(1, "10:00:10", "IMG_0050.JPG");
  Close(r, 1);
  EXPECT_EQ(Named(r, Anomaly::NO_VALID_PHOTO), std::vector<std::string>{Reg("202100305")}) << r.Describe();
  EXPECT_TRUE(Named(r, Anomaly::MISSING_STUDENT).empty());
}

TEST(JudgeDayOver, TheLastSlotBeingOverEndsTheDayLikeTheRegistrar) {
  RecordBuilder r;
  PlayStationOne(r);
  Close(r, 1, Observation::LAST_SLOT_OVER);
  EXPECT_EQ(Named(r, Anomaly::MISSING_STUDENT), std::vector<std::string>{Reg("202100305")}) << r.Describe();
}

TEST(JudgeDayOver, ClosingEveryStationNamesEveryStudentNotAccountedFor) {
  RecordBuilder r;
  PlayStationOne(r);
  Close(r, 0);
  // C5 at station 1, and all ten of station 2's classes, which never came.
  EXPECT_EQ(Named(r, Anomaly::MISSING_STUDENT).size(), 11u) << r.Describe();
  size_t at_two = 0;
  for (const AnomalyState& a : r.OfKind(Anomaly::MISSING_STUDENT)) at_two += a.anomaly.station() == 2;
  EXPECT_EQ(at_two, 10u);
}

TEST(JudgeDayOver, AStudentTheRegistrarResolvedAsMissingIsNotNamedAgainAtTheClose) {
  RecordBuilder r;
  r.Photograph(1, "08:30:00", "202000199", 1);
  r.Photograph(1, "08:30:10", "202100101", 2);
  // 202100102 … 202100105 skipped: class A moves on when class B starts.
  r.Photograph(1, "08:31:00", "202100201", 3);
  r.Photograph(1, "08:31:10", "202100202", 4);
  const auto missing = r.OfKind(Anomaly::MISSING_STUDENT);
  ASSERT_EQ(missing.size(), 4u) << r.Describe();
  Observation resolve;
  resolve.set_kind(Observation::REGISTRAR_RESOLVE);
  resolve.set_anomaly_id(missing[0].anomaly.id());
  resolve.set_detail("comes tomorrow");
  r.Observe(resolve);
  Close(r, 1);
  const std::vector<std::string> named = Named(r, Anomaly::MISSING_STUDENT);
  EXPECT_EQ(std::count(named.begin(), named.end(), missing[0].anomaly.students(0).registry_no()), 1);
}

TEST(JudgeDayOver, AClassWithSlotsAtTwoStationsMovesOnOnceBothDaysAreOver) {
  Schedule schedule = TestSchedule();
  schedule.classes.push_back({2, "文学院", "汉语言文学2101", 6, 9 * 60 + 30, 10 * 60 + 30});
  RecordBuilder r(schedule);
  r.Photograph(1, "08:30:00", "202100101", 1);
  Close(r, 1);
  for (const std::string& reg : Named(r, Anomaly::MISSING_STUDENT)) {
    EXPECT_NE(reg.substr(4, 7), "2021001") << "class A is still due at station 2: " << r.Describe();
  }
  Close(r, 2);
  size_t of_a = 0;
  for (const std::string& reg : Named(r, Anomaly::MISSING_STUDENT)) of_a += reg.substr(4, 7) == "2021001";
  EXPECT_EQ(of_a, 4u) << r.Describe();  // 202100102 … 202100105; 202000199 is of class A too
}

TEST(JudgeDayOver, UnassignedListsEveryShotThatIsNobodysPhotoWithWhy) {
  RecordBuilder r;
  r.Shot(1, "08:29:00", 1, "08:29:00");                  // before any code: no_code
  r.Photograph(1, "08:30:00", "202100101", 2);           // 202100101's photo
  r.Retake(1, "08:30:10", Reg("202100101"));
  r.Shot(1, "08:30:14", 3, "08:30:14");                  // replaces IMG_0002: superseded
  r.Photograph(1, "08:30:20", "202100102", 4);
  r.Void(1, "08:30:28", "IMG_0004.JPG");                 // voided
  r.Read(1, "08:30:30", "9999000011112222", "李*四");
  r.Shot(1, "08:30:34", 5, "08:30:34");                  // unknown_code
  r.Photograph(1, "08:30:40", "202100103", 6);
  r.Photograph(1, "08:30:50", "202100103", 7);           // a second photo, no retake: held_back
  const std::vector<UnassignedShot> u = r.judge().Unassigned();
  std::vector<std::string> got;
  for (const UnassignedShot& s : u) got.push_back(s.image_file + " " + s.reason);
  EXPECT_EQ(got, (std::vector<std::string>{"IMG_0001.JPG no_code", "IMG_0002.JPG superseded", "IMG_0004.JPG voided",
                                           "IMG_0005.JPG unknown_code", "IMG_0007.JPG held_back"}));
  const std::string csv = UnassignedCsv(r.judge());
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "station,seq,shot,image_file,image_sha256,reason");
  EXPECT_NE(csv.find("\n1," + std::to_string(u[0].seq) + ",1,IMG_0001.JPG," + ToHex(ComputeSha256("image 1")) +
                     ",no_code\n"),
            std::string::npos)
      << csv;
  for (size_t i = 1; i < u.size(); ++i) EXPECT_LT(u[i - 1].seq, u[i].seq);
}

}  // namespace
}  // namespace capture::judge::testing
