#include "tools/capturectl/reconcile.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "common/csv.h"
#include "coordinator/judge/export.h"
#include "tools/capturectl/shot_number.h"
#include "tools/capturectl/text_table.h"

namespace capture::ctl {

namespace {

std::string_view Trimmed(std::string_view s) {
  const size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t") - begin + 1);
}

// `text` as an unsigned number of at most `max_digits` digits, nothing else.
std::optional<uint32_t> Digits(std::string_view text, size_t max_digits) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// The record's shot number of a student: only a photographed student has one.
std::optional<uint32_t> RecordShot(const judge::AssignmentRow& row) {
  if (row.status != "photographed") return std::nullopt;
  return row.shot_number;
}

// What the printed form writes where a student has no shot number, and its parts.
bool NoneWritten(std::string_view text) {
  for (const std::string_view none : {"缺席", "absent", "缺席 / absent", "无照片", "no photo", "无照片 / no photo"}) {
    if (text == none) return true;
  }
  return false;
}

std::string PaperText(const std::optional<uint32_t>& shot) { return shot ? ShotNumberText(*shot) : "none"; }

// Pairs up two disagreements whose shot numbers are each other's: one finding, at the first's place.
void JoinSwappedPairs(std::vector<Finding>& findings) {
  const auto numbers = [](const Finding& f) -> std::optional<std::pair<uint32_t, uint32_t>> {
    if (f.kind != Finding::Kind::kDisagrees || !f.paper_shot || !f.record || f.record->status != "photographed") {
      return std::nullopt;
    }
    return std::pair{*f.paper_shot, f.record->shot_number};
  };
  for (size_t i = 0; i < findings.size(); ++i) {
    const auto a = numbers(findings[i]);
    if (!a) continue;
    for (size_t j = i + 1; j < findings.size(); ++j) {
      const auto b = numbers(findings[j]);
      if (!b || a->first != b->second || a->second != b->first) continue;
      findings[i].kind = findings[j].kind = Finding::Kind::kSwapped;
      findings[i].swapped_with.push_back(std::move(findings[j]));
      findings.erase(findings.begin() + static_cast<std::ptrdiff_t>(j));
      break;
    }
  }
}

std::string JoinedIds(const std::optional<judge::AssignmentRow>& row) {
  return row && !row->open_anomalies.empty() ? judge::JoinAnomalyIds(row->open_anomalies) : "-";
}

std::string RecordText(const std::optional<judge::AssignmentRow>& row) {
  if (!row) return "-";
  if (row->status == "photographed") return ShotNumberText(row->shot_number);
  return row->status == "absent" ? "absent" : "none";
}

}  // namespace

const char* FindingKindName(Finding::Kind kind) {
  switch (kind) {
    case Finding::Kind::kDisagrees: return "disagrees";
    case Finding::Kind::kNotOnRoster: return "not_on_roster";
    case Finding::Kind::kOtherClass: return "other_class";
    case Finding::Kind::kMissingFromForm: return "missing_from_form";
    case Finding::Kind::kSwapped: return "swapped";
  }
  return "unknown";
}

Result<std::vector<PaperEntry>> ParsePaperForm(std::string_view text, std::string_view source) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<PaperEntry> entries;
  std::map<std::string, size_t> line_of;
  bool header_seen = false;
  size_t line_no = 0;
  // Line by line rather than one ParseCsv of the whole file, so every error can name its line.
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trimmed(line).empty()) continue;
    const std::string where = std::string(source) + " line " + std::to_string(line_no);
    auto rows = ParseCsv(line, source);
    if (!rows.ok()) {
      const std::string& message = rows.status().message();
      const size_t colon = message.find(": ");
      return Status::InvalidArgument(where + (colon == std::string::npos ? ": " + message : message.substr(colon)));
    }
    if (rows->empty()) continue;  // only carriage returns (or a byte-order mark) on it: a blank line
    const CsvRow& fields = rows->front();
    if (!header_seen) {
      const bool ok = fields.size() == 2 && Trimmed(fields[0]) == "student_no" && Trimmed(fields[1]) == "shot_number";
      if (!ok) return Status::InvalidArgument(where + ": the header must be " + std::string(kPaperFormHeader));
      header_seen = true;
      continue;
    }
    if (fields.size() != 2) {
      return Status::InvalidArgument(where + ": " + std::to_string(fields.size()) +
                                     " fields; a line is student_no,shot_number");
    }
    PaperEntry entry{line_no, std::string(Trimmed(fields[0])), std::nullopt};
    if (entry.student_no.empty()) return Status::InvalidArgument(where + ": no student number");
    if (const std::string_view shot = Trimmed(fields[1]); !shot.empty() && !NoneWritten(shot)) {
      entry.shot = Digits(shot, 9);
      if (!entry.shot) {
        return Status::InvalidArgument(where + ": shot number \"" + std::string(shot) +
                                       "\" is not a number (digits only; empty, 缺席, absent, 无照片 or no photo for "
                                       "none)");
      }
    }
    if (const auto [it, inserted] = line_of.emplace(entry.student_no, line_no); !inserted) {
      return Status::InvalidArgument(where + ": student " + entry.student_no + " is on line " +
                                     std::to_string(it->second) + " already");
    }
    entries.push_back(std::move(entry));
  }
  if (!header_seen) return Status::InvalidArgument(std::string(source) + ": empty; expected " + std::string(kPaperFormHeader));
  if (entries.empty()) return Status::InvalidArgument(std::string(source) + ": no student line after the header");
  return entries;
}

