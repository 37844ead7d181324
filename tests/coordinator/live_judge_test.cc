// The judge live: real station agents and the real coordinator on 127.0.0.1, driven through the
// agents' real inputs, and capturectl against the running coordinator and its stopped store.
#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <thread>
#include <sstream>
#include <set>
#include <ctime>
#include <fstream>

#include <nlohmann/json.hpp>
#include <rocksdb/db.h>

#include "common/fs.h"
#include "common/image_store.h"
#include "common/sha256.h"
#include "common/time_format.h"
#include "coordinator/audit.h"
#include "coordinator/judge/export.h"
#include "coordinator/record_store.h"
#include "tests/coordinator/live_room.h"
#include "tests/support/assert_ok.h"
#include "tests/support/image_files.h"
#include "tests/support/raw_store.h"

namespace capture::coord {
namespace {

using namespace std::chrono_literals;
using testing::LiveRoom;
using ::capture::testing::AwaitImagesFiled;

constexpr auto kWait = 10s;

// "id=A3" → "A3"
std::string Word(const std::string& line, const std::string& key) {
  const size_t at = line.find(" " + key + "=");
  if (at == std::string::npos) return "";
  const size_t start = at + key.size() + 2;
  return line.substr(start, line.find(' ', start) - start);
}

// A shot taken now on the computer's clock, as a tethered camera delivers it: the image, with its
// EXIF capture time (local time, as cameras write it), lands just after the shutter.
Result<std::string> ShotTakenNow(LiveRoom& room, int station) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  const int64_t now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  return room.WriteShotTakenAt(station, now_us, static_cast<int>(local.tm_gmtoff / 60));
}

// One student photographed: code read, then the shot (with an EXIF capture time of now, or none);
// waits for both events.
void Photograph(LiveRoom& room, int station, int student, bool with_capture_time = false) {
  ASSERT_OK(room.Scan(station, room.student(station, student)));
  ASSERT_OK(room.AwaitLine(station, {"kind=CODE_READ", room.student(station, student).registry_no}, kWait).status());
  auto file = with_capture_time ? ShotTakenNow(room, station) : room.DropShot(station);
  ASSERT_OK(file.status());
  ASSERT_OK(room.AwaitLine(station, {"kind=SHOT_TAKEN", "file=" + *file}, kWait).status());
}

// A shot nobody scanned for: the agent's `event` line of the shot, then the `anomaly` line.
struct ShotWithoutCode {
  size_t event_line = 0;
  size_t anomaly_line = 0;
};
ShotWithoutCode ShootWithoutCode(LiveRoom& room, int station) {
  ShotWithoutCode out;
  auto file = room.DropShot(station);
  EXPECT_TRUE(file.ok());
  auto event = room.AwaitLine(station, {"kind=SHOT_TAKEN", "file=" + *file}, kWait);
  EXPECT_TRUE(event.ok()) << event.status().message();
  auto anomaly = room.AwaitLine(station, {"anomaly station=" + std::to_string(station), "severity=BLOCKER",
                                          "kind=SHOT_WITHOUT_CODE", "shots=" + *file},
                                kWait, *event);
  EXPECT_TRUE(anomaly.ok()) << anomaly.status().message();
  out.event_line = *event;
  out.anomaly_line = anomaly.ok() ? *anomaly : 0;
  return out;
}

std::vector<std::pair<uint64_t, std::string>> StoredVerdicts(const std::string& store_dir) {
  std::vector<std::pair<uint64_t, std::string>> out;
  auto store = RecordStore::Open(store_dir, /*read_only=*/true);
  EXPECT_TRUE(store.ok()) << store.status().message();
  if (!store.ok()) return out;
  Status s = (*store)->ForEachItemAndVerdict([&](const wire::RecordItem& item, std::string_view bytes) {
    out.emplace_back(item.commit_index(), bytes);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

std::vector<wire::Observation> StoredObservations(const std::string& store_dir) {
  std::vector<wire::Observation> out;
  auto store = RecordStore::Open(store_dir, /*read_only=*/true);
  EXPECT_TRUE(store.ok()) << store.status().message();
  if (!store.ok()) return out;
  Status s = (*store)->ForEachItem([&](const wire::RecordItem& item) {
    if (item.has_observation()) out.push_back(item.observation());
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

TEST(LiveJudge, AShotWithoutACodeReachesTheOperatorAsABlockerWithinOneSecond) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  Photograph(room, 1, 0);
  const ShotWithoutCode shot = ShootWithoutCode(room, 1);
  ASSERT_GT(shot.anomaly_line, shot.event_line);
  const auto delay = room.line(1, shot.anomaly_line).read_at - room.line(1, shot.event_line).read_at;
  const auto delay_us = std::chrono::duration_cast<std::chrono::microseconds>(delay).count();
  RecordProperty("anomaly_line_after_event_line_us", std::to_string(delay_us));
  EXPECT_LT(delay, 1s) << delay_us << " us";
  const std::string& line = room.line(1, shot.anomaly_line).text;
  EXPECT_EQ(line.rfind("anomaly station=1 id=A", 0), 0u) << line;
  EXPECT_NE(line.find(" message=\""), std::string::npos) << line;
  ASSERT_OK(room.StopCoordinator());
}

TEST(LiveJudge, ARegistrarsResolveReachesTheOperatorAndAnUnknownIdIsReported) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  Photograph(room, 1, 0);
  const ShotWithoutCode shot = ShootWithoutCode(room, 1);
  const std::string id = Word(room.line(1, shot.anomaly_line).text, "id");
  ASSERT_FALSE(id.empty());

  // Without the registrar token nothing is recorded: the anomaly stays open for the real resolve below.
  const std::string wrong_token = room.path("wrong.token");
  std::ofstream(wrong_token) << std::string(64, 'a') << "\n";
  auto refused = room.Capturectl({"resolve", id, "--reason", "forged", "--connect", room.control(), "--token-file",
                                  wrong_token});
  ASSERT_OK(refused.status());
  EXPECT_EQ(refused->exit_code, 2) << refused->out;
  EXPECT_NE(refused->err.find("the registrar token is wrong"), std::string::npos) << refused->err;

  const std::string token = room.store() + "/registrar.token";
  auto resolved = room.Capturectl({"resolve", id, "--reason", "checked the paper form", "--by", "registrar Li",
                                   "--connect", room.control(), "--token-file", token});
  ASSERT_OK(resolved.status());
  EXPECT_EQ(resolved->exit_code, 0) << resolved->out;
  auto line = room.AwaitLine(1, {"resolved station=1 id=" + id, "by=\"registrar Li\"",
                                 "reason=\"checked the paper form\""},
                             kWait, shot.anomaly_line);
  ASSERT_OK(line.status());

  auto unknown =
      room.Capturectl({"resolve", "A999", "--reason", "typo", "--connect", room.control(), "--token-file", token});
  ASSERT_OK(unknown.status());
  EXPECT_EQ(unknown->exit_code, 1) << unknown->out;
  EXPECT_NE(unknown->out.find("UNKNOWN_ANOMALY"), std::string::npos) << unknown->out;
  ASSERT_OK(room.StopCoordinator());

  auto again = room.Capturectl(
      {"resolve", id, "--reason", "x", "--connect", room.control(), "--token-file", token, "--timeout-ms", "300"});
  ASSERT_OK(again.status());
  EXPECT_EQ(again->exit_code, 2) << "no coordinator answers: an I/O error";
}

TEST(LiveJudge, ClosingTheDayNamesTheLastClassesMissingStudentsAndAPhotoAfterwardsResolvesIt) {
  LiveRoom room(3);
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  Photograph(room, 1, 0);
  Photograph(room, 1, 1);
  ASSERT_OK(room.WaitUntilStored(kWait));
  const std::string token = room.store() + "/registrar.token";

  const std::string wrong_token = room.path("wrong.token");
  std::ofstream(wrong_token) << std::string(64, 'a') << "\n";
  auto refused = room.Capturectl({"close-day", "--station", "1", "--connect", room.control(), "--token-file",
                                  wrong_token});
  ASSERT_OK(refused.status());
  EXPECT_EQ(refused->exit_code, 2) << refused->out;

  // The room's only class at station 1 is its last: before the close nobody is missing.
  auto closed = room.Capturectl({"close-day", "--station", "1", "--by", "registrar Li", "--connect", room.control(),
                                 "--token-file", token});
  ASSERT_OK(closed.status());
  EXPECT_EQ(closed->exit_code, 1) << closed->out;
  EXPECT_EQ(closed->out.rfind("closed commit_index=", 0), 0u) << closed->out;
  EXPECT_NE(closed->out.find("the day is closed at station 1"), std::string::npos) << closed->out;
  EXPECT_NE(closed->out.find("MISSING_STUDENT"), std::string::npos) << closed->out;
  auto open = room.Capturectl({"export", "anomalies", "--open", "--connect", room.control()});
  ASSERT_OK(open.status());
  EXPECT_NE(open->out.find(room.student(1, 2).registry_no), std::string::npos) << open->out;
  EXPECT_EQ(open->out.find(room.student(1, 0).registry_no), std::string::npos) << open->out;
  EXPECT_EQ(open->out.find("\"station\":2"), std::string::npos) << "station 2 is not closed: " << open->out;

  Photograph(room, 1, 2);
  ASSERT_OK(room.WaitUntilStored(kWait));
  auto after = room.Capturectl({"export", "anomalies", "--open", "--connect", room.control()});
  ASSERT_OK(after.status());
  EXPECT_EQ(after->out.find("MISSING_STUDENT"), std::string::npos) << after->out;
  auto again = room.Capturectl({"close-day", "--station", "1", "--connect", room.control(), "--token-file", token});
  ASSERT_OK(again.status());
  EXPECT_EQ(again->exit_code, 0) << again->out;
  ASSERT_OK(room.StopCoordinator());

  bool recorded = false;
  for (const wire::Observation& o : StoredObservations(room.store())) {
    recorded = recorded || (o.kind() == wire::Observation::DAY_CLOSED && o.station() == 1 && o.by() == "registrar Li");
  }
  EXPECT_TRUE(recorded) << "the close is a record item with who closed";
  auto verify = room.Capturectl({"verify", "--store", room.store(), "--verdicts-only"});
  ASSERT_OK(verify.status());
  EXPECT_EQ(verify->exit_code, 0) << verify->out;
}

// Station 1's student i has IMG_000(i+1).JPG, and only that, as the live assignment export says.
void ExpectEachStudentHasTheirOwnShot(LiveRoom& room, int students) {
  auto assignment = room.Capturectl({"export", "assignment", "--connect", room.control()});
  ASSERT_OK(assignment.status());
  for (int student = 0; student < students; ++student) {
    char file[16];
    std::snprintf(file, sizeof file, "IMG_%04d.JPG", student + 1);
    const size_t row = assignment->out.find("\n" + room.student(1, student).student_no + ",");
    ASSERT_NE(row, std::string::npos) << assignment->out;
    const std::string line = assignment->out.substr(row + 1, assignment->out.find('\n', row + 1) - row - 1);
    EXPECT_NE(line.find(",photographed,1,"), std::string::npos) << line;
    EXPECT_NE(line.find(file), std::string::npos) << "student " << student << " should have " << file << ": " << line;
  }
}

// The stopped coordinator's record follows station time: each shot right after its own code read,
// and no event earlier than the one before it.
void ExpectRecordFollowsStationTime(const std::string& store_dir, int students) {
  std::vector<std::string> kinds;
  std::vector<int64_t> times;
  auto store = RecordStore::Open(store_dir, /*read_only=*/true);
  ASSERT_OK(store.status());
  ASSERT_OK((*store)->ForEachItem([&](const wire::RecordItem& item) {
    wire::CaptureEvent event;
    if (item.has_event() && event.ParseFromString(item.event())) {
      kinds.push_back(wire::EventKind_Name(event.kind()));
      times.push_back(event.station_time_us());
    }
    return true;
  }));
  std::vector<std::string> expected;
  for (int student = 0; student < students; ++student) expected.insert(expected.end(), {"CODE_READ", "SHOT_TAKEN"});
  EXPECT_EQ(kinds, expected);
  EXPECT_TRUE(std::is_sorted(times.begin(), times.end())) << "a backlog must not look like a clock going back";
}

// A frozen laptop that comes back (SIGSTOP, SIGCONT) while the reader and the camera went on: in
// sim-time each line has the time of the `!time` before it and each image its EXIF time, so the
// agent journals the backlog in station-time order, and every student gets their own photo.
TEST(LiveJudge, InSimTimeAStoppedAndContinuedAgentJournalsItsBacklogInStationTimeOrder) {
  constexpr int kStudents = 6;
  LiveRoom room(kStudents);
  ASSERT_OK(room.StartCoordinator({"--sim-time"}));
  auto start = ParseIso8601(room.day() + "T09:00:00Z");
  ASSERT_OK(start.status());
  auto at = [&](int student, int seconds) { return *start + (student * 10 + seconds) * int64_t{1'000'000}; };
  ASSERT_OK(room.StartAgent(1, {"!time " + FormatIso8601UtcMicros(at(0, 0))}, /*sim_time=*/true));
  auto play = [&](int student) {
    ASSERT_OK(room.Input(1, "!time " + FormatIso8601UtcMicros(at(student, 0))));
    ASSERT_OK(room.Scan(1, room.student(1, student)));
    ASSERT_OK(room.Input(1, "!time " + FormatIso8601UtcMicros(at(student, 4))));
    ASSERT_OK(room.WriteShotTakenAt(1, at(student, 4)).status());
  };
  play(0);
  ASSERT_OK(room.AwaitLine(1, {"kind=SHOT_TAKEN", "file=IMG_0001.JPG"}, kWait).status());
  ASSERT_OK(room.SignalAgent(1, SIGSTOP));
  for (int student = 1; student < kStudents; ++student) play(student);
  ASSERT_OK(room.SignalAgent(1, SIGCONT));
  ASSERT_OK(room.AwaitLine(1, {"kind=SHOT_TAKEN", "file=IMG_0006.JPG"}, kWait).status());
  ASSERT_OK(room.WaitUntilStored(kWait));

  ExpectEachStudentHasTheirOwnShot(room, kStudents);
  auto blockers = room.Capturectl({"export", "anomalies", "--open", "--connect", room.control()});
  ASSERT_OK(blockers.status());
  EXPECT_EQ(blockers->out.find("BLOCKER"), std::string::npos) << blockers->out;
  ASSERT_OK(room.StopCoordinator());
  ExpectRecordFollowsStationTime(room.store(), kStudents);
}

// The same in real time: every line typed while the agent was stopped reaches it when it wakes up,
// so no time orders them with the shots taken meanwhile. The agent says so, and every such shot is
// a blocker naming exactly the students read meanwhile; nobody gets a photo no rule supports.
TEST(LiveJudge, InRealTimeEachShotTakenWhileTheAgentWasStoppedNamesEveryoneReadMeanwhileAndNoOneElse) {
  LiveRoom room(6);
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  auto photograph = [&](int student) { Photograph(room, 1, student, /*with_capture_time=*/true); };
  photograph(0);
  ASSERT_OK(room.WaitUntilStored(kWait));
  ASSERT_OK(room.SignalAgent(1, SIGSTOP));
  std::this_thread::sleep_for(1200ms);  // the EXIF second of the first shot is past the stop
  for (int student = 1; student <= 3; ++student) {
    ASSERT_OK(room.Scan(1, room.student(1, student)));
    std::this_thread::sleep_for(300ms);
    ASSERT_OK(ShotTakenNow(room, 1).status());
    std::this_thread::sleep_for(300ms);
  }
  ASSERT_OK(room.SignalAgent(1, SIGCONT));
  ASSERT_OK(room.AwaitLine(1, {"kind=SHOT_TAKEN", "file=IMG_0004.JPG"}, kWait).status());
  std::this_thread::sleep_for(1100ms);  // the next shot's EXIF second is past the wake-up
  photograph(4);
  ASSERT_OK(room.WaitUntilStored(kWait));

  auto anomalies = room.Capturectl({"export", "anomalies", "--connect", room.control()});
  ASSERT_OK(anomalies.status());
  std::set<std::string> stretch;
  for (int student = 1; student <= 3; ++student) stretch.insert(room.student(1, student).registry_no);
  int stalled = 0;
  std::istringstream lines(anomalies->out);
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json a = nlohmann::json::parse(line);
    std::set<std::string> named;
    for (const auto& s : a["students"]) named.insert(s["registry_no"].get<std::string>());
    if (a["kind"] == "STALL_UNORDERED") {
      ++stalled;
      EXPECT_EQ(a["severity"], "BLOCKER");
      EXPECT_EQ(named, stretch) << line;
    } else if (a["severity"] != "INFO") {
      for (const std::string& reg : named) EXPECT_EQ(stretch.count(reg), 1u) << "named outside the stretch: " << line;
    }
  }
  EXPECT_EQ(stalled, 3) << "one for each shot taken while stopped\n" << anomalies->out;

  auto assignment = room.Capturectl({"export", "assignment", "--connect", room.control()});
  ASSERT_OK(assignment.status());
  for (int student = 1; student <= 3; ++student) {
    const size_t row = assignment->out.find("\n" + room.student(1, student).student_no + ",");
    ASSERT_NE(row, std::string::npos);
    EXPECT_NE(assignment->out.find(",missing,", row), std::string::npos);
    EXPECT_LT(assignment->out.find(",missing,", row), assignment->out.find('\n', row + 1)) << "none silent";
  }
  const size_t last = assignment->out.find("\n" + room.student(1, 4).student_no + ",");
  ASSERT_NE(last, std::string::npos);
  EXPECT_LT(assignment->out.find("IMG_0005.JPG", last), assignment->out.find('\n', last + 1)) << assignment->out;
  ASSERT_OK(room.StopCoordinator());
}

// A loop held up while the reader and the camera go on (a long fsync on a slow disk; the agent's
// test hook holds it still): the reader stamps each line as it comes, each image has its EXIF time
// (or, without one, the moment the camera wrote the file), so the backlog goes in as it happened and
// every student keeps their own photo, with no blocker and no warning.
TEST(LiveJudge, InRealTimeALoopHeldUpBehindASlowDiskJournalsItsBacklogAsItHappened) {
  constexpr int kStudents = 5;
  LiveRoom room(kStudents);
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1, {}, /*sim_time=*/false, {"--test-hold-ms", "9000"}));
  auto photograph = [&](int student) { Photograph(room, 1, student, /*with_capture_time=*/true); };
  photograph(0);
  ASSERT_OK(room.WaitUntilStored(kWait));
  room.Drain(1, 100ms);
  const size_t before_hold = room.line_count(1);
  ASSERT_OK(room.SignalAgent(1, SIGUSR1));
  std::this_thread::sleep_for(300ms);
  // More than the EXIF second apart: a whole-second capture time, aligned, is within a second.
  for (int student = 1; student <= 3; ++student) {
    ASSERT_OK(room.Scan(1, room.student(1, student)));
    std::this_thread::sleep_for(1100ms);
    // The second student's camera writes no EXIF: the file's own time places it.
    ASSERT_OK((student == 2 ? room.DropShot(1) : ShotTakenNow(room, 1)).status());
    std::this_thread::sleep_for(1100ms);
  }
  room.Drain(1, 50ms);
  for (size_t i = before_hold; i < room.line_count(1); ++i) {
    EXPECT_EQ(room.line(1, i).text.find("kind=CODE_READ"), std::string::npos) << "journaled while held up";
  }
  ASSERT_OK(room.AwaitLine(1, {"kind=SHOT_TAKEN", "file=IMG_0004.JPG"}, kWait + 9s).status());
  std::this_thread::sleep_for(1100ms);
  photograph(4);
  ASSERT_OK(room.WaitUntilStored(kWait));

  ExpectEachStudentHasTheirOwnShot(room, kStudents);
  auto open = room.Capturectl({"export", "anomalies", "--open", "--connect", room.control()});
  ASSERT_OK(open.status());
  EXPECT_EQ(open->out.find("BLOCKER"), std::string::npos) << open->out;
  EXPECT_EQ(open->out.find("WARNING"), std::string::npos) << open->out;
  ASSERT_OK(room.StopCoordinator());
  ExpectRecordFollowsStationTime(room.store(), kStudents);
}

// Changes one byte of the message of the first stored verdict that raised an anomaly, as someone
// editing the store's files would: the item stays, its verdict (StoredItem.verdict) changes.
void AlterAStoredVerdict(const std::string& store_dir) {
  ::capture::testing::RawStore raw(store_dir);
  rocksdb::ColumnFamilyHandle* record = raw.family("record");
  ASSERT_NE(record, nullptr);
  std::unique_ptr<rocksdb::Iterator> it(raw.db()->NewIterator(rocksdb::ReadOptions(), record));
  bool altered = false;
  for (it->SeekToFirst(); it->Valid() && !altered; it->Next()) {
    wire::StoredItem stored;
    wire::Verdict verdict;
    ASSERT_TRUE(stored.ParseFromString(it->value().ToString()));
    ASSERT_TRUE(verdict.ParseFromString(stored.verdict()));
    if (verdict.raised().empty()) continue;
    verdict.mutable_raised(0)->mutable_message()->front() ^= 1;
    stored.set_verdict(verdict.SerializeAsString());
    raw.Put("record", it->key().ToString(), stored.SerializeAsString());
    altered = true;
  }
  EXPECT_TRUE(altered);
}

TEST(LiveJudge, VerifyPassesOnTheStoppedStoreAndFailsOnceAStoredVerdictIsAltered) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  Photograph(room, 1, 0);
  ShootWithoutCode(room, 1);
  Photograph(room, 1, 1);
  ASSERT_OK(room.WaitUntilStored(kWait));
  ASSERT_OK(AwaitImagesFiled({room.journal_dir(1)}, room.store(), kWait));
  ASSERT_OK(room.StopCoordinator());

  auto clean = room.Capturectl({"verify", "--store", room.store()});
  ASSERT_OK(clean.status());
  EXPECT_EQ(clean->exit_code, 0) << clean->out;
  EXPECT_EQ(clean->out.rfind("verified items=", 0), 0u) << clean->out;
  EXPECT_NE(clean->out.find("\nverified images=3:"), std::string::npos) << clean->out;

  AlterAStoredVerdict(room.store());
  auto altered = room.Capturectl({"verify", "--store", room.store()});
  ASSERT_OK(altered.status());
  EXPECT_EQ(altered->exit_code, 1) << altered->out;
  EXPECT_EQ(altered->out.rfind("differs commit_index=", 0), 0u) << altered->out;
  EXPECT_NE(altered->out.find("message"), std::string::npos) << altered->out;

  auto missing = room.Capturectl({"verify", "--store", room.path("no-such-store")});
  ASSERT_OK(missing.status());
  EXPECT_EQ(missing->exit_code, 2);
}

// The auditor's proof covers the photos too: an image the record names that is gone from the
// coordinator's image store, or whose bytes changed, is a finding.
TEST(LiveJudge, VerifyNamesEveryImageMissingFromTheStoreOrAltered) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  for (int student = 0; student < 3; ++student) Photograph(room, 1, student);
  ASSERT_OK(room.WaitUntilStored(kWait));
  ASSERT_OK(AwaitImagesFiled({room.journal_dir(1)}, room.store(), kWait));
  ASSERT_OK(room.StopCoordinator());

