// capturectl export photos: first its pure parts (file names, the plan, the index), then the
// program against real simulated days. capture-sim plays a small day through the real
// station-agent and coordinator programs, whose agents ship their images to the coordinator's image
// store; capturectl exports from the stopped store or the running coordinator.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "common/collection_code.h"
#include "common/csv.h"
#include "common/fs.h"
#include "common/schedule.h"
#include "common/sha256.h"
#include "coordinator/judge/export.h"
#include "tests/support/image_files.h"
#include "tests/tools/one_station_room.h"
#include "tests/tools/test_support.h"
#include "tools/capture-sim/process.h"
#include "tools/capture-sim/sim_jpeg.h"
#include "tools/capturectl/photo_export.h"

namespace capture::ctl {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using sim::ChildProcess;
using sim::testing::OneStationRoom;
using sim::testing::Bin;
using sim::testing::Capturectl;
using sim::testing::FileText;
using sim::testing::ProgramRun;
using sim::testing::RunProgram;
using sim::testing::TempDir;

// The stable header, spelled out here so that a change to it fails a test.
constexpr const char* kIndexHeader =
    "registry_no,student_no,class,status,station,shot,image_file,image_sha256,open_anomalies,photo_file";

// ---- the pure parts ----

judge::AssignmentRow Row(std::string student_no, std::string registry_no, std::string status, char hash_digit) {
  judge::AssignmentRow row{std::move(student_no), std::move(registry_no), "物理学2101", std::move(status), 0, 0, "", "", {}};
  if (hash_digit != 0) {
    row.station = 2;
    row.shot_number = 412;
    row.image_file = "IMG_0412.JPG";
    row.image_sha256 = std::string(64, hash_digit);
  }
  return row;
}

TEST(PhotoFileName, RegistryNumbersOfDigitsAndLettersAreSafeFileNames) {
  for (const std::string& good : std::vector<std::string>{"1042120210000001", "A-1_b.2", std::string(128, '7')}) {
    EXPECT_TRUE(CheckPhotoFileName(good).ok()) << good;
  }
  EXPECT_EQ(PhotoFileName("1042120210000001"), "1042120210000001.jpg");
}

TEST(PhotoFileName, RefusesNamesThatCouldLeaveTheFolderHideOrBreakAFileSystem) {
  const std::vector<std::string> bad = {
      "", "../evil", "a/b", "a\\b", ".hidden", ".", "..", "-rf", "a b", "a\nb", std::string("a\0b", 3), "a\x7f",
      "a:b", "张三", std::string(129, '7')};
  for (const std::string& name : bad) {
    const Status s = CheckPhotoFileName(name);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << "\"" << name << "\"";
    EXPECT_NE(s.message().find("cannot name a photo file"), std::string::npos) << s.message();
  }
}

TEST(PhotoExportPlan, RefusesAnUnsafeNameOrABadHashOnlyWhereAPhotoIsAssigned) {
  auto plan = PlanPhotoExport({Row("1", "../absent", "absent", 0), Row("2", "1042", "photographed", 'a')}, false);
  ASSERT_TRUE(plan.ok()) << "an absent student's registry_no names no file: " << plan.status().message();
  ASSERT_EQ(plan->size(), 2u);
  EXPECT_FALSE((*plan)[0].image.has_value());
  ASSERT_TRUE((*plan)[1].image.has_value());
  EXPECT_EQ(ToHex(*(*plan)[1].image), std::string(64, 'a'));

  auto unsafe =
      PlanPhotoExport({Row("1", "1041", "photographed", 'a'), Row("2", "../evil", "photographed", 'b')}, false);
  ASSERT_FALSE(unsafe.ok());
  EXPECT_NE(unsafe.status().message().find("student 2: registry_no \"../evil\""), std::string::npos)
      << unsafe.status().message();

  judge::AssignmentRow bad_hash = Row("3", "1043", "photographed", 'c');
  bad_hash.image_sha256.pop_back();
  auto malformed = PlanPhotoExport({bad_hash}, false);
  ASSERT_FALSE(malformed.ok());
  EXPECT_NE(malformed.status().message().find("student 3: image_sha256"), std::string::npos)
      << malformed.status().message();
}

TEST(PhotoExportPlan, RefusesRegistryNumbersThatNameOneFileOnACaseInsensitiveFileSystem) {
  auto plan = PlanPhotoExport({Row("1", "ab12", "photographed", 'a'), Row("2", "AB12", "photographed", 'b')}, false);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("student 2: registry_no AB12 names the same file as student 1's"),
            std::string::npos)
      << plan.status().message();
}

