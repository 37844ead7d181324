#include "tools/capturectl/photo_export.h"

#include <map>

#include <nlohmann/json.hpp>

#include "common/csv.h"
#include "coordinator/judge/export.h"

namespace capture::ctl {

namespace {

constexpr size_t kMaxFileNameStem = 128;

bool IsAsciiAlnum(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Bytes that are not UTF-8 (a hand-edited roster) show as U+FFFD rather than abort the export.
std::string Dump(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string Quoted(std::string_view text) { return Dump(std::string(text)); }

}  // namespace

Status CheckPhotoFileName(std::string_view registry_no) {
  const auto refuse = [&](const std::string& why) {
    return Status::InvalidArgument("registry_no " + Quoted(registry_no) + " cannot name a photo file: " + why);
  };
  if (registry_no.empty()) return refuse("it is empty");
  if (registry_no.size() > kMaxFileNameStem) return refuse("it is over " + std::to_string(kMaxFileNameStem) + " bytes");
  if (registry_no.front() == '.' || registry_no.front() == '-') return refuse("it starts with '.' or '-'");
  for (const char c : registry_no) {
    if (!IsAsciiAlnum(c) && c != '-' && c != '_' && c != '.') {
      return refuse("only ASCII letters, digits, '-', '_' and '.' are safe in a file name");
    }
  }
  return Status::Ok();
}

std::string PhotoFileName(std::string_view registry_no) { return std::string(registry_no) + ".jpg"; }

Result<std::vector<PhotoRow>> PlanPhotoExport(std::vector<judge::AssignmentRow> assignment, bool include_doubtful) {
  std::vector<PhotoRow> rows;
  rows.reserve(assignment.size());
  std::map<std::string, std::string> student_by_folded_name;
  for (judge::AssignmentRow& record : assignment) {
    PhotoRow row{std::move(record), std::nullopt, PhotoOutcome::kNoPhoto};
    const judge::AssignmentRow& r = row.record;
    if (!r.image_sha256.empty()) {
      const std::string student = "student " + r.student_no + ": ";
      if (Status s = CheckPhotoFileName(r.registry_no); !s.ok()) return Status::InvalidArgument(student + s.message());
      row.image = Sha256FromHex(r.image_sha256);
      if (!row.image) {
        return Status::InvalidArgument(student + "image_sha256 " + Quoted(r.image_sha256) + " is not 64 hex digits");
      }
      std::string folded;
      for (const char c : r.registry_no) folded += AsciiLower(c);
      const auto [it, fresh] = student_by_folded_name.emplace(folded, r.student_no);
      if (!fresh) {
        return Status::InvalidArgument(student + "registry_no " + r.registry_no + " names the same file as student " +
                                       it->second + "'s on a file system that ignores letter case");
      }
      if (!r.open_anomalies.empty() && !include_doubtful) row.outcome = PhotoOutcome::kHeldBack;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string_view PhotoIndexStatus(const PhotoRow& row) {
  switch (row.outcome) {
    case PhotoOutcome::kHeldBack:
      return "held_back";
    case PhotoOutcome::kMissing:
      return "image_missing";
    case PhotoOutcome::kAltered:
      return "image_altered";
    case PhotoOutcome::kNoPhoto:
    case PhotoOutcome::kExported:
      break;
  }
  return row.record.status;
}

std::string PhotoIndexCsv(const std::vector<PhotoRow>& rows) {
  std::string out = std::string(kPhotoIndexHeader) + "\n";
  for (const PhotoRow& row : rows) {
    const judge::AssignmentRow& r = row.record;
    const bool photo = r.station != 0;  // as the assignment export writes station and shot
    out += CsvLine({r.registry_no, r.student_no, r.class_name, std::string(PhotoIndexStatus(row)),
                    photo ? std::to_string(r.station) : "", photo ? std::to_string(r.shot_number) : "", r.image_file,
                    r.image_sha256, judge::JoinAnomalyIds(r.open_anomalies),
                    row.outcome == PhotoOutcome::kExported ? PhotoFileName(r.registry_no) : ""});
  }
  return out;
}

std::string PhotoProblemLine(const PhotoRow& row, std::string_view detail) {
  const judge::AssignmentRow& r = row.record;
  return std::string(PhotoIndexStatus(row)) + " registry_no=" + r.registry_no + " student_no=" + r.student_no +
         " station=" + std::to_string(r.station) + " shot=" + std::to_string(r.shot_number) +
         " image_file=" + Quoted(r.image_file) + " image_sha256=" + r.image_sha256 + ": " + std::string(detail);
}

PhotoExportSummary SummarizePhotoExport(const std::vector<PhotoRow>& rows) {
  PhotoExportSummary s;
  s.students = rows.size();
  for (const PhotoRow& row : rows) {
    s.exported += row.outcome == PhotoOutcome::kExported;
    s.doubtful += row.outcome == PhotoOutcome::kExported && !row.record.open_anomalies.empty();
    s.held_back += row.outcome == PhotoOutcome::kHeldBack;
    s.missing += row.outcome == PhotoOutcome::kMissing;
    s.altered += row.outcome == PhotoOutcome::kAltered;
  }
  return s;
}

std::string PhotoSummaryLine(const PhotoExportSummary& summary, std::string_view dir) {
  const std::string doubtful =
      summary.doubtful == 0 ? "" : " (" + std::to_string(summary.doubtful) + " in doubt, included by --include-doubtful)";
  return std::to_string(summary.exported) + (summary.exported == 1 ? " photo" : " photos") + " exported to " +
         std::string(dir) + doubtful + ", " + std::to_string(summary.held_back) + " held back (open anomalies), " +
         std::to_string(summary.missing) + " missing, " + std::to_string(summary.altered) + " altered; " +
         std::string(kPhotoIndexFile) + " lists " + std::to_string(summary.students) + " students\n";
}

std::string PhotoSummaryJson(const PhotoExportSummary& summary, std::string_view dir) {
  nlohmann::ordered_json j;
  j["dir"] = std::string(dir);
  j["students"] = summary.students;
  j["exported"] = summary.exported;
  j["doubtful_included"] = summary.doubtful;
  j["held_back"] = summary.held_back;
  j["missing"] = summary.missing;
  j["altered"] = summary.altered;
  return Dump(j) + "\n";
}

}  // namespace capture::ctl