  auto image_of = [&](const std::string& file) {
    return ImageStore(room.store()).PathFor(ComputeSha256(*ReadFile(room.camera_dir(1) + "/" + file)));
  };
  ASSERT_TRUE(std::filesystem::remove(image_of("IMG_0001.JPG")));
  const std::string altered_path = image_of("IMG_0003.JPG");
  std::string altered = *ReadFile(altered_path);
  altered[altered.size() / 2] ^= 1;
  ASSERT_OK(WriteFileDurably(altered_path, altered));

  auto verify = room.Capturectl({"verify", "--store", room.store()});
  ASSERT_OK(verify.status());
  EXPECT_EQ(verify->exit_code, 1) << verify->out;
  EXPECT_NE(verify->out.find("\nmissing image station=1 seq=2 file=IMG_0001.JPG sha256="), std::string::npos)
      << verify->out;
  EXPECT_NE(verify->out.find("\naltered image station=1 seq=6 file=IMG_0003.JPG sha256="), std::string::npos)
      << verify->out;
  auto verdicts_only = room.Capturectl({"verify", "--store", room.store(), "--verdicts-only"});
  ASSERT_OK(verdicts_only.status());
  EXPECT_EQ(verdicts_only->exit_code, 0) << verdicts_only->out;
}

// A station laptop that restarts must still show the blocker that is open at its station: the
// coordinator sends the station's open anomalies after each hello, and each prints once.
TEST(LiveJudge, ARestartedAgentShowsItsStationsOpenAnomalyAgainAndOnlyOnce) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  const ShotWithoutCode blocker = ShootWithoutCode(room, 1);
  const std::string id = Word(room.line(1, blocker.anomaly_line).text, "id");
  ASSERT_FALSE(id.empty());

  ASSERT_OK(room.StopAgent(1));
  const size_t restarted_at = room.line_count(1);
  ASSERT_OK(room.StartAgent(1));
  ASSERT_OK(room.AwaitLine(1, {"anomaly station=1", "id=" + id, "severity=BLOCKER"}, kWait, restarted_at).status());

  // Another hello (the coordinator restarts) brings the same open anomaly, which is not printed again.
  ASSERT_OK(room.StopCoordinator());
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.WaitForCounter("verdicts_sent{station=\"1\"}", 1, kWait));
  // Verdicts reach the agent in order: once a new blocker is shown, the anomaly sent again after the
  // hello has been handled before it.
  ShootWithoutCode(room, 1);
  size_t shown = 0;
  for (size_t i = restarted_at; i < room.line_count(1); ++i) {
    shown += room.line(1, i).text.find(" id=" + id + " ") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(shown, 1u);
}

