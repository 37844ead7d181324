// The scorer on a hand-made tiny day: two stations, a handful of faults, anomalies and photos.
#include <gtest/gtest.h>

#include "tools/capture-sim/json.h"
#include "tools/capture-sim/score.h"
#include "tools/capture-sim/truth.h"

namespace capture::sim {
namespace {

// Faults: a shot without code at station 1 (students R1, R2; shot IMG_0002), a missing student at
// station 2 (R5), and a silent station 2 (names nobody).
constexpr const char* kTruth =
    R"({"kind":"SHOT_WITHOUT_CODE","station":1,"students":["R1","R2"],"shots":["IMG_0002.JPG"],"note":"R2 forgot"})"
    "\n"
    R"({"kind":"MISSING_STUDENT","station":2,"students":["R5"],"shots":[],"note":"never came"})"
    "\n"
    R"({"kind":"STATION_SILENT","station":2,"students":[],"shots":[],"note":"no heartbeats"})"
    "\n";

constexpr const char* kPhotos =
    "station,file_name,sha256,true_registry_no\n"
    "1,IMG_0001.JPG,aa,R1\n"
    "1,IMG_0002.JPG,bb,R2\n"
    "1,IMG_0003.JPG,cc,R3\n"
    "2,IMG_0001.JPG,dd,R4\n"
    "2,IMG_0009.JPG,ee,\n";

std::string Anomaly(const std::string& id, const std::string& kind, const std::string& severity, int station,
                    const std::string& shots, const std::string& students, bool open) {
  return R"({"id":")" + id + R"(","kind":")" + kind + R"(","severity":")" + severity +
         R"(","station":)" + std::to_string(station) + R"(,"seqs":[1],"shots":)" + shots + R"(,"students":)" +
         students + R"(,"message":"…","open":)" + (open ? "true" : "false") + "}\n";
}

std::string Student(const std::string& registry_no) {
  return R"([{"student_no":"S)" + registry_no + R"(","registry_no":")" + registry_no + R"(","masked_name":"张*明"}])";
}

struct Day {
  std::vector<InjectedFault> faults;
  std::vector<PhotoTruth> photos;
  std::vector<ExportedAnomaly> anomalies;
  std::vector<AssignedPhoto> assignment;
};

Day Parse(const std::string& anomalies, const std::string& assignment) {
  Day d;
  auto faults = ParseTruthJsonl(kTruth, "truth");
  auto photos = ParsePhotosCsv(kPhotos, "photos");
  auto a = ParseAnomaliesJsonl(anomalies, "anomalies");
  auto s = ParseAssignmentCsv(assignment, "assignment");
  EXPECT_TRUE(faults.ok() && photos.ok() && a.ok() && s.ok());
  if (faults.ok()) d.faults = *faults;
  if (photos.ok()) d.photos = *photos;
  if (a.ok()) d.anomalies = *a;
  if (s.ok()) d.assignment = *s;
  return d;
}

constexpr const char* kHeader =
    "student_no,registry_no,class,status,station,shot,image_file,image_sha256,open_anomalies\n";

TEST(Score, CountsRecallPerKindByStationAndSharedStudentOrShot) {
  const std::string anomalies =
      // Matches the shot-without-code fault by its shot.
      Anomaly("A1", "SHOT_WITHOUT_CODE", "BLOCKER", 1, R"(["IMG_0002.JPG"])", "[]", true) +
      // Names R5, but at station 1: no match, and the missing student stays undetected.
      Anomaly("A2", "MISSING_STUDENT", "WARNING", 1, "[]", Student("R5"), true) +
      // The silent station, matched by kind and station.
      Anomaly("A3", "STATION_SILENT", "WARNING", 2, "[]", "[]", false);
  const Day d = Parse(anomalies, kHeader);
  const Score score = ScoreDay(d.faults, d.photos, d.anomalies, d.assignment);

  ASSERT_NE(score.Kind("SHOT_WITHOUT_CODE"), nullptr);
  EXPECT_EQ(score.Kind("SHOT_WITHOUT_CODE")->faults, 1);
  EXPECT_EQ(score.Kind("SHOT_WITHOUT_CODE")->detected, 1);
  EXPECT_EQ(score.Kind("SHOT_WITHOUT_CODE")->severity, "BLOCKER");
  EXPECT_EQ(score.Kind("MISSING_STUDENT")->detected, 0);
  EXPECT_EQ(score.Kind("MISSING_STUDENT")->anomalies, 1);
  EXPECT_EQ(score.Kind("MISSING_STUDENT")->explained, 0);
  EXPECT_EQ(score.Kind("STATION_SILENT")->detected, 1);
  ASSERT_EQ(score.missed.size(), 1u);
  EXPECT_EQ(score.missed[0].kind, "MISSING_STUDENT");
}