TEST(PhotoIndex, StatusTellsWhatBecameOfEachPhotoAndPhotoFileNamesOnlyExportedOnes) {
  judge::AssignmentRow doubtful = Row("206", "1006", "photographed", 'd');
  doubtful.open_anomalies = {"A3", "A11"};
  judge::AssignmentRow missing = Row("205", "1005", "missing", 0);
  missing.open_anomalies = {"A7"};
  auto plan = PlanPhotoExport({Row("201", "1001", "photographed", 'a'), Row("202", "1002", "photographed", 'b'),
                               Row("203", "1003", "photographed", 'c'), Row("204", "1004", "absent", 0), missing,
                               doubtful},
                              false);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  std::vector<PhotoRow>& rows = *plan;
  EXPECT_EQ(rows[5].outcome, PhotoOutcome::kHeldBack) << "open anomalies name the photo";
  EXPECT_EQ(rows[4].outcome, PhotoOutcome::kNoPhoto) << "no photo to hold back";
  rows[0].outcome = PhotoOutcome::kExported;
  rows[1].outcome = PhotoOutcome::kMissing;
  rows[2].outcome = PhotoOutcome::kAltered;
  const std::string a(64, 'a'), b(64, 'b'), c(64, 'c'), d(64, 'd');
  EXPECT_EQ(PhotoIndexCsv(rows), std::string(kIndexHeader) + "\n" +
                                     "1001,201,物理学2101,photographed,2,412,IMG_0412.JPG," + a + ",,1001.jpg\n" +
                                     "1002,202,物理学2101,image_missing,2,412,IMG_0412.JPG," + b + ",,\n" +
                                     "1003,203,物理学2101,image_altered,2,412,IMG_0412.JPG," + c + ",,\n" +
                                     "1004,204,物理学2101,absent,,,,,,\n" + "1005,205,物理学2101,missing,,,,,A7,\n" +
                                     "1006,206,物理学2101,held_back,2,412,IMG_0412.JPG," + d + ",A3 A11,\n");
  EXPECT_EQ(PhotoProblemLine(rows[1], "not in the store"),
            "image_missing registry_no=1002 student_no=202 station=2 shot=412 image_file=\"IMG_0412.JPG\" "
            "image_sha256=" + b + ": not in the store");

  const PhotoExportSummary summary = SummarizePhotoExport(rows);
  EXPECT_EQ(PhotoProblemLine(rows[5], "open anomalies A3 A11"),
            "held_back registry_no=1006 student_no=206 station=2 shot=412 image_file=\"IMG_0412.JPG\" "
            "image_sha256=" + d + ": open anomalies A3 A11");
  EXPECT_EQ(PhotoSummaryLine(summary, "/tmp/out"),
            "1 photo exported to /tmp/out, 1 held back (open anomalies), 1 missing, 1 altered; index.csv lists 6 "
            "students\n");
  EXPECT_EQ(PhotoSummaryJson(summary, "/tmp/out"),
            "{\"dir\":\"/tmp/out\",\"students\":6,\"exported\":1,\"doubtful_included\":0,\"held_back\":1,"
            "\"missing\":1,\"altered\":1}\n");
}

TEST(PhotoExportPlan, IncludeDoubtfulExportsWhatOpenAnomaliesNameAndTheSummarySaysSo) {
  judge::AssignmentRow doubtful = Row("2", "1002", "photographed", 'b');
  doubtful.open_anomalies = {"A3"};
  auto plan = PlanPhotoExport({Row("1", "1001", "photographed", 'a'), doubtful}, true);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ((*plan)[1].outcome, PhotoOutcome::kNoPhoto) << "to be copied like any other";
  for (PhotoRow& row : *plan) row.outcome = PhotoOutcome::kExported;
  const PhotoExportSummary summary = SummarizePhotoExport(*plan);
  EXPECT_EQ(PhotoSummaryLine(summary, "out"),
            "2 photos exported to out (1 in doubt, included by --include-doubtful), 0 held back (open anomalies), "
            "0 missing, 0 altered; index.csv lists 2 students\n");
  EXPECT_NE(PhotoIndexCsv(*plan).find(",photographed,2,412,IMG_0412.JPG," + std::string(64, 'b') + ",A3,1002.jpg\n"),
            std::string::npos);
}

