// The capturectl program against real simulated days: capture-sim plays a small day through the
// real station-agent and coordinator programs, and capturectl reads the coordinator's stopped
// store or asks the running coordinator. The registration form is printed to PDF by headless
// Chromium and read back with pdftotext.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <map>
#include <set>

#include "common/csv.h"
#include "common/fs.h"
#include "common/schedule.h"
#include "tests/tools/test_support.h"
#include "tools/capture-sim/output_line.h"
#include "tools/capture-sim/process.h"

namespace capture::ctl {
namespace {

using namespace std::chrono_literals;
using sim::ChildProcess;
using sim::testing::Bin;
using sim::testing::Capturectl;
using sim::testing::FileText;
using sim::testing::ProgramRun;
using sim::testing::RunProgram;
using sim::testing::TempDir;

constexpr const char* kSchedule =
    "station,college,class,headcount,start,end\n"
    "1,文学院,汉语言文学2101,7,08:30,08:45\n"
    "2,理学院,物理学2101,6,08:30,08:45\n"
    "1,文学院,汉语言文学2102,5,08:31,08:45\n";
constexpr const char* kClass = "汉语言文学2101";
constexpr const char* kChromium = "/usr/bin/chromium";
constexpr const char* kPdfToText = "/usr/bin/pdftotext";

// The seed of a small day, and of one with an injected fault (not every seed has room for one).
constexpr const char* kSeed = "5";
constexpr const char* kFaultySeed = "1";

// The simulator's arguments for the small day in `dir`/work; `extra` adds to them.
std::vector<std::string> DayArgs(const TempDir& dir, const char* seed, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"--schedule", dir / "schedule.csv", "--work", dir / "work", "--seed", seed,
                                   "--absent-share", "0.2", "--no-benign", "--bin-dir", CAPTURE_BIN_DIR};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// Plays the small day with its own coordinator; its stopped store is then `dir`/work/store.
void PlayDay(const TempDir& dir) {
  ASSERT_TRUE(WriteFileDurably(dir / "schedule.csv", kSchedule).ok());
  sim::testing::SimRun run = sim::testing::RunCaptureSim(DayArgs(dir, kSeed), dir / "sim.log");
  ASSERT_EQ(run.exit.exit_code, 0) << run.exit.ToString() << "\n" << FileText(dir / "sim.log");
}

// The rows of a CSV text after its header.
std::vector<CsvRow> CsvBody(const std::string& text) {
  auto rows = ParseCsv(text, "csv");
  EXPECT_TRUE(rows.ok()) << rows.status().message();
  if (!rows.ok() || rows->empty()) return {};
  return {rows->begin() + 1, rows->end()};
}

// The assignment export's rows of one class (fields as in coordinator/judge/export.h).
std::vector<CsvRow> AssignmentOfClass(const TempDir& dir, const std::vector<std::string>& source, const char* klass) {
  std::vector<std::string> args = {"export", "assignment"};
  args.insert(args.end(), source.begin(), source.end());
  const ProgramRun run = Capturectl(dir.path(), args);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  std::vector<CsvRow> out;
  for (CsvRow& row : CsvBody(run.out)) {
    if (row.size() == 9 && row[2] == klass) out.push_back(std::move(row));
  }
  return out;
}

// A transcribed paper form that says what the assignment says: student_no,shot_number.
std::string FormCsv(const std::vector<CsvRow>& assignment) {
  std::string csv = "student_no,shot_number\n";
  for (const CsvRow& row : assignment) csv += row[0] + "," + (row[3] == "photographed" ? row[5] : "") + "\n";
  return csv;
}

// ---- forms (acceptance point 4) ----

TEST(CapturectlForms, APrintedFormOfADayHoldsEveryStudentNumberOfTheClassInOrder) {
  if (!std::filesystem::exists(kChromium)) {
    GTEST_SKIP() << kChromium << " is absent: install Debian's chromium (tools/install-deps.sh) to print the form";
  }
  ASSERT_TRUE(std::filesystem::exists(kPdfToText)) << "install poppler-utils for pdftotext";
  TempDir dir;
  PlayDay(dir);
  const ProgramRun form = Capturectl(dir.path(), {"forms", "--class", kClass, "--store", dir / "work/store", "--out", dir / "form.html"});
  ASSERT_EQ(form.exit_code, 0) << form.err;

  const ProgramRun pdf = RunProgram(dir.path(), kChromium,
                             {"--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + dir / "chromium",
                              "--no-pdf-header-footer", "--print-to-pdf=" + dir / "form.pdf", "file://" + dir / "form.html"});
  ASSERT_EQ(pdf.exit_code, 0) << pdf.err;
  const ProgramRun text = RunProgram(dir.path(), kPdfToText, {"-layout", dir / "form.pdf", dir / "form.txt"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  const std::string printed = FileText(dir / "form.txt");
  // The printed page as a person reads it: no browser header or footer, 序号 on one line, and after
  // the day a comparison copy with nothing to sign.
  EXPECT_EQ(printed.find("file://"), std::string::npos) << printed;
  EXPECT_NE(printed.find("序号"), std::string::npos) << printed;
  EXPECT_NE(printed.find("核对副本"), std::string::npos) << printed;
  EXPECT_EQ(printed.find("签名"), std::string::npos) << printed;
  EXPECT_EQ(printed.find("Signature"), std::string::npos) << printed;
  ASSERT_TRUE(WriteFileDurably(CAPTURE_BIN_DIR "/../form-after-the-day.txt", printed).ok());

  auto roster = LoadRoster(dir / "work/roster.csv");
  ASSERT_TRUE(roster.ok()) << roster.status().message();
  std::vector<std::string> numbers;
  std::set<std::string> others;
  for (const RosterStudent& s : roster->students) {
    if (s.class_name == kClass) {
      numbers.push_back(s.student_no);
    } else {
      others.insert(s.student_no);
    }
  }
  ASSERT_EQ(numbers.size(), 7u);
  std::sort(numbers.begin(), numbers.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;  // all digits: numeric order
  });
  std::map<std::string, std::string> shot_of;  // student_no -> the shot number as printed
  for (const CsvRow& row : AssignmentOfClass(dir, {"--store", dir / "work/store"}, kClass)) {
    if (row[3] == "photographed") shot_of[row[0]] = std::string(4 - std::min<size_t>(4, row[5].size()), '0') + row[5];
  }
  EXPECT_GE(shot_of.size(), 4u) << "the class should have been photographed";

  size_t at = 0;
  for (const std::string& number : numbers) {
    const size_t found = printed.find(number, at);
    ASSERT_NE(found, std::string::npos) << number << " missing, or out of order after offset " << at << ":\n"
                                        << printed;
    const size_t line_end = printed.find('\n', found);
    const std::string line = printed.substr(found, line_end - found);
    if (shot_of.count(number)) {
      EXPECT_NE(line.find(shot_of[number]), std::string::npos) << "shot number beside " << number << ": " << line;
    }
    at = found + number.size();
  }
  for (const std::string& other : others) EXPECT_EQ(printed.find(other), std::string::npos) << other;
}

TEST(CapturectlForms, BeforeTheDayTheRosterGivesABlankFormAndEveryTextIsEscaped) {
  TempDir dir;
  const std::string klass = "<script>alert(1)</script>";
  ASSERT_TRUE(WriteFileDurably(dir / "roster.csv",
                               std::string(kRosterHeader) + "\n"
                               "2021002,1042120210000002,文学院," + klass + ",李<b>四</b>,李*\n"
                               "2021001,1042120210000001,文学院," + klass + ",张三,张*\n")
                  .ok());
  const ProgramRun run = Capturectl(dir.path(), {"forms", "--class", klass, "--roster", dir / "roster.csv", "--date", "2024-04-22"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.find("<script"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find("<b>"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos) << run.out;
  EXPECT_LT(run.out.find(">2021001<"), run.out.find(">2021002<"));
  EXPECT_NE(run.out.find("<td class=\"shot\"></td>"), std::string::npos) << "a blank shot column before the day";

  const ProgramRun unknown = Capturectl(dir.path(), {"forms", "--class", "化学2101", "--roster", dir / "roster.csv"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("化学2101"), std::string::npos) << unknown.err;
  const ProgramRun both = Capturectl(dir.path(), {"forms", "--class", klass});
  EXPECT_EQ(both.exit_code, 2) << "neither --store nor --roster";
}

// ---- reconcile (acceptance point 5) ----

class CapturectlReconcile : public ::testing::Test {
 protected:
  void SetUp() override {
    PlayDay(dir_);
    assignment_ = AssignmentOfClass(dir_, {"--store", store()}, kClass);
    ASSERT_EQ(assignment_.size(), 7u);
  }
  std::string store() const { return dir_ / "work/store"; }
  ProgramRun Reconcile(const std::string& csv, std::vector<std::string> extra = {}) {
    EXPECT_TRUE(WriteFileDurably(dir_ / "form.csv", csv).ok());
    std::vector<std::string> args = {"reconcile", dir_ / "form.csv", "--store", store()};
    args.insert(args.end(), extra.begin(), extra.end());
    return Capturectl(dir_.path(), args);
  }

  TempDir dir_;
  std::vector<CsvRow> assignment_;
};

TEST_F(CapturectlReconcile, AFormMadeFromTheAssignmentAgreesAndExitsZero) {
  const ProgramRun run = Reconcile(FormCsv(assignment_), {"--class", kClass});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.out.rfind("agree: every one of 7 paper lines", 0), 0u) << run.out;
  EXPECT_EQ(Reconcile(FormCsv(assignment_), {"--json"}).out, "") << "no findings, no lines";
}

TEST_F(CapturectlReconcile, TwoSwappedShotNumbersAreOneFindingNamingExactlyThoseTwoStudentsAndExitOne) {
  std::vector<CsvRow> paper = assignment_;
  std::vector<size_t> photographed;
  for (size_t i = 0; i < paper.size(); ++i) {
    if (paper[i][3] == "photographed") photographed.push_back(i);
  }
  ASSERT_GE(photographed.size(), 3u);
  const size_t a = photographed[0], b = photographed[2];
  std::swap(paper[a][5], paper[b][5]);

  const ProgramRun json = Reconcile(FormCsv(paper), {"--class", kClass, "--json"});
  EXPECT_EQ(json.exit_code, 1) << json.out << json.err;
  std::set<std::string> named;
  size_t lines = 0;
  for (size_t start = 0; start < json.out.size(); ++lines) {
    const size_t end = json.out.find('\n', start);
    const auto j = nlohmann::json::parse(json.out.substr(start, end - start), nullptr, false);
    start = end + 1;
    ASSERT_TRUE(j.is_object()) << json.out;
    EXPECT_EQ(j.value("finding", ""), "swapped") << json.out;
    named.insert(j.value("student_no", ""));
    named.insert(j["swapped_with"].value("student_no", ""));
  }
  EXPECT_EQ(lines, 1u) << json.out;
  EXPECT_EQ(named, (std::set<std::string>{paper[a][0], paper[b][0]})) << json.out;

  const ProgramRun table = Reconcile(FormCsv(paper), {"--class", kClass});
  EXPECT_EQ(table.exit_code, 1);
  for (const CsvRow& row : assignment_) {
    const bool swapped = row[0] == paper[a][0] || row[0] == paper[b][0];
    EXPECT_EQ(table.out.find(row[0]) != std::string::npos, swapped) << row[0] << "\n" << table.out;
  }
}

TEST_F(CapturectlReconcile, AMalformedFormExitsTwoNamingTheLine) {
  std::string csv = FormCsv(assignment_);
  csv.insert(csv.find('\n', csv.find('\n') + 1) + 1, "202100199,12a\n");  // becomes line 3
  const ProgramRun run = Reconcile(csv);
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.err.find("form.csv line 3: shot number \"12a\" is not a number"), std::string::npos) << run.err;
  EXPECT_EQ(run.out, "");

  const ProgramRun missing = Capturectl(dir_.path(), {"reconcile", dir_ / "no-such.csv", "--store", store()});
  EXPECT_EQ(missing.exit_code, 2);
  const ProgramRun no_source = Capturectl(dir_.path(), {"reconcile", dir_ / "form.csv"});
  EXPECT_EQ(no_source.exit_code, 2) << "neither --store nor --connect";
}

// ---- verify (acceptance point 3, the clean half; the altered store is tested in
// tests/coordinator/live_judge_test.cc) ----

TEST(CapturectlVerify, ExitsZeroOnACleanSimulatedDaysStore) {
  TempDir dir;
  PlayDay(dir);
  const ProgramRun run = Capturectl(dir.path(), {"verify", "--store", dir / "work/store"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.out.rfind("verified items=", 0), 0u) << run.out;
}

// ---- a running coordinator and its stopped store ----

TEST(CapturectlLive, ARunningCoordinatorAndItsStoppedStoreTellTheSameDay) {
  TempDir dir;
  ASSERT_TRUE(WriteFileDurably(dir / "schedule.csv", kSchedule).ok());
  ASSERT_TRUE(MakeDirs(dir / "kit").ok());
  // The kit first (capture-sim kit), so the coordinator can start before the day with its roster.
  const ProgramRun kit = RunProgram(dir.path(), Bin("capture-sim"), {"kit", dir / "kit", "--schedule", dir / "schedule.csv",
                                                       "--seed", kFaultySeed});
  ASSERT_EQ(kit.exit_code, 0) << kit.err;
  auto coordinator = sim::testing::StartCoordinator(dir.path(), dir / "schedule.csv", dir / "kit");
  ASSERT_TRUE(coordinator.ok()) << coordinator.status().message();
  const std::string& events = coordinator->events;
  const std::string& control = coordinator->control;

  sim::testing::SimRun day = sim::testing::RunCaptureSim(
      DayArgs(dir, kFaultySeed,
              {"--faults", "1", "--events", events, "--control", control, "--keys", dir / "kit", "--coordinator-store",
               dir / "store"}),
      dir / "sim.log");
  ASSERT_EQ(day.exit.exit_code, 0) << day.exit.ToString() << "\n" << FileText(dir / "sim.log");

  const ProgramRun status = Capturectl(dir.path(), {"status", "--connect", control, "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  const auto j = nlohmann::json::parse(status.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << status.out;
  EXPECT_GT(j.value("commit_index", 0u), 0u) << status.out;
  ASSERT_TRUE(j["stations"].is_array());
  EXPECT_EQ(j["stations"].size(), 2u) << status.out;
  for (const auto& s : j["stations"]) EXPECT_EQ(s.value("stored_seq", 0u), s.value("announced_seq", 1u)) << s;
  EXPECT_FALSE(j["counters"].empty());
  const ProgramRun status_table = Capturectl(dir.path(), {"status", "--connect", control});
  EXPECT_EQ(status_table.exit_code, 0);
  EXPECT_EQ(status_table.out.rfind("commit_index ", 0), 0u) << status_table.out;

  const ProgramRun live_json = Capturectl(dir.path(), {"anomalies", "--connect", control, "--json"});
  const ProgramRun exported = Capturectl(dir.path(), {"export", "anomalies", "--connect", control});
  EXPECT_EQ(live_json.out, exported.out);
  EXPECT_EQ(live_json.exit_code, 1) << "the injected fault leaves an open anomaly:\n" << live_json.out;
  const ProgramRun live_table = Capturectl(dir.path(), {"anomalies", "--connect", control});
  EXPECT_EQ(live_table.exit_code, 1);
  const std::vector<CsvRow> live_assignment = AssignmentOfClass(dir, {"--connect", control}, kClass);
  ASSERT_TRUE(WriteFileDurably(dir / "form.csv", FormCsv(live_assignment)).ok());
  const ProgramRun live_reconcile = Capturectl(dir.path(), {"reconcile", dir / "form.csv", "--connect", control});
  EXPECT_EQ(live_reconcile.exit_code, 0) << live_reconcile.out << live_reconcile.err;

  ASSERT_TRUE(coordinator->process->Signal(SIGTERM).ok());
  auto exit = coordinator->process->Wait(15s);
  ASSERT_TRUE(exit.ok() && exit->Succeeded());

  const ProgramRun stored_json = Capturectl(dir.path(), {"anomalies", "--store", dir / "store", "--json"});
  EXPECT_EQ(stored_json.out, live_json.out);
  const ProgramRun stored_table = Capturectl(dir.path(), {"anomalies", "--store", dir / "store"});
  EXPECT_EQ(stored_table.exit_code, 1);
  EXPECT_EQ(stored_table.out.rfind("ID  SEVERITY  STATE", 0), 0u) << stored_table.out;
  // Without raised times the live table differs from the stored one only in that column.
  EXPECT_NE(live_table.out.find(" open "), std::string::npos) << live_table.out;
  const auto last_line = [](const std::string& s) { return s.substr(s.rfind('\n', s.size() - 2) + 1); };
  EXPECT_EQ(last_line(live_table.out), last_line(stored_table.out));
  const ProgramRun open_only = Capturectl(dir.path(), {"anomalies", "--store", dir / "store", "--open", "--json"});
  EXPECT_EQ(open_only.out.find("\"open\":false"), std::string::npos) << open_only.out;
}

}  // namespace
}  // namespace capture::ctl
