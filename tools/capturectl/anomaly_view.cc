#include "tools/capturectl/anomaly_view.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "tools/capturectl/text_table.h"

namespace capture::ctl {

namespace {

using Json = nlohmann::json;

int SeverityRank(const std::string& severity) {
  if (severity == "BLOCKER") return 0;
  if (severity == "WARNING") return 1;
  return 2;
}

std::string Joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out.empty() ? "-" : out;
}

// The string member `key` of `object`, or nullopt when it is missing or not a string.
std::optional<std::string> StringMember(const Json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

Result<AnomalyRow> RowOf(const Json& j, const std::string& where) {
  if (!j.is_object()) return Status::InvalidArgument(where + ": not a JSON object");
  AnomalyRow row;
  for (auto [key, field] : {std::pair{"id", &row.id}, std::pair{"kind", &row.kind},
                            std::pair{"severity", &row.severity}, std::pair{"message", &row.message}}) {
    auto value = StringMember(j, key);
    if (!value) return Status::InvalidArgument(where + ": no string \"" + key + "\"");
    *field = std::move(*value);
  }
  const auto station = j.find("station");
  if (station == j.end() || !station->is_number_unsigned()) {
    return Status::InvalidArgument(where + ": no station number");
  }
  row.station = station->get<uint32_t>();
  const auto open = j.find("open");
  if (open == j.end() || !open->is_boolean()) return Status::InvalidArgument(where + ": no \"open\" flag");
  row.open = open->get<bool>();
  if (const auto shots = j.find("shots"); shots != j.end() && shots->is_array()) {
    for (const Json& shot : *shots) {
      if (shot.is_string()) row.shots.push_back(shot.get<std::string>());
    }
  }
  if (const auto students = j.find("students"); students != j.end() && students->is_array()) {
    for (const Json& s : *students) {
      if (!s.is_object()) continue;
      std::string who = StringMember(s, "student_no").value_or("");
      if (who.empty()) who = StringMember(s, "registry_no").value_or("");
      if (!who.empty()) row.students.push_back(std::move(who));
    }
  }
  return row;
}

}  // namespace

Result<std::vector<AnomalyRow>> ParseAnomalyJsonLines(std::string_view text, std::string_view source) {
  std::vector<AnomalyRow> rows;
  size_t line_no = 0;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = std::string(source) + " line " + std::to_string(line_no);
    const Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return Status::InvalidArgument(where + ": not JSON");
    auto row = RowOf(j, where);
    if (!row.ok()) return row.status();
    rows.push_back(std::move(*row));
  }
  return rows;
}

void AddRaisedTimes(std::vector<AnomalyRow>& rows, const std::map<std::string, int64_t>& raised_at) {
  for (AnomalyRow& row : rows) {
    if (const auto it = raised_at.find(row.id); it != raised_at.end()) row.raised_time_us = it->second;
  }
}

void SortForReading(std::vector<AnomalyRow>& rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const AnomalyRow& a, const AnomalyRow& b) {
    if (a.open != b.open) return a.open;
    return SeverityRank(a.severity) < SeverityRank(b.severity);
  });
}

bool NeedsAttention(const std::vector<AnomalyRow>& rows) {
  return std::any_of(rows.begin(), rows.end(),
                     [](const AnomalyRow& r) { return r.open && SeverityRank(r.severity) < 2; });
}

std::string AnomalyTable(const std::vector<AnomalyRow>& rows, int utc_offset_minutes) {
  TextTable table({"ID", "SEVERITY", "STATE", "KIND", "STATION", "STUDENTS", "SHOTS", "RAISED", "MESSAGE"});
  size_t open = 0, open_blockers = 0;
  for (const AnomalyRow& r : rows) {
    open += r.open;
    open_blockers += r.open && r.severity == "BLOCKER";
    // "2024-04-22T08:41:07.000+08:00" -> "08:41:07"
    const std::string raised =
        r.raised_time_us ? FormatIso8601(*r.raised_time_us, utc_offset_minutes).substr(11, 8) : "-";
    table.AddRow({r.id, r.severity, r.open ? "open" : "resolved", r.kind,
                  r.station == 0 ? "-" : std::to_string(r.station), Joined(r.students), Joined(r.shots), raised,
                  r.message});
  }
  return table.Render() + std::to_string(rows.size()) + " anomalies, " + std::to_string(open) + " open, " +
         std::to_string(open_blockers) + " open blockers\n";
}

}  // namespace capture::ctl