// ---- the program ----

constexpr const char* kSchedule =
    "station,college,class,headcount,start,end\n"
    "1,文学院,汉语言文学2101,7,08:30,08:45\n"
    "2,理学院,物理学2101,6,08:30,08:45\n"
    "1,文学院,汉语言文学2102,5,08:31,08:45\n";
constexpr const char* kSeed = "5";

// The simulator's arguments for the small day in `dir`/work; `extra` adds to them.
std::vector<std::string> DayArgs(const std::string& dir, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--schedule", dir + "/schedule.csv", "--work", dir + "/work", "--seed", kSeed,
                                   "--absent-share", "0.2", "--no-benign", "--bin-dir", CAPTURE_BIN_DIR};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// Waits until the coordinator has filed every image the agents of the day in `work` hold.
void AwaitAgentImagesFiled(const std::string& work, const std::string& store) {
  std::vector<std::string> journals;
  for (const fs::directory_entry& station : fs::directory_iterator(work)) {
    if (station.path().filename().string().rfind("station-", 0) == 0) journals.push_back(station.path() / "journal");
  }
  const Status filed = ::capture::testing::AwaitImagesFiled(journals, store, std::chrono::seconds(30));
  ASSERT_TRUE(filed.ok()) << filed.message();
}

// A CSV file's or text's rows after its header; the header is checked against `header`.
std::vector<CsvRow> CsvBody(const std::string& text, const std::string& header) {
  EXPECT_EQ(text.substr(0, text.find('\n')), header);
  auto rows = ParseCsv(text, "csv");
  EXPECT_TRUE(rows.ok()) << rows.status().message();
  if (!rows.ok() || rows->empty()) return {};
  return {rows->begin() + 1, rows->end()};
}

// The index row the export writes for a row of the assignment export
// (judge::kAssignmentHeader).
CsvRow IndexRowOf(const CsvRow& a, const std::string& status, bool exported) {
  return {a[1], a[0], a[2], status, a[4], a[5], a[6], a[7], a[8], exported ? a[1] + ".jpg" : ""};
}

std::set<std::string> FileNames(const std::string& dir) {
  std::set<std::string> names;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) names.insert(e.path().filename().string());
  return names;
}

std::string ImagePath(const std::string& store, const std::string& sha256_hex) {
  return store + "/images/" + sha256_hex.substr(0, 2) + "/" + sha256_hex + ".jpg";
}

