// capturectl's pure views: tables, the anomaly rows, the registration form's HTML and the
// reconciliation of paper forms with the record.
#include <gtest/gtest.h>

#include <algorithm>

#include "coordinator/judge/export.h"
#include "tools/capturectl/anomaly_view.h"
#include "tools/capturectl/forms.h"
#include "tools/capturectl/reconcile.h"
#include "tools/capturectl/status_view.h"
#include "common/utf8.h"
#include "tools/capturectl/text_table.h"

namespace capture::ctl {
namespace {

// ---- tables ----

TEST(TextTable, CountsChineseCharactersAsTwoColumnsSoColumnsLineUp) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("物理学2101"), 10u);
  TextTable table({"CLASS", "N"});
  table.AddRow({"物理学2101", "1"});
  table.AddRow({"physics", "2"});
  EXPECT_EQ(table.Render(),
            "CLASS       N\n"
            "物理学2101  1\n"
            "physics     2\n");
}

TEST(TextTable, ReplacesControlCharactersSoACellCannotDriveTheTerminal) {
  EXPECT_EQ(TerminalSafe("a\x1b[31mred\x07\n"), "a?[31mred??");
  EXPECT_EQ(TerminalSafe("\xc2\x9b" "2J"), "?2J");  // U+009B, a one-character CSI
  EXPECT_EQ(TerminalSafe("汉语言"), "汉语言");
  TextTable table({"A"});
  table.AddRow({"x\x1b]0;title\x07"});
  EXPECT_EQ(table.Render().find('\x1b'), std::string::npos);
}

// ---- anomalies ----

constexpr const char* kAnomalies =
    R"({"id":"A1","kind":"SHOT_NUMBER_GAP","severity":"INFO","station":1,"seqs":[3],"shots":["IMG_0005.JPG"],)"
    R"("students":[],"message":"gap","open":true})" "\n"
    R"({"id":"A2","kind":"SHOT_WITHOUT_CODE","severity":"BLOCKER","station":1,"seqs":[4],"shots":["IMG_0006.JPG"],)"
    R"("students":[{"student_no":"2021001","registry_no":"104","masked_name":"王*"}],"message":"no code","open":false})" "\n"
    R"({"id":"A3","kind":"OUT_OF_ORDER","severity":"WARNING","station":2,"seqs":[],"shots":[],)"
    R"("students":[{"student_no":"","registry_no":"10499","masked_name":"李*"}],"message":"order","open":true})" "\n"
    R"({"id":"A4","kind":"DUPLICATE_SHOT","severity":"BLOCKER","station":2,"seqs":[9],"shots":["IMG_0009.JPG"],)"
    R"("students":[],"message":"dup","open":true})" "\n";

std::vector<std::string> Ids(const std::vector<AnomalyRow>& rows) {
  std::vector<std::string> ids;
  for (const AnomalyRow& r : rows) ids.push_back(r.id);
  return ids;
}

TEST(AnomalyView, ParsesTheExportAndOrdersOpenBlockersFirst) {
  auto rows = ParseAnomalyJsonLines(kAnomalies, "test");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 4u);
  EXPECT_EQ((*rows)[1].students, std::vector<std::string>{"2021001"});
  EXPECT_EQ((*rows)[2].students, std::vector<std::string>{"10499"}) << "the registry number when no student number";
  EXPECT_FALSE((*rows)[1].open);
  SortForReading(*rows);
  EXPECT_EQ(Ids(*rows), (std::vector<std::string>{"A4", "A3", "A1", "A2"}));
  EXPECT_TRUE(NeedsAttention(*rows));
}

TEST(AnomalyView, OnlyOpenWarningsAndBlockersNeedAttention) {
  auto rows = ParseAnomalyJsonLines(kAnomalies, "test");
  ASSERT_TRUE(rows.ok());
  std::vector<AnomalyRow> calm;
  for (const AnomalyRow& r : *rows) {
    if (r.id == "A1" || r.id == "A2") calm.push_back(r);  // an open INFO and a resolved BLOCKER
  }
  EXPECT_FALSE(NeedsAttention(calm));
}

