#include "tools/capture-sim/truth.h"

#include "common/csv.h"
#include "common/fs.h"
#include "tools/capture-sim/json.h"

namespace capture::sim {

namespace {

bool ParseStation(const std::string& text, int& station) {
  if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos) return false;
  station = std::stoi(text);
  return true;
}

}  // namespace

std::string TruthJsonl(const std::vector<InjectedFault>& faults) {
  std::string out;
  for (const InjectedFault& f : faults) {
    out += "{\"kind\":" + JsonQuote(f.kind) + ",\"station\":" + std::to_string(f.station) +
           ",\"students\":" + JsonStringArray(f.students) + ",\"shots\":" + JsonStringArray(f.shots) +
           ",\"note\":" + JsonQuote(f.note) + "}\n";
  }
  return out;
}

Result<std::vector<InjectedFault>> ParseTruthJsonl(std::string_view text, std::string_view source) {
  std::vector<InjectedFault> out;
  Status st = ForEachJsonLine(text, source, [&](const JsonValue& value, const std::string& where) {
    InjectedFault f;
    f.kind = value.String("kind");
    f.station = static_cast<int>(value.Integer("station"));
    f.students = value.Strings("students");
    f.shots = value.Strings("shots");
    f.note = value.String("note");
    if (f.kind.empty()) return Status::InvalidArgument(where + ": a fault without a kind");
    out.push_back(std::move(f));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return out;
}

std::string PhotosCsv(const std::vector<PhotoTruth>& photos) {
  std::string out = std::string(kPhotosHeader) + "\n";
  for (const PhotoTruth& p : photos) {
    out += CsvLine({std::to_string(p.station), p.file_name, p.sha256_hex, p.true_registry_no});
  }
  return out;
}

Result<std::vector<PhotoTruth>> ParsePhotosCsv(std::string_view text, std::string_view source) {
  auto rows = ParseCsv(text, source);
  if (!rows.ok()) return rows.status();
  if (rows->empty() || CsvLine((*rows)[0]) != std::string(kPhotosHeader) + "\n") {
    return Status::InvalidArgument(std::string(source) + ": the header must be " + kPhotosHeader);
  }
  std::vector<PhotoTruth> out;
  for (size_t i = 1; i < rows->size(); ++i) {
    const CsvRow& row = (*rows)[i];
    PhotoTruth p;
    if (row.size() != 4 || !ParseStation(row[0], p.station)) {
      return Status::InvalidArgument(std::string(source) + " row " + std::to_string(i + 1) +
                                     ": expected station,file_name,sha256,true_registry_no");
    }
    p.file_name = row[1];
    p.sha256_hex = row[2];
    p.true_registry_no = row[3];
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<InjectedFault> FaultsOfRun(const Scenario& scenario, bool in_process) {
  std::vector<InjectedFault> out;
  for (const InjectedFault& f : scenario.faults) {
    if (in_process || !f.in_process_only) out.push_back(f);
  }
  return out;
}

Status WriteTruth(const std::string& dir, const Scenario& scenario, bool in_process) {
  if (Status st = MakeDirs(dir); !st.ok()) return st;
  if (Status st = WriteFileDurably(dir + "/" + kTruthFile, TruthJsonl(FaultsOfRun(scenario, in_process))); !st.ok()) {
    return st;
  }
  return WriteFileDurably(dir + "/" + kPhotosFile, PhotosCsv(scenario.photos));
}

}  // namespace capture::sim