TEST(LiveJudge, ExportFromTheStoppedStoreEqualsExportFromTheRunningCoordinator) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  ASSERT_OK(room.StartAgent(2));
  Photograph(room, 1, 0);
  ShootWithoutCode(room, 1);
  Photograph(room, 2, 0);
  Photograph(room, 2, 0);  // the same student again, without a retake mark
  ASSERT_OK(room.AwaitLine(2, {"anomaly station=2", "kind=DUPLICATE_STUDENT"}, kWait).status());
  ASSERT_OK(room.WaitUntilStored(kWait));

  const std::vector<std::vector<std::string>> exports = {
      {"anomalies"}, {"anomalies", "--open", "--station", "2"}, {"assignment"}, {"unassigned"}};
  std::vector<std::string> live;
  for (size_t i = 0; i < exports.size(); ++i) {
    std::vector<std::string> args = {"export"};
    args.insert(args.end(), exports[i].begin(), exports[i].end());
    const std::string out = room.path("live-" + std::to_string(i));
    args.insert(args.end(), {"--connect", room.control(), "--out", out});
    auto run = room.Capturectl(args);
    ASSERT_OK(run.status());
    ASSERT_EQ(run->exit_code, 0) << run->out;
    live.push_back(*ReadFile(out));
  }
  ASSERT_OK(room.StopCoordinator());
  EXPECT_NE(live[0].find("\"kind\":\"SHOT_WITHOUT_CODE\""), std::string::npos) << live[0];
  EXPECT_NE(live[1].find("\"kind\":\"DUPLICATE_STUDENT\""), std::string::npos) << live[1];
  EXPECT_EQ(live[1].find("\"station\":1"), std::string::npos) << live[1];
  EXPECT_EQ(live[2].rfind(std::string(judge::kAssignmentHeader) + "\n", 0), 0u);
  // Station 1's shot without a code, and station 2's second photo of the same student, held back.
  EXPECT_EQ(live[3].rfind("station,seq,shot,image_file,image_sha256,reason\n1,", 0), 0u) << live[3];
  EXPECT_NE(live[3].find(",IMG_0002.JPG,"), std::string::npos) << live[3];
  EXPECT_NE(live[3].find(",no_code\n2,"), std::string::npos) << live[3];
  EXPECT_EQ(live[3].substr(live[3].size() - 11), ",held_back\n") << live[3];
  EXPECT_EQ(std::count(live[3].begin(), live[3].end(), '\n'), 3) << live[3];

  for (size_t i = 0; i < exports.size(); ++i) {
    std::vector<std::string> args = {"export"};
    args.insert(args.end(), exports[i].begin(), exports[i].end());
    const std::string out = room.path("stored-" + std::to_string(i));
    args.insert(args.end(), {"--store", room.store(), "--out", out});
    auto run = room.Capturectl(args);
    ASSERT_OK(run.status());
    ASSERT_EQ(run->exit_code, 0) << run->out;
    EXPECT_EQ(*ReadFile(out), live[i]) << "export " << exports[i][0] << " #" << i;
  }
  auto to_stdout = room.Capturectl({"export", "anomalies", "--store", room.store()});
  ASSERT_OK(to_stdout.status());
  EXPECT_EQ(to_stdout->out + "\n", live[0]);
}