TEST(Score, AnAnomalyOfAnotherKindExplainsButDoesNotDetect) {
  // A consequence: a MISSING_STUDENT naming R2 at station 1 is explained by the shot-without-code
  // fault, but it does not count as detecting that fault.
  const std::string anomalies = Anomaly("A1", "MISSING_STUDENT", "WARNING", 1, "[]", Student("R2"), true) +
                                Anomaly("A2", "SHOT_NUMBER_GAP", "INFO", 1, R"(["IMG_0003.JPG"])", "[]", true);
  const Day d = Parse(anomalies, kHeader);
  const Score score = ScoreDay(d.faults, d.photos, d.anomalies, d.assignment);
  EXPECT_EQ(score.Kind("SHOT_WITHOUT_CODE")->detected, 0);
  EXPECT_EQ(score.Kind("MISSING_STUDENT")->explained, 1);
  EXPECT_EQ(score.explained, 1);
  EXPECT_EQ(score.graded(), 1) << "INFO anomalies are not graded";
  EXPECT_DOUBLE_EQ(score.precision(), 1.0);
}

TEST(Score, PrecisionCountsOpenUnexplainedWarningsAndSetsAsideResolvedOnes) {
  const std::string anomalies =
      Anomaly("A1", "SHOT_WITHOUT_CODE", "BLOCKER", 1, R"(["IMG_0002.JPG"])", "[]", true) +
      // A test shot the operator voided: raised, matches no fault, resolved on the day.
      Anomaly("A2", "SHOT_WITHOUT_CODE", "BLOCKER", 2, R"(["IMG_0009.JPG"])", "[]", false) +
      // A false alarm still open at the end.
      Anomaly("A3", "OUT_OF_ORDER", "WARNING", 1, R"(["IMG_0003.JPG"])", Student("R3"), true);
  const Day d = Parse(anomalies, kHeader);
  const Score score = ScoreDay(d.faults, d.photos, d.anomalies, d.assignment);
  EXPECT_EQ(score.explained, 1);
  EXPECT_EQ(score.corrected, 1);
  ASSERT_EQ(score.unexplained.size(), 1u);
  EXPECT_EQ(score.unexplained[0].id, "A3");
  EXPECT_DOUBLE_EQ(score.precision(), 0.5);
  const std::string table = FormatScoreTable(score);
  EXPECT_NE(table.find("precision (WARNING and BLOCKER): 1/2 = 50.0%"), std::string::npos) << table;
  EXPECT_NE(table.find("unexplained: A3 OUT_OF_ORDER"), std::string::npos) << table;
}

