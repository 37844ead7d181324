#include "common/schedule.h"

#include <algorithm>
#include <set>

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
  Roster roster;
  std::set<std::string> student_nos, registry_nos;
  for (size_t i = 1; i < rows->size(); ++i) {
    CsvRow& r = (*rows)[i];
    if (r.size() != 6) {
      return Status::InvalidArgument(Where(source, i + 1) + ": expected 6 fields, found " + std::to_string(r.size()));
    }
    if (r[0].empty() || r[1].empty()) {
      return Status::InvalidArgument(Where(source, i + 1) + ": student_no and registry_no must not be empty");
    }
    if (!student_nos.insert(r[0]).second) {
      return Status::InvalidArgument(Where(source, i + 1) + ": student_no " + r[0] + " appears twice");
    }
    if (!registry_nos.insert(r[1]).second) {
      return Status::InvalidArgument(Where(source, i + 1) + ": registry_no " + r[1] + " appears twice");
    }
    roster.students.push_back({r[0], r[1], r[2], r[3], r[4], r[5]});
  }
  return roster;
}

Result<Roster> LoadRoster(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParseRoster(*text, path);
}

}  // namespace capture