TEST(AnomalyView, TableShowsTheRaisedTimeInLocalTimeAndCounts) {
  auto rows = ParseAnomalyJsonLines(kAnomalies, "test");
  ASSERT_TRUE(rows.ok());
  // 2024-04-22T00:41:07Z is 08:41:07 at UTC+8.
  AddRaisedTimes(*rows, {{"A4", 1713746467'000'000}});
  SortForReading(*rows);
  const std::string table = AnomalyTable(*rows, 480);
  EXPECT_EQ(table.rfind("ID  SEVERITY  STATE", 0), 0u) << table;
  EXPECT_NE(table.find("A4  BLOCKER   open      DUPLICATE_SHOT"), std::string::npos) << table;
  EXPECT_NE(table.find("08:41:07  dup\n"), std::string::npos) << table;
  EXPECT_NE(table.find("-         order\n"), std::string::npos) << "no time known: " << table;
  EXPECT_NE(table.find("\n4 anomalies, 3 open, 1 open blockers\n"), std::string::npos) << table;
}

TEST(AnomalyView, ABrokenLineIsAnErrorNamingIt) {
  auto rows = ParseAnomalyJsonLines(std::string(kAnomalies) + "{\"id\":\"A5\"}\n", "the export");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("the export line 5"), std::string::npos) << rows.status().message();
  EXPECT_FALSE(ParseAnomalyJsonLines("{not json\n", "x").ok());
}

// ---- status ----

TEST(StatusView, JsonCarriesStreamsAndCountersWithQuotesEscaped) {
  wire::StatusReply reply;
  reply.set_commit_index(42);
  wire::StationStatus* s = reply.add_stations();
  s->set_station(2);
  s->set_epoch(0xab);
  s->set_stored_seq(40);
  s->set_announced_seq(41);
  wire::Counter* c = reply.add_counters();
  c->set_name("events_received{station=\"2\"}");
  c->set_value(41);
  EXPECT_EQ(StatusJson(reply),
            R"({"commit_index":42,"stations":[{"station":2,"epoch":"00000000000000ab","stored_seq":40,)"
            R"("announced_seq":41}],"counters":[{"name":"events_received{station=\"2\"}","value":41}]})" "\n");
  const std::string table = StatusTable(reply);
  EXPECT_NE(table.find("2        00000000000000ab  40          41             1\n"), std::string::npos) << table;
}

// ---- the registration form ----

Roster SmallRoster() {
  Roster roster;
  // Out of order on purpose, with numbers whose text order is not their numeric order.
  roster.students = {
      {"10", "R10", "理学院", "物理学2101", "张三", "张*"},
      {"9", "R9", "理学院", "物理学2101", "李四", "李*"},
      {"100", "R100", "理学院", "物理学2101", "王五", "王*"},
      {"11", "R11", "文学院", "汉语言2101", "赵六", "赵*"},
  };
  return roster;
}

judge::AssignmentRow Row(std::string student_no, std::string klass, std::string status, uint32_t shot) {
  judge::AssignmentRow row;
  row.student_no = std::move(student_no);
  row.registry_no = "R" + row.student_no;
  row.class_name = std::move(klass);
  row.status = std::move(status);
  if (row.status == "photographed") {
    row.station = 1;
    row.shot_number = shot;
    row.image_file = "IMG_" + std::to_string(shot) + ".JPG";
  }
  return row;
}

std::vector<std::string> StudentNos(const RegistrationForm& form) {
  std::vector<std::string> out;
  for (const FormRow& r : form.rows) out.push_back(r.student_no);
  return out;
}