TEST(LiveJudge, AfterAKillMidStreamTheRestartedCoordinatorsVerdictsEqualAnOfflineRejudge) {
  LiveRoom room(12);
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  ASSERT_OK(room.StartAgent(2));
  Photograph(room, 1, 0);
  Photograph(room, 2, 0);
  // A stream the coordinator is busy with when it dies: codes and shots, some without a code,
  // written without waiting for the agents.
  for (int i = 1; i < 8; ++i) {
    for (int station : {1, 2}) {
      if (i % 3 != 0) ASSERT_OK(room.Scan(station, room.student(station, i)));
      ASSERT_OK(room.DropShot(station).status());
    }
  }
  ASSERT_OK(room.AwaitLine(1, {"kind=SHOT_TAKEN", "file=IMG_0003.JPG"}, kWait).status());
  ASSERT_OK(room.KillCoordinator());
  ASSERT_OK(room.StartCoordinator());
  for (int i = 8; i < 12; ++i) Photograph(room, 1, i);
  // The stream may have left a code read unconsumed at station 2 (its lines and files race):
  // a photograph consumes the freshest read, so the shot after it has none.
  Photograph(room, 2, 8);
  const ShotWithoutCode shot = ShootWithoutCode(room, 2);  // judged by the restarted coordinator
  EXPECT_GT(shot.anomaly_line, shot.event_line);
  ASSERT_OK(room.WaitUntilStored(kWait));
  ASSERT_OK(AwaitImagesFiled({room.journal_dir(1), room.journal_dir(2)}, room.store(), kWait));
  ASSERT_OK(room.StopCoordinator());

  auto verify = room.Capturectl({"verify", "--store", room.store()});
  ASSERT_OK(verify.status());
  EXPECT_EQ(verify->exit_code, 0) << verify->out;

  // The stored verdict stream, item by item, against a fresh judge fed the stored record.
  auto store = RecordStore::Open(room.store(), /*read_only=*/true);
  ASSERT_OK(store.status());
  auto inputs = (*store)->ReadJudgeInputs();
  ASSERT_OK(inputs.status());
  auto judge = MakeJudge(*inputs);
  ASSERT_OK(judge.status());
  std::vector<std::pair<uint64_t, std::string>> rejudged;
  ASSERT_OK(Replay(**store, **judge, [&](const wire::RecordItem& item, const wire::Verdict& verdict) {
    rejudged.emplace_back(item.commit_index(), verdict.SerializeAsString());
  }));
  const auto stored = StoredVerdicts(room.store());
  EXPECT_EQ(stored.size(), (*store)->commit_index());
  EXPECT_TRUE(stored == rejudged);
  size_t raised = 0;
  for (const auto& [index, bytes] : stored) {
    wire::Verdict v;
    ASSERT_TRUE(v.ParseFromString(bytes));
    raised += v.raised_size();
  }
  EXPECT_GE(raised, 3u) << "the stream raised anomalies on both sides of the kill";
}

