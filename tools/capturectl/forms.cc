#include "tools/capturectl/forms.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "coordinator/judge/roster_index.h"
#include "tools/capturectl/shot_number.h"

namespace capture::ctl {

namespace {

constexpr const char* kAbsent = "缺席 / absent";
constexpr const char* kNoPhoto = "无照片 / no photo";

std::string HourMinute(int minute) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
  return buf;
}

// The distinct items in first-seen order, joined by "、".
std::string JoinDistinct(const std::vector<std::string>& items) {
  std::vector<std::string> seen;
  std::string out;
  for (const std::string& item : items) {
    if (std::find(seen.begin(), seen.end(), item) != seen.end()) continue;
    seen.push_back(item);
    out += (out.empty() ? "" : "、") + item;
  }
  return out;
}

// A print stylesheet for A4: the table's header (with college, class and date) repeats on every
// printed page, rows are tall enough to sign in and never split across pages.
constexpr const char* kStyle = R"css(
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
* { box-sizing: border-box; }
body { margin: 0; color: #000; background: #fff;
       font: 11pt/1.35 "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei", sans-serif; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 3mm 0; }
table { width: 100%; border-collapse: collapse; }
thead { display: table-header-group; }
th, td { border: 0.3mm solid #000; padding: 1.5mm 2mm; text-align: left; vertical-align: middle; }
th.page-head { border: none; font-weight: normal; padding: 0 0 2mm 0; }
th.page-head span { margin-right: 6mm; white-space: nowrap; }
tbody tr { height: 9mm; break-inside: avoid; page-break-inside: avoid; }
.seq { width: 15mm; text-align: right; }
th { white-space: nowrap; }
.student-no { width: 38mm; font-variant-numeric: tabular-nums; }
.name { width: 30mm; }
.shot { width: 34mm; font-variant-numeric: tabular-nums; }
.absent { font-weight: bold; }
p.note { font-size: 9pt; margin: 3mm 0 0 0; }
@media screen { body { max-width: 210mm; margin: 8mm auto; padding: 0 6mm; } }
)css";

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

Result<RegistrationForm> MakeForm(const Roster& roster, const Schedule* schedule,
                                  const std::vector<judge::AssignmentRow>* assignment, std::string_view class_name,
                                  std::string date) {
  RegistrationForm form;
  form.class_name = std::string(class_name);
  form.date = std::move(date);
  std::vector<const RosterStudent*> students;
  std::vector<std::string> colleges;
  for (const RosterStudent& s : roster.students) {
    if (s.class_name != class_name) continue;
    students.push_back(&s);
    colleges.push_back(s.college);
  }
  form.college = JoinDistinct(colleges);
  if (students.empty()) {
    return Status::InvalidArgument("no roster student is in class \"" + std::string(class_name) + "\"");
  }
  std::stable_sort(students.begin(), students.end(), [](const RosterStudent* a, const RosterStudent* b) {
    return judge::CompareStudentNo(a->student_no, b->student_no) < 0;
  });
  if (schedule != nullptr) {
    std::vector<std::string> stations, slots;
    for (const ScheduledClass& c : schedule->classes) {
      if (c.class_name != class_name) continue;
      stations.push_back(std::to_string(c.station));
      slots.push_back(HourMinute(c.start_minute) + "–" + HourMinute(c.end_minute));
    }
    form.stations = JoinDistinct(stations);
    form.slot = JoinDistinct(slots);
  }

  std::map<std::string, const judge::AssignmentRow*> record;
  if (assignment != nullptr) {
    for (const judge::AssignmentRow& row : *assignment) {
      if (row.class_name == class_name) record[row.student_no] = &row;
    }
  }
  form.filled = std::any_of(record.begin(), record.end(),
                            [](const auto& entry) { return entry.second->status == "photographed"; });
  for (const RosterStudent* s : students) {
    FormRow row{s->student_no, s->name, ""};
    if (form.filled) {
      const auto it = record.find(s->student_no);
      const judge::AssignmentRow* r = it == record.end() ? nullptr : it->second;
      if (r != nullptr && r->status == "photographed") {
        row.shot = ShotNumberText(r->shot_number);
      } else if (r != nullptr && r->status == "absent") {
        row.shot = kAbsent;
      } else {
        row.shot = kNoPhoto;
      }
    }
    form.rows.push_back(std::move(row));
  }
  return form;
}

std::string FormHtml(const RegistrationForm& form) {
  const std::string title = "图像采集登记表 · " + HtmlEscape(form.class_name);
  const auto field = [](const char* label, const std::string& value) {
    return std::string("<span>") + label + "：" + (value.empty() ? "________" : HtmlEscape(value)) + "</span>";
  };
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<title>" + title + "</title>\n<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n";
  // After the day the form is set beside the signed paper one: a copy to compare, not to sign.
  const std::string columns = form.filled ? "4" : "5";
  out += form.filled ? "<h1>毕业生图像采集登记表（核对副本）<small>Photo registration form: comparison copy</small></h1>\n"
                     : "<h1>毕业生图像采集登记表 <small>Photo registration form</small></h1>\n";
  out += "<table>\n<thead>\n<tr><th class=\"page-head\" colspan=\"" + columns + "\">";
  out += field("学院 College", form.college) + field("班级 Class", form.class_name) + field("日期 Date", form.date);
  if (!form.stations.empty()) out += field("机位 Station", form.stations);
  if (!form.slot.empty()) out += field("时段 Slot", form.slot);
  out += "</th></tr>\n";
  out += "<tr><th class=\"seq\">序号<br>No.</th><th class=\"student-no\">学号<br>Student number</th>"
         "<th class=\"name\">姓名<br>Name</th><th class=\"shot\">拍摄号<br>Shot number</th>";
  out += form.filled ? "</tr>\n</thead>\n<tbody>\n" : "<th class=\"sign\">签名<br>Signature</th></tr>\n</thead>\n<tbody>\n";
  for (size_t i = 0; i < form.rows.size(); ++i) {
    const FormRow& r = form.rows[i];
    const bool absent = r.shot == kAbsent;
    out += "<tr><td class=\"seq\">" + std::to_string(i + 1) + "</td><td class=\"student-no\">" +
           HtmlEscape(r.student_no) + "</td><td class=\"name\">" + HtmlEscape(r.name) + "</td><td class=\"shot" +
           (absent ? " absent" : "") + "\">" + HtmlEscape(r.shot) + "</td>" +
           (form.filled ? "" : "<td class=\"sign\"></td>") + "</tr>\n";
  }
  out += "</tbody>\n</table>\n<p class=\"note\">共 " + std::to_string(form.rows.size()) + " 人 / " +
         std::to_string(form.rows.size()) + " students. ";
  out += form.filled ? "拍摄号取自数字记录，请与学生签字的纸质登记表核对。Shot numbers from the digital record: set "
                       "this form beside the signed paper one."
                     : "拍摄号由现场填写，学生核对后签名。The shot number is written in at the station; the "
                       "student checks it and signs.";
  out += "</p>\n</body>\n</html>\n";
  return out;
}

}  // namespace capture::ctl
