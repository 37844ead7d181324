#include "coordinator/judge/judge.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>
#include <variant>

#include "common/frame.h"
#include "common/sha256.h"
#include "coordinator/judge/anomaly_book.h"
#include "coordinator/judge/binding.h"
#include "coordinator/judge/messages.h"
#include "coordinator/judge/queue_order.h"
#include "coordinator/judge/roster_index.h"
#include "coordinator/judge/shot_numbers.h"

namespace capture::judge {

namespace {

constexpr int64_t kSecondUs = 1'000'000;
constexpr int64_t kMinuteUs = 60 * kSecondUs;

wire::JudgeConfig WithDefaults(wire::JudgeConfig config) {
  const wire::JudgeConfig d = DefaultJudgeConfig(config.local_midnight_us(), config.utc_offset_minutes());
  if (config.stale_code_us() <= 0) config.set_stale_code_us(d.stale_code_us());
  if (config.early_tolerance_us() <= 0) config.set_early_tolerance_us(d.early_tolerance_us());
  if (config.late_tolerance_us() <= 0) config.set_late_tolerance_us(d.late_tolerance_us());
  if (config.clock_skew_tolerance_us() <= 0) config.set_clock_skew_tolerance_us(d.clock_skew_tolerance_us());
  if (config.missing_after_students() == 0) config.set_missing_after_students(d.missing_after_students());
  return config;
}

bool IsLive(wire::Binding::State state) { return state != wire::Binding::VOIDED && state != wire::Binding::SUPERSEDED; }

}  // namespace

wire::JudgeConfig DefaultJudgeConfig(int64_t local_midnight_us, int utc_offset_minutes) {
  wire::JudgeConfig c;
  c.set_local_midnight_us(local_midnight_us);
  c.set_utc_offset_minutes(utc_offset_minutes);
  c.set_stale_code_us(90 * kSecondUs);
  c.set_early_tolerance_us(30 * kMinuteUs);
  c.set_late_tolerance_us(60 * kMinuteUs);
  c.set_clock_skew_tolerance_us(60 * kSecondUs);
  c.set_missing_after_students(2);
  return c;
}

namespace {

// One image, identified by (station, file name, SHA-256).
struct ShotRecord {
  uint32_t station = 0;
  std::string file_name;
  std::string sha256;  // 32 bytes
  uint32_t number = 0;
  uint64_t seq = 0;
  int64_t moment_us = 0;  // when it was taken, on the station clock
  int64_t capture_us = 0;  // EXIF time on the camera's clock, 0 for none
  std::string registry_no;  // of the read it is bound to
  std::string masked_name;
  StudentId student = kNone;
  wire::Binding::State state = wire::Binding::UNASSIGNED;
  std::optional<uint64_t> read;        // the order of the read it is bound to
  std::optional<uint64_t> blocked_by;  // the order of the already consumed read it found instead
  AnomalyIndex without_code = kNoAnomaly;
};

struct StudentState {
  // Shots bound to the student that are neither voided nor superseded, in binding order. The first
  // is the student's photo (ASSIGNED); any others are held back (UNASSIGNED) as duplicates.
  std::vector<ShotId> live;
  bool absent = false;
  bool code_read = false;
  bool queued = false;         // their first binding went through the queue rules
  uint32_t photo_station = 0;  // of the ASSIGNED photo, 0 for none: keeps progress counts in step
};

struct StationState {
  StationState(const RosterIndex& roster, uint32_t moved_on_after) : queue(roster, moved_on_after) {}

  StationReads reads;
  CameraClock camera;
  QueueTracker queue;
  // The previous shot number in arrival order (a late-delivered lower one does not replace it).
  std::optional<uint32_t> last_number;
  ShotId last_number_shot = kNoShot;
  struct Gap {
    AnomalyIndex anomaly = kNoAnomaly;
    uint32_t low = 0, high = 0, missing = 0;
  } gap;  // the latest SHOT_NUMBER_GAP, which late-delivered files may fill
  std::map<uint64_t, std::pair<uint64_t, int64_t>> last_event;  // epoch → (seq, station time)
  AnomalyIndex clock_offset = kNoAnomaly;
  AnomalyIndex clock_backwards = kNoAnomaly;
  // The station time the clock went back from: until the clock passes it again, new station times
  // overlap the times already recorded.
  int64_t clock_backwards_from = 0;
  AnomalyIndex silent = kNoAnomaly;
  ClassId current_class = kNone;
  uint32_t photographed = 0;
};

}  // namespace

class Judge::Impl {
 public:
  Impl(const Schedule& schedule, Roster roster, wire::JudgeConfig config)
      : roster_(schedule, std::move(roster)),
        config_(WithDefaults(std::move(config))),
        book_(roster_.num_students()),
        students_(roster_.num_students()),
        class_done_(roster_.num_classes(), 0),
        class_last_station_(roster_.num_classes(), 0),
        class_schedule_checked_(roster_.num_classes(), false) {
    for (uint32_t station : roster_.stations()) Station(station);
  }

  wire::Verdict Apply(const wire::RecordItem& item);
  const std::vector<AnomalyState>& anomalies() const { return book_.states(); }
  std::vector<AssignmentRow> Assignment() const;
  std::vector<StationProgress> Progress() const;
  uint64_t last_commit_index() const { return last_commit_; }