// One simulated day, played once for the suite, its images at the coordinator; each test
// exports from its own copy of the stopped store.
class CapturectlExportPhotos : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    day_ = new TempDir;
    ASSERT_TRUE(WriteFileDurably(*day_ / "schedule.csv", kSchedule).ok());
    sim::testing::SimRun run = sim::testing::RunCaptureSim(DayArgs(day_->path()), *day_ / "sim.log");
    ASSERT_EQ(run.exit.exit_code, 0) << run.exit.ToString() << "\n" << FileText(*day_ / "sim.log");
    AwaitAgentImagesFiled(*day_ / "work", *day_ / "work/store");
  }
  static void TearDownTestSuite() {
    delete day_;
    day_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(fs::exists(*day_ / "work/store/images")) << "the suite's day did not play";
    fs::copy(*day_ / "work/store", store(), fs::copy_options::recursive);
    ASSERT_TRUE(MakeDirs(logs()).ok());
    const ProgramRun run = Capturectl(logs(), {"export", "assignment", "--store", store()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    assignment_ = CsvBody(run.out, judge::kAssignmentHeader);
    for (size_t i = 0; i < assignment_.size(); ++i) {
      ASSERT_EQ(assignment_[i].size(), 9u);
      ASSERT_EQ(assignment_[i][8], "") << "the suite's day is clean: nothing held back";
      if (!assignment_[i][7].empty()) photographed_.push_back(i);
    }
    ASSERT_GE(photographed_.size(), 10u) << "the day should have photographed most students";
    ASSERT_LT(photographed_.size(), assignment_.size()) << "the day should have absent students too";
  }

  std::string store() const { return dir_ / "store"; }
  std::string logs() const { return dir_ / "logs"; }  // capturectl's stderr, one file a run

  // Exports into `out` from the stopped store copy; `extra` adds arguments.
  ProgramRun ExportPhotos(const std::string& out, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"export", "photos", out, "--store", store()};
    args.insert(args.end(), extra.begin(), extra.end());
    return Capturectl(logs(), args);
  }

  // index.csv in `out` equals the assignment, student by student in its (student_no) order, with
  // the statuses in `changed` (student_no -> status) instead of the assignment's; each photo not
  // changed is exported under its registry number and hashes to the assignment's image_sha256;
  // `out` holds nothing else.
  void ExpectExport(const std::string& out, const std::map<std::string, std::string>& changed = {}) {
    const std::vector<CsvRow> index = CsvBody(FileText(out + "/index.csv"), kIndexHeader);
    ASSERT_EQ(index.size(), assignment_.size());
    std::set<std::string> expected_files = {"index.csv"};
    for (size_t i = 0; i < assignment_.size(); ++i) {
      const CsvRow& a = assignment_[i];
      const auto it = changed.find(a[0]);
      const bool exported = !a[7].empty() && it == changed.end();
      EXPECT_EQ(index[i], IndexRowOf(a, it == changed.end() ? a[3] : it->second, exported)) << "row " << i + 2;
      if (!exported) continue;
      expected_files.insert(a[1] + ".jpg");
      auto bytes = ReadFile(out + "/" + a[1] + ".jpg");
      ASSERT_TRUE(bytes.ok()) << bytes.status().message();
      EXPECT_EQ(ToHex(ComputeSha256(*bytes)), a[7]) << a[1] << ".jpg";
    }
    EXPECT_EQ(FileNames(out), expected_files);
  }

  std::string Summary(const std::string& out, size_t exported, size_t missing, size_t altered) const {
    return std::to_string(exported) + " photos exported to " + out + ", 0 held back (open anomalies), " +
           std::to_string(missing) + " missing, " + std::to_string(altered) + " altered; index.csv lists " +
           std::to_string(assignment_.size()) + " students\n";
  }

  static TempDir* day_;
  TempDir dir_;
  std::vector<CsvRow> assignment_;  // the assignment export's rows
  std::vector<size_t> photographed_;  // rows with an image_sha256
};

TempDir* CapturectlExportPhotos::day_ = nullptr;

TEST_F(CapturectlExportPhotos, EveryAssignedImageIsExportedUnderItsRegistryNumberAndTheIndexFollowsTheAssignment) {
  const std::string out = dir_ / "handover/photos";  // its parent is created too
  const ProgramRun run = ExportPhotos(out);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.out, Summary(out, photographed_.size(), 0, 0));
  EXPECT_EQ(run.err, "");
  ExpectExport(out);
  EXPECT_EQ(FileNames(dir_ / "handover"), std::set<std::string>{"photos"}) << "no staging folder left beside it";

  const ProgramRun json = ExportPhotos(dir_ / "json", {"--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << json.out;
  EXPECT_EQ(j.value("dir", ""), dir_ / "json");
  EXPECT_EQ(j.value("students", 0u), assignment_.size());
  EXPECT_EQ(j.value("exported", 0u), photographed_.size());
  EXPECT_EQ(j.value("missing", 1u), 0u);
  EXPECT_EQ(j.value("altered", 1u), 0u);
}

TEST_F(CapturectlExportPhotos, AnImageMissingFromTheStoreExitsOneAndNamesItsStudentAsImageMissing) {
  const CsvRow& gone = assignment_[photographed_[0]];
  ASSERT_TRUE(fs::remove(ImagePath(store(), gone[7])));
  const std::string out = dir_ / "out";
  const ProgramRun run = ExportPhotos(out);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(run.out, Summary(out, photographed_.size() - 1, 1, 0));
  EXPECT_NE(run.err.find("image_missing registry_no=" + gone[1] + " student_no=" + gone[0] + " station=" + gone[4] +
                         " shot=" + gone[5] + " image_file=\"" + gone[6] + "\" image_sha256=" + gone[7] + ": "),
            std::string::npos)
      << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << "one line, for that student only:\n" << run.err;
  ExpectExport(out, {{gone[0], "image_missing"}});
}

TEST_F(CapturectlExportPhotos, AnAlteredImageExitsOneAndIsNotExportedButNamedAsImageAltered) {
  const CsvRow& altered = assignment_[photographed_[1]];
  const std::string path = ImagePath(store(), altered[7]);
  auto bytes = ReadFile(path);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  (*bytes)[bytes->size() / 2] ^= 0x01;
  ASSERT_TRUE(WriteFileDurably(path, *bytes).ok());

  const std::string out = dir_ / "out";
  const ProgramRun run = ExportPhotos(out);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_EQ(run.out, Summary(out, photographed_.size() - 1, 0, 1));
  EXPECT_NE(run.err.find("image_altered registry_no=" + altered[1] + " student_no=" + altered[0] + " station=" +
                         altered[4] + " shot=" + altered[5]),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("image_sha256=" + altered[7]), std::string::npos) << run.err;
  ExpectExport(out, {{altered[0], "image_altered"}});
}

TEST_F(CapturectlExportPhotos, ANonEmptyFolderIsRefusedWithExitTwoAndNothingIsWrittenWhileAnEmptyOneIsFilled) {
  const std::string out = dir_ / "out";
  ASSERT_TRUE(MakeDirs(out).ok());
  ASSERT_TRUE(WriteFileDurably(out + "/notes.txt", "the registrar's own file").ok());
  const std::set<std::string> before = FileNames(dir_.path());
  const ProgramRun run = ExportPhotos(out);
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find(out + " is not empty"), std::string::npos) << run.err;
  EXPECT_EQ(FileNames(out), std::set<std::string>{"notes.txt"});
  EXPECT_EQ(FileText(out + "/notes.txt"), "the registrar's own file");
  EXPECT_EQ(FileNames(dir_.path()), before) << "nothing written beside it either";

  const std::string empty = dir_ / "empty";
  ASSERT_TRUE(MakeDirs(empty).ok());
  const ProgramRun filled = ExportPhotos(empty);
  EXPECT_EQ(filled.exit_code, 0) << filled.err;
  ExpectExport(empty);
}

