// Reconciling the signed paper registration forms with the digital record. Pure.
//
// The paper is where a misassignment hides that no event shows: a student signs beside the shot
// number the assistant wrote, so a shot bound to the wrong code in the record disagrees with the
// paper even when every event looked right. The transcribed form is a CSV:
//   student_no,shot_number
// one line per student on the paper, shot_number as written (leading zeros allowed), empty where
// none is written (an absent student), or what the printed form itself says there: 缺席, absent,
// 缺席 / absent, 无照片, no photo, 无照片 / no photo (none). Shot numbers compare as numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "coordinator/judge/judge.h"

namespace capture::ctl {

inline constexpr std::string_view kPaperFormHeader = "student_no,shot_number";

struct PaperEntry {
  size_t line = 0;  // in the CSV file, from 1
  std::string student_no;
  std::optional<uint32_t> shot;  // empty: no shot number written
};

// The transcribed form. InvalidArgument naming `source` and the line: a header other than
// kPaperFormHeader, a line without exactly two fields, an empty student number, a shot number that
// is not 1–9 digits, a student on two lines, or no student line at all.
Result<std::vector<PaperEntry>> ParsePaperForm(std::string_view text, std::string_view source);

// The judge's assignment export (coordinator/judge/export.h AssignmentCsv) back into rows.
// InvalidArgument naming `source` and the row when it is not that CSV.
Result<std::vector<judge::AssignmentRow>> ParseAssignmentCsv(std::string_view text, std::string_view source);

struct Finding {
  enum class Kind {
    kDisagrees,        // the paper's shot number is not the record's (or one has none)
    kNotOnRoster,      // a student number on the paper that no roster student has
    kOtherClass,       // with a class given: a roster student of another class on the paper
    kMissingFromForm,  // a roster student of a class on the form who is not on the paper
    kSwapped,          // two students whose shot numbers are each the other's: `swapped_with` holds the second
  };
  Kind kind = Kind::kDisagrees;
  std::string student_no;
  size_t line = 0;                     // the paper line; 0 for kMissingFromForm
  std::optional<uint32_t> paper_shot;  // as written on the paper
  std::optional<judge::AssignmentRow> record;  // the student's row in the record, when on the roster
  std::vector<Finding> swapped_with;           // kSwapped: the other student of the pair (one)
};

// "disagrees", "not_on_roster", "other_class", "missing_from_form", "swapped"
const char* FindingKindName(Finding::Kind kind);

struct Reconciliation {
  std::vector<std::string> classes;  // the classes compared, in first-seen order
  size_t paper_lines = 0;
  std::vector<Finding> findings;     // paper findings in line order, then missing students by number
};

// Compares every paper line with the student's row of `record` (one row per roster student). The
// classes compared are `class_name` when given, else the roster classes of the students on the
// paper. Two disagreements that are each other's shot numbers are one kSwapped finding, in the
// place of the first. InvalidArgument when `class_name` is given and no roster student is in it.
Result<Reconciliation> Reconcile(const std::vector<PaperEntry>& paper, const std::vector<judge::AssignmentRow>& record,
                                 const std::string& class_name);

// A table of the findings (student, finding, paper says, record says, station, file, line, the open
// anomalies that name the student or the photo), a sentence for each swapped pair with what to do,
// and a summary line; just the summary line when every student agrees.
std::string ReconciliationTable(const Reconciliation& result);

// One JSON object per finding:
//   {"finding":"disagrees","student_no":"…","class":"…","line":7,"paper_shot":413,
//    "record_status":"photographed","record_shot":412,"station":1,"image_file":"IMG_0412.JPG",
//    "open_anomalies":["A3"]}
// paper_shot and record_shot are null where there is none; class, record_status, station and
// image_file are null for a student on no roster (station and image_file also where no photo).
// A swapped pair is one object, "finding":"swapped", with "swapped_with" holding the second
// student's object.
std::string ReconciliationJsonLines(const Reconciliation& result);

}  // namespace capture::ctl
