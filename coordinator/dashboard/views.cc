#include "coordinator/dashboard/views.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "common/time_format.h"

namespace capture::dashboard {

namespace {

using Json = nlohmann::ordered_json;

constexpr int64_t kMicrosPerMinute = 60'000'000;
constexpr int64_t kPaceWindowMinutes = 15;

struct Counts {
  uint32_t expected = 0;
  uint32_t photographed = 0;
  uint32_t absent = 0;
  uint32_t missing = 0;
  uint32_t waiting = 0;

  void Add(const Counts& o) {
    expected += o.expected;
    photographed += o.photographed;
    absent += o.absent;
    missing += o.missing;
    waiting += o.waiting;
  }
};

struct ClassFacts {
  std::string name;
  const PlannedClass* plan = nullptr;  // nullptr: on the roster, on no schedule
  Counts counts;
  std::string state;
  uint32_t open_anomalies = 0;
};

int SeverityRank(wire::Severity s) {
  switch (s) {
    case wire::BLOCKER:
      return 0;
    case wire::WARNING:
      return 1;
    default:
      return 2;
  }
}

// To `decimals` places, as the nearest double to that (a division, not a multiplication by 0.1, so
// that JSON shows 5.8 and not 5.800000000000001).
double Round(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

// The judge's state digested for both views: per-class counts and states, and who is named by an
// open anomaly.
class Day {
 public:
  explicit Day(const ViewInputs& in) {
    for (const PlannedClass& p : in.directory->classes()) {
      index_.emplace(p.name, classes_.size());
      classes_.push_back({p.name, &p, {}, "", 0});
    }
    for (const judge::StationProgress& p : *in.progress) {
      if (!p.current_class.empty()) current_[p.station] = p.current_class;
      if (p.day_over) day_over_.insert(p.station);
    }
    for (const judge::AssignmentRow& row : *in.assignment) {
      auto [it, added] = index_.emplace(row.class_name, classes_.size());
      if (added) classes_.push_back({row.class_name, nullptr, {}, "", 0});
      Counts& c = classes_[it->second].counts;
      ++c.expected;
      if (row.status == "photographed") ++c.photographed;
      if (row.status == "absent") ++c.absent;
      class_of_.emplace(row.student_no, it->second);
    }
    for (const judge::AnomalyState& a : *in.anomalies) {
      if (!a.open()) continue;
      std::set<size_t> classes;
      for (const wire::StudentRef& s : a.anomaly.students()) {
        student_anomalies_[s.student_no()].push_back(a.anomaly.id());
        if (auto c = class_of_.find(s.student_no()); c != class_of_.end()) classes.insert(c->second);
      }
      for (size_t c : classes) ++classes_[c].open_anomalies;
    }
    for (ClassFacts& f : classes_) Classify(f);
  }

  const std::vector<ClassFacts>& classes() const { return classes_; }
  const ClassFacts* Find(std::string_view name) const {
    const auto it = index_.find(std::string(name));
    return it == index_.end() ? nullptr : &classes_[it->second];
  }
  std::optional<std::string> CurrentClass(uint32_t station) const {
    const auto it = current_.find(station);
    return it == current_.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  const std::vector<std::string>* AnomaliesOf(const std::string& student_no) const {
    const auto it = student_anomalies_.find(student_no);
    return it == student_anomalies_.end() ? nullptr : &it->second;
  }

 private:
  void Classify(ClassFacts& f) const {
    Counts& c = f.counts;
    const uint32_t left = c.expected - c.photographed - c.absent;
    const uint32_t station = f.plan ? f.plan->station : 0;
    const auto current = current_.find(station);
    if (left > 0 && day_over_.count(station) != 0) {
      // The station's day is closed: whoever has not come is missing, also from a class that never came.
      f.state = "incomplete";
      c.missing = left;
    } else if (c.photographed + c.absent == 0) {
      f.state = "waiting";
      c.waiting = left;
    } else if (left == 0) {
      // Every student has a photo or an absent mark, but a photo may be someone else's until the
      // open anomalies that name the class's students are resolved.
      f.state = f.open_anomalies == 0 ? "done" : "needs_review";
    } else if (current != current_.end() && current->second == f.name) {
      f.state = "in_progress";
      c.waiting = left;  // still queueing
    } else {
      f.state = "incomplete";
      c.missing = left;
    }
  }

  std::vector<ClassFacts> classes_;
  std::unordered_map<std::string, size_t> index_;
  std::unordered_map<std::string_view, size_t> class_of_;  // student_no (in the assignment rows) -> class
  std::map<uint32_t, std::string> current_;
  std::set<uint32_t> day_over_;
  std::unordered_map<std::string, std::vector<std::string>> student_anomalies_;
};

class Clock {
 public:
  explicit Clock(const Directory& d) : d_(d) {}
  int64_t Minute(int64_t t) const { return MinuteOfDay(t, d_.local_midnight_us()); }
  double Minutes(int64_t t) const { return static_cast<double>(t - d_.local_midnight_us()) / kMicrosPerMinute; }
  std::string HourMinute(int64_t t) const {
    const int64_t m = ((Minute(t) % 1440) + 1440) % 1440;
    char buf[8];
    std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(m / 60), static_cast<int>(m % 60));
    return buf;
  }
  // "16:41" on the capture day, "2024-04-23 09:10" on another.
  std::string When(int64_t t) const {
    const int64_t minute = Minute(t);
    if (minute >= 0 && minute < 1440) return HourMinute(t);
    return FormatIso8601(t, d_.utc_offset_minutes()).substr(0, 10) + " " + HourMinute(t);
  }
  std::string HourMinuteSecond(int64_t t) const {
    const int64_t s = (((t - d_.local_midnight_us()) / 1'000'000) % 86400 + 86400) % 86400;
    char buf[12];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", static_cast<int>(s / 3600), static_cast<int>(s / 60 % 60),
                  static_cast<int>(s % 60));
    return buf;
  }

 private:
  const Directory& d_;
};

Json CountsJson(const Counts& c) {
  return {{"expected", c.expected},
          {"photographed", c.photographed},
          {"absent", c.absent},
          {"missing", c.missing},
          {"waiting", c.waiting}};
}

Json ClassSummary(const ClassFacts& f, const Clock& clock) {
  Json j = {{"class", f.name},
            {"college", f.plan ? Json(f.plan->college) : Json(nullptr)},
            {"station", f.plan ? f.plan->station : 0},
            {"slot_start", f.plan ? Json(clock.HourMinute(f.plan->start_us)) : Json(nullptr)},
            {"slot_end", f.plan ? Json(clock.HourMinute(f.plan->end_us)) : Json(nullptr)}};
  j.update(CountsJson(f.counts));
  j["state"] = f.state;
  j["open_anomalies"] = f.open_anomalies;
  return j;
}

// The station's planned classes, in schedule order.
std::vector<const PlannedClass*> PlanOf(const Directory& d, uint32_t station) {
  std::vector<const PlannedClass*> out;
  for (const PlannedClass& p : d.classes()) {
    if (p.station == station) out.push_back(&p);
  }
  return out;
}

// Students the schedule planned done by `t`: each class evenly over its slot.
double PlannedBy(const std::vector<const PlannedClass*>& plan, int64_t t) {
  double done = 0;
  for (const PlannedClass* p : plan) {
    if (t >= p->end_us) {
      done += p->students;
    } else if (t > p->start_us && p->end_us > p->start_us) {
      done += p->students * static_cast<double>(t - p->start_us) / static_cast<double>(p->end_us - p->start_us);
    }
  }
  return done;
}

// The earliest instant the plan reaches `count` students (the plan never decreases).
int64_t PlannedWhen(const std::vector<const PlannedClass*>& plan, double count) {
  int64_t lo = plan.front()->start_us, hi = plan.front()->end_us;
  for (const PlannedClass* p : plan) {
    lo = std::min(lo, p->start_us);
    hi = std::max(hi, p->end_us);
  }
  while (hi - lo > 1'000'000) {
    const int64_t mid = lo + (hi - lo) / 2;
    (PlannedBy(plan, mid) >= count ? hi : lo) = mid;
  }
  return hi;
}

Json StationJson(const ViewInputs& in, const Day& day, const Clock& clock, uint32_t station,
                 const std::map<uint32_t, const judge::StationProgress*>& progress,
                 const std::map<uint32_t, std::pair<uint32_t, uint32_t>>& open_by_station) {
  Counts counts;
  for (const ClassFacts& f : day.classes()) {
    if (f.plan && f.plan->station == station) counts.Add(f.counts);
  }
  const auto p = progress.find(station);
  const std::optional<std::string> current = day.CurrentClass(station);
  const PlannedClass* current_plan = current ? in.directory->FindClass(*current) : nullptr;
  Json j = {{"station", station},
            {"current_class", current ? Json(*current) : Json(nullptr)},
            {"current_college", current_plan ? Json(current_plan->college) : Json(nullptr)},
            {"class_done", p != progress.end() ? p->second->class_done : 0},
            {"class_expected", p != progress.end() ? p->second->class_expected : 0},
            {"slot_start", current_plan ? Json(clock.HourMinute(current_plan->start_us)) : Json(nullptr)},
            {"slot_end", current_plan ? Json(clock.HourMinute(current_plan->end_us)) : Json(nullptr)}};
  j.update(CountsJson(counts));

  // Pace from the photos taken at the station itself.
  const uint32_t here_now = p != progress.end() ? p->second->photographed : 0;
  std::optional<int64_t> first_minute;
  std::optional<int64_t> last_photo_minute;  // the minute its count last grew
  uint32_t seen = 0;
  for (const auto& [minute, m] : in.timeline->minutes()) {
    const auto n = m.photographed.find(station);
    if (n == m.photographed.end() || n->second <= seen) continue;
    if (!first_minute) first_minute = minute;
    last_photo_minute = minute;
    seen = n->second;
  }
  std::optional<double> pace;
  if (first_minute) {
    const int64_t now_minute = clock.Minute(in.now_us);
    const int64_t active = now_minute - *first_minute + 1;
    if (active <= kPaceWindowMinutes) {
      pace = static_cast<double>(here_now) / static_cast<double>(std::max<int64_t>(active, 1));
    } else {
      const uint32_t then = in.timeline->PhotographedAt(station, in.now_us - kPaceWindowMinutes * kMicrosPerMinute);
      pace = static_cast<double>(here_now > then ? here_now - then : 0) / kPaceWindowMinutes;
    }
  }
  const uint32_t done = counts.photographed + counts.absent;
  const uint32_t remaining = counts.expected - done;
  // Finished: no student is still to come (every class has been photographed, or has moved on or
  // been closed with its missing students named). Its clock stops there: a finished station shows
  // the delay it finished with and when, not a delay that grows while the missing stay missing.
  const bool finished = counts.expected > 0 && counts.waiting == 0;
  const std::vector<const PlannedClass*> plan = PlanOf(*in.directory, station);
  std::optional<int64_t> finished_at;
  if (finished && last_photo_minute) {
    finished_at = in.directory->local_midnight_us() + (*last_photo_minute + 1) * kMicrosPerMinute;
  }
  std::optional<double> delay;
  if (!plan.empty() && !finished && remaining > 0) {
    const double behind = static_cast<double>(in.now_us - PlannedWhen(plan, done)) / kMicrosPerMinute;
    delay = done == 0 ? std::max(0.0, behind) : behind;  // before its first student a station is not ahead
  } else if (!plan.empty() && finished_at) {
    delay = static_cast<double>(*finished_at - PlannedWhen(plan, counts.expected)) / kMicrosPerMinute;
  }
  std::optional<int64_t> end;
  if (!finished && remaining > 0 && pace && *pace > 0) {
    end = in.now_us + static_cast<int64_t>(remaining / *pace * kMicrosPerMinute);
  }
  j["pace_per_minute"] = pace && !finished ? Json(Round(*pace, 1)) : Json(nullptr);
  j["delay_minutes"] = delay ? Json(Round(*delay, 1)) : Json(nullptr);
  j["estimated_end"] = end ? Json(clock.When(*end)) : Json(nullptr);
  j["finished"] = finished;
  j["finished_at"] = finished_at ? Json(clock.When(*finished_at)) : Json(nullptr);
  const auto open = open_by_station.find(station);
  j["open_anomalies"] = open != open_by_station.end() ? open->second.first : 0;
  j["open_blockers"] = open != open_by_station.end() ? open->second.second : 0;
  return j;
}

Json AnomalyJson(const ViewInputs& in, const Clock& clock, const wire::Anomaly& a) {
  Json students = Json::array();
  for (const wire::StudentRef& s : a.students()) {
    const std::string_view name = in.directory->NameOf(s.student_no());
    students.push_back({{"student_no", s.student_no()},
                        {"registry_no", s.registry_no()},
                        {"name", name.empty() ? Json(nullptr) : Json(std::string(name))},
                        {"masked_name", s.masked_name()}});
  }
  Json shots = Json::array();
  for (const std::string& shot : a.shots()) shots.push_back(shot);
  const std::optional<int64_t> raised = in.timeline->TimeOfCommit(a.raised_commit());
  return {{"id", a.id()},
          {"kind", wire::Anomaly::Kind_Name(a.kind())},
          {"severity", wire::Severity_Name(a.severity())},
          {"station", a.station()},
          {"students", std::move(students)},
          {"shots", std::move(shots)},
          {"message", a.message()},
          {"message_zh", a.message_zh()},
          {"raised_commit", a.raised_commit()},
          {"raised_at", raised ? Json(clock.HourMinuteSecond(*raised)) : Json(nullptr)},
          {"age_seconds", raised ? Json(std::max<int64_t>(0, (in.now_us - *raised) / 1'000'000)) : Json(nullptr)}};
}

Json SeriesJson(const ViewInputs& in, const Clock& clock) {
  Json stations = Json::array();
  for (uint32_t station : in.directory->stations()) {
    Json done = Json::array();
    for (const auto& [minute, m] : in.timeline->minutes()) {
      if (auto n = m.photographed.find(station); n != m.photographed.end()) done.push_back({minute, n->second});
    }
    const std::vector<const PlannedClass*> plan = PlanOf(*in.directory, station);
    std::set<int64_t> corners;
    for (const PlannedClass* c : plan) corners.insert({c->start_us, c->end_us});
    Json planned = Json::array();
    for (int64_t t : corners) planned.push_back({Round(clock.Minutes(t), 2), Round(PlannedBy(plan, t), 2)});
    stations.push_back({{"station", station}, {"photographed", std::move(done)}, {"plan", std::move(planned)}});
  }
  Json events = Json::array();
  Json commit_ms = Json::array();
  for (const auto& [minute, m] : in.timeline->minutes()) {
    if (m.events > 0) events.push_back({minute, m.events});
    if (m.commits > 0) {
      commit_ms.push_back({minute, Round(m.commit_seconds_sum / static_cast<double>(m.commits) * 1000, 3),
                           Round(m.commit_seconds_max * 1000, 3)});
    }
  }
  return {
      {"stations", std::move(stations)}, {"events_per_minute", std::move(events)}, {"commit_ms", std::move(commit_ms)}};
}

}  // namespace

std::string SummaryJson(const ViewInputs& in) {
  const Day day(in);
  const Clock clock(*in.directory);

  std::map<uint32_t, const judge::StationProgress*> progress;
  for (const judge::StationProgress& p : *in.progress) progress[p.station] = &p;

  std::vector<const wire::Anomaly*> open;
  std::map<uint32_t, std::pair<uint32_t, uint32_t>> open_by_station;  // (open, blockers)
  uint32_t blockers = 0;
  for (const judge::AnomalyState& a : *in.anomalies) {
    if (!a.open()) continue;
    open.push_back(&a.anomaly);
    const bool blocker = a.anomaly.severity() == wire::BLOCKER;
    blockers += blocker;
    auto& [n, b] = open_by_station[a.anomaly.station()];
    ++n;
    b += blocker;
  }
  std::stable_sort(open.begin(), open.end(), [](const wire::Anomaly* a, const wire::Anomaly* b) {
    return SeverityRank(a->severity()) < SeverityRank(b->severity());
  });
  Json listed = Json::array();
  for (size_t i = 0; i < open.size() && i < kMaxListedAnomalies; ++i)
    listed.push_back(AnomalyJson(in, clock, *open[i]));

  Counts totals;
  Json classes = Json::array();
  for (const ClassFacts& f : day.classes()) {
    totals.Add(f.counts);
    classes.push_back(ClassSummary(f, clock));
  }
  Json stations = Json::array();
  for (uint32_t station : in.directory->stations()) {
    stations.push_back(StationJson(in, day, clock, station, progress, open_by_station));
  }
  int64_t first = 0, last = 0;
  if (!in.directory->classes().empty()) {
    first = in.directory->classes().front().start_us;
    last = in.directory->classes().front().end_us;
    for (const PlannedClass& p : in.directory->classes()) {
      first = std::min(first, p.start_us);
      last = std::max(last, p.end_us);
    }
  }

  Json j = {{"commit_index", in.commit_index},
            {"assignment_commit_index", in.assignment_commit_index},
            {"now", FormatIso8601(in.now_us, in.directory->utc_offset_minutes())},
            {"now_minute", clock.Minute(in.now_us)},
            {"day", {{"first_minute", clock.Minute(first)}, {"last_minute", clock.Minute(last)}}},
            {"totals", CountsJson(totals)},
            {"stations", std::move(stations)},
            {"classes", std::move(classes)},
            {"anomalies",
             {{"open", open.size()},
              {"open_blockers", blockers},
              {"raised", in.anomalies->size()},
              {"left_out", open.size() - listed.size()},
              {"list", std::move(listed)}}},
            {"series", SeriesJson(in, clock)}};
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::optional<std::string> ClassJson(const ViewInputs& in, std::string_view class_name) {
  const Day day(in);
  const ClassFacts* f = day.Find(class_name);
  if (f == nullptr) return std::nullopt;
  const Clock clock(*in.directory);
  Json j = {{"commit_index", in.commit_index}, {"assignment_commit_index", in.assignment_commit_index}};
  j.update(ClassSummary(*f, clock));
  Json students = Json::array();
  for (const judge::AssignmentRow& row : *in.assignment) {
    if (row.class_name != class_name) continue;
    const std::string_view name = in.directory->NameOf(row.student_no);
    const bool photographed = row.status == "photographed";
    const bool has_image = photographed && !row.image_sha256.empty();
    Json ids = Json::array();
    if (const auto* a = day.AnomaliesOf(row.student_no)) {
      for (const std::string& id : *a) ids.push_back(id);
    }
    students.push_back({{"student_no", row.student_no},
                        {"registry_no", row.registry_no},
                        {"name", name.empty() ? Json(nullptr) : Json(std::string(name))},
                        {"status", row.status},
                        {"station", photographed ? Json(row.station) : Json(nullptr)},
                        {"shot", photographed ? Json(row.shot_number) : Json(nullptr)},
                        {"image_file", photographed ? Json(row.image_file) : Json(nullptr)},
                        {"image_sha256", has_image ? Json(row.image_sha256) : Json(nullptr)},
                        {"anomalies", std::move(ids)}});
  }
  j["students"] = std::move(students);
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace capture::dashboard