Result<std::vector<judge::AssignmentRow>> ParseAssignmentCsv(std::string_view text, std::string_view source) {
  auto rows = ParseCsv(text, source);
  if (!rows.ok()) return rows.status();
  if (rows->empty() || CsvLine(rows->front()) != std::string(judge::kAssignmentHeader) + "\n") {
    return Status::InvalidArgument(std::string(source) + ": not an assignment export (its header must be " +
                                   judge::kAssignmentHeader + ")");
  }
  std::vector<judge::AssignmentRow> out;
  for (size_t i = 1; i < rows->size(); ++i) {
    const CsvRow& f = (*rows)[i];
    const std::string where = std::string(source) + " row " + std::to_string(i + 1);
    if (f.size() != 9) return Status::InvalidArgument(where + ": " + std::to_string(f.size()) + " fields, not 9");
    judge::AssignmentRow row{f[0], f[1], f[2], f[3], 0, 0, f[6], f[7], judge::SplitAnomalyIds(f[8])};
    for (auto [text_field, number] : {std::pair{&f[4], &row.station}, std::pair{&f[5], &row.shot_number}}) {
      if (text_field->empty()) continue;
      const auto value = Digits(*text_field, 9);
      if (!value) return Status::InvalidArgument(where + ": \"" + *text_field + "\" is not a number");
      *number = *value;
    }
    out.push_back(std::move(row));
  }
  return out;
}

Result<Reconciliation> Reconcile(const std::vector<PaperEntry>& paper, const std::vector<judge::AssignmentRow>& record,
                                 const std::string& class_name) {
  std::map<std::string, const judge::AssignmentRow*> by_student;
  for (const judge::AssignmentRow& row : record) by_student[row.student_no] = &row;
  Reconciliation result;
  result.paper_lines = paper.size();
  if (!class_name.empty()) {
    const bool known = std::any_of(record.begin(), record.end(),
                                   [&](const judge::AssignmentRow& r) { return r.class_name == class_name; });
    if (!known) return Status::InvalidArgument("no roster student is in class \"" + class_name + "\"");
    result.classes.push_back(class_name);
  }
  std::set<std::string> on_paper;
  for (const PaperEntry& entry : paper) {
    on_paper.insert(entry.student_no);
    const auto it = by_student.find(entry.student_no);
    if (it == by_student.end()) {
      result.findings.push_back({Finding::Kind::kNotOnRoster, entry.student_no, entry.line, entry.shot, std::nullopt, {}});
      continue;
    }
    const judge::AssignmentRow& row = *it->second;
    if (!class_name.empty() && row.class_name != class_name) {
      result.findings.push_back({Finding::Kind::kOtherClass, entry.student_no, entry.line, entry.shot, row, {}});
      continue;
    }
    if (class_name.empty() &&
        std::find(result.classes.begin(), result.classes.end(), row.class_name) == result.classes.end()) {
      result.classes.push_back(row.class_name);
    }
    if (entry.shot != RecordShot(row)) {
      result.findings.push_back({Finding::Kind::kDisagrees, entry.student_no, entry.line, entry.shot, row, {}});
    }
  }
  for (const judge::AssignmentRow& row : record) {
    const bool compared =
        std::find(result.classes.begin(), result.classes.end(), row.class_name) != result.classes.end();
    if (compared && on_paper.count(row.student_no) == 0) {
      result.findings.push_back({Finding::Kind::kMissingFromForm, row.student_no, 0, std::nullopt, row, {}});
    }
  }
  JoinSwappedPairs(result.findings);
  return result;
}