TEST(Score, ASilentMisassignmentIsAWrongPhotoNoOpenAnomalyNames) {
  const std::string assignment = std::string(kHeader) +
                                 // Right photo.
                                 "S1,R1,C,photographed,1,1,IMG_0001.JPG,aa,\n"
                                 // R3's photo on R2, and an open anomaly names R2: not silent.
                                 "S2,R2,C,photographed,1,3,IMG_0003.JPG,cc,A1\n"
                                 // R4's photo on R3 and nothing names R3: silent.
                                 "S3,R3,C,photographed,2,1,IMG_0001.JPG,dd,\n"
                                 // An image the truth does not know (sha differs): silent.
                                 "S4,R4,C,photographed,2,1,IMG_0001.JPG,ff,\n"
                                 "S5,R5,C,missing,,,,,\n";
  const std::string anomalies = Anomaly("A1", "DUPLICATE_STUDENT", "BLOCKER", 1, "[]", Student("R2"), true) +
                                Anomaly("A2", "DUPLICATE_STUDENT", "BLOCKER", 2, "[]", Student("R3"), false);
  const Day d = Parse(anomalies, assignment);
  const Score score = ScoreDay(d.faults, d.photos, d.anomalies, d.assignment);
  ASSERT_EQ(score.silent.size(), 2u);
  EXPECT_EQ(score.silent[0].registry_no, "R3");
  EXPECT_EQ(score.silent[0].true_registry_no, "R4");
  EXPECT_EQ(score.silent[1].registry_no, "R4");
  EXPECT_EQ(score.silent[1].true_registry_no, "");
}

TEST(Score, JsonHasEveryKindAndNullForUndefinedRatios) {
  const Day d = Parse(Anomaly("A1", "STATION_SILENT", "WARNING", 2, "[]", "[]", true), kHeader);
  const std::string json = FormatScoreJson(ScoreDay(d.faults, d.photos, d.anomalies, d.assignment));
  auto parsed = ParseJson(json, "score");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message() << "\n" << json;
  const JsonValue* kinds = parsed->Get("kinds");
  ASSERT_NE(kinds, nullptr);
  ASSERT_EQ(kinds->items.size(), 3u);
  EXPECT_EQ(kinds->items[0].String("kind"), "MISSING_STUDENT");
  EXPECT_EQ(kinds->items[0].Get("precision")->type, JsonValue::Type::kNull);
  EXPECT_EQ(parsed->Get("precision")->Integer("explained"), 1);
}

TEST(Score, RejectsAnExportWithoutTheAssignmentHeader) {
  EXPECT_FALSE(ParseAssignmentCsv("student_no,registry_no\n1,2\n", "x").ok());
  EXPECT_FALSE(ParseAnomaliesJsonl("{\"id\":\"A1\"}\n", "x").ok()) << "an anomaly without a kind";
  EXPECT_FALSE(ParsePhotosCsv("station,file\n", "x").ok());
}

TEST(Json, DecodesEscapesAndSurrogatePairsAndRejectsTrailingText) {
  auto v = ParseJson(R"({"a":"x\"\\\/\n\u5f20\ud83d\ude00","b":[1,-2.5e3,true,null],"c":{}})", "t");
  ASSERT_TRUE(v.ok()) << v.status().message();
  EXPECT_EQ(v->String("a"), "x\"\\/\n张\xF0\x9F\x98\x80");
  ASSERT_EQ(v->Get("b")->items.size(), 4u);
  EXPECT_EQ(v->Get("b")->items[1].text, "-2500.0");
  EXPECT_FALSE(ParseJson(R"({"a":1} x)", "t").ok());
  EXPECT_FALSE(ParseJson(R"("\ud83d")", "t").ok());
  EXPECT_EQ(JsonQuote("a\"\n\x01"), "\"a\\\"\\n\\u0001\"");
}

TEST(Truth, FaultsRoundTripThroughTruthJsonl) {
  InjectedFault f;
  f.kind = "CODE_WITHOUT_SHOT";
  f.station = 3;
  f.students = {"1042", "1043"};
  f.shots = {"IMG_0001.JPG"};
  f.note = "left \"early\"";
  auto back = ParseTruthJsonl(TruthJsonl({f, f}), "truth");
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[1].kind, f.kind);
  EXPECT_EQ((*back)[1].station, 3);
  EXPECT_EQ((*back)[1].students, f.students);
  EXPECT_EQ((*back)[1].shots, f.shots);
  EXPECT_EQ((*back)[1].note, f.note);
}

}  // namespace
}  // namespace capture::sim