TEST_F(CapturectlExportPhotos, AnImageThatCannotBeReadStopsTheExportWithExitTwoAndLeavesNoHalfFolder) {
  // The last photo in the index's order, so that every other photo is copied before it fails.
  const CsvRow& last = assignment_[photographed_.back()];
  const std::string path = ImagePath(store(), last[7]);
  ASSERT_TRUE(fs::remove(path));
  ASSERT_TRUE(MakeDirs(path).ok());  // a folder under an image's name: reading it fails (EISDIR)

  const std::string out = dir_ / "handover/photos";
  const ProgramRun run = ExportPhotos(out);
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find(path), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(out)) << "DIR appears whole or not at all";
  EXPECT_EQ(FileNames(dir_ / "handover"), std::set<std::string>{}) << "the staging folder is removed";
}

// ---- a running coordinator ----

// Also the class's registration form (登记表), which needs the roster's names: over --connect, as
// the registrar, it is the form the stopped store gives.
TEST(CapturectlExportPhotosLive, OverConnectThePhotosAndTheFormEqualTheStoppedStoresOnes) {
  TempDir dir;
  ASSERT_TRUE(WriteFileDurably(dir / "schedule.csv", kSchedule).ok());
  ASSERT_TRUE(MakeDirs(dir / "kit").ok());
  const ProgramRun kit =
      RunProgram(dir.path(), Bin("capture-sim"), {"kit", dir / "kit", "--schedule", dir / "schedule.csv", "--seed", kSeed});
  ASSERT_EQ(kit.exit_code, 0) << kit.err;
  auto coordinator = sim::testing::StartCoordinator(dir.path(), dir / "schedule.csv", dir / "kit");
  ASSERT_TRUE(coordinator.ok()) << coordinator.status().message();
  sim::testing::SimRun day = sim::testing::RunCaptureSim(
      DayArgs(dir.path(), {"--events", coordinator->events, "--control", coordinator->control,
                           "--coordinator-store", dir / "store", "--keys", dir / "kit"}),
      dir / "sim.log");
  ASSERT_EQ(day.exit.exit_code, 0) << day.exit.ToString() << "\n" << FileText(dir / "sim.log");
  AwaitAgentImagesFiled(dir / "work", dir / "store");

  const ProgramRun no_images = Capturectl(dir.path(), {"export", "photos", dir / "live", "--connect", coordinator->control});
  EXPECT_EQ(no_images.exit_code, 2);
  EXPECT_NE(no_images.err.find("--connect needs --image-store"), std::string::npos) << no_images.err;
  EXPECT_FALSE(fs::exists(dir / "live"));

  const ProgramRun live = Capturectl(
      dir.path(), {"export", "photos", dir / "live", "--connect", coordinator->control, "--image-store", dir / "store"});
  ASSERT_EQ(live.exit_code, 0) << live.out << live.err;
  const ProgramRun live_form = Capturectl(dir.path(), {"forms", "--class", "物理学2101", "--connect", coordinator->control});
  ASSERT_EQ(live_form.exit_code, 0) << live_form.err;

  ASSERT_TRUE(coordinator->process->Signal(SIGTERM).ok());
  auto exit = coordinator->process->Wait(15s);
  ASSERT_TRUE(exit.ok() && exit->Succeeded());
  const ProgramRun stored = Capturectl(dir.path(), {"export", "photos", dir / "stored", "--store", dir / "store"});
  ASSERT_EQ(stored.exit_code, 0) << stored.out << stored.err;

  const ProgramRun stored_form = Capturectl(dir.path(), {"forms", "--class", "物理学2101", "--store", dir / "store"});
  ASSERT_EQ(stored_form.exit_code, 0) << stored_form.err;
  EXPECT_EQ(live_form.out, stored_form.out);
  EXPECT_NE(live_form.out.find("核对副本"), std::string::npos) << "the record's shot numbers, after the day";
  EXPECT_NE(live_form.out.find("日期 Date：2024-04-22"), std::string::npos) << live_form.out;

  const std::string index = FileText(dir / "live/index.csv");
  EXPECT_EQ(index, FileText(dir / "stored/index.csv"));
  EXPECT_NE(index.find(",photographed,"), std::string::npos) << index;
  EXPECT_EQ(FileNames(dir / "live"), FileNames(dir / "stored"));
  EXPECT_GT(FileNames(dir / "live").size(), 10u);
}

