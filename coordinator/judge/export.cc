#include "coordinator/judge/export.h"

#include <algorithm>

#include "common/csv.h"
#include "common/utf8.h"

namespace capture::judge {

namespace {

// JSON string: quotes, backslash and control characters escaped (as \u00XX); UTF-8 passes through
// as it is, and a byte that is not UTF-8 becomes U+FFFD, so that every line stays JSON.
void AppendJsonString(std::string& out, const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string repaired = IsValidUtf8(s) ? std::string() : ValidUtf8(s);  // no copy of valid text
  out += '"';
  for (const char ch : repaired.empty() ? s : repaired) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  out += '"';
}

template <typename List, typename Append>
void AppendArray(std::string& out, const List& list, Append append) {
  out += '[';
  bool first = true;
  for (const auto& item : list) {
    if (!first) out += ',';
    first = false;
    append(item);
  }
  out += ']';
}

}  // namespace

std::string AnomaliesJsonLines(const Judge& judge, const AnomalyFilter& filter) {
  std::string out;
  for (const AnomalyState& state : judge.anomalies()) {
    const wire::Anomaly& a = state.anomaly;
    if (filter.open_only && !state.open()) continue;
    if (filter.station != 0 && a.station() != filter.station) continue;
    out += "{\"id\":";
    AppendJsonString(out, a.id());
    out += ",\"kind\":";
    AppendJsonString(out, wire::Anomaly::Kind_Name(a.kind()));
    out += ",\"severity\":";
    AppendJsonString(out, wire::Severity_Name(a.severity()));
    out += ",\"station\":" + std::to_string(a.station());
    out += ",\"seqs\":";
    AppendArray(out, a.seqs(), [&](uint64_t seq) { out += std::to_string(seq); });
    out += ",\"shots\":";
    AppendArray(out, a.shots(), [&](const std::string& shot) { AppendJsonString(out, shot); });
    out += ",\"students\":";
    AppendArray(out, a.students(), [&](const wire::StudentRef& s) {
      out += "{\"student_no\":";
      AppendJsonString(out, s.student_no());
      out += ",\"registry_no\":";
      AppendJsonString(out, s.registry_no());
      out += ",\"masked_name\":";
      AppendJsonString(out, s.masked_name());
      out += '}';
    });
    out += ",\"message\":";
    AppendJsonString(out, a.message());
    out += ",\"message_zh\":";
    AppendJsonString(out, a.message_zh());
    out += state.open() ? ",\"open\":true}\n" : ",\"open\":false}\n";
  }
  return out;
}

std::string AssignmentCsv(const Judge& judge) {
  std::string out = std::string(kAssignmentHeader) + "\n";
  for (const AssignmentRow& r : judge.Assignment()) {
    const bool photo = r.station != 0;
    out += CsvLine({r.student_no, r.registry_no, r.class_name, r.status, photo ? std::to_string(r.station) : "",
                    photo ? std::to_string(r.shot_number) : "", r.image_file, r.image_sha256,
                    JoinAnomalyIds(r.open_anomalies)});
  }
  return out;
}

std::string UnassignedCsv(const Judge& judge) {
  std::string out = std::string(kUnassignedHeader) + "\n";
  for (const UnassignedShot& u : judge.Unassigned()) {
    out += CsvLine({std::to_string(u.station), std::to_string(u.seq), std::to_string(u.shot_number), u.image_file,
                    u.image_sha256, u.reason});
  }
  return out;
}

std::string JoinAnomalyIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    if (!out.empty()) out += ' ';
    out += id;
  }
  return out;
}

std::vector<std::string> SplitAnomalyIds(std::string_view text) {
  std::vector<std::string> ids;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = std::min(text.find(' ', at), text.size());
    if (end > at) ids.emplace_back(text.substr(at, end - at));
    at = end + 1;
  }
  return ids;
}

}  // namespace capture::judge
