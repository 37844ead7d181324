#include "common/schedule.h"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "common/csv.h"
#include "common/fs.h"

namespace capture {

namespace {

Result<int> ParseMinuteOfDay(const std::string& text) {
  int h = 0, m = 0;
  char colon = 0;
  if (std::sscanf(text.c_str(), "%d%c%d", &h, &colon, &m) != 3 || colon != ':' || h < 0 || h > 23 || m < 0 ||
      m > 59) {
    return Status::InvalidArgument("time '" + text + "' is not HH:MM");
  }
  return h * 60 + m;
}

Result<int> ParsePositiveInt(const std::string& text) {
  if (text.empty() || text.size() > 9 || !std::all_of(text.begin(), text.end(), ::isdigit)) {
    return Status::InvalidArgument("'" + text + "' is not a whole number");
  }
  return std::stoi(text);
}

std::string Where(std::string_view source, size_t row) { return std::string(source) + " row " + std::to_string(row); }

}  // namespace

std::vector<int> Schedule::Stations() const {
  std::set<int> s;
  for (const auto& c : classes) s.insert(c.station);
  return {s.begin(), s.end()};
}

Result<Schedule> ParseSchedule(std::string_view csv_text, std::string_view source) {
  auto rows = ParseCsv(csv_text, source);
  if (!rows.ok()) return rows.status();
  if (rows->empty() || (*rows)[0].size() < 6 || (*rows)[0][0] != "station") {
    return Status::InvalidArgument(std::string(source) + ": expected header station,college,class,headcount,start,end");
  }
  Schedule schedule;
  for (size_t i = 1; i < rows->size(); ++i) {
    const CsvRow& r = (*rows)[i];
    if (r.size() != 6) {
      return Status::InvalidArgument(Where(source, i + 1) + ": expected 6 fields, found " + std::to_string(r.size()));
    }
    auto station = ParsePositiveInt(r[0]);
    auto headcount = ParsePositiveInt(r[3]);
    auto start = ParseMinuteOfDay(r[4]);
    auto end = ParseMinuteOfDay(r[5]);
    for (const Status* st : {&station.status(), &headcount.status(), &start.status(), &end.status()}) {
      if (!st->ok()) return Status::InvalidArgument(Where(source, i + 1) + ": " + st->message());
    }
    if (*station < 1) return Status::InvalidArgument(Where(source, i + 1) + ": station must be 1 or more");
    if (*end < *start) return Status::InvalidArgument(Where(source, i + 1) + ": slot ends before it starts");
    schedule.classes.push_back({*station, r[1], r[2], *headcount, *start, *end});
  }
  if (schedule.classes.empty()) return Status::InvalidArgument(std::string(source) + ": no classes");
  return schedule;
}

Result<Schedule> LoadSchedule(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseSchedule(*text, path);
}

Result<Roster> ParseRoster(std::string_view csv_text, std::string_view source) {
  auto rows = ParseCsv(csv_text, source);
  if (!rows.ok()) return rows.status();
  if (rows->empty() || CsvLine((*rows)[0]) != std::string(kRosterHeader) + "\n") {
    return Status::InvalidArgument(std::string(source) + ": expected header " + std::string(kRosterHeader));
  }
  // A national roster has millions of rows: the fields move into the roster row by row, each parsed
  // row is freed at once, and the uniqueness checks look at the roster's own strings.
  Roster roster;
  roster.students.reserve(rows->size() - 1);  // never reallocates: the views below stay valid
  std::unordered_set<std::string_view> student_nos, registry_nos;
  student_nos.reserve(rows->size());
  registry_nos.reserve(rows->size());
  for (size_t i = 1; i < rows->size(); ++i) {
    CsvRow r = std::move((*rows)[i]);
    if (r.size() != 6) {
      return Status::InvalidArgument(Where(source, i + 1) + ": expected 6 fields, found " + std::to_string(r.size()));
    }
    if (r[0].empty() || r[1].empty()) {
      return Status::InvalidArgument(Where(source, i + 1) + ": student_no and registry_no must not be empty");
    }
    const RosterStudent& student = roster.students.emplace_back(RosterStudent{
        std::move(r[0]), std::move(r[1]), std::move(r[2]), std::move(r[3]), std::move(r[4]), std::move(r[5])});
    if (!student_nos.insert(student.student_no).second) {
      return Status::InvalidArgument(Where(source, i + 1) + ": student_no " + student.student_no + " appears twice");
    }
    if (!registry_nos.insert(student.registry_no).second) {
      return Status::InvalidArgument(Where(source, i + 1) + ": registry_no " + student.registry_no + " appears twice");
    }
  }
  return roster;
}

Result<Roster> LoadRoster(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseRoster(*text, path);
}

}  // namespace capture