// A registry number the roster allows but no file system should see as a name: "../evil" would
// write beside DIR. A real agent photographs its student; the export refuses before writing.
TEST(CapturectlExportPhotosLive, AnUnsafeRegistryNumberIsRefusedWithExitTwoBeforeAnythingIsWritten) {
  const std::string evil = "../evil";
  OneStationRoom room;
  ASSERT_NO_FATAL_FAILURE(room.Start({"202100101," + evil + ",文学院,汉语言文学2101,张三,张*",
                                      "202100102,1042120210000002,文学院,汉语言文学2101,李四,李*"}));
  ASSERT_NO_FATAL_FAILURE(room.Read(evil, "张*"));
  const std::string jpeg = room.Shoot(1, "2024:04:22 08:30:09");
  ASSERT_NO_FATAL_FAILURE(room.AwaitAssignment("202100101," + evil + ",汉语言文学2101,photographed,1,1,IMG_0001.JPG," +
                                               ToHex(ComputeSha256(jpeg)) + ","));

  const TempDir& dir = room.dir;
  const std::string out = dir / "handover/photos";
  const ProgramRun run =
      room.Ctl({"export", "photos", out, "--connect", room.control(), "--image-store", dir / "store"});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("student 202100101: registry_no \"../evil\" cannot name a photo file"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("nothing written"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(dir / "handover")) << "not even DIR's parent";
  EXPECT_FALSE(fs::exists(dir / "evil.jpg"));
}

// An uploaded photo cannot be replaced: a second shot that came without a code read is filed under
// the student before it (SHOT_WITHOUT_CODE), so that student's photo stays in the room until the
// registrar resolves the blocker; the other student's goes.
TEST(CapturectlExportPhotosLive, APhotoAnOpenBlockerNamesIsHeldBackUntilItIsResolvedOrDoubtIsAllowed) {
  OneStationRoom room;
  ASSERT_NO_FATAL_FAILURE(room.Start({"202100101,1042120210000001,文学院,汉语言文学2101,张三,张*",
                                      "202100102,1042120210000002,文学院,汉语言文学2101,李四,李*"}));
  ASSERT_NO_FATAL_FAILURE(room.Read("1042120210000001", "张*"));
  const std::string first = room.Shoot(1, "2024:04:22 08:30:09");
  room.Shoot(2, "2024:04:22 08:30:20");  // nobody read: whose is it?
  ASSERT_NO_FATAL_FAILURE(room.Read("1042120210000002", "李*"));
  const std::string second = room.Shoot(3, "2024:04:22 08:30:40");
  ASSERT_NO_FATAL_FAILURE(room.AwaitAssignment("202100102,1042120210000002,汉语言文学2101,photographed,1,3,IMG_0003.JPG," +
                                               ToHex(ComputeSha256(second)) + ",\n"));
  ASSERT_NO_FATAL_FAILURE(room.AwaitImagesFiled());

  const ProgramRun anomalies = room.Ctl({"anomalies", "--open", "--connect", room.control(), "--json"});
  const auto blocker = nlohmann::json::parse(anomalies.out.substr(0, anomalies.out.find('\n')), nullptr, false);
  ASSERT_TRUE(blocker.is_object()) << anomalies.out << anomalies.err;
  ASSERT_EQ(blocker.value("kind", ""), "SHOT_WITHOUT_CODE") << anomalies.out;
  ASSERT_EQ(std::count(anomalies.out.begin(), anomalies.out.end(), '\n'), 1) << anomalies.out;
  const std::string id = blocker.value("id", "");
  const std::string first_row = "1042120210000001,202100101,汉语言文学2101,held_back,1,1,IMG_0001.JPG," +
                                ToHex(ComputeSha256(first)) + "," + id + ",\n";

  const TempDir& dir = room.dir;
  const std::vector<std::string> from = {"--connect", room.control(), "--image-store", dir / "store"};
  const auto export_photos = [&](const std::string& out, std::vector<std::string> extra) {
    std::vector<std::string> args = {"export", "photos", out};
    args.insert(args.end(), from.begin(), from.end());
    args.insert(args.end(), extra.begin(), extra.end());
    return room.Ctl(args);
  };
  const ProgramRun held = export_photos(dir / "held", {});
  EXPECT_EQ(held.exit_code, 1) << held.out << held.err;
  EXPECT_EQ(held.out, "1 photo exported to " + (dir / "held") +
                          ", 1 held back (open anomalies), 0 missing, 0 altered; index.csv lists 2 students\n");
  EXPECT_EQ(held.err, "capturectl: held_back registry_no=1042120210000001 student_no=202100101 station=1 shot=1 "
                      "image_file=\"IMG_0001.JPG\" image_sha256=" + ToHex(ComputeSha256(first)) +
                          ": open anomalies " + id + "\n");
  EXPECT_EQ(FileText(dir / "held/index.csv"), std::string(kIndexHeader) + "\n" + first_row +
                                                  "1042120210000002,202100102,汉语言文学2101,photographed,1,3,IMG_0003.JPG," +
                                                  ToHex(ComputeSha256(second)) + ",,1042120210000002.jpg\n");
  EXPECT_EQ(FileNames(dir / "held"), (std::set<std::string>{"index.csv", "1042120210000002.jpg"}));

  const ProgramRun doubtful = export_photos(dir / "doubtful", {"--include-doubtful", "--json"});
  EXPECT_EQ(doubtful.exit_code, 0) << doubtful.out << doubtful.err;
  const auto summary = nlohmann::json::parse(doubtful.out, nullptr, false);
  EXPECT_EQ(summary.value("exported", 0), 2) << doubtful.out;
  EXPECT_EQ(summary.value("doubtful_included", 0), 1) << doubtful.out;
  EXPECT_EQ(summary.value("held_back", 1), 0) << doubtful.out;
  EXPECT_EQ(*ReadFile(dir / "doubtful/1042120210000001.jpg"), first);

  const ProgramRun resolved = room.Ctl({"resolve", id, "--reason", "IMG_0002 shows 张三 again; IMG_0001 is theirs",
                                        "--connect", room.control(), "--token-file", dir / "store/registrar.token"});
  ASSERT_EQ(resolved.exit_code, 0) << resolved.out << resolved.err;
  ASSERT_NO_FATAL_FAILURE(room.AwaitAssignment("202100101,1042120210000001,汉语言文学2101,photographed,1,1,IMG_0001.JPG," +
                                               ToHex(ComputeSha256(first)) + ",\n"));
  const ProgramRun clean = export_photos(dir / "clean", {});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_EQ(FileNames(dir / "clean"),
            (std::set<std::string>{"index.csv", "1042120210000001.jpg", "1042120210000002.jpg"}));
}

}  // namespace
}  // namespace capture::ctl