TEST(LiveJudge, RecordsAClockOffsetForAStationTenMinutesOffTheOthers) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator({"--sim-time"}));
  const std::string on_time = "!time " + room.day() + "T10:00:00Z";
  const std::string late = "!time " + room.day() + "T10:10:00Z";
  ASSERT_OK(room.StartAgent(1, {on_time}, /*sim_time=*/true));
  ASSERT_OK(room.StartAgent(2, {on_time}, /*sim_time=*/true));
  ASSERT_OK(room.StartAgent(3, {late}, /*sim_time=*/true));
  // In sim-time the events tell the clocks, in record order: the heartbeats alone raise nothing.
  ASSERT_OK(room.WaitForCounter("heartbeats{station=\"3\"}", 8, kWait));
  // The three stations take turns, as a room playing together does.
  for (int student = 0; student < 3; ++student) {
    for (int station : {1, 2, 3}) {
      Photograph(room, station, student);
      ASSERT_OK(room.WaitUntilStored(kWait));
    }
  }
  auto skew = room.AwaitLine(3, {"anomaly station=3", "severity=WARNING", "kind=CLOCK_SKEW"}, kWait);
  ASSERT_OK(skew.status());
  ASSERT_OK(room.StopCoordinator());

  std::vector<wire::Observation> offsets;
  for (const auto& o : StoredObservations(room.store())) {
    if (o.kind() == wire::Observation::CLOCK_OFFSET) offsets.push_back(o);
  }
  ASSERT_EQ(offsets.size(), 1u);
  EXPECT_EQ(offsets[0].station(), 3u);
  EXPECT_EQ(offsets[0].offset_us(), 600'000'000);
}