TEST(RegistrationForm, ListsTheClassInStudentNumberOrderWithABlankShotColumnBeforeTheDay) {
  Schedule schedule;
  schedule.classes = {{2, "理学院", "物理学2101", 3, 8 * 60 + 30, 8 * 60 + 45}};
  auto form = MakeForm(SmallRoster(), &schedule, nullptr, "物理学2101", "2024-04-22");
  ASSERT_TRUE(form.ok()) << form.status().message();
  EXPECT_EQ(StudentNos(*form), (std::vector<std::string>{"9", "10", "100"}));
  EXPECT_FALSE(form->filled);
  for (const FormRow& r : form->rows) EXPECT_EQ(r.shot, "") << r.student_no;
  EXPECT_EQ(form->college, "理学院");
  EXPECT_EQ(form->stations, "2");
  EXPECT_EQ(form->slot, "08:30–08:45");

  const std::string html = FormHtml(*form);
  const size_t a = html.find(">9<"), b = html.find(">10<"), c = html.find(">100<");
  ASSERT_NE(c, std::string::npos) << html;
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(html.find("@page { size: A4;"), std::string::npos);
  EXPECT_NE(html.find("2024-04-22"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos) << "no external assets";
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
}

TEST(RegistrationForm, AStoreWithoutPhotosOfTheClassStillGivesTheBlankForm) {
  const std::vector<judge::AssignmentRow> record = {Row("9", "物理学2101", "missing", 0),
                                                    Row("10", "物理学2101", "absent", 0),
                                                    Row("11", "汉语言2101", "photographed", 7)};
  auto form = MakeForm(SmallRoster(), nullptr, &record, "物理学2101", "");
  ASSERT_TRUE(form.ok());
  EXPECT_FALSE(form->filled);
  for (const FormRow& r : form->rows) EXPECT_EQ(r.shot, "") << r.student_no;
}

TEST(RegistrationForm, AfterTheDayFillsShotNumbersAndMarksAbsentStudents) {
  const std::vector<judge::AssignmentRow> record = {Row("9", "物理学2101", "photographed", 412),
                                                    Row("10", "物理学2101", "absent", 0),
                                                    Row("100", "物理学2101", "missing", 0)};
  auto form = MakeForm(SmallRoster(), nullptr, &record, "物理学2101", "");
  ASSERT_TRUE(form.ok());
  ASSERT_TRUE(form->filled);
  ASSERT_EQ(form->rows.size(), 3u);
  EXPECT_EQ(form->rows[0].shot, "0412");
  EXPECT_EQ(form->rows[0].name, "李四");
  EXPECT_EQ(form->rows[1].shot, "缺席 / absent");
  EXPECT_EQ(form->rows[2].shot, "无照片 / no photo");
  EXPECT_NE(FormHtml(*form).find("________"), std::string::npos) << "an empty date is a blank to fill in";
}

TEST(RegistrationForm, EscapesEveryRosterTextSoAScriptClassIsText) {
  Roster roster;
  roster.students = {{"1<b>", "R1", "A&B \"college\"", "<script>alert('x')</script>", "<img src=x onerror=y>", "*"}};
  auto form = MakeForm(roster, nullptr, nullptr, "<script>alert('x')</script>", "<i>today</i>");
  ASSERT_TRUE(form.ok());
  const std::string html = FormHtml(*form);
  EXPECT_EQ(html.find("<script"), std::string::npos) << html;
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("<i>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos) << html;
  EXPECT_NE(html.find("A&amp;B &quot;college&quot;"), std::string::npos);
  EXPECT_EQ(HtmlEscape("<>&\"'"), "&lt;&gt;&amp;&quot;&#39;");
}

TEST(RegistrationForm, AClassNobodyIsInIsAnError) {
  auto form = MakeForm(SmallRoster(), nullptr, nullptr, "化学2101", "");
  ASSERT_FALSE(form.ok());
  EXPECT_NE(form.status().message().find("化学2101"), std::string::npos);
}

// ---- reconciliation ----

std::vector<judge::AssignmentRow> DayRecord() {
  return {Row("9", "物理学2101", "photographed", 1), Row("10", "物理学2101", "photographed", 2),
          Row("100", "物理学2101", "absent", 0), Row("101", "物理学2101", "photographed", 3),
          Row("11", "汉语言2101", "photographed", 4)};
}

std::vector<std::string> Named(const Reconciliation& r) {
  std::vector<std::string> out;
  for (const Finding& f : r.findings) out.push_back(std::string(FindingKindName(f.kind)) + ":" + f.student_no);
  return out;
}

Reconciliation ReconcileOk(const std::string& csv, const std::string& klass = "") {
  auto paper = ParsePaperForm(csv, "form.csv");
  EXPECT_TRUE(paper.ok()) << paper.status().message();
  if (!paper.ok()) return {};
  auto result = Reconcile(*paper, DayRecord(), klass);
  EXPECT_TRUE(result.ok()) << result.status().message();
  return result.ok() ? *result : Reconciliation{};
}

TEST(Reconcile, AFormThatMatchesTheRecordHasNoFindings) {
  const Reconciliation r = ReconcileOk("student_no,shot_number\n9,0001\n10,2\n100,\n101,0003\n");
  EXPECT_TRUE(r.findings.empty()) << ::testing::PrintToString(Named(r));
  EXPECT_EQ(r.classes, std::vector<std::string>{"物理学2101"});
  EXPECT_EQ(ReconciliationTable(r).rfind("agree: every one of 4 paper lines", 0), 0u) << ReconciliationTable(r);
  EXPECT_EQ(ReconciliationJsonLines(r), "");
}

TEST(Reconcile, TwoSwappedShotNumbersAreOneFindingThatSaysWhatToDo) {
  const Reconciliation r = ReconcileOk("student_no,shot_number\n9,0001\n10,0003\n100,\n101,0002\n");
  EXPECT_EQ(Named(r), (std::vector<std::string>{"swapped:10"}));
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].line, 3u);
  EXPECT_EQ(r.findings[0].paper_shot, 3u);
  EXPECT_EQ(r.findings[0].record->shot_number, 2u);
  ASSERT_EQ(r.findings[0].swapped_with.size(), 1u);
  EXPECT_EQ(r.findings[0].swapped_with[0].student_no, "101");
  const std::string table = ReconciliationTable(r);
  EXPECT_NE(table.find("10       swapped  0003   0002    1        IMG_2.JPG  3     -\n"), std::string::npos) << table;
  EXPECT_NE(table.find("101      swapped  0002   0003    1        IMG_3.JPG  5     -\n"), std::string::npos) << table;
  EXPECT_NE(table.find("10 and 101 swapped: paper 0003/0002, record 0002/0003. Look at both photos"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("1 findings in 4 paper lines"), std::string::npos) << table;
  const std::string json = ReconciliationJsonLines(r);
  EXPECT_EQ(json.rfind(R"({"finding":"swapped","student_no":"10","class":"物理学2101","line":3,"paper_shot":3,)"
                       R"("record_status":"photographed","record_shot":2,"station":1,"image_file":"IMG_2.JPG",)"
                       R"("open_anomalies":[],"swapped_with":{"finding":"swapped","student_no":"101",)",
                       0),
            0u)
      << json;
  EXPECT_EQ(std::count(json.begin(), json.end(), '\n'), 1) << json;
}

// The printed form says 缺席 / absent or 无照片 / no photo where there is no shot number: a
// transcriber who copies it means none. A disagreement names the open anomalies about that photo.
TEST(Reconcile, TakesWhatTheFormPrintsForNoneAndLinksADisagreementToItsOpenAnomaly) {
  for (const char* none : {"缺席", "absent", "缺席 / absent", "无照片", "no photo", "无照片 / no photo"}) {
    const Reconciliation r = ReconcileOk(std::string("student_no,shot_number\n9,0001\n10,2\n100,") + none +
                                         "\n101,0003\n");
    EXPECT_TRUE(r.findings.empty()) << none << ": " << ::testing::PrintToString(Named(r));
  }
  std::vector<judge::AssignmentRow> record = DayRecord();
  for (judge::AssignmentRow& row : record) {
    if (row.student_no == "10") row.open_anomalies = {"A3"};
  }
  auto paper = ParsePaperForm("student_no,shot_number\n9,0001\n10,0007\n100,\n101,0003\n", "form.csv");
  ASSERT_TRUE(paper.ok()) << paper.status().message();
  auto r = Reconcile(*paper, record, "");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const std::string table = ReconciliationTable(*r);
  EXPECT_NE(table.find("10       disagrees  0007   0002    1        IMG_2.JPG  3     A3\n"), std::string::npos) << table;
  EXPECT_NE(ReconciliationJsonLines(*r).find("\"open_anomalies\":[\"A3\"]"), std::string::npos);
}

TEST(Reconcile, ListsAbsenceDisagreementsStrangersAndStudentsLeftOffTheForm) {
  // 100 is absent in the record but has a number on paper; 10 has a photo but none on paper;
  // 555 is on no roster; 101 is not on the paper at all.
  const Reconciliation r = ReconcileOk("student_no,shot_number\n9,1\n10,\n100,7\n555,8\n");
  EXPECT_EQ(Named(r), (std::vector<std::string>{"disagrees:10", "disagrees:100", "not_on_roster:555",
                                                "missing_from_form:101"}));
  const std::string table = ReconciliationTable(r);
  EXPECT_NE(table.find("100      disagrees          0007   absent"), std::string::npos) << table;
  EXPECT_NE(table.find("10       disagrees          none   0002"), std::string::npos) << table;
}

TEST(Reconcile, WithAClassGivenListsOtherClassesStudentsAndEveryMissingOne) {
  const Reconciliation r = ReconcileOk("student_no,shot_number\n9,1\n11,4\n", "物理学2101");
  EXPECT_EQ(Named(r), (std::vector<std::string>{"other_class:11", "missing_from_form:10", "missing_from_form:100",
                                                "missing_from_form:101"}));
  auto paper = ParsePaperForm("student_no,shot_number\n9,1\n", "f");
  ASSERT_TRUE(paper.ok());
  EXPECT_FALSE(Reconcile(*paper, DayRecord(), "化学2101").ok()) << "a class nobody is in";
}

std::string ParseError(const std::string& csv) {
  auto paper = ParsePaperForm(csv, "form.csv");
  EXPECT_FALSE(paper.ok());
  return paper.ok() ? "" : paper.status().message();
}

TEST(Reconcile, AMalformedFormIsAnErrorNamingItsLine) {
  EXPECT_EQ(ParseError("student_no,shot_number\n9,1\n\n10,12a\n"),
            "form.csv line 4: shot number \"12a\" is not a number (digits only; empty, 缺席, absent, 无照片 or no "
            "photo for none)");
  EXPECT_EQ(ParseError("student_no,shot_number\n9,1,2\n"), "form.csv line 2: 3 fields; a line is student_no,shot_number");
  EXPECT_EQ(ParseError("student_no,shot_number\r\n9,1\r\n\"10,2\r\n"), "form.csv line 3: unterminated quote");
  EXPECT_EQ(ParseError("student_no,shot_number\n9,1\n9,2\n"), "form.csv line 3: student 9 is on line 2 already");
  EXPECT_EQ(ParseError("student,shot\n9,1\n"), "form.csv line 1: the header must be student_no,shot_number");
  EXPECT_EQ(ParseError(",1\n"), "form.csv line 1: the header must be student_no,shot_number");
  EXPECT_EQ(ParseError("student_no,shot_number\n,1\n"), "form.csv line 2: no student number");
  EXPECT_EQ(ParseError("student_no,shot_number\n"), "form.csv: no student line after the header");
  EXPECT_EQ(ParseError(""), "form.csv: empty; expected student_no,shot_number");
  auto bom = ParsePaperForm("\xEF\xBB\xBFstudent_no,shot_number\n 9 , 0412 \n", "f");
  ASSERT_TRUE(bom.ok()) << bom.status().message();
  EXPECT_EQ((*bom)[0].student_no, "9");
  EXPECT_EQ((*bom)[0].shot, 412u);
}

TEST(Reconcile, ALineOfCarriageReturnsOrAByteOrderMarkIsBlank) {
  auto paper = ParsePaperForm("\r\r\nstudent_no,shot_number\n9,1\n\r\r\n\xEF\xBB\xBF\n10,2\n", "f");
  ASSERT_TRUE(paper.ok()) << paper.status().message();
  ASSERT_EQ(paper->size(), 2u);
  EXPECT_EQ((*paper)[1].student_no, "10");
  EXPECT_EQ((*paper)[1].line, 6u);
}

TEST(Reconcile, ReadsTheAssignmentExportBack) {
  const std::string csv = std::string(judge::kAssignmentHeader) +
                          "\n9,R9,物理学2101,photographed,1,412,IMG_0412.JPG,ab,A3 A11\n10,R10,物理学2101,absent,,,,,\n";
  auto rows = ParseAssignmentCsv(csv, "export");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].shot_number, 412u);
  EXPECT_EQ((*rows)[0].station, 1u);
  EXPECT_EQ((*rows)[0].open_anomalies, (std::vector<std::string>{"A3", "A11"}));
  EXPECT_EQ((*rows)[1].status, "absent");
  EXPECT_TRUE((*rows)[1].open_anomalies.empty());
  EXPECT_FALSE(ParseAssignmentCsv("student_no,shot\n", "export").ok());
  EXPECT_FALSE(ParseAssignmentCsv(std::string(judge::kAssignmentHeader) + "\n9,R9,c,photographed,x,1,f,h,\n", "e").ok());
  EXPECT_FALSE(ParseAssignmentCsv(std::string(judge::kAssignmentHeader) + "\n9,R9,c,photographed,1,1,f,h\n", "e").ok())
      << "eight fields: an export older than open_anomalies";
}

}  // namespace
}  // namespace capture::ctl