 private:
  StationState& Station(uint32_t station) {
    return stations_.try_emplace(station, roster_, config_.missing_after_students()).first->second;
  }

  void OnEvent(const wire::CaptureEvent& event);
  void OnObservation(const wire::Observation& observation);
  void CheckClockGoesForward(StationState& st, const wire::CaptureEvent& event);
  void OnCodeRead(StationState& st, const wire::CaptureEvent& event, bool retake);
  void OnShot(StationState& st, const wire::CaptureEvent& event);
  void OnVoid(StationState& st, const wire::CaptureEvent& event);
  void OnAbsent(const wire::CaptureEvent& event);
  void OnResolve(uint32_t station, uint64_t seq, const std::string& id, const std::string& by, const std::string& reason);

  void ShotWithoutCode(ShotId id, CodeRead* consumed);
  void PassOver(ShotId id, const CodeRead& bound_to, StationState& st);
  void Bind(StationState& st, ShotId id, CodeRead& read);
  void CheckShotNumber(StationState& st, ShotId id);
  void Queue(StationState& st, StudentId student, ShotId id);
  void CheckSchedule(ClassId klass, const QueueEntry& first);
  void ClassMovedOn(uint32_t station, ClassId klass);
  void RefreshPhoto(StudentId student);
  void ShotDead(ShotId id, const std::string& reason);

  // Anomaly drafting: what every kind fills in the same way.
  static wire::Anomaly Draft(wire::Anomaly::Kind kind, uint32_t station, std::string message);
  void Name(wire::Anomaly& a, StudentId student, const std::string& registry_no, const std::string& masked_name) const;
  void Name(wire::Anomaly& a, StudentId student) const;
  void NameShot(wire::Anomaly& a, ShotId id) const;
  void NameShotStudent(wire::Anomaly& a, ShotId id) const;
  std::string Who(StudentId student) const;
  std::string Who(const CodeRead& read) const { return msg::Student(read.masked_name, read.registry_no); }
  std::string WhoShot(ShotId id) const;
  const std::string& ClassName(ClassId klass) const { return roster_.klass(klass).name; }

  void Changed(ShotId id) { changed_.push_back(id); }