TEST(LiveJudge, RecordsAStationSilentWhenItsAgentDiesAndBackWhenItReturns) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator({"--silent-after-seconds", "1"}));
  ASSERT_OK(room.StartAgent(1));
  ASSERT_OK(room.WaitForCounter("heartbeats{station=\"1\"}", 1, kWait));
  ASSERT_OK(room.SignalAgent(1, SIGKILL));  // a laptop that crashed says no goodbye
  ASSERT_OK(room.WaitForAgentExit(1, kWait).status());
  ASSERT_OK(room.WaitForCounter("observations{kind=\"STATION_SILENT\"}", 1, kWait));
  ASSERT_OK(room.StartAgent(1));
  auto back = room.AwaitLine(1, {"resolved station=1", "by=judge"}, kWait, room.line_count(1));
  ASSERT_OK(back.status());
  ASSERT_OK(room.StopCoordinator());

  std::vector<wire::Observation::Kind> kinds;
  for (const auto& o : StoredObservations(room.store())) {
    EXPECT_EQ(o.station(), 1u);
    kinds.push_back(o.kind());
  }
  EXPECT_EQ(kinds, (std::vector<wire::Observation::Kind>{wire::Observation::STATION_SILENT,
                                                          wire::Observation::STATION_BACK}));
}

