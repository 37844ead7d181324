// The printable registration form (登记表) of one class: what each student signs beside the shot
// number of their photo. Pure: built from the roster, the schedule and (after the day) the judge's
// assignment, rendered as one self-contained HTML page with a print stylesheet (A4).
//
// Before the day the shot-number column is empty, for the photographer's assistant to fill in.
// Once the record holds a photo of the class, each student's shot number comes from the judge's
// assignment (absent students marked 缺席), so the form can be set beside the signed paper one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/schedule.h"
#include "common/status.h"
#include "coordinator/judge/judge.h"

namespace capture::ctl {

struct FormRow {
  std::string student_no;
  std::string name;  // from the roster: the registrar's form may show it
  std::string shot;  // the shot-number cell: "0412", "缺席 / absent", "无照片 / no photo", or empty
};

struct RegistrationForm {
  std::string college;     // the class's college (several joined by "、")
  std::string class_name;
  std::string date;        // "2024-04-22", or empty: a blank to write the date on
  std::string stations;    // the schedule's station(s) of the class, e.g. "1"; empty when unknown
  std::string slot;        // the schedule's slot, e.g. "08:30–08:45"; empty when unknown
  bool filled = false;     // the shot numbers come from the record
  std::vector<FormRow> rows;  // in student-number order (judge::CompareStudentNo)
};

// The form of `class_name`. `schedule` may be null (no station or slot shown). `assignment` is
// the judge's (one row per roster student), or null before the day; the form is filled only when
// a student of the class is photographed in it. InvalidArgument when no roster student is in the
// class.
Result<RegistrationForm> MakeForm(const Roster& roster, const Schedule* schedule,
                                  const std::vector<judge::AssignmentRow>* assignment, std::string_view class_name,
                                  std::string date);

// The whole HTML document: no scripts and no external assets (the photo room may have no network);
// every roster or record text is escaped.
std::string FormHtml(const RegistrationForm& form);

// `text` safe inside HTML text and attribute values: & < > " ' as character references.
std::string HtmlEscape(std::string_view text);

}  // namespace capture::ctl
