#include "tools/capture-sim/scenario.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "common/sha256.h"
#include "tools/capture-sim/random.h"
#include "tools/capture-sim/sim_jpeg.h"

namespace capture::sim {

namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int kNoon = 12 * 60;
constexpr int kAfternoon = 14 * 60;
constexpr uint32_t kCounterMax = 9999;
constexpr int64_t kLateStation = 20 * kMinute;

// Benign variation, per thousand seats.
constexpr uint64_t kRetakePerMille = 15;
constexpr uint64_t kDoubleFirePerMille = 20;
constexpr uint64_t kLateFilePerMille = 30;
// A late file is the exception: the judge aligns the camera clock on most files landing at once.
constexpr int kLateFileSpacing = 10;

// A benign hold of the agent spans this many students.
constexpr size_t kMinBenignHold = 8;
constexpr size_t kMaxBenignHold = 15;

// Class-level faults take whole classes: only a few per day.
constexpr int kMaxClassFaultsPerKind = 3;
constexpr int kMaxObservationFaultsPerStation = 2;
constexpr int kSiteTries = 400;

enum class FileQuirk { kNone, kSameNumber, kSkip, kRewind };

// One person in a class's queue at a station, and what happens when they sit down.
struct Seat {
  const SimStudent* student = nullptr;  // nullptr: a stranger with a code on no roster
  std::string stranger_registry_no;
  std::string stranger_masked_name;
  bool skip = false;           // never sits down here (missing, or taken elsewhere)
  bool scan = true;            // false: forgets to scan
  bool photographed = true;    // false: scans and leaves
  bool damaged_first = false;  // the first read is a damaged line
  bool void_photo = false;     // the operator voids the shot, no retake
  bool shoot_again = false;    // scanned and shot again, no retake mark
  int64_t wait_us = 0;         // extra time between the code and the shot
  FileQuirk quirk = FileQuirk::kNone;
  uint32_t quirk_amount = 0;
  int64_t clock_jump_us = 0;   // the station clock jumps by this before the seat
  bool double_fire = false;
  bool late_file = false;
  bool retake = false;
  bool retake_named = false;   // "!retake REGISTRY_NO" rather than "!retake"
  int fault = -1;              // index into the scenario's faults
  int hold = -1;               // index into the builder's holds: the agent is held up meanwhile
  bool record_shots = false;           // the fault lists this seat's images
  bool record_previous_shot = false;   // ... and the image before the first of them

  bool plain() const {
    return student != nullptr && !student->earlier_cohort && !double_fire && !late_file && !retake && fault < 0;
  }
  const std::string& registry_no() const { return student ? student->student.registry_no : stranger_registry_no; }
  const std::string& masked_name() const { return student ? student->student.masked_name : stranger_masked_name; }
};

struct ClassRun {
  size_t class_index = 0;  // into Schedule::classes
  std::vector<Seat> seats;
  std::vector<std::vector<Seat>> inserted;  // inserted[i]: seats right after seats[i]
  std::vector<const SimStudent*> absent;
  std::vector<char> used;  // per seat: part of a fault's site
  bool whole_class_fault = false;
};

struct StationDay {
  int station = 0;
  std::vector<ClassRun> classes;
  bool late = false;
  uint32_t first_shot_number = 1;
};

struct Site {
  size_t station = 0;  // index into the days
  size_t klass = 0;    // index into the station's classes
  size_t first = 0;
};

std::string FaultKindName(wire::Anomaly::Kind kind) { return wire::Anomaly::Kind_Name(kind); }

class Builder {
 public:
  Builder(const Schedule& schedule, const SyntheticRoster& roster, const ScenarioOptions& options)
      : schedule_(schedule), roster_(roster), o_(options), rng_(options.seed ^ 0x5CE7A410ull) {}

  Result<Scenario> Build();

 private:
  void MakeClassRuns();
  void AddBenignVariation();
  Status InjectFaults();
  Status Inject(wire::Anomaly::Kind kind);
  void Render();
  void RenderStation(StationDay& day);
  Status AddObservationFaults();

  std::optional<Site> FindSite(size_t count, bool (Builder::*class_ok)(size_t, size_t) const);
  bool UsableClass(size_t station, size_t klass) const;
  bool NotFirstClass(size_t station, size_t klass) const { return klass > 0 && UsableClass(station, klass); }
  // A station's last class, which moves on only when the day ends (the end-of-day faults).
  bool LastClass(size_t station, size_t klass) const;
  bool MorningClass(size_t station, size_t klass) const;
  bool AfternoonClass(size_t station, size_t klass) const;
  bool HasNextClass(size_t station, size_t klass) const;
  bool SiteFits(const ClassRun& c, size_t first, size_t count) const;
  void Take(const Site& site, size_t count);
  // The agent is held up while the `count` seats of `site` sit.
  void Hold(const Site& site, size_t count, bool real_time);
  int NewFault(wire::Anomaly::Kind kind, int station, std::string note, bool in_process_only = false);
  void Name(int fault, const Seat& seat) {
    scenario_.faults[static_cast<size_t>(fault)].students.push_back(seat.registry_no());
  }
  ClassRun& ClassAt(const Site& s) { return days_[s.station].classes[s.klass]; }
  Seat& SeatAt(const Site& s, size_t offset = 0) { return ClassAt(s).seats[s.first + offset]; }
  int StationOf(const Site& s) const { return days_[s.station].station; }
  const ScheduledClass& Scheduled(const ClassRun& c) const { return schedule_.classes[c.class_index]; }
  std::string StrangerRegistryNo();

