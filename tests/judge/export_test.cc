// The stable exports, what a station is told, and determinism of the whole.
#include <gtest/gtest.h>

#include <string>
#include <variant>

#include "common/frame.h"
#include "common/sha256.h"
#include "coordinator/judge/export.h"
#include "tests/judge/record_builder.h"

namespace capture::judge::testing {
namespace {

Roster TinyRoster() {
  Roster r;
  for (const char* no : {"202100102", "202100101", "202100103"}) {
    r.students.push_back({no, Reg(no), "文学院", "汉语言文学2101", "张某", Masked(no)});
  }
  return r;
}

TEST(JudgeExport, TinyDayExportsExactly) {
  RecordBuilder r(TestSchedule(), TinyRoster());
  r.Photograph(1, "08:30:00", "202100101", 1);
  r.Shot(1, "08:30:14", 2, "08:30:14");
  r.Absent(1, "08:30:20", "202100103");

  EXPECT_EQ(AnomaliesJsonLines(r.judge()),
            "{\"id\":\"A1\",\"kind\":\"SHOT_WITHOUT_CODE\",\"severity\":\"BLOCKER\",\"station\":1,\"seqs\":[1,3],"
            "\"shots\":[\"IMG_0002.JPG\"],\"students\":[{\"student_no\":\"202100101\",\"registry_no\":"
            "\"104220210010100\",\"masked_name\":\"张*1\"}],\"message\":\"Shot IMG_0002.JPG came with no new code "
            "read since the last shot (the station would file it under 张*1 (…0100)): void it (!void IMG_0002.JPG), "
            "read the code of the person in the chair and photograph them again.\",\"message_zh\":\"照片 IMG_0002.JPG "
            "到达时，自上一张照片以来没有读到新的码（机位会把它归到 张*1 (…0100) 名下）：请作废它（!void "
            "IMG_0002.JPG），读取椅子上那个人的码，再重新拍照。\",\"open\":true}\n");

  const std::string sha = ToHex(ComputeSha256("image 1"));
  EXPECT_EQ(AssignmentCsv(r.judge()),
            "student_no,registry_no,class,status,station,shot,image_file,image_sha256,open_anomalies\n"
            "202100101,104220210010100,汉语言文学2101,photographed,1,1,IMG_0001.JPG," + sha + ",A1\n"
            "202100102,104220210010200,汉语言文学2101,missing,,,,,\n"
            "202100103,104220210010300,汉语言文学2101,absent,,,,,\n");
}

TEST(JudgeExport, FiltersOpenAnomaliesAndStations) {
  RecordBuilder r;
  r.Shot(1, "08:29:00", 1, "08:29:00");
  r.Shot(2, "08:29:00", 1, "08:29:00");
  r.Void(1, "08:29:10", "IMG_0001.JPG");
  EXPECT_EQ(AnomaliesJsonLines(r.judge(), {/*open_only=*/true, /*station=*/0}).find("\"A1\""), std::string::npos);
  EXPECT_NE(AnomaliesJsonLines(r.judge(), {true, 0}).find("\"A2\""), std::string::npos);
  EXPECT_EQ(AnomaliesJsonLines(r.judge(), {false, 1}).find("\"A2\""), std::string::npos);
  EXPECT_NE(AnomaliesJsonLines(r.judge(), {false, 1}).find("\"open\":false"), std::string::npos);
}

TEST(JudgeExport, JsonEscapesQuotesBackslashesAndControlCharacters) {
  RecordBuilder r;
  r.Read(1, "08:30:00", "9999000011112222", std::string("李\"\\\x01\n"));
  const std::string json = AnomaliesJsonLines(r.judge());
  EXPECT_NE(json.find("\"masked_name\":\"李\\\"\\\\\\u0001\\u000a\""), std::string::npos) << json;
  EXPECT_EQ(json.find('\n'), json.size() - 1);  // one line per anomaly
}

TEST(JudgeExport, StationIsToldOnlyItsOwnAnomaliesWithoutStudentNumbers) {
  wire::Verdict v;
  v.set_commit_index(9);
  wire::Anomaly* mine = v.add_raised();
  mine->set_id("A1");
  mine->set_station(1);
  wire::StudentRef* s = mine->add_students();
  s->set_student_no("202100101");
  s->set_registry_no("104220210010100");
  s->set_masked_name("张*1");
  v.add_raised()->set_station(2);
  v.add_resolved()->set_station(1);
  v.add_resolved()->set_station(2);
  v.add_bindings()->set_station(1);

  const wire::Verdict out = ForStation(v, 1);
  EXPECT_EQ(out.commit_index(), 9u);
  ASSERT_EQ(out.raised_size(), 1);
  EXPECT_EQ(out.raised(0).id(), "A1");
  EXPECT_EQ(out.raised(0).students(0).student_no(), "");
  EXPECT_EQ(out.raised(0).students(0).registry_no(), "104220210010100");
  EXPECT_EQ(out.raised(0).students(0).masked_name(), "张*1");
  ASSERT_EQ(out.resolved_size(), 1);
  EXPECT_EQ(out.resolved(0).station(), 1u);
  EXPECT_EQ(out.bindings_size(), 0);
}

// A day with a bit of everything, for the determinism checks.
void BusyDay(RecordBuilder& r) {
  r.Photograph(1, "08:30:00", "202000199", 1);
  r.Photograph(1, "08:30:10", "202100102", 2);
  r.Photograph(1, "08:30:20", "202100101", 3);
  r.Shot(1, "08:30:34", 4, "08:30:34");
  r.Void(1, "08:30:40", "IMG_0004.JPG");
  r.ReadStudent(1, "08:30:50", "202100103");
  r.ReadStudent(1, "08:31:00", "202100104");
  r.Shot(1, "08:31:04", 5, "08:31:04");
  r.Photograph(2, "08:30:00", "202100401", 7);
  r.Photograph(2, "08:30:10", "202100401", 8);
  r.Retake(2, "08:30:20", Reg("202100401"));
  r.Shot(2, "08:30:24", 9, "08:30:24");
  r.Photograph(2, "08:30:30", "202100403", 2);
  r.Absent(2, "08:30:40", "202100402");
  r.Read(2, "08:30:50", "9999000011112222", "李*四");
  r.Unreadable(2, "08:31:00");
  r.Photograph(1, "08:32:00", "202100201", 6);
  r.Photograph(1, "08:32:10", "202100202", 7);
  r.Resolve(1, "08:32:20", "A1", "checked");
}

std::string Serialized(const std::vector<wire::Verdict>& verdicts) {
  std::string out;
  for (const wire::Verdict& v : verdicts) out += v.SerializeAsString() + "|";
  return out;
}

TEST(JudgeDeterminism, SameItemsInTwoJudgesGiveIdenticalVerdictsAndExports) {
  RecordBuilder first, second;
  BusyDay(first);
  BusyDay(second);
  ASSERT_FALSE(first.judge().anomalies().empty());
  EXPECT_EQ(Serialized(first.verdicts()), Serialized(second.verdicts()));
  EXPECT_EQ(AnomaliesJsonLines(first.judge()), AnomaliesJsonLines(second.judge()));
  EXPECT_EQ(AssignmentCsv(first.judge()), AssignmentCsv(second.judge()));
}

TEST(JudgeDeterminism, ReplayingTheRecordReproducesTheVerdictBytes) {
  RecordBuilder live;
  BusyDay(live);
  Judge replay(TestSchedule(), TestRoster(), DefaultJudgeConfig(LocalMidnightUs(), 8 * 60));
  std::vector<wire::Verdict> verdicts;
  for (const wire::RecordItem& item : live.items()) verdicts.push_back(replay.Apply(item));
  EXPECT_EQ(Serialized(verdicts), Serialized(live.verdicts()));
  EXPECT_EQ(AnomaliesJsonLines(replay), AnomaliesJsonLines(live.judge()));
}

// The BusyDay and then what it lacks: a void of an assigned photo and one of a held-back shot,
// a read with another masked name than the roster's, coordinator observations, and an event that
// does not parse.
void BusierDay(RecordBuilder& r) {
  BusyDay(r);
  r.Void(2, "08:31:10", "IMG_0009.JPG");
  r.Read(1, "08:33:00", Reg("202100203"), "别*名");
  r.Shot(1, "08:33:04", 8, "08:33:04");
  r.Photograph(1, "08:33:10", "202100203", 9);
  r.Void(1, "08:33:20", "IMG_0008.JPG");
  wire::Observation offset;
  offset.set_kind(wire::Observation::CLOCK_OFFSET);
  offset.set_station(2);
  offset.set_offset_us(95'000'000);
  r.Observe(offset);
  wire::Observation silent;
  silent.set_kind(wire::Observation::STATION_SILENT);
  silent.set_station(1);
  r.Observe(silent);
  wire::CaptureEvent broken;
  broken.set_station(1);
  broken.set_seq(999);
  broken.set_kind(wire::SHOT_TAKEN);  // with no file name: ParseEvent refuses it
  r.EventIn(0x1111222233334444ULL, broken);
}

TEST(JudgeDeterminism, GivenTheParsedEventGivesTheSameVerdictBytesAsParsingIt) {
  RecordBuilder live;
  BusierDay(live);
  ASSERT_GT(live.judge().anomalies().size(), 8u);
  Judge given(TestSchedule(), TestRoster(), DefaultJudgeConfig(LocalMidnightUs(), 8 * 60));
  std::vector<wire::Verdict> verdicts;
  for (const wire::RecordItem& item : live.items()) {
    if (!item.has_event()) {
      verdicts.push_back(given.Apply(item, nullptr));
      continue;
    }
    auto parsed = ParseEvent(item.event());
    const auto* event = std::get_if<wire::CaptureEvent>(&parsed);
    // The coordinator never stores an event that does not parse; this one says nothing either way.
    verdicts.push_back(event != nullptr ? given.Apply(item, event) : given.Apply(item));
  }
  EXPECT_EQ(Serialized(verdicts), Serialized(live.verdicts()));
  EXPECT_EQ(AnomaliesJsonLines(given), AnomaliesJsonLines(live.judge()));
  EXPECT_EQ(AssignmentCsv(given), AssignmentCsv(live.judge()));
}

TEST(JudgeDeterminism, AnEventParseEventRefusesSaysNothing) {
  RecordBuilder r;
  r.ReadStudent(1, "08:30:00", "202100101");
  wire::RecordItem garbage;
  garbage.set_commit_index(2);
  garbage.set_event("\xff\xff not an event");
  wire::CaptureEvent nameless;  // parses, but a shot needs a file name and a SHA-256
  nameless.set_station(1);
  nameless.set_seq(2);
  nameless.set_kind(wire::SHOT_TAKEN);
  nameless.set_station_time_us(At("08:30:04"));
  wire::RecordItem refused;
  refused.set_commit_index(3);
  refused.set_event(nameless.SerializeAsString());
  for (const wire::RecordItem* item : {&garbage, &refused}) {
    const wire::Verdict v = r.judge().Apply(*item);
    EXPECT_EQ(v.commit_index(), item->commit_index());
    EXPECT_EQ(v.raised_size() + v.resolved_size() + v.bindings_size(), 0);
  }
  EXPECT_EQ(r.judge().last_commit_index(), 3u);
  EXPECT_TRUE(r.judge().anomalies().empty()) << r.Describe();
}

}  // namespace
}  // namespace capture::judge::testing
