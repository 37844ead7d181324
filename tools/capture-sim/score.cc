#include "tools/capture-sim/score.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <tuple>

#include "common/csv.h"
#include "coordinator/judge/export.h"
#include "tools/capture-sim/json.h"

namespace capture::sim {

namespace {

bool Contains(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

bool Matches(const ExportedAnomaly& a, const InjectedFault& f) {
  if (a.station != f.station) return false;
  if (f.students.empty() && f.shots.empty()) return a.kind == f.kind;
  for (const std::string& r : a.registry_nos) {
    if (!r.empty() && Contains(f.students, r)) return true;
  }
  for (const std::string& s : a.shots) {
    if (Contains(f.shots, s)) return true;
  }
  return false;
}

bool Graded(const std::string& severity) { return severity == "WARNING" || severity == "BLOCKER"; }

// "97.5%", or "-" for 0/0.
std::string Percent(int part, int whole) {
  if (whole == 0) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * part / whole);
  return buf;
}

std::string Ratio(int part, int whole) {
  if (whole == 0) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", static_cast<double>(part) / whole);
  return buf;
}

std::string FaultLine(const InjectedFault& f) {
  std::string students, shots;
  for (const std::string& s : f.students) students += (students.empty() ? "" : ",") + s;
  for (const std::string& s : f.shots) shots += (shots.empty() ? "" : ",") + s;
  return f.kind + " station=" + std::to_string(f.station) + " students=" + students + " shots=" + shots +
         " note=\"" + f.note + "\"";
}

std::string AnomalyLine(const ExportedAnomaly& a) {
  std::string students, shots;
  for (const std::string& s : a.registry_nos) students += (students.empty() ? "" : ",") + s;
  for (const std::string& s : a.shots) shots += (shots.empty() ? "" : ",") + s;
  return a.id + " " + a.kind + " " + a.severity + " station=" + std::to_string(a.station) + " students=" + students +
         " shots=" + shots + (a.open ? " open" : " resolved");
}

}  // namespace

Result<std::vector<ExportedAnomaly>> ParseAnomaliesJsonl(std::string_view text, std::string_view source) {
  std::vector<ExportedAnomaly> out;
  Status st = ForEachJsonLine(text, source, [&](const JsonValue& value, const std::string& where) {
    ExportedAnomaly a;
    a.id = value.String("id");
    a.kind = value.String("kind");
    a.severity = value.String("severity");
    a.station = static_cast<int>(value.Integer("station"));
    a.shots = value.Strings("shots");
    a.open = value.Bool("open");
    if (const JsonValue* students = value.Get("students"); students != nullptr) {
      for (const JsonValue& s : students->items) a.registry_nos.push_back(s.String("registry_no"));
    }
    if (a.kind.empty()) return Status::InvalidArgument(where + ": an anomaly without a kind");
    out.push_back(std::move(a));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

Result<std::vector<AssignedPhoto>> ParseAssignmentCsv(std::string_view text, std::string_view source) {
  auto rows = ParseCsv(text, source);
  if (!rows.ok()) return rows.status();
  if (rows->empty() || CsvLine((*rows)[0]) != std::string(judge::kAssignmentHeader) + "\n") {
    return Status::InvalidArgument(std::string(source) + ": the header must be " + judge::kAssignmentHeader);
  }
  std::vector<AssignedPhoto> out;
  for (size_t i = 1; i < rows->size(); ++i) {
    const CsvRow& row = (*rows)[i];
    if (row.size() != 9) {
      return Status::InvalidArgument(std::string(source) + " row " + std::to_string(i + 1) + ": expected 9 fields");
    }
    AssignedPhoto p;
    p.student_no = row[0];
    p.registry_no = row[1];
    p.status = row[3];
    p.station = row[4].empty() ? 0 : std::atoi(row[4].c_str());
    p.image_file = row[6];
    p.image_sha256 = row[7];
    out.push_back(std::move(p));
  }
  return out;
}

std::string SeverityOfKind(std::string_view kind) {
  static const std::set<std::string_view> kBlockers = {"SHOT_WITHOUT_CODE", "CODE_WITHOUT_SHOT", "STALE_CODE",
                                                       "DUPLICATE_STUDENT", "DUPLICATE_SHOT",    "SHOT_NUMBER_REWIND",
                                                       "UNKNOWN_CODE",      "SHOT_UNKNOWN_CODE", "CHAIN_CONFLICT",
                                                       "ABSENT_AFTER_PHOTO", "STALL_UNORDERED"};
  static const std::set<std::string_view> kInfos = {"CODE_UNREADABLE", "SHOT_NUMBER_GAP", "STATION_REPLACED",
                                                    "ABSENT_SUPERSEDED", "UNKNOWN_ANOMALY"};
  if (kBlockers.count(kind) != 0) return "BLOCKER";
  if (kInfos.count(kind) != 0) return "INFO";
  return "WARNING";
}

const KindScore* Score::Kind(std::string_view kind) const {
  for (const KindScore& k : kinds) {
    if (k.kind == kind) return &k;
  }
  return nullptr;
}

Score ScoreDay(const std::vector<InjectedFault>& faults, const std::vector<PhotoTruth>& photos,
               const std::vector<ExportedAnomaly>& anomalies, const std::vector<AssignedPhoto>& assignment) {
  std::map<std::string, KindScore> kinds;
  auto kind = [&](const std::string& name) -> KindScore& {
    KindScore& k = kinds[name];
    k.kind = name;
    k.severity = SeverityOfKind(name);
    return k;
  };
  std::map<int, std::vector<const InjectedFault*>> faults_at;
  for (const InjectedFault& f : faults) faults_at[f.station].push_back(&f);
  std::map<int, std::vector<const ExportedAnomaly*>> anomalies_at;
  for (const ExportedAnomaly& a : anomalies) anomalies_at[a.station].push_back(&a);

  Score score;
  for (const InjectedFault& f : faults) {
    KindScore& k = kind(f.kind);
    ++k.faults;
    const auto& here = anomalies_at[f.station];
    const bool found = std::any_of(here.begin(), here.end(),
                                   [&](const ExportedAnomaly* a) { return a->kind == f.kind && Matches(*a, f); });
    if (found) {
      ++k.detected;
    } else {
      score.missed.push_back(f);
    }
  }
  for (const ExportedAnomaly& a : anomalies) {
    KindScore& k = kind(a.kind);
    ++k.anomalies;
    const auto& here = faults_at[a.station];
    const bool explained =
        std::any_of(here.begin(), here.end(), [&](const InjectedFault* f) { return Matches(a, *f); });
    k.explained += explained;
    if (!Graded(a.severity)) continue;
    if (explained) {
      ++score.explained;
    } else if (!a.open) {
      ++score.corrected;
    } else {
      score.unexplained.push_back(a);
    }
  }
  for (auto& [name, k] : kinds) score.kinds.push_back(std::move(k));

  std::map<std::tuple<int, std::string, std::string>, std::string> truth;
  for (const PhotoTruth& p : photos) truth[{p.station, p.file_name, p.sha256_hex}] = p.true_registry_no;
  std::set<std::string> named_open;
  for (const ExportedAnomaly& a : anomalies) {
    if (a.open) named_open.insert(a.registry_nos.begin(), a.registry_nos.end());
  }
  for (const AssignedPhoto& row : assignment) {
    if (row.image_file.empty()) continue;
    const auto it = truth.find({row.station, row.image_file, row.image_sha256});
    const std::string subject = it == truth.end() ? "" : it->second;
    if (subject == row.registry_no || named_open.count(row.registry_no) != 0) continue;
    score.silent.push_back({row.student_no, row.registry_no, row.station, row.image_file, subject});
  }
  return score;
}

std::string FormatScoreTable(const Score& score) {
  char line[200];
  std::snprintf(line, sizeof line, "%-20s %-8s %7s %9s %8s %10s %10s %10s\n", "kind", "severity", "faults", "detected",
                "recall", "anomalies", "explained", "precision");
  std::string out = line;
  for (const KindScore& k : score.kinds) {
    std::snprintf(line, sizeof line, "%-20s %-8s %7d %9d %8s %10d %10d %10s\n", k.kind.c_str(), k.severity.c_str(),
                  k.faults, k.detected, Percent(k.detected, k.faults).c_str(), k.anomalies, k.explained,
                  Percent(k.explained, k.anomalies).c_str());
    out += line;
  }
  out += "precision (WARNING and BLOCKER): " + std::to_string(score.explained) + "/" + std::to_string(score.graded()) +
         " = " + Percent(score.explained, score.graded()) + " (" + std::to_string(score.unexplained.size()) +
         " open matching no fault; " + std::to_string(score.corrected) +
         " more matching no fault were resolved by the day's own corrections)\n";
  out += "silent misassignments: " + std::to_string(score.silent.size()) + "\n";
  for (const SilentMisassignment& s : score.silent) {
    out += "silent: student_no=" + s.student_no + " registry_no=" + s.registry_no + " station=" +
           std::to_string(s.station) + " image=" + s.image_file + " true_registry_no=" + s.true_registry_no + "\n";
  }
  for (const InjectedFault& f : score.missed) out += "missed: " + FaultLine(f) + "\n";
  for (const ExportedAnomaly& a : score.unexplained) out += "unexplained: " + AnomalyLine(a) + "\n";
  return out;
}

std::string FormatScoreJson(const Score& score) {
  std::string out = "{\"kinds\":[";
  for (size_t i = 0; i < score.kinds.size(); ++i) {
    const KindScore& k = score.kinds[i];
    out += std::string(i ? "," : "") + "{\"kind\":" + JsonQuote(k.kind) + ",\"severity\":" + JsonQuote(k.severity) +
           ",\"faults\":" + std::to_string(k.faults) + ",\"detected\":" + std::to_string(k.detected) +
           ",\"recall\":" + Ratio(k.detected, k.faults) + ",\"anomalies\":" + std::to_string(k.anomalies) +
           ",\"explained\":" + std::to_string(k.explained) + ",\"precision\":" + Ratio(k.explained, k.anomalies) + "}";
  }
  out += "],\"precision\":{\"explained\":" + std::to_string(score.explained) +
         ",\"unexplained\":" + std::to_string(score.unexplained.size()) +
         ",\"corrected\":" + std::to_string(score.corrected) + ",\"value\":" + Ratio(score.explained, score.graded()) +
         "},\"silent_misassignments\":[";
  for (size_t i = 0; i < score.silent.size(); ++i) {
    const SilentMisassignment& s = score.silent[i];
    out += std::string(i ? "," : "") + "{\"student_no\":" + JsonQuote(s.student_no) +
           ",\"registry_no\":" + JsonQuote(s.registry_no) + ",\"station\":" + std::to_string(s.station) +
           ",\"image_file\":" + JsonQuote(s.image_file) + ",\"true_registry_no\":" + JsonQuote(s.true_registry_no) +
           "}";
  }
  out += "],\"missed\":[";
  for (size_t i = 0; i < score.missed.size(); ++i) {
    const InjectedFault& f = score.missed[i];
    out += std::string(i ? "," : "") + "{\"kind\":" + JsonQuote(f.kind) + ",\"station\":" + std::to_string(f.station) +
           ",\"students\":" + JsonStringArray(f.students) + ",\"shots\":" + JsonStringArray(f.shots) +
           ",\"note\":" + JsonQuote(f.note) + "}";
  }
  out += "],\"unexplained\":[";
  for (size_t i = 0; i < score.unexplained.size(); ++i) {
    const ExportedAnomaly& a = score.unexplained[i];
    out += std::string(i ? "," : "") + "{\"id\":" + JsonQuote(a.id) + ",\"kind\":" + JsonQuote(a.kind) +
           ",\"severity\":" + JsonQuote(a.severity) + ",\"station\":" + std::to_string(a.station) + "}";
  }
  return out + "]}\n";
}

}  // namespace capture::sim