  const Schedule& schedule_;
  const SyntheticRoster& roster_;
  const ScenarioOptions& o_;
  SeededRandom rng_;
  std::vector<StationDay> days_;
  Scenario scenario_;
  std::set<std::string> registry_nos_;
  std::map<wire::Anomaly::Kind, int> day_end_turn_;  // per end-of-day fault kind: alternates the class chosen
  // Per station: the true day span, for the coordinator's observations.
  std::map<int, std::pair<MicrosSinceEpoch, MicrosSinceEpoch>> spans_;
  // Per station: the indices of the first action of each class after the first.
  std::map<int, std::vector<size_t>> class_starts_;
  // Coordinator observation faults to place once the day's times are known.
  std::vector<wire::Anomaly::Kind> observation_plan_;
  std::vector<bool> hold_real_time_;  // per hold planned
};

Result<Scenario> Builder::Build() {
  if (o_.time_per_student_s < kMinTimePerStudentSeconds) {
    return Status::InvalidArgument("time per student must be at least " + std::to_string(kMinTimePerStudentSeconds) +
                                   " s");
  }
  if (o_.faults < 0) return Status::InvalidArgument("the number of faults cannot be negative");
  for (const SimStudent& s : roster_.students) registry_nos_.insert(s.student.registry_no);
  MakeClassRuns();
  if (o_.benign) AddBenignVariation();
  if (Status st = InjectFaults(); !st.ok()) return st;
  Render();
  if (Status st = AddObservationFaults(); !st.ok()) return st;
  std::sort(scenario_.observations.begin(), scenario_.observations.end(),
            [](const TimedObservation& a, const TimedObservation& b) { return a.time < b.time; });
  return std::move(scenario_);
}

void Builder::MakeClassRuns() {
  std::vector<ClassRun> runs(schedule_.classes.size());
  for (size_t ci = 0; ci < runs.size(); ++ci) runs[ci].class_index = ci;
  for (const SimStudent& s : roster_.students) {
    ClassRun& run = runs.at(s.class_index);
    if (s.absent) {
      run.absent.push_back(&s);
    } else {
      Seat seat;
      seat.student = &s;
      run.seats.push_back(seat);
    }
  }
  std::map<int, StationDay> by_station;
  for (ClassRun& run : runs) {
    run.inserted.resize(run.seats.size());
    run.used.assign(run.seats.size(), 0);
    StationDay& day = by_station[schedule_.classes[run.class_index].station];
    day.station = schedule_.classes[run.class_index].station;
    day.classes.push_back(std::move(run));
  }
  for (auto& [station, day] : by_station) days_.push_back(std::move(day));
}

void Builder::AddBenignVariation() {
  // Within a college's slot the teacher sends whichever class is complete first.
  for (StationDay& day : days_) {
    size_t begin = 0;
    while (begin < day.classes.size()) {
      size_t end = begin + 1;
      const ScheduledClass& first = Scheduled(day.classes[begin]);
      while (end < day.classes.size() && Scheduled(day.classes[end]).college == first.college &&
             Scheduled(day.classes[end]).start_minute == first.start_minute) {
        ++end;
      }
      for (size_t i = end - 1; i > begin; --i) {
        std::swap(day.classes[i], day.classes[begin + rng_.Below(i - begin + 1)]);
      }
      begin = end;
    }
  }
  if (!days_.empty()) {
    days_[rng_.Below(days_.size())].late = true;
    // One camera starts near the end of its counter and wraps to 0001 during the day.
    days_[rng_.Below(days_.size())].first_shot_number = kCounterMax - 9 + static_cast<uint32_t>(rng_.Below(5));
  }
  for (StationDay& day : days_) {
    if (day.first_shot_number == 1) day.first_shot_number = 1 + static_cast<uint32_t>(rng_.Below(3000));
    int since_late = kLateFileSpacing;
    for (ClassRun& c : day.classes) {
      for (size_t i = 0; i < c.seats.size(); ++i) {
        Seat& seat = c.seats[i];
        ++since_late;
        // A late file lands after the next student's code: the class's last student has none.
        const bool next_reads = i + 1 < c.seats.size();
        const uint64_t roll = rng_.Below(1000);
        if (roll < kRetakePerMille) {
          seat.retake = true;
          seat.retake_named = rng_.Below(2) == 0;
        } else if (roll < kRetakePerMille + kDoubleFirePerMille) {
          seat.double_fire = true;
        } else if (roll < kRetakePerMille + kDoubleFirePerMille + kLateFilePerMille && since_late > kLateFileSpacing &&
                   next_reads) {
          seat.late_file = true;
          since_late = 0;
        }
      }
    }
  }
  // A station's agent held up for a while (a slow disk, a laptop that froze) in sim-time: its backlog
  // keeps station-time order, so nothing is raised.
  const size_t held = kMinBenignHold + rng_.Below(kMaxBenignHold - kMinBenignHold + 1);
  if (auto site = FindSite(held, &Builder::UsableClass)) Hold(*site, held, /*real_time=*/false);
}

// ---- Faults ----

int Builder::NewFault(wire::Anomaly::Kind kind, int station, std::string note, bool in_process_only) {
  InjectedFault f;
  f.kind = FaultKindName(kind);
  f.station = station;
  f.note = std::move(note);
  f.in_process_only = in_process_only;
  scenario_.faults.push_back(std::move(f));
  return static_cast<int>(scenario_.faults.size() - 1);
}

bool Builder::UsableClass(size_t station, size_t klass) const {
  const StationDay& day = days_[station];
  // A station's last class moves on only when the day ends: it is kept for the end-of-day faults,
  // so that the others are judged as in the middle of a day.
  return klass + 1 < day.classes.size() && !day.classes[klass].whole_class_fault;
}

bool Builder::LastClass(size_t station, size_t klass) const {
  const StationDay& day = days_[station];
  return klass + 1 == day.classes.size() && !day.classes[klass].whole_class_fault;
}

bool Builder::MorningClass(size_t station, size_t klass) const {
  return UsableClass(station, klass) && Scheduled(days_[station].classes[klass]).end_minute <= kNoon;
}

bool Builder::AfternoonClass(size_t station, size_t klass) const {
  return UsableClass(station, klass) && Scheduled(days_[station].classes[klass]).start_minute >= kAfternoon;
}

bool Builder::HasNextClass(size_t station, size_t klass) const {
  return UsableClass(station, klass) && !days_[station].classes[klass + 1].whole_class_fault;
}

// A site is `count` plain seats, with two seats on each side that no other fault touches, so that
// faults never share students nor change how a neighbouring fault is judged.
bool Builder::SiteFits(const ClassRun& c, size_t first, size_t count) const {
  if (first < 2 || first + count + 2 > c.seats.size()) return false;
  for (size_t i = first - 2; i < first + count + 2; ++i) {
    const Seat& seat = c.seats[i];
    if (c.used[i] || !c.inserted[i].empty() || seat.late_file || seat.skip) return false;
    if (i >= first && i < first + count && !seat.plain()) return false;
  }
  return true;
}

std::optional<Site> Builder::FindSite(size_t count, bool (Builder::*class_ok)(size_t, size_t) const) {
  std::vector<std::pair<size_t, size_t>> classes;
  for (size_t s = 0; s < days_.size(); ++s) {
    for (size_t k = 0; k < days_[s].classes.size(); ++k) {
      if ((this->*class_ok)(s, k) && days_[s].classes[k].seats.size() >= count + 4) classes.push_back({s, k});
    }
  }
  if (classes.empty()) return std::nullopt;
  for (int attempt = 0; attempt < kSiteTries; ++attempt) {
    const auto [s, k] = classes[rng_.Below(classes.size())];
    const ClassRun& c = days_[s].classes[k];
    const size_t first = 2 + rng_.Below(c.seats.size() - count - 3);
    if (SiteFits(c, first, count)) return Site{s, k, first};
  }
  return std::nullopt;
}

void Builder::Take(const Site& site, size_t count) {
  ClassRun& c = ClassAt(site);
  for (size_t i = 0; i < count; ++i) c.used[site.first + i] = 1;
}

void Builder::Hold(const Site& site, size_t count, bool real_time) {
  Take(site, count);
  for (size_t i = 0; i < count; ++i) SeatAt(site, i).hold = static_cast<int>(hold_real_time_.size());
  hold_real_time_.push_back(real_time);
}

std::string Builder::StrangerRegistryNo() {
  for (;;) {
    char digits[8];
    std::snprintf(digits, sizeof digits, "%07llu", static_cast<unsigned long long>(rng_.Below(10'000'000)));
    std::string candidate = std::string("104212099") + digits;
    if (registry_nos_.insert(candidate).second) return candidate;
  }
}

Status Builder::InjectFaults() {
  using K = wire::Anomaly;
  std::vector<K::Kind> kinds = {K::SHOT_WITHOUT_CODE, K::CODE_WITHOUT_SHOT, K::DUPLICATE_STUDENT,
                                K::DUPLICATE_SHOT,    K::SHOT_NUMBER_GAP,   K::SHOT_NUMBER_REWIND,
                                K::OUT_OF_ORDER,      K::CLASS_INTERLEAVED, K::WRONG_STATION,
                                K::OFF_SCHEDULE,      K::UNKNOWN_CODE,      K::CODE_UNREADABLE,
                                K::CLOCK_SKEW,        K::MISSING_STUDENT,   K::STALE_CODE,
                                K::NO_VALID_PHOTO,    K::SHOT_UNKNOWN_CODE};
  if (o_.coordinator_observations) {
    // KIND_UNSPECIFIED stands for the coordinator's clock-offset observation (a CLOCK_SKEW too).
    kinds.insert(kinds.end(), {K::KIND_UNSPECIFIED, K::STATION_SILENT, K::STATION_REPLACED, K::STALL_UNORDERED});
  }
  if (!o_.fault_kinds.empty()) {
    std::vector<K::Kind> chosen;
    for (K::Kind k : kinds) {
      const std::string name = FaultKindName(k == K::KIND_UNSPECIFIED ? K::CLOCK_SKEW : k);
      if (std::find(o_.fault_kinds.begin(), o_.fault_kinds.end(), name) != o_.fault_kinds.end()) chosen.push_back(k);
    }
    for (const std::string& name : o_.fault_kinds) {
      K::Kind k;
      if (!K::Kind_Parse(name, &k)) return Status::InvalidArgument("no anomaly kind " + name);
      if (std::find(chosen.begin(), chosen.end(), k) == chosen.end() && k != K::CLOCK_SKEW) {
        return Status::InvalidArgument("capture-sim cannot inject " + name + " faults");
      }
    }
    kinds = std::move(chosen);
  }
  if (kinds.empty()) return Status::InvalidArgument("no fault kind to inject");
  const size_t observation_cap = static_cast<size_t>(kMaxObservationFaultsPerStation) * days_.size();
  std::map<K::Kind, size_t> caps = {{K::WRONG_STATION, kMaxClassFaultsPerKind},
                                    {K::OFF_SCHEDULE, kMaxClassFaultsPerKind},
                                    {K::KIND_UNSPECIFIED, observation_cap},
                                    {K::STATION_SILENT, observation_cap},
                                    {K::STATION_REPLACED, observation_cap}};
  std::vector<K::Kind> plan;
  std::map<K::Kind, size_t> counts;
  for (size_t i = 0; plan.size() < static_cast<size_t>(o_.faults); ++i) {
    const K::Kind kind = kinds[i % kinds.size()];
    const auto cap = caps.find(kind);
    if (cap != caps.end() && counts[kind] >= cap->second) {
      const bool all_capped = std::all_of(kinds.begin(), kinds.end(), [&](K::Kind k) {
        const auto c = caps.find(k);
        return c != caps.end() && counts[k] >= c->second;
      });
      if (all_capped) return Status::InvalidArgument("the day has no room for more faults of these kinds");
      continue;
    }
    ++counts[kind];
    plan.push_back(kind);
  }
  // Whole classes move first, so the student-level faults see the final class order.
  std::stable_partition(plan.begin(), plan.end(),
                        [](K::Kind k) { return k == K::WRONG_STATION || k == K::OFF_SCHEDULE; });
  for (K::Kind kind : plan) {
    if (Status st = Inject(kind); !st.ok()) return st;
  }
  return Status::Ok();
}

Status Builder::Inject(wire::Anomaly::Kind kind) {
  using K = wire::Anomaly;
  auto no_room = [&] {
    return Status::InvalidArgument("cannot fit another " + FaultKindName(kind) + " fault after " +
                                   std::to_string(scenario_.faults.size()) +
                                   " faults: the schedule has too few students for that many faults");
  };
  // One student's fault; `at_day_end` puts every second one in a station's last class where it fits.
  auto single = [&](std::string note, bool at_day_end = false) -> Result<std::pair<Site, int>> {
    std::optional<Site> site;
    if (at_day_end && day_end_turn_[kind]++ % 2 == 1) {
      site = FindSite(1, &Builder::LastClass);
      if (site) note += ", in the station's last class: named when the day is closed";
    }
    if (!site) site = FindSite(1, &Builder::UsableClass);
    if (!site) return no_room();
    Take(*site, 1);
    const int f = NewFault(kind, StationOf(*site), std::move(note));
    SeatAt(*site).fault = f;
    return std::make_pair(*site, f);
  };
  switch (kind) {
    case K::SHOT_WITHOUT_CODE:
    case K::CODE_WITHOUT_SHOT:
    case K::DUPLICATE_SHOT: {
      auto site = FindSite(2, &Builder::UsableClass);
      if (!site) return no_room();
      Take(*site, 2);
      Seat& a = SeatAt(*site, 0);
      Seat& b = SeatAt(*site, 1);
      const char* note = kind == K::SHOT_WITHOUT_CODE   ? "the second student forgot to scan their code"
                         : kind == K::CODE_WITHOUT_SHOT ? "the first student scanned and left without a photo"
                                                        : "the camera gave the second image the first one's number";
      const int f = NewFault(kind, StationOf(*site), note);
      a.fault = b.fault = f;
      Name(f, a);
      Name(f, b);
      if (kind == K::SHOT_WITHOUT_CODE) b.scan = false;
      if (kind == K::CODE_WITHOUT_SHOT) a.photographed = false;
      if (kind == K::DUPLICATE_SHOT) {
        b.quirk = FileQuirk::kSameNumber;
        a.record_shots = true;
      }
      b.record_shots = true;
      return Status::Ok();
    }
    case K::DUPLICATE_STUDENT: {
      if (rng_.Below(2) == 0) {
        auto morning = FindSite(1, &Builder::MorningClass);
        auto afternoon = morning ? FindSite(2, &Builder::AfternoonClass) : std::nullopt;
        if (morning && afternoon && StationOf(*morning) != StationOf(*afternoon)) {
          Take(*morning, 1);
          Take(*afternoon, 2);
          Seat& a = SeatAt(*morning);
          const int f = NewFault(kind, StationOf(*afternoon),
                                 "photographed in the morning at station " + std::to_string(StationOf(*morning)) +
                                     ", scanned and shot again in the afternoon here, no retake mark");
          a.fault = f;
          a.record_shots = true;
          Name(f, a);
          Seat again = a;
          ClassAt(*afternoon).inserted[afternoon->first].push_back(again);
          SeatAt(*afternoon, 0).fault = SeatAt(*afternoon, 1).fault = f;
          return Status::Ok();
        }
      }
      auto r = single("scanned and shot a second time without a retake mark");
      if (!r.ok()) return r.status();
      Seat& a = SeatAt(r->first);
      a.shoot_again = true;
      a.record_shots = true;
      Name(r->second, a);
      return Status::Ok();
    }
    case K::SHOT_NUMBER_GAP:
    case K::SHOT_NUMBER_REWIND: {
      auto site = FindSite(1, kind == K::SHOT_NUMBER_REWIND ? &Builder::NotFirstClass : &Builder::UsableClass);
      if (!site) return no_room();
      Take(*site, 1);
      Seat& a = SeatAt(*site);
      const bool gap = kind == K::SHOT_NUMBER_GAP;
      a.quirk = gap ? FileQuirk::kSkip : FileQuirk::kRewind;
      a.quirk_amount = gap ? 1 + static_cast<uint32_t>(rng_.Below(20)) : 3 + static_cast<uint32_t>(rng_.Below(38));
      a.fault = NewFault(kind, StationOf(*site),
                         gap ? std::to_string(a.quirk_amount) + " image(s) deleted on the camera"
                             : "the camera counter was reset back by " + std::to_string(a.quirk_amount));
      a.record_shots = a.record_previous_shot = true;
      if (!gap) Name(a.fault, a);
      return Status::Ok();
    }
    case K::OUT_OF_ORDER: {
      const size_t passed = 2 + rng_.Below(2);
      auto site = FindSite(passed + 1, &Builder::UsableClass);
      if (!site) return no_room();
      Take(*site, passed + 1);
      const int f = NewFault(kind, StationOf(*site),
                             "a student came " + std::to_string(passed) + " places after their turn");
      ClassRun& c = ClassAt(*site);
      for (size_t i = 0; i <= passed; ++i) {
        c.seats[site->first + i].fault = f;
        Name(f, c.seats[site->first + i]);
      }
      const auto begin = c.seats.begin() + static_cast<std::ptrdiff_t>(site->first);
      std::rotate(begin, begin + 1, begin + static_cast<std::ptrdiff_t>(passed) + 1);
      return Status::Ok();
    }
    case K::CLASS_INTERLEAVED: {
      for (int attempt = 0; attempt < kSiteTries; ++attempt) {
        auto site = FindSite(2, &Builder::HasNextClass);
        if (!site) return no_room();
        ClassRun& next = days_[site->station].classes[site->klass + 1];
        if (next.seats.size() < 5) continue;
        const size_t d = 2 + rng_.Below(next.seats.size() - 4);
        if (!SiteFits(next, d, 1)) continue;
        Take(*site, 2);
        next.used[d] = 1;
        const int f = NewFault(kind, StationOf(*site), "a student of the next class went in the middle of this one");
        Seat early = next.seats[d];
        early.fault = f;
        next.seats[d].skip = true;
        next.seats[d].fault = f;
        Name(f, early);
        Name(f, SeatAt(*site, 0));
        Name(f, SeatAt(*site, 1));
        SeatAt(*site, 0).fault = SeatAt(*site, 1).fault = f;
        ClassAt(*site).inserted[site->first].push_back(early);
        return Status::Ok();
      }
      return no_room();
    }
    case K::WRONG_STATION:
    case K::OFF_SCHEDULE: {
      std::vector<std::pair<size_t, size_t>> candidates;
      for (size_t s = 0; s < days_.size(); ++s) {
        for (size_t k = 0; k < days_[s].classes.size(); ++k) {
          const ClassRun& c = days_[s].classes[k];
          const bool used = std::any_of(c.used.begin(), c.used.end(), [](char u) { return u != 0; });
          if (c.whole_class_fault || used || c.seats.size() > 30) continue;
          if (kind == K::OFF_SCHEDULE && Scheduled(c).end_minute > kNoon) continue;
          candidates.push_back({s, k});
        }
      }
      if (candidates.empty() || (kind == K::WRONG_STATION && days_.size() < 2)) return no_room();
      const auto [s, k] = candidates[rng_.Below(candidates.size())];
      ClassRun moved = std::move(days_[s].classes[k]);
      days_[s].classes.erase(days_[s].classes.begin() + static_cast<std::ptrdiff_t>(k));
      moved.whole_class_fault = true;
      std::fill(moved.used.begin(), moved.used.end(), 1);
      const ScheduledClass& sc = Scheduled(moved);
      size_t to = s;
      std::string note;
      if (kind == K::WRONG_STATION) {
        to = (s + 1 + rng_.Below(days_.size() - 1)) % days_.size();
        note = "class " + sc.class_name + " of station " + std::to_string(days_[s].station) + " went to this station";
      } else {
        note = "class " + sc.class_name + " came hours after its slot";
      }
      const int f = NewFault(kind, days_[to].station, note);
      for (Seat& seat : moved.seats) {
        seat.fault = f;
        Name(f, seat);
      }
      std::vector<ClassRun>& dest = days_[to].classes;
      size_t at = dest.size();
      if (kind == K::WRONG_STATION) {
        // Into the other station's day where its own slot would be.
        at = 0;
        while (at < dest.size() && Scheduled(dest[at]).start_minute <= sc.start_minute) ++at;
      }
      // Never after the station's last class: it stays the day's last, for the end-of-day faults.
      if (dest.size() >= 2) at = std::min(at, dest.size() - 1);
      dest.insert(dest.begin() + static_cast<std::ptrdiff_t>(at), std::move(moved));
      return Status::Ok();
    }
    case K::UNKNOWN_CODE:
    case K::SHOT_UNKNOWN_CODE: {
      auto site = FindSite(2, &Builder::UsableClass);
      if (!site) return no_room();
      Take(*site, 2);
      Seat stranger;
      stranger.stranger_registry_no = StrangerRegistryNo();
      stranger.stranger_masked_name = "某*";
      const bool shot = kind == K::SHOT_UNKNOWN_CODE;
      const int f = NewFault(kind, StationOf(*site),
                             shot ? "someone with a code for a registry number on no roster, photographed"
                                  : "someone with a code for a registry number on no roster, sent to the registrar "
                                    "before the shot");
      stranger.fault = f;
      stranger.record_shots = shot;
      stranger.photographed = shot;
      Name(f, stranger);
      SeatAt(*site, 0).fault = SeatAt(*site, 1).fault = f;
      ClassAt(*site).inserted[site->first].push_back(stranger);
      return Status::Ok();
    }
    case K::CODE_UNREADABLE: {
      auto r = single("");
      if (!r.ok()) return r.status();
      SeatAt(r->first).damaged_first = true;
      scenario_.faults[static_cast<size_t>(r->second)].note =
          "a damaged read before the code of " + SeatAt(r->first).registry_no() + " was read again";
      return Status::Ok();
    }
    case K::CLOCK_SKEW: {
      // The station clock is set back for three students, then set right again.
      auto site = FindSite(4, &Builder::UsableClass);
      if (!site) return no_room();
      Take(*site, 4);
      const int64_t back = (2 + static_cast<int64_t>(rng_.Below(9))) * kMinute;
      const int f = NewFault(kind, StationOf(*site),
                             "the station clock went back " + std::to_string(back / kMinute) + " min for 3 students");
      for (size_t i = 0; i < 4; ++i) SeatAt(*site, i).fault = f;
      SeatAt(*site, 0).clock_jump_us = -back;
      SeatAt(*site, 3).clock_jump_us = back;
      return Status::Ok();
    }
    case K::MISSING_STUDENT: {
      auto r = single("neither photographed nor marked absent", /*at_day_end=*/true);
      if (!r.ok()) return r.status();
      SeatAt(r->first).skip = true;
      Name(r->second, SeatAt(r->first));
      return Status::Ok();
    }
    case K::STALE_CODE: {
      auto r = single("");
      if (!r.ok()) return r.status();
      Seat& a = SeatAt(r->first);
      a.wait_us = (95 + static_cast<int64_t>(rng_.Below(206))) * kSecond;
      a.record_shots = true;
      Name(r->second, a);
      scenario_.faults[static_cast<size_t>(r->second)].note =
          "the shot came " + std::to_string(a.wait_us / kSecond + 4) + " s after the code";
      return Status::Ok();
    }
    case K::NO_VALID_PHOTO: {
      auto r = single("the only shot was voided and never retaken", /*at_day_end=*/true);
      if (!r.ok()) return r.status();
      Seat& a = SeatAt(r->first);
      a.void_photo = true;
      a.record_shots = true;
      Name(r->second, a);
      return Status::Ok();
    }
    case K::STALL_UNORDERED: {
      const size_t count = 3 + rng_.Below(3);
      auto site = FindSite(count, &Builder::UsableClass);
      if (!site) return no_room();
      Hold(*site, count, /*real_time=*/true);
      const int f = NewFault(kind, StationOf(*site),
                             "the agent, on the computer's clock, was held up whole while " + std::to_string(count) +
                                 " students were read and photographed",
                             /*in_process_only=*/true);
      for (size_t i = 0; i < count; ++i) {
        Seat& seat = SeatAt(*site, i);
        seat.fault = f;
        seat.record_shots = true;
        Name(f, seat);
      }
      return Status::Ok();
    }
    case K::KIND_UNSPECIFIED:
    case K::STATION_SILENT:
    case K::STATION_REPLACED:
      // Placed once the day is rendered and its times are known.
      observation_plan_.push_back(kind);
      return Status::Ok();
    default:
      return Status::InvalidArgument("no way to inject a " + FaultKindName(kind) + " fault");
  }
}

// ---- Rendering: seats become the station's inputs, with times ----

void Builder::Render() {
  for (StationDay& day : days_) RenderStation(day);
}

void Builder::RenderStation(StationDay& day) {
  StationScript script;
  script.station = day.station;
  const int64_t per_student = int64_t{o_.time_per_student_s} * kSecond;
  const int64_t late = day.late ? kLateStation : 0;
  auto slot_start = [&](const ClassRun& c) {
    return o_.local_midnight + int64_t{Scheduled(c).start_minute} * kMinute + late;
  };
  int64_t t = day.classes.empty() ? o_.local_midnight : slot_start(day.classes.front());
  const int64_t day_start = t;
  int64_t offset = 0;  // the station clock minus the true time
  std::optional<int64_t> clock;
  uint32_t last_number = day.first_shot_number - 1;
  std::string last_file;
  uint64_t images = 0;
  struct Pending {
    std::string file;
    int64_t shutter = 0;
    std::string registry_no;
  };
  std::optional<Pending> pending;

  auto push = [&](StationAction a) { script.actions.push_back(std::move(a)); };
  auto set_time = [&](int64_t true_time) {
    const int64_t station_time = true_time + offset;
    if (clock == station_time) return;
    clock = station_time;
    StationAction a;
    a.kind = StationAction::Kind::kTime;
    a.station_time = station_time;
    a.line = "!time " + FormatIso8601(station_time, o_.utc_offset_minutes);
    push(std::move(a));
  };
  auto line = [&](StationAction::Kind kind, std::string text, wire::EventKind expect) {
    StationAction a;
    a.kind = kind;
    a.station_time = *clock;
    a.line = std::move(text);
    a.expect = expect;
    push(std::move(a));
  };
  auto image = [&](const std::string& file, int64_t shutter, const std::string& registry_no) {
    StationAction a;
    a.kind = StationAction::Kind::kImage;
    a.station_time = *clock;
    a.file_name = file;
    a.shutter_time = shutter;
    a.expect = wire::SHOT_TAKEN;
    a.bytes = MakeSimJpeg(ExifDateTime(shutter, o_.utc_offset_minutes), SimJpegComment(o_.seed, day.station, ++images));
    scenario_.photos.push_back({day.station, file, ToHex(ComputeSha256(a.bytes)), registry_no});
    last_file = file;
    push(std::move(a));
  };
  auto next_file = [&](FileQuirk quirk, uint32_t amount) {
    const char* prefix = "IMG_";
    switch (quirk) {
      case FileQuirk::kNone: last_number = last_number % kCounterMax + 1; break;
      case FileQuirk::kSameNumber: prefix = "DSC_"; break;  // the number the previous image has
      case FileQuirk::kSkip: last_number = (last_number + amount) % kCounterMax + 1; break;
      case FileQuirk::kRewind: last_number = last_number > amount ? last_number - amount : 1; break;
    }
    char name[32];
    std::snprintf(name, sizeof name, "%s%04u.JPG", prefix, static_cast<unsigned>(last_number));
    return std::string(name);
  };
  auto flush = [&](int64_t at) {
    if (!pending) return;
    set_time(at);
    image(pending->file, pending->shutter, pending->registry_no);
    pending.reset();
  };
  auto fault_shot = [&](const Seat& seat, const std::string& file) {
    if (seat.fault >= 0 && seat.record_shots) scenario_.faults[static_cast<size_t>(seat.fault)].shots.push_back(file);
  };
  auto test_shot = [&] {
    flush(t);
    set_time(t);
    const std::string file = next_file(FileQuirk::kNone, 0);
    image(file, t, "");
    set_time(t + 2 * kSecond);
    line(StationAction::Kind::kMark, "!void " + file, wire::MARK_VOID);
    t += per_student;
  };
  int open_hold = -1;
  auto hold_edge = [&](int hold) {
    if (hold == open_hold) return;
    if (open_hold >= 0) script.holds.back().end = script.actions.size();
    open_hold = hold;
    if (hold >= 0) script.holds.push_back({script.actions.size(), 0, hold_real_time_[static_cast<size_t>(hold)]});
  };
  auto sit = [&](const Seat& seat, ClassProgress& progress, size_t class_index) {
    if (seat.skip) return;
    hold_edge(seat.hold);
    offset += seat.clock_jump_us;
    set_time(t);
    const std::string& registry_no = seat.registry_no();
    const std::string code = MintDemoCode(o_.site_key, registry_no, seat.masked_name());
    if (seat.damaged_first) line(StationAction::Kind::kCode, code.substr(0, code.size() / 2), wire::CODE_UNREADABLE);
    if (seat.scan) {
      line(StationAction::Kind::kCode, code, wire::CODE_READ);
      if (seat.double_fire) line(StationAction::Kind::kCode, code, wire::CODE_READ);
    }
    // The previous student's file lands after this one's code was read.
    flush(t + kSecond);
    const bool of_class = seat.student != nullptr && seat.student->class_index == class_index;
    progress.present += of_class;
    if (!seat.photographed) {
      t += per_student;
      return;
    }
    progress.photographed += of_class;
    const int64_t shutter = t + kShotDelaySeconds * kSecond + seat.wait_us;
    if (seat.fault >= 0 && seat.record_previous_shot) {
      scenario_.faults[static_cast<size_t>(seat.fault)].shots.push_back(last_file);
    }
    const std::string file = next_file(seat.quirk, seat.quirk_amount);
    fault_shot(seat, file);
    int64_t done = shutter + 2 * kSecond;
    if (seat.late_file) {
      pending = Pending{file, shutter, registry_no};
    } else {
      set_time(shutter);
      image(file, shutter, registry_no);
    }
    if (seat.void_photo) {
      set_time(shutter + 2 * kSecond);
      line(StationAction::Kind::kMark, "!void " + file, wire::MARK_VOID);
    }
    if (seat.shoot_again || seat.retake) {
      set_time(shutter + 3 * kSecond);
      if (seat.shoot_again) {
        line(StationAction::Kind::kCode, code, wire::CODE_READ);
      } else {
        line(StationAction::Kind::kMark, seat.retake_named ? "!retake " + registry_no : "!retake", wire::MARK_RETAKE);
      }
      const int64_t second = shutter + 6 * kSecond;
      const std::string again = next_file(FileQuirk::kNone, 0);
      fault_shot(seat, again);
      set_time(second);
      image(again, second, registry_no);
      done = second + 2 * kSecond;
    }
    t = std::max(t + per_student, done);
  };

  bool afternoon_tested = false;
  for (size_t k = 0; k < day.classes.size(); ++k) {
    const ClassRun& c = day.classes[k];
    const ScheduledClass& sc = Scheduled(c);
    t = std::max(t, slot_start(c));
    if (k > 0) class_starts_[day.station].push_back(script.actions.size());
    // A test shot, voided, when the station starts its morning and its afternoon.
    if (o_.benign && (k == 0 || (!afternoon_tested && sc.start_minute >= kNoon))) {
      afternoon_tested = k > 0;
      test_shot();
    }
    ClassProgress progress;
    progress.college = sc.college;
    progress.class_name = sc.class_name;
    for (size_t i = 0; i < c.seats.size(); ++i) {
      sit(c.seats[i], progress, c.class_index);
      for (const Seat& extra : c.inserted[i]) sit(extra, progress, c.class_index);
    }
    hold_edge(-1);
    flush(t);
    if (!c.absent.empty()) set_time(t);
    for (const SimStudent* s : c.absent) {
      line(StationAction::Kind::kMark, "!absent " + s->student.student_no, wire::MARK_ABSENT);
      ++progress.absent;
    }
    progress.end_time = t;
    progress.last_action = script.actions.empty() ? 0 : script.actions.size() - 1;
    script.classes.push_back(std::move(progress));
  }
  spans_[day.station] = {day_start, t};
  scenario_.stations.push_back(std::move(script));
}

// ---- The coordinator's observations (in-process only) ----

Status Builder::AddObservationFaults() {
  using K = wire::Anomaly;
  std::map<int, std::vector<std::pair<int64_t, int64_t>>> windows;  // per station, taken
  std::map<int, std::set<size_t>> replaced;                          // per station, class starts taken
  for (K::Kind kind : observation_plan_) {
    bool placed = false;
    for (int attempt = 0; attempt < kSiteTries && !placed; ++attempt) {
      StationScript& script = scenario_.stations[rng_.Below(scenario_.stations.size())];
      const int station = script.station;
      if (kind == K::STATION_REPLACED) {
        const std::vector<size_t>& starts = class_starts_[station];
        if (starts.empty()) continue;
        const size_t at = starts[rng_.Below(starts.size())];
        if (!replaced[station].insert(at).second) continue;
        script.replaced_before.push_back(at);
        std::sort(script.replaced_before.begin(), script.replaced_before.end());
        NewFault(kind, station, "the station's agent was replaced by one with a new journal", true);
        placed = true;
        continue;
      }
      const auto [begin, end] = spans_[station];
      const int64_t length = (kind == K::STATION_SILENT ? 1 + static_cast<int64_t>(rng_.Below(10))
                                                        : 3 + static_cast<int64_t>(rng_.Below(18))) *
                             kMinute;
      const int64_t room = end - begin - length - 20 * kMinute;
      if (room <= 0) continue;
      const int64_t from = begin + 10 * kMinute + static_cast<int64_t>(rng_.Below(static_cast<uint64_t>(room)));
      const int64_t to = from + length;
      auto& taken = windows[station];
      const bool overlaps = std::any_of(taken.begin(), taken.end(), [&](const auto& w) {
        return from < w.second + kMinute && w.first < to + kMinute;
      });
      if (overlaps) continue;
      taken.push_back({from, to});
      TimedObservation start, stop;
      start.time = from;
      stop.time = to;
      start.observation.set_station(static_cast<uint32_t>(station));
      stop.observation.set_station(static_cast<uint32_t>(station));
      if (kind == K::STATION_SILENT) {
        start.observation.set_kind(wire::Observation::STATION_SILENT);
        stop.observation.set_kind(wire::Observation::STATION_BACK);
        NewFault(kind, station, "no heartbeat for " + std::to_string(length / kMinute) + " min", true);
      } else {
        const int64_t sign = rng_.Below(2) == 0 ? -1 : 1;
        start.observation.set_kind(wire::Observation::CLOCK_OFFSET);
        start.observation.set_offset_us(sign * (2 + static_cast<int64_t>(rng_.Below(9))) * kMinute);
        stop.observation.set_kind(wire::Observation::CLOCK_OFFSET);
        stop.observation.set_offset_us(sign * static_cast<int64_t>(rng_.Below(10)) * kSecond);
        NewFault(K::CLOCK_SKEW, station,
                 "heartbeats show the clock off by " + std::to_string(start.observation.offset_us() / kSecond) +
                     " s for " + std::to_string(length / kMinute) + " min",
                 true);
      }
      scenario_.observations.push_back(std::move(start));
      scenario_.observations.push_back(std::move(stop));
      placed = true;
    }
    if (!placed) {
      return Status::InvalidArgument("cannot fit another coordinator observation fault: the day is too short");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<SyntheticRoster> MakeScenarioRoster(const Schedule& schedule, uint64_t seed, double absent_share) {
  return MakeSyntheticRoster(schedule, seed, absent_share, kEarlierCohortShare);
}

Result<Scenario> BuildScenario(const Schedule& schedule, const SyntheticRoster& roster,
                               const ScenarioOptions& options) {
  return Builder(schedule, roster, options).Build();
}

std::vector<ActionRef> MergedOrder(const Scenario& scenario) {
  std::vector<ActionRef> out;
  std::vector<size_t> next(scenario.stations.size(), 0);
  for (;;) {
    std::optional<size_t> best;
    for (size_t i = 0; i < scenario.stations.size(); ++i) {
      const auto& actions = scenario.stations[i].actions;
      if (next[i] >= actions.size()) continue;
      // Stations are ascending, so a tie keeps the lower station first.
      if (!best || actions[next[i]].station_time < scenario.stations[*best].actions[next[*best]].station_time) best = i;
    }
    if (!best) return out;
    out.push_back({*best, next[*best]++});
  }
}

}  // namespace capture::sim