  RosterIndex roster_;
  wire::JudgeConfig config_;
  AnomalyBook book_;
  std::vector<ShotRecord> shots_;
  std::unordered_map<std::string, ShotId> shot_by_identity_;  // station, sha256, file name
  std::unordered_map<std::string, ShotId> latest_by_name_;    // station, file name
  std::vector<StudentState> students_;
  std::map<uint32_t, StationState> stations_;
  std::vector<uint32_t> class_done_;           // students with a photo, per class
  std::vector<uint32_t> class_last_station_;   // where the class's latest first binding was
  std::vector<bool> class_schedule_checked_;
  std::set<std::pair<ClassId, uint32_t>> wrong_station_raised_;
  uint64_t last_commit_ = 0;
  std::vector<ShotId> changed_;  // bindings the current item changed
};

// ---- Dispatch ----

wire::Verdict Judge::Impl::Apply(const wire::RecordItem& item) {
  wire::Verdict verdict;
  verdict.set_commit_index(item.commit_index());
  if (item.commit_index() != last_commit_ + 1) return verdict;
  last_commit_ = item.commit_index();
  book_.Begin(&verdict);
  changed_.clear();

  if (item.has_observation()) {
    OnObservation(item.observation());
  } else if (item.has_event()) {
    auto parsed = ParseEvent(item.event());
    // The coordinator stores only events that parse; one that does not says nothing to judge.
    if (auto* event = std::get_if<wire::CaptureEvent>(&parsed)) OnEvent(*event);
  }

  std::sort(changed_.begin(), changed_.end());
  changed_.erase(std::unique(changed_.begin(), changed_.end()), changed_.end());
  for (ShotId id : changed_) {
    const ShotRecord& s = shots_[id];
    wire::Binding* b = verdict.add_bindings();
    b->set_station(s.station);
    b->set_file_name(s.file_name);
    b->set_sha256(s.sha256);
    b->set_shot_number(s.number);
    b->set_registry_no(s.registry_no);
    b->set_state(s.state);
  }
  return verdict;
}

void Judge::Impl::OnEvent(const wire::CaptureEvent& event) {
  StationState& st = Station(event.station());
  CheckClockGoesForward(st, event);
  switch (event.kind()) {
    case wire::CODE_READ:
      OnCodeRead(st, event, /*retake=*/false);
      break;
    case wire::MARK_RETAKE:
      OnCodeRead(st, event, /*retake=*/true);
      break;
    case wire::SHOT_TAKEN:
      OnShot(st, event);
      break;
    case wire::MARK_VOID:
      OnVoid(st, event);
      break;
    case wire::MARK_ABSENT:
      OnAbsent(event);
      break;
    case wire::MARK_RESOLVE:
      OnResolve(event.station(), event.seq(), event.anomaly_id(),
                event.operator_().empty() ? "station " + std::to_string(event.station()) : event.operator_(),
                event.detail());
      break;
    case wire::CODE_UNREADABLE: {
      wire::Anomaly a = Draft(wire::Anomaly::CODE_UNREADABLE, event.station(),
                              "A code could not be read" + (event.detail().empty() ? "" : " (" + event.detail() + ")") +
                                  ": read it again, and send the student to the registrar if it keeps failing.");
      a.add_seqs(event.seq());
      book_.Raise(std::move(a), {});
      break;
    }
    default:
      break;
  }
}

void Judge::Impl::OnObservation(const wire::Observation& o) {
  const std::string station = "Station " + std::to_string(o.station());
  switch (o.kind()) {
    case wire::Observation::EPOCH_STARTED:
      book_.Raise(Draft(wire::Anomaly::STATION_REPLACED, o.station(),
                        station + " started a new journal: if its computer was replaced, check that the camera "
                                  "and the code reader are connected to the new one."),
                  {});
      break;
    case wire::Observation::CLOCK_OFFSET: {
      StationState& st = Station(o.station());
      const bool off = std::llabs(o.offset_us()) > config_.clock_skew_tolerance_us();
      const bool open = st.clock_offset != kNoAnomaly && book_.IsOpen(st.clock_offset);
      if (off && !open) {
        st.clock_offset = book_.Raise(
            Draft(wire::Anomaly::CLOCK_SKEW, o.station(),
                  station + "'s clock is off by " + msg::Offset(o.offset_us()) +
                      " from the coordinator's: set it right, because times decide which code owns which shot."),
            {});
      } else if (!off && open) {
        book_.Resolve(st.clock_offset, kByJudge, "the station clock is back within tolerance");
      }
      break;
    }
    case wire::Observation::STATION_SILENT: {
      StationState& st = Station(o.station());
      if (st.silent == kNoAnomaly || !book_.IsOpen(st.silent)) {
        st.silent = book_.Raise(Draft(wire::Anomaly::STATION_SILENT, o.station(),
                                      station + " has sent nothing for a while: check its computer, its "
                                                "network and its agent."),
                                {});
      }
      break;
    }
    case wire::Observation::STATION_BACK: {
      StationState& st = Station(o.station());
      if (st.silent != kNoAnomaly) book_.Resolve(st.silent, kByJudge, "the station is heard again");
      break;
    }
    case wire::Observation::REGISTRAR_RESOLVE:
      OnResolve(0, 0, o.anomaly_id(), o.by().empty() ? "registrar" : o.by(), o.detail());
      break;
    default:
      break;  // SEQ_CONFLICT: the conflicting bytes were not stored; there is nothing to judge
  }
}

// ---- Clocks ----

void Judge::Impl::CheckClockGoesForward(StationState& st, const wire::CaptureEvent& event) {
  auto& [last_seq, last_time] = st.last_event[event.epoch()];
  const int64_t now = event.station_time_us();
  const bool open = st.clock_backwards != kNoAnomaly && book_.IsOpen(st.clock_backwards);
  if (last_seq != 0 && now < last_time - config_.clock_skew_tolerance_us()) {
    if (!open) {
      wire::Anomaly a = Draft(wire::Anomaly::CLOCK_SKEW, event.station(),
                              "Station " + std::to_string(event.station()) + "'s clock went back by " +
                                  msg::Duration(last_time - now) +
                                  ": check the computer's clock, because times decide which code owns which shot.");
      a.add_seqs(last_seq);
      a.add_seqs(event.seq());
      st.clock_backwards = book_.Raise(std::move(a), {});
      st.clock_backwards_from = last_time;
    }
  } else if (open && now >= st.clock_backwards_from) {
    book_.Resolve(st.clock_backwards, kByJudge, "the station clock is past the time it went back from");
  }
  last_seq = event.seq();
  last_time = now;
}

// ---- Binding ----

void Judge::Impl::OnCodeRead(StationState& st, const wire::CaptureEvent& event, bool retake) {
  CodeRead read;
  read.time_us = event.station_time_us();
  read.student = roster_.ByRegistryNo(event.code().registry_no());
  read.registry_no = event.code().registry_no();
  read.masked_name = event.code().masked_name();
  read.seq = event.seq();
  read.retake = retake;
  CodeRead* stored = st.reads.Add(std::move(read));
  if (stored == nullptr) return;  // the reader fired twice
  if (stored->student != kNone) {
    students_[static_cast<size_t>(stored->student)].code_read = true;
    return;
  }
  wire::Anomaly a = Draft(wire::Anomaly::UNKNOWN_CODE, event.station(),
                          "The code read for " + Who(*stored) +
                              " belongs to nobody on the roster: do not photograph this person until the registrar "
                              "confirms who they are.");
  a.add_seqs(event.seq());
  Name(a, kNone, stored->registry_no, stored->masked_name);
  stored->unknown_code = book_.Raise(std::move(a), {});
}

void Judge::Impl::OnShot(StationState& st, const wire::CaptureEvent& event) {
  const wire::Shot& shot = event.shot();
  std::string identity = std::to_string(event.station()) + '\0' + shot.sha256() + shot.file_name();
  if (shot_by_identity_.count(identity) != 0) return;  // the same image again is not a new shot
  const auto id = static_cast<ShotId>(shots_.size());
  shot_by_identity_.emplace(std::move(identity), id);
  latest_by_name_[std::to_string(event.station()) + '\0' + shot.file_name()] = id;

  ShotRecord record;
  record.station = event.station();
  record.file_name = shot.file_name();
  record.sha256 = shot.sha256();
  record.number = shot.shot_number();
  record.seq = event.seq();
  record.moment_us = st.camera.Moment(shot.capture_time_us(), event.station_time_us());
  record.capture_us = shot.capture_time_us();
  shots_.push_back(std::move(record));
  Changed(id);

  const StationReads::Found found = st.reads.ForShot(shots_[id].moment_us, event.station_time_us());
  if (found.read == nullptr) {
    ShotWithoutCode(id, found.taken);
  } else {
    PassOver(id, *found.read, st);
    Bind(st, id, *found.read);
  }
  st.reads.NoteShot();
  CheckShotNumber(st, id);
}

void Judge::Impl::ShotWithoutCode(ShotId id, CodeRead* consumed) {
  ShotRecord& shot = shots_[id];
  shot.state = wire::Binding::UNASSIGNED;
  const std::string& file = shot.file_name;
  wire::Anomaly a = Draft(
      wire::Anomaly::SHOT_WITHOUT_CODE, shot.station,
      consumed != nullptr
          ? "Shot " + file + " came with no new code read since the last shot (the station would file it under " +
                Who(*consumed) + "): void it (!void " + file +
                "), read the code of the person in the chair and photograph them again."
          : "Shot " + file + " came before any code was read: void it (!void " + file +
                ") if it was a test shot, else read the code of the person in the chair and photograph them again.");
  Tracking tracking;
  tracking.shots = {id};
  if (consumed != nullptr) {
    a.add_seqs(consumed->seq);
    Name(a, consumed->student, consumed->registry_no, consumed->masked_name);
    if (consumed->student != kNone) tracking.named.push_back(consumed->student);
    consumed->blocked.push_back(id);
    shot.blocked_by = consumed->order;
  }
  a.add_seqs(shot.seq);
  a.add_shots(file);
  shot.without_code = book_.Raise(std::move(a), std::move(tracking));
}

void Judge::Impl::PassOver(ShotId id, const CodeRead& bound_to, StationState& st) {
  std::vector<std::string> reported;
  for (CodeRead* p : st.reads.FreshBefore(bound_to)) {
    p->use = CodeRead::Use::kPassedOver;
    // A dropped retake mark, a repeat of the same student and an unknown code are no lost student;
    // nor is a read whose shot was voided (NO_VALID_PHOTO covers them when the class moves on).
    if (p->retake || p->revived || p->student == kNone || p->registry_no == bound_to.registry_no) continue;
    if (std::find(reported.begin(), reported.end(), p->registry_no) != reported.end()) continue;
    reported.push_back(p->registry_no);
    const std::string& file = shots_[id].file_name;
    wire::Anomaly a = Draft(wire::Anomaly::CODE_WITHOUT_SHOT, shots_[id].station,
                            "The code of " + Who(*p) + " was read, then the code of " + Who(bound_to) +
                                ", with no shot between, and shot " + file + " went to " + Who(bound_to) +
                                ": if the first left without a photo, call them back, read their code and photograph "
                                "them; if " + file + " shows the first, void it and photograph both again.");
    a.add_seqs(p->seq);
    a.add_seqs(bound_to.seq);
    a.add_seqs(shots_[id].seq);
    a.add_shots(file);
    Name(a, p->student, p->registry_no, p->masked_name);
    Name(a, bound_to.student, bound_to.registry_no, bound_to.masked_name);
    Tracking tracking;
    tracking.named = {p->student};
    if (bound_to.student != kNone) tracking.named.push_back(bound_to.student);
    tracking.until_photo = p->student;
    book_.Raise(std::move(a), std::move(tracking));
  }
}

void Judge::Impl::Bind(StationState& st, ShotId id, CodeRead& read) {
  read.use = CodeRead::Use::kConsumed;
  read.consumer = id;
  ShotRecord& shot = shots_[id];
  shot.read = read.order;
  shot.registry_no = read.registry_no;
  shot.masked_name = read.masked_name;
  shot.student = read.student;
  Changed(id);
  if (read.student == kNone) {
    shot.state = wire::Binding::UNASSIGNED;
    if (read.unknown_code != kNoAnomaly) book_.TrackShot(read.unknown_code, id);
    return;
  }
  const StudentId x = read.student;
  StudentState& student = students_[static_cast<size_t>(x)];
  const bool had_photo = !student.live.empty();
  std::vector<ShotId> superseded;
  if (read.retake) {
    for (ShotId old : student.live) {
      shots_[old].state = wire::Binding::SUPERSEDED;
      Changed(old);
      superseded.push_back(old);
    }
    student.live = {id};
    shot.state = wire::Binding::ASSIGNED;
  } else if (had_photo) {
    const ShotId first = student.live.front();
    student.live.push_back(id);
    shot.state = wire::Binding::UNASSIGNED;
    wire::Anomaly a = Draft(wire::Anomaly::DUPLICATE_STUDENT, shot.station,
                            Who(read) + " already has photo " + shots_[first].file_name + " (station " +
                                std::to_string(shots_[first].station) + "), so " + shot.file_name +
                                " is held back: if it is a retake, mark it (!retake) and photograph again; if it "
                                "shows someone else, void it (!void " + shot.file_name + ").");
    a.add_seqs(shots_[first].seq);
    a.add_seqs(read.seq);
    a.add_seqs(shot.seq);
    a.add_shots(shots_[first].file_name);
    a.add_shots(shot.file_name);
    Name(a, x, read.registry_no, read.masked_name);
    Tracking tracking;
    tracking.named = {x};
    tracking.shots = {first, id};
    tracking.live_limit = 1;
    book_.Raise(std::move(a), std::move(tracking));
  } else {
    student.live = {id};
    shot.state = wire::Binding::ASSIGNED;
  }
  RefreshPhoto(x);
  for (ShotId old : superseded) ShotDead(old, "replaced by a retake");

  const int64_t age = shot.moment_us - read.last_seen_us;
  if (age > config_.stale_code_us()) {
    wire::Anomaly a = Draft(wire::Anomaly::STALE_CODE, shot.station,
                            "Shot " + shot.file_name + " went to " + Who(read) + ", whose code was read " +
                                msg::Duration(age) + " before it: if the person photographed is someone else, void "
                                "it (!void " + shot.file_name + "); if not, mark a retake and photograph again, or "
                                "resolve this anomaly.");
    a.add_seqs(read.seq);
    a.add_seqs(shot.seq);
    a.add_shots(shot.file_name);
    Name(a, x, read.registry_no, read.masked_name);
    Tracking tracking;
    tracking.named = {x};
    tracking.shots = {id};
    book_.Raise(std::move(a), std::move(tracking));
  }
  if (student.absent && !had_photo && shot.state == wire::Binding::ASSIGNED) {
    wire::Anomaly a = Draft(wire::Anomaly::ABSENT_SUPERSEDED, shot.station,
                            Who(read) + " was marked absent earlier and has now been photographed (" +
                                shot.file_name + "): the photo stands.");
    a.add_seqs(shot.seq);
    a.add_shots(shot.file_name);
    Name(a, x, read.registry_no, read.masked_name);
    book_.Raise(std::move(a), {});
  }
  st.current_class = roster_.ClassOf(x);
  if (!student.queued) {
    student.queued = true;
    Queue(st, x, id);
  }
}

void Judge::Impl::RefreshPhoto(StudentId x) {
  StudentState& s = students_[static_cast<size_t>(x)];
  if (!s.live.empty() && shots_[s.live.front()].state != wire::Binding::ASSIGNED) {
    shots_[s.live.front()].state = wire::Binding::ASSIGNED;  // the next held-back shot moves up
    Changed(s.live.front());
  }
  const uint32_t now = s.live.empty() ? 0 : shots_[s.live.front()].station;
  if (now == s.photo_station) return;
  const ClassId klass = roster_.ClassOf(x);
  if (s.photo_station != 0) {
    --stations_.at(s.photo_station).photographed;
    if (now == 0) --class_done_[static_cast<size_t>(klass)];
  }
  if (now != 0) {
    ++Station(now).photographed;
    if (s.photo_station == 0) ++class_done_[static_cast<size_t>(klass)];
  }
  const bool gained = s.photo_station == 0;
  s.photo_station = now;
  if (gained) book_.StudentPhotographed(x);
}

void Judge::Impl::ShotDead(ShotId id, const std::string& reason) {
  book_.ShotDead(id, [this](ShotId s) { return IsLive(shots_[s].state); }, reason);
}

void Judge::Impl::OnVoid(StationState& st, const wire::CaptureEvent& event) {
  const wire::Shot& target = event.shot();
  const std::string station = std::to_string(event.station()) + '\0';
  const auto& index = target.sha256().empty() ? latest_by_name_ : shot_by_identity_;
  const auto found = index.find(station + (target.sha256().empty() ? "" : target.sha256()) + target.file_name());
  if (found == index.end()) return;  // no such shot here: nothing to void
  const ShotId id = found->second;
  ShotRecord& shot = shots_[id];
  if (shot.state == wire::Binding::VOIDED) return;
  const wire::Binding::State before = shot.state;
  shot.state = wire::Binding::VOIDED;
  Changed(id);

  if (shot.student != kNone) {
    std::vector<ShotId>& live = students_[static_cast<size_t>(shot.student)].live;
    live.erase(std::remove(live.begin(), live.end(), id), live.end());
    RefreshPhoto(shot.student);
  }
  if (shot.blocked_by) {
    if (CodeRead* r = st.reads.Find(*shot.blocked_by)) {
      r->blocked.erase(std::remove(r->blocked.begin(), r->blocked.end(), id), r->blocked.end());
    }
  }
  // Judge the rest as if the voided shot had never been: its code read owns the next shot again.
  CodeRead* read = shot.read ? st.reads.Find(*shot.read) : nullptr;
  if (read != nullptr && read->consumer == id && before != wire::Binding::SUPERSEDED) {
    if (!read->blocked.empty()) {
      const ShotId next = read->blocked.front();
      read->blocked.pop_front();
      shots_[next].blocked_by.reset();
      book_.Resolve(shots_[next].without_code, kByJudge,
                    "the shot before it was voided, so it follows the code read after all");
      Bind(st, next, *read);
    } else if (st.reads.IsLatest(*read)) {
      read->use = CodeRead::Use::kFresh;
      read->consumer = kNoShot;
      read->revived = true;
    }
  }
  ShotDead(id, "its shots were voided or replaced");
}

void Judge::Impl::OnAbsent(const wire::CaptureEvent& event) {
  const StudentId x = roster_.ByStudentNo(event.student_no());
  if (x == kNone) {
    wire::Anomaly a = Draft(wire::Anomaly::UNKNOWN_STUDENT, event.station(),
                            "An absent mark names a student number that is on no roster: check the number and "
                            "mark again.");
    a.add_seqs(event.seq());
    a.add_students()->set_student_no(event.student_no());
    book_.Raise(std::move(a), {});
    return;
  }
  StudentState& s = students_[static_cast<size_t>(x)];
  if (s.absent) return;
  s.absent = true;
  if (s.live.empty()) {
    book_.StudentAbsent(x);
    return;
  }
  const ShotRecord& photo = shots_[s.live.front()];
  wire::Anomaly a = Draft(wire::Anomaly::ABSENT_AFTER_PHOTO, event.station(),
                          Who(x) + " was marked absent but already has photo " + photo.file_name +
                              ": void the photo (!void " + photo.file_name +
                              ") if it is not theirs, or resolve this anomaly.");
  a.add_seqs(photo.seq);
  a.add_seqs(event.seq());
  a.add_shots(photo.file_name);
  Name(a, x);
  Tracking tracking;
  tracking.named = {x};
  tracking.shots = {s.live.front()};
  book_.Raise(std::move(a), std::move(tracking));
}

void Judge::Impl::OnResolve(uint32_t station, uint64_t seq, const std::string& id, const std::string& by,
                            const std::string& reason) {
  const std::optional<AnomalyIndex> index = book_.Find(id);
  if (index && book_.IsOpen(*index)) {
    book_.Resolve(*index, by, reason);
    return;
  }
  wire::Anomaly a = Draft(wire::Anomaly::UNKNOWN_ANOMALY, station,
                          "The resolve names " + id + ", which is not an open anomaly: check the id.");
  if (seq != 0) a.add_seqs(seq);
  book_.Raise(std::move(a), {});
}

// ---- Shot numbers ----

void Judge::Impl::CheckShotNumber(StationState& st, ShotId id) {
  const ShotRecord& shot = shots_[id];
  // Taken before the previous shot: on the camera's clock where both images carry a capture time,
  // because a station clock set back makes every later moment look earlier.
  bool taken_before = false;
  if (st.last_number) {
    const ShotRecord& prev = shots_[st.last_number_shot];
    taken_before = shot.capture_us != 0 && prev.capture_us != 0 ? shot.capture_us < prev.capture_us
                                                                 : shot.moment_us < prev.moment_us;
  }
  const ShotNumberStep step = ClassifyShotNumber(st.last_number, shot.number, taken_before);
  if (step.step == ShotStep::kLateArrival) {
    StationState::Gap& gap = st.gap;
    if (gap.anomaly != kNoAnomaly && gap.low < shot.number && shot.number < gap.high && gap.missing > 0 &&
        --gap.missing == 0) {
      book_.Resolve(gap.anomaly, kByJudge, "the missing images arrived late");
    }
    return;  // the counter did not go back: the file was delivered late
  }
  const ShotId prev = st.last_number_shot;
  const std::string number = msg::ShotNumber(shot.number);
  auto draft = [&](wire::Anomaly::Kind kind, std::string message) {
    wire::Anomaly a = Draft(kind, shot.station, std::move(message));
    a.add_seqs(shots_[prev].seq);
    a.add_seqs(shot.seq);
    a.add_shots(shots_[prev].file_name);
    a.add_shots(shot.file_name);
    return a;
  };
  switch (step.step) {
    case ShotStep::kGap: {
      wire::Anomaly a = draft(wire::Anomaly::SHOT_NUMBER_GAP,
                              "Shot numbers jumped from " + msg::ShotNumber(shots_[prev].number) + " to " + number +
                                  ": " + std::to_string(step.missing) +
                                  " image(s) never arrived (test or deleted shots?); nothing to do if that was "
                                  "intended.");
      st.gap = {book_.Raise(std::move(a), {}), shots_[prev].number, shot.number, step.missing};
      break;
    }
    case ShotStep::kDuplicate: {
      wire::Anomaly a = draft(wire::Anomaly::DUPLICATE_SHOT,
                              "Shot number " + number + " came twice (" + shots_[prev].file_name + ", " +
                                  shot.file_name +
                                  "): the paper form shows one number for two images; void the wrong one and "
                                  "correct the form.");
      NameShotStudent(a, prev);
      NameShotStudent(a, id);
      Tracking tracking;
      for (ShotId s : {prev, id}) {
        if (shots_[s].student != kNone) tracking.named.push_back(shots_[s].student);
      }
      tracking.shots = {prev, id};
      tracking.live_limit = 1;
      book_.Raise(std::move(a), std::move(tracking));
      break;
    }
    case ShotStep::kRewind: {
      wire::Anomaly a = draft(wire::Anomaly::SHOT_NUMBER_REWIND,
                              "The camera's shot number went back from " + msg::ShotNumber(shots_[prev].number) +
                                  " to " + number + " (" + shot.file_name +
                                  "): a reset counter or another card can overwrite earlier files; check the camera "
                                  "before the next shot, then resolve this anomaly.");
      NameShotStudent(a, id);
      Tracking tracking;
      if (shot.student != kNone) tracking.named.push_back(shot.student);
      tracking.shots = {prev, id};
      book_.Raise(std::move(a), std::move(tracking));
      break;
    }
    default:
      break;
  }
  st.last_number = shot.number;
  st.last_number_shot = id;
}

// ---- Queue, schedule, classes moving on ----

void Judge::Impl::Queue(StationState& st, StudentId x, ShotId id) {
  const uint32_t station = shots_[id].station;
  const QueueFindings f = st.queue.OnFirstBinding(QueueEntry{x, id, *shots_[id].read});
  class_last_station_[static_cast<size_t>(roster_.ClassOf(x))] = station;
  for (const QueueEntry& e : f.out_of_order) {
    const std::string& file = shots_[e.shot].file_name;
    wire::Anomaly a = Draft(wire::Anomaly::OUT_OF_ORDER, station,
                            WhoShot(e.shot) + " was photographed out of student-number order in class " +
                                ClassName(roster_.ClassOf(e.student)) + " (shot " + file +
                                "): check that the paper form has them at shot " +
                                msg::ShotNumber(shots_[e.shot].number) + ".");
    NameShot(a, e.shot);
    NameShotStudent(a, e.shot);
    book_.Raise(std::move(a), {{e.student}, {}, 0, kNone, false});
  }
  for (const QueueEntry& e : f.interleaved) {
    const std::string& file = shots_[e.shot].file_name;
    wire::Anomaly a = Draft(wire::Anomaly::CLASS_INTERLEAVED, station,
                            WhoShot(e.shot) + " of class " + ClassName(roster_.ClassOf(e.student)) +
                                " was photographed in the middle of class " + ClassName(f.resumed_class) + " (shot " +
                                file + "): check their code and that the paper form has them at shot " +
                                msg::ShotNumber(shots_[e.shot].number) + ".");
    NameShot(a, e.shot);
    NameShotStudent(a, e.shot);
    book_.Raise(std::move(a), {{e.student}, {}, 0, kNone, false});
  }
  if (f.run_started) CheckSchedule(roster_.ClassOf(f.run_started->student), *f.run_started);
  for (ClassId klass : f.moved_on) {
    // Only a class expected here is missing students here; one that went on at another station
    // since, or came to the wrong station, is not.
    const auto& slots = roster_.klass(klass).slots;
    const bool expected_here =
        std::any_of(slots.begin(), slots.end(), [&](const Slot& slot) { return slot.station == station; });
    if (expected_here && class_last_station_[static_cast<size_t>(klass)] == station) ClassMovedOn(station, klass);
  }
}

void Judge::Impl::CheckSchedule(ClassId klass, const QueueEntry& first) {
  const ShotRecord& shot = shots_[first.shot];
  const ClassInfo& info = roster_.klass(klass);
  std::vector<const Slot*> here;
  for (const Slot& slot : info.slots) {
    if (slot.station == shot.station) here.push_back(&slot);
  }
  if (here.empty()) {
    if (!wrong_station_raised_.insert({klass, shot.station}).second) return;
    wire::Anomaly a = Draft(wire::Anomaly::WRONG_STATION, shot.station,
                            "Class " + info.name + " has no slot at station " + std::to_string(shot.station) +
                                ", yet " + WhoShot(first.shot) + " was photographed here (shot " + shot.file_name +
                                "): send the class to its own station, or tell the registrar.");
    NameShot(a, first.shot);
    NameShotStudent(a, first.shot);
    book_.Raise(std::move(a), {});
    class_schedule_checked_[static_cast<size_t>(klass)] = true;
    return;
  }
  if (class_schedule_checked_[static_cast<size_t>(klass)]) return;
  class_schedule_checked_[static_cast<size_t>(klass)] = true;
  const int64_t midnight = config_.local_midnight_us();
  for (const Slot* slot : here) {
    const int64_t start = midnight + slot->start_minute * kMinuteUs - config_.early_tolerance_us();
    const int64_t end = midnight + slot->end_minute * kMinuteUs + config_.late_tolerance_us();
    if (shot.moment_us >= start && shot.moment_us <= end) return;
  }
  const Slot& slot = *here.front();
  wire::Anomaly a = Draft(wire::Anomaly::OFF_SCHEDULE, shot.station,
                          "Class " + info.name + " started at " + msg::TimeOfDay(shot.moment_us, midnight) +
                              ", far outside its slot " + msg::Minute(slot.start_minute) + "–" +
                              msg::Minute(slot.end_minute) + " at station " + std::to_string(shot.station) +
                              ": tell the registrar.");
  NameShot(a, first.shot);
  NameShotStudent(a, first.shot);
  book_.Raise(std::move(a), {});
}

void Judge::Impl::ClassMovedOn(uint32_t station, ClassId klass) {
  for (StudentId x : roster_.klass(klass).students) {
    const StudentState& s = students_[static_cast<size_t>(x)];
    if (!s.live.empty() || s.absent || book_.Flagged(x)) continue;
    const std::string in_class = Who(x) + " of class " + ClassName(klass);
    wire::Anomaly a =
        s.code_read
            ? Draft(wire::Anomaly::NO_VALID_PHOTO, station,
                    in_class + " had their code read but has no valid photo, and the class has moved on: read "
                               "their code and photograph them again.")
            : Draft(wire::Anomaly::MISSING_STUDENT, station,
                    in_class + " has no photo and is not marked absent, and the class has moved on: photograph "
                               "them or mark them absent.");
    Name(a, x);
    book_.Raise(std::move(a), {{x}, {}, 0, x, true});
  }
}

// ---- Drafting ----

wire::Anomaly Judge::Impl::Draft(wire::Anomaly::Kind kind, uint32_t station, std::string message) {
  wire::Anomaly a;
  a.set_kind(kind);
  a.set_station(station);
  a.set_message(std::move(message));
  return a;
}

void Judge::Impl::Name(wire::Anomaly& a, StudentId student, const std::string& registry_no,
                       const std::string& masked_name) const {
  wire::StudentRef* ref = a.add_students();
  if (student != kNone) ref->set_student_no(roster_.student(student).student_no);
  ref->set_registry_no(registry_no);
  ref->set_masked_name(!masked_name.empty() || student == kNone ? masked_name : roster_.student(student).masked_name);
}

void Judge::Impl::Name(wire::Anomaly& a, StudentId student) const {
  const RosterStudent& s = roster_.student(student);
  Name(a, student, s.registry_no, s.masked_name);
}

void Judge::Impl::NameShot(wire::Anomaly& a, ShotId id) const {
  a.add_seqs(shots_[id].seq);
  a.add_shots(shots_[id].file_name);
}

void Judge::Impl::NameShotStudent(wire::Anomaly& a, ShotId id) const {
  const ShotRecord& s = shots_[id];
  if (!s.registry_no.empty()) Name(a, s.student, s.registry_no, s.masked_name);
}

std::string Judge::Impl::Who(StudentId student) const {
  const RosterStudent& s = roster_.student(student);
  return msg::Student(s.masked_name, s.registry_no);
}

std::string Judge::Impl::WhoShot(ShotId id) const {
  return msg::Student(shots_[id].masked_name, shots_[id].registry_no);
}

// ---- Outputs ----

std::vector<AssignmentRow> Judge::Impl::Assignment() const {
  std::vector<AssignmentRow> rows;
  rows.reserve(roster_.num_students());
  for (StudentId x : roster_.by_student_no()) {
    const RosterStudent& r = roster_.student(x);
    const StudentState& s = students_[static_cast<size_t>(x)];
    AssignmentRow row;
    row.student_no = r.student_no;
    row.registry_no = r.registry_no;
    row.class_name = r.class_name;
    if (!s.live.empty()) {
      const ShotRecord& photo = shots_[s.live.front()];
      row.status = "photographed";
      row.station = photo.station;
      row.shot_number = photo.number;
      row.image_file = photo.file_name;
      row.image_sha256 = ToHex(photo.sha256);
    } else {
      row.status = s.absent ? "absent" : "missing";
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<StationProgress> Judge::Impl::Progress() const {
  std::vector<StationProgress> out;
  for (const auto& [number, st] : stations_) {
    StationProgress p;
    p.station = number;
    p.photographed = st.photographed;
    if (st.current_class != kNone) {
      const ClassInfo& c = roster_.klass(st.current_class);
      p.current_class = c.name;
      p.class_done = class_done_[static_cast<size_t>(st.current_class)];
      p.class_expected = static_cast<uint32_t>(c.students.size());
    }
    out.push_back(std::move(p));
  }
  return out;
}

// ---- Judge ----

Judge::Judge(Schedule schedule, Roster roster, wire::JudgeConfig config)
    : impl_(std::make_unique<Impl>(schedule, std::move(roster), std::move(config))) {}
Judge::~Judge() = default;
wire::Verdict Judge::Apply(const wire::RecordItem& item) { return impl_->Apply(item); }
const std::vector<AnomalyState>& Judge::anomalies() const { return impl_->anomalies(); }
std::vector<AssignmentRow> Judge::Assignment() const { return impl_->Assignment(); }
std::vector<StationProgress> Judge::Progress() const { return impl_->Progress(); }
uint64_t Judge::last_commit_index() const { return impl_->last_commit_index(); }

wire::Verdict ForStation(const wire::Verdict& verdict, uint32_t station) {
  wire::Verdict out;
  out.set_commit_index(verdict.commit_index());
  for (const wire::Anomaly& a : verdict.raised()) {
    if (a.station() != station) continue;
    wire::Anomaly* copy = out.add_raised();
    *copy = a;
    for (wire::StudentRef& s : *copy->mutable_students()) s.clear_student_no();
  }
  for (const wire::Resolution& r : verdict.resolved()) {
    if (r.station() == station) *out.add_resolved() = r;
  }
  return out;
}

}  // namespace capture::judge