std::string ReconciliationTable(const Reconciliation& result) {
  std::string classes;
  for (const std::string& c : result.classes) classes += (classes.empty() ? "" : ", ") + c;
  if (result.findings.empty()) {
    return "agree: every one of " + std::to_string(result.paper_lines) + " paper lines matches the record (class " +
           classes + ")\n";
  }
  TextTable table({"STUDENT", "FINDING", "PAPER", "RECORD", "STATION", "FILE", "LINE", "OPEN ANOMALIES"});
  std::string advice;
  for (const Finding& f : result.findings) {
    std::vector<const Finding*> sides = {&f};
    if (!f.swapped_with.empty()) sides.push_back(&f.swapped_with.front());
    for (const Finding* side : sides) {
      const bool photo = side->record && side->record->station != 0;
      table.AddRow({side->student_no, FindingKindName(f.kind),
                    side->kind == Finding::Kind::kMissingFromForm ? "-" : PaperText(side->paper_shot),
                    RecordText(side->record), photo ? std::to_string(side->record->station) : "-",
                    photo ? side->record->image_file : "-", side->line == 0 ? "-" : std::to_string(side->line),
                    JoinedIds(side->record)});
    }
    if (sides.size() == 2) {
      const Finding& b = *sides[1];
      advice += f.student_no + " and " + b.student_no + " swapped: paper " + PaperText(f.paper_shot) + "/" +
                PaperText(b.paper_shot) + ", record " + RecordText(f.record) + "/" + RecordText(b.record) +
                ". Look at both photos with the two students (or their ID photos) before the upload: if each "
                "shows the other, the record binds them the wrong way round; void both and photograph them again, "
                "or correct the upload by hand.\n";
    }
  }
  return table.Render() + advice + std::to_string(result.findings.size()) + " findings in " +
         std::to_string(result.paper_lines) + " paper lines (class " + classes + ")\n";
}

namespace {

nlohmann::ordered_json FindingJson(const Finding& f) {
  nlohmann::ordered_json j;
  j["finding"] = FindingKindName(f.kind);
  j["student_no"] = f.student_no;
  j["class"] = f.record ? nlohmann::ordered_json(f.record->class_name) : nullptr;
  j["line"] = f.line == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(f.line);
  j["paper_shot"] = f.paper_shot ? nlohmann::ordered_json(*f.paper_shot) : nullptr;
  j["record_status"] = f.record ? nlohmann::ordered_json(f.record->status) : nullptr;
  const std::optional<uint32_t> record_shot = f.record ? RecordShot(*f.record) : std::nullopt;
  j["record_shot"] = record_shot ? nlohmann::ordered_json(*record_shot) : nullptr;
  const bool photo = f.record && f.record->station != 0;
  j["station"] = photo ? nlohmann::ordered_json(f.record->station) : nullptr;
  j["image_file"] = photo ? nlohmann::ordered_json(f.record->image_file) : nullptr;
  j["open_anomalies"] = f.record ? nlohmann::ordered_json(f.record->open_anomalies) : nlohmann::ordered_json::array();
  if (!f.swapped_with.empty()) j["swapped_with"] = FindingJson(f.swapped_with.front());
  return j;
}

}  // namespace

std::string ReconciliationJsonLines(const Reconciliation& result) {
  std::string out;
  for (const Finding& f : result.findings) {
    out += FindingJson(f).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  }
  return out;
}

}  // namespace capture::ctl