// The end of a normal day: agents stopped with SIGTERM (Ctrl-C) say goodbye, and their silence
// afterwards is no STATION_SILENT warning, also across a restart of the coordinator.
TEST(LiveJudge, AnAgentThatStopsCleanlySaysGoodbyeAndItsSilenceIsNoWarning) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator({"--silent-after-seconds", "1"}));
  for (int station : {1, 2}) ASSERT_OK(room.StartAgent(station));
  ASSERT_OK(room.WaitForCounter("heartbeats{station=\"2\"}", 1, kWait));
  for (int station : {1, 2}) ASSERT_OK(room.StopAgent(station));
  ASSERT_OK(room.WaitForCounter("observations{kind=\"STATION_STOPPED\"}", 2, kWait));
  std::this_thread::sleep_for(2500ms);  // past --silent-after-seconds: silence would be recorded by now
  ASSERT_OK(room.StopCoordinator());
  ASSERT_OK(room.StartCoordinator({"--silent-after-seconds", "1"}));
  std::this_thread::sleep_for(2500ms);  // the restarted coordinator knows from the record they stopped
  ASSERT_OK(room.StopCoordinator());

  std::vector<std::pair<uint32_t, wire::Observation::Kind>> seen;
  for (const auto& o : StoredObservations(room.store())) seen.emplace_back(o.station(), o.kind());
  EXPECT_EQ(seen.size(), 2u);
  for (const auto& [station, kind] : seen) EXPECT_EQ(kind, wire::Observation::STATION_STOPPED) << station;
  const auto open = room.Capturectl({"anomalies", "--open", "--store", room.store()});
  ASSERT_OK(open.status());
  EXPECT_EQ(open->exit_code, 0) << open->out;
}

TEST(LiveJudge, ALaterStartRefusesJudgeInputsThatDifferFromTheStoredOnes) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StopCoordinator());
  Status refused = room.StartCoordinator({"--stale-code-seconds", "120"});
  EXPECT_FALSE(refused.ok());
  const auto log = ReadFile(room.path("coordinator.log"));
  ASSERT_OK(log.status());
  EXPECT_NE(log->find("--stale-code-seconds 120 differs from the record's 90"), std::string::npos) << *log;
}

}  // namespace
}  // namespace capture::coord
