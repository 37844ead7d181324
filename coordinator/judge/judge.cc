#include "coordinator/judge/judge.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <google/protobuf/arena.h>

#include "common/frame.h"
#include "common/sha256.h"
#include "coordinator/judge/anomaly_book.h"
#include "coordinator/judge/binding.h"
#include "coordinator/judge/id_index.h"
#include "coordinator/judge/messages.h"
#include "coordinator/judge/packed_text.h"
#include "coordinator/judge/queue_order.h"
#include "coordinator/judge/roster_index.h"
#include "coordinator/judge/shot_numbers.h"

namespace capture::judge {

namespace {

constexpr int64_t kSecondUs = 1'000'000;
constexpr int64_t kMinuteUs = 60 * kSecondUs;

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
  c.set_rules_version(kRulesVersion);
  return c;
}

wire::JudgeConfig EffectiveJudgeConfig(wire::JudgeConfig config) {
  const wire::JudgeConfig d = DefaultJudgeConfig(config.local_midnight_us(), config.utc_offset_minutes());
  if (config.stale_code_us() <= 0) config.set_stale_code_us(d.stale_code_us());
  if (config.early_tolerance_us() <= 0) config.set_early_tolerance_us(d.early_tolerance_us());
  if (config.late_tolerance_us() <= 0) config.set_late_tolerance_us(d.late_tolerance_us());
  if (config.clock_skew_tolerance_us() <= 0) config.set_clock_skew_tolerance_us(d.clock_skew_tolerance_us());
  if (config.missing_after_students() == 0) config.set_missing_after_students(d.missing_after_students());
  return config;
}

uint32_t RulesVersionOf(const wire::JudgeConfig& config) {
  return config.rules_version() == 0 ? 1 : config.rules_version();
}

Status SameRules(const wire::JudgeConfig& config) {
  const uint32_t recorded = RulesVersionOf(config);
  if (recorded == kRulesVersion) return Status::Ok();
  return Status::InvalidArgument(
      "the record was judged by version " + std::to_string(recorded) + " of the judge's rules, and this program "
      "judges by version " + std::to_string(kRulesVersion) + ": its verdicts cannot be compared or extended here; "
      "use a build of the project whose coordinator/judge/judge.h has kRulesVersion = " + std::to_string(recorded));
}

namespace {

// One image, identified by (station, file name, SHA-256). Every shot is kept for the whole day
// (a void may name any of them), so a record holds only what outputs and voids need, in 64 bytes:
// its file name is in the judge's TextArena; who it is bound to is the roster student's, or in the
// judge's side table where the read said otherwise; when it was taken is kept by the station for
// its latest shot, and by a read for the shots waiting on it (BlockedShot).
struct ShotRecord {
  std::array<char, 32> sha256{};
  uint64_t seq = 0;
  TextArena::Ref file_name = 0;
  uint32_t station = 0;
  uint32_t number = 0;
  StudentId student = kNone;
  uint8_t state = wire::Binding::UNASSIGNED;  // a wire::Binding::State
  bool bound = false;                         // to a code read (student kNone: a code on no roster)
  bool stalled = false;                       // taken in a stall: reads could own it, a blocker keeps it
  wire::Binding::State binding() const { return static_cast<wire::Binding::State>(state); }
};
static_assert(sizeof(ShotRecord) <= 64);

// Records by index, appended in fixed blocks of default-constructed ones: growing neither copies
// the day's records nor holds twice their room, as a vector's doubling would, and indexing is a
// shift and a mask, which a deque's is not.
template <typename T>
class BlockVector {
 public:
  static constexpr size_t kBlock = 4096;
  T& operator[](size_t i) { return blocks_[i / kBlock][i % kBlock]; }
  const T& operator[](size_t i) const { return blocks_[i / kBlock][i % kBlock]; }
  size_t size() const { return size_; }
  T& emplace_back() {
    if (size_ % kBlock == 0) blocks_.push_back(std::make_unique<T[]>(kBlock));
    return (*this)[size_++];
  }

 private:
  std::vector<std::unique_ptr<T[]>> blocks_;
  size_t size_ = 0;
};

// The registry number and masked name of the read a shot is bound to, where they are not the
// roster student's: a code on no roster, or a masked name other than the roster's (or none).
struct ReadTexts {
  std::string registry_no;
  std::string masked_name;
};

struct StudentState {
  // The first of the student's live shots (neither voided nor superseded), in binding order: their
  // photo (ASSIGNED). Any others are held back (UNASSIGNED) as duplicates, in Impl::more_live_.
  ShotId photo = kNoShot;
  bool absent = false;
  bool code_read = false;
  bool queued = false;  // their first binding went through the queue rules
  // Named as missing (or without a valid photo) when their class moved on, and photographed by no
  // shot since: closing the day does not name them again, e.g. after the registrar resolved it.
  bool named_missing = false;
};

struct StationState {
  StationState(const RosterIndex& roster, uint32_t moved_on_after) : queue(roster, moved_on_after) {}

  StationReads reads;
  CameraClock camera;
  QueueTracker queue;
  // The previous shot number in arrival order (a late-delivered lower one does not replace it).
  std::optional<uint32_t> last_number;
  ShotId last_number_shot = kNoShot;
  int64_t last_number_moment_us = 0;   // when that shot was taken, on the station clock
  int64_t last_number_capture_us = 0;  // ... and on the camera's (0: no capture time)
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
  // The latest stretch of reads the agent took in after a stall: from when it was held up to the
  // stamp its lines got, and who was read in it. A shot taken within it cannot be ordered with them.
  struct StallRead {
    uint64_t order = 0;  // in StationReads
    uint64_t seq = 0;
    StudentId student = kNone;
    std::string registry_no, masked_name;
  };
  struct Stall {
    int64_t from_us = 0, to_us = 0;
    std::vector<StallRead> reads;
  } stall;
  ClassId current_class = kNone;
  uint32_t photographed = 0;
};

}  // namespace

class Judge::Impl {
 public:
  Impl(const Schedule& schedule, Roster roster, wire::JudgeConfig config)
      : roster_(schedule, std::move(roster)),
        config_(EffectiveJudgeConfig(std::move(config))),
        book_(roster_.num_students()),
        students_(roster_.num_students()),
        class_done_(roster_.num_classes(), 0),
        class_last_station_(roster_.num_classes(), 0),
        class_schedule_checked_(roster_.num_classes(), false),
        parse_arena_(ParseArenaOptions(parse_block_)) {
    for (uint32_t station : roster_.stations()) Station(station);
  }

  void Apply(const wire::RecordItem& item, const wire::CaptureEvent* event, wire::Verdict* verdict);
  const std::vector<AnomalyState>& anomalies() const { return book_.states(); }
  std::vector<AssignmentRow> Assignment() const;
  std::vector<UnassignedShot> Unassigned() const;
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

  void ShotWithoutCode(ShotId id, int64_t moment_us, CodeRead* consumed);
  // Shot `id` was taken within the station's latest stall: bound to nobody, naming all read in it.
  void StallUnordered(StationState& st, ShotId id);
  void PassOver(ShotId id, const CodeRead& bound_to, StationState& st);
  // `moment_us`: when shot `id` was taken.
  void Bind(StationState& st, ShotId id, int64_t moment_us, CodeRead& read);
  void CheckShotNumber(StationState& st, ShotId id, int64_t moment_us, int64_t capture_us);
  void Queue(StationState& st, const QueueEntry& entry);
  void CheckSchedule(ClassId klass, const QueueEntry& first);
  // `again`: also name a student named missing before (a class that resumed and moved on again).
  void ClassMovedOn(uint32_t station, ClassId klass, bool again = true);
  // The day is over at `station` (0: every station).
  void DayOver(uint32_t station);
  // The student's live shots changed; `before` was the first of them (their photo) until then.
  void RefreshPhoto(StudentId student, ShotId before);
  void ShotDead(ShotId id, msg::Reason reason);

  // A shot by (station, SHA-256, file name), or by (station, file name) for the latest such file.
  ShotId FindShot(uint32_t station, std::string_view sha256, std::string_view file_name) const;
  ShotId LatestShot(uint32_t station, std::string_view file_name) const;
  std::string_view FileName(ShotId id) const { return texts_.View(shots_[id].file_name); }
  std::string File(ShotId id) const { return std::string(FileName(id)); }
  // Who the read a shot is bound to named; empty while it is bound to none.
  std::string ShotRegistryNo(ShotId id) const;
  std::string_view ShotMaskedName(ShotId id) const;

  // A student's live shots, in binding order (see StudentState).
  bool HasLive(StudentId x) const { return student(x).photo != kNoShot; }
  ShotId FirstLive(StudentId x) const { return student(x).photo; }
  std::vector<ShotId> LiveShots(StudentId x) const;
  void AddLive(StudentId x, ShotId id);
  void SetOnlyLive(StudentId x, ShotId id);
  void RemoveLive(StudentId x, ShotId id);
  StudentState& student(StudentId x) { return students_[static_cast<size_t>(x)]; }
  const StudentState& student(StudentId x) const { return students_[static_cast<size_t>(x)]; }

  // Anomaly drafting: what every kind fills in the same way.
  static wire::Anomaly Draft(wire::Anomaly::Kind kind, uint32_t station, msg::Text message);
  // An anomaly about `read` and shot `id` bound to it: both seqs, the shot, the read's student.
  wire::Anomaly ReadAndShot(wire::Anomaly::Kind kind, const CodeRead& read, ShotId id, msg::Text message) const;
  void Name(wire::Anomaly& a, StudentId student, std::string_view registry_no, std::string_view masked_name) const;
  void Name(wire::Anomaly& a, StudentId student) const;
  void NameShot(wire::Anomaly& a, ShotId id) const;
  void NameShotStudent(wire::Anomaly& a, ShotId id) const;
  msg::Person Who(StudentId student) const;
  msg::Person Who(const CodeRead& read) const { return {read.masked_name, read.registry_no}; }
  msg::Person WhoShot(ShotId id) const;
  const std::string& ClassName(ClassId klass) const { return roster_.klass(klass).name; }

  void Changed(ShotId id) { changed_.push_back(id); }

  RosterIndex roster_;
  wire::JudgeConfig config_;
  AnomalyBook book_;
  BlockVector<ShotRecord> shots_;
  TextArena texts_;                                   // the shots' file names
  std::unordered_map<ShotId, ReadTexts> read_texts_;  // see ReadTexts; few shots have one
  IdIndex shot_by_identity_;                          // station, sha256, file name
  IdIndex latest_by_name_;                            // station, file name → the latest such shot
  std::vector<StudentState> students_;
  std::unordered_map<StudentId, std::vector<ShotId>> more_live_;  // live shots after the first
  std::map<uint32_t, StationState> stations_;
  std::vector<uint32_t> class_done_;           // students with a photo, per class
  std::vector<uint32_t> class_last_station_;   // where the class's latest first binding was
  std::vector<bool> class_schedule_checked_;
  std::set<std::pair<ClassId, uint32_t>> wrong_station_raised_;
  std::set<uint32_t> day_over_;  // stations whose day is over
  uint64_t last_commit_ = 0;
  std::vector<ShotId> changed_;  // bindings the current item changed

  // Apply(item) parses each event on this arena. Its first block is ours and kept when it is reset,
  // so parsing events of the usual sizes allocates nothing (but a SHA-256's string).
  static constexpr size_t kParseBlockBytes = 16 * 1024;
  static google::protobuf::ArenaOptions ParseArenaOptions(std::array<char, kParseBlockBytes>& block) {
    google::protobuf::ArenaOptions options;
    options.initial_block = block.data();
    options.initial_block_size = block.size();
    return options;
  }
  alignas(16) std::array<char, kParseBlockBytes> parse_block_;
  google::protobuf::Arena parse_arena_;
};

namespace {

uint64_t NameHash(uint32_t station, std::string_view file_name) {
  return MixBits(std::hash<std::string_view>{}(file_name) ^ (uint64_t{station} * 0x9e3779b97f4a7c15ULL));
}

// `name_hash`: NameHash(station, file_name).
uint64_t IdentityHash(uint64_t name_hash, std::string_view sha256) {
  uint64_t head = 0;  // a SHA-256 is random already: its first bytes do
  std::memcpy(&head, sha256.data(), std::min(sha256.size(), sizeof head));
  return name_hash ^ head;
}

}  // namespace

ShotId Judge::Impl::FindShot(uint32_t station, std::string_view sha256, std::string_view file_name) const {
  if (sha256.size() != sizeof(ShotRecord::sha256)) return kNoShot;  // every shot has a 32-byte one
  return shot_by_identity_.Lookup(IdentityHash(NameHash(station, file_name), sha256), [&](ShotId id) {
    const ShotRecord& s = shots_[id];
    return s.station == station && std::memcmp(s.sha256.data(), sha256.data(), s.sha256.size()) == 0 &&
           FileName(id) == file_name;
  });
}

ShotId Judge::Impl::LatestShot(uint32_t station, std::string_view file_name) const {
  return latest_by_name_.Lookup(NameHash(station, file_name),
                                [&](ShotId id) { return shots_[id].station == station && FileName(id) == file_name; });
}

std::string Judge::Impl::ShotRegistryNo(ShotId id) const {
  const ShotRecord& s = shots_[id];
  if (!s.bound) return "";
  if (const auto it = read_texts_.find(id); it != read_texts_.end()) return it->second.registry_no;
  return roster_.RegistryNo(s.student);
}

std::string_view Judge::Impl::ShotMaskedName(ShotId id) const {
  const ShotRecord& s = shots_[id];
  if (!s.bound) return "";
  if (const auto it = read_texts_.find(id); it != read_texts_.end()) return it->second.masked_name;
  return roster_.MaskedName(s.student);
}

std::vector<ShotId> Judge::Impl::LiveShots(StudentId x) const {
  std::vector<ShotId> live;
  if (!HasLive(x)) return live;
  live.push_back(FirstLive(x));
  if (const auto it = more_live_.find(x); it != more_live_.end()) {
    live.insert(live.end(), it->second.begin(), it->second.end());
  }
  return live;
}

void Judge::Impl::AddLive(StudentId x, ShotId id) {
  if (HasLive(x)) {
    more_live_[x].push_back(id);
  } else {
    student(x).photo = id;
  }
}

void Judge::Impl::SetOnlyLive(StudentId x, ShotId id) {
  student(x).photo = id;
  more_live_.erase(x);
}

void Judge::Impl::RemoveLive(StudentId x, ShotId id) {
  const auto more = more_live_.find(x);
  if (student(x).photo == id) {
    if (more == more_live_.end()) {
      student(x).photo = kNoShot;
      return;
    }
    student(x).photo = more->second.front();
    more->second.erase(more->second.begin());
  } else if (more != more_live_.end()) {
    more->second.erase(std::remove(more->second.begin(), more->second.end(), id), more->second.end());
  }
  if (more != more_live_.end() && more->second.empty()) more_live_.erase(more);
}

// ---- Dispatch ----

void Judge::Impl::Apply(const wire::RecordItem& item, const wire::CaptureEvent* given, wire::Verdict* verdict) {
  verdict->Clear();
  verdict->set_commit_index(item.commit_index());
  if (item.commit_index() != last_commit_ + 1) return;
  last_commit_ = item.commit_index();
  book_.Begin(verdict);
  changed_.clear();

  if (item.has_observation()) {
    OnObservation(item.observation());
  } else if (given != nullptr) {
    OnEvent(*given);
  } else if (item.has_event()) {
    // Resetting costs about as much as parsing: do it only once the arena's first block fills up.
    if (parse_arena_.SpaceUsed() > kParseBlockBytes / 2) parse_arena_.Reset();
    auto* event = google::protobuf::Arena::CreateMessage<wire::CaptureEvent>(&parse_arena_);
    // The coordinator stores only events that parse (ParseEvent); one that does not says nothing.
    if (event->ParseFromString(item.event()) && !CheckEvent(*event)) OnEvent(*event);
  }

  std::sort(changed_.begin(), changed_.end());
  changed_.erase(std::unique(changed_.begin(), changed_.end()), changed_.end());
  for (ShotId id : changed_) {
    const ShotRecord& s = shots_[id];
    wire::Binding* b = verdict->add_bindings();
    b->set_station(s.station);
    const std::string_view file = FileName(id);
    b->set_file_name(file.data(), file.size());
    b->set_sha256(s.sha256.data(), s.sha256.size());
    b->set_shot_number(s.number);
    if (s.bound) b->set_registry_no(ShotRegistryNo(id));
    b->set_state(s.binding());
  }
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
                              msg::CodeUnreadable(event.detail()));
      a.add_seqs(event.seq());
      book_.Raise(std::move(a), {});
      break;
    }
    default:
      break;
  }
}

void Judge::Impl::OnObservation(const wire::Observation& o) {
  switch (o.kind()) {
    case wire::Observation::EPOCH_STARTED:
      book_.Raise(Draft(wire::Anomaly::STATION_REPLACED, o.station(), msg::StationReplaced(o.station())), {});
      break;
    case wire::Observation::CLOCK_OFFSET: {
      StationState& st = Station(o.station());
      const bool off = std::llabs(o.offset_us()) > config_.clock_skew_tolerance_us();
      const bool open = st.clock_offset != kNoAnomaly && book_.IsOpen(st.clock_offset);
      if (off && !open) {
        st.clock_offset =
            book_.Raise(Draft(wire::Anomaly::CLOCK_SKEW, o.station(), msg::ClockOff(o.station(), o.offset_us())), {});
      } else if (!off && open) {
        book_.Resolve(st.clock_offset, msg::kClockWithinTolerance);
      }
      break;
    }
    case wire::Observation::STATION_SILENT: {
      StationState& st = Station(o.station());
      if (st.silent == kNoAnomaly || !book_.IsOpen(st.silent)) {
        st.silent = book_.Raise(Draft(wire::Anomaly::STATION_SILENT, o.station(), msg::StationSilent(o.station())), {});
      }
      break;
    }
    case wire::Observation::STATION_BACK: {
      StationState& st = Station(o.station());
      if (st.silent != kNoAnomaly) book_.Resolve(st.silent, msg::kStationHeardAgain);
      break;
    }
    case wire::Observation::REGISTRAR_RESOLVE:
      OnResolve(0, 0, o.anomaly_id(), o.by().empty() ? "registrar" : o.by(), o.detail());
      break;
    case wire::Observation::LAST_SLOT_OVER:
    case wire::Observation::DAY_CLOSED:
      DayOver(o.station());
      break;
    case wire::Observation::SEQ_CONFLICT:
    case wire::Observation::HEAD_CONFLICT: {
      // A conflict the chain decided (the other copy did not link) changes nothing: it was not stored.
      if (o.kind() == wire::Observation::SEQ_CONFLICT && !o.chain_undecided()) break;
      wire::Anomaly a = Draft(wire::Anomaly::CHAIN_CONFLICT, o.station(),
                              msg::ChainConflict(o.station(), o.seq(), o.kind() == wire::Observation::SEQ_CONFLICT));
      a.add_seqs(o.seq());
      book_.Raise(std::move(a), {});
      break;
    }
    default:
      break;  // key changes, and anything newer than this judge: nothing to judge
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
                              msg::ClockWentBack(event.station(), last_time - now));
      a.add_seqs(last_seq);
      a.add_seqs(event.seq());
      st.clock_backwards = book_.Raise(std::move(a), {});
      st.clock_backwards_from = last_time;
    }
  } else if (open && now >= st.clock_backwards_from) {
    book_.Resolve(st.clock_backwards, msg::kClockPastWentBack);
  }
  last_seq = event.seq();
  last_time = now;
}

// ---- Binding ----

void Judge::Impl::OnCodeRead(StationState& st, const wire::CaptureEvent& event, bool retake) {
  CodeRead* stored = st.reads.Add(event.code().registry_no(), event.station_time_us(), retake);
  if (stored == nullptr) return;  // the reader fired twice
  stored->arrived_after_us = event.arrived_after_us();
  if (event.arrived_after_us() == 0) {
    st.stall.reads.clear();  // a read with a time of its own ends the stretch
  } else {
    if (st.stall.from_us != event.arrived_after_us() || st.stall.reads.empty()) {
      st.stall = {event.arrived_after_us(), event.station_time_us(), {}};
    }
    st.stall.to_us = std::max(st.stall.to_us, event.station_time_us());
  }
  stored->student = roster_.ByRegistryNo(event.code().registry_no());
  if (event.arrived_after_us() != 0) {
    st.stall.reads.push_back({stored->order, event.seq(), stored->student, stored->registry_no,
                              event.code().masked_name()});
  }
  stored->masked_name.assign(event.code().masked_name());
  stored->seq = event.seq();
  if (stored->student != kNone) {
    student(stored->student).code_read = true;
    return;
  }
  wire::Anomaly a = Draft(wire::Anomaly::UNKNOWN_CODE, event.station(),
                          msg::UnknownCode(Who(*stored)));
  a.add_seqs(event.seq());
  Name(a, kNone, stored->registry_no, stored->masked_name);
  stored->unknown_code = book_.Raise(std::move(a), {});
}

void Judge::Impl::OnShot(StationState& st, const wire::CaptureEvent& event) {
  const wire::Shot& shot = event.shot();
  const uint32_t station = event.station();
  const std::string& sha256 = shot.sha256();  // 32 bytes: ParseEvent checked
  const std::string& file_name = shot.file_name();
  const uint64_t name_hash = NameHash(station, file_name);
  uint32_t* identity = shot_by_identity_.Find(IdentityHash(name_hash, sha256), [&](ShotId other) {
    const ShotRecord& s = shots_[other];
    return s.station == station && std::memcmp(s.sha256.data(), sha256.data(), s.sha256.size()) == 0 &&
           FileName(other) == file_name;
  });
  if (*identity != IdIndex::kNoId) return;  // the same image again is not a new shot
  const auto id = static_cast<ShotId>(shots_.size());
  uint32_t* latest = latest_by_name_.Find(name_hash, [&](ShotId other) {
    return shots_[other].station == station && FileName(other) == file_name;
  });
  ShotRecord& record = shots_.emplace_back();
  record.station = station;
  // A file name seen before at the station (a counter that wrapped) is kept once.
  record.file_name = *latest == IdIndex::kNoId ? texts_.Add(file_name) : shots_[*latest].file_name;
  std::memcpy(record.sha256.data(), sha256.data(), record.sha256.size());
  record.number = shot.shot_number();
  record.seq = event.seq();
  if (*latest == IdIndex::kNoId) {
    latest_by_name_.Add(latest, id);
  } else {
    *latest = id;
  }
  shot_by_identity_.Add(identity, id);
  Changed(id);

  // An image taken in after a stall arrived late: its arrival says nothing of the camera's clock.
  const bool late = event.arrived_after_us() != 0;
  const int64_t moment = !late                         ? st.camera.Moment(shot.capture_time_us(), event.station_time_us())
                         : shot.capture_time_us() != 0 ? st.camera.Aligned(shot.capture_time_us())
                                                       : event.station_time_us();
  const bool in_stall = !st.stall.reads.empty() && ((late && shot.capture_time_us() == 0) ||
                                                    (moment > st.stall.from_us && moment <= st.stall.to_us));
  if (in_stall) {
    StallUnordered(st, id);
    st.reads.NoteShot();
    CheckShotNumber(st, id, moment, shot.capture_time_us());
    return;
  }
  const StationReads::Found found = st.reads.ForShot(moment, event.station_time_us());
  if (found.read == nullptr) {
    ShotWithoutCode(id, moment, found.taken);
  } else {
    PassOver(id, *found.read, st);
    Bind(st, id, moment, *found.read);
  }
  st.reads.NoteShot();
  CheckShotNumber(st, id, moment, shot.capture_time_us());
}

void Judge::Impl::ShotWithoutCode(ShotId id, int64_t moment_us, CodeRead* consumed) {
  ShotRecord& shot = shots_[id];
  shot.state = wire::Binding::UNASSIGNED;
  const std::string file = File(id);
  wire::Anomaly a = Draft(wire::Anomaly::SHOT_WITHOUT_CODE, shot.station,
                          consumed != nullptr ? msg::ShotWithoutNewCode(file, Who(*consumed))
                                              : msg::ShotBeforeAnyCode(file));
  Tracking tracking;
  tracking.shots = {id};
  if (consumed != nullptr) {
    a.add_seqs(consumed->seq);
    Name(a, consumed->student, consumed->registry_no, consumed->masked_name);
    if (consumed->student != kNone) tracking.named.push_back(consumed->student);
  }
  a.add_seqs(shot.seq);
  a.add_shots(file);
  const AnomalyIndex without_code = book_.Raise(std::move(a), std::move(tracking));
  if (consumed != nullptr) consumed->blocked.push_back(BlockedShot{id, moment_us, without_code});
}

void Judge::Impl::StallUnordered(StationState& st, ShotId id) {
  ShotRecord& shot = shots_[id];
  shot.state = wire::Binding::UNASSIGNED;
  shot.stalled = true;
  const std::string file = File(id);
  wire::Anomaly a = Draft(wire::Anomaly::STALL_UNORDERED, shot.station,
                          msg::StallUnordered(shot.station, file, st.stall.reads.size()));
  Tracking tracking;
  tracking.shots = {id};
  for (const StationState::StallRead& read : st.stall.reads) {
    a.add_seqs(read.seq);
    Name(a, read.student, read.registry_no, read.masked_name);
    if (read.student != kNone) tracking.named.push_back(read.student);
    // No shot gets these reads now, not even a file delivered late (it would need a time that orders
    // it with them), and a later shot passing over them loses no one not named here.
    CodeRead* kept = st.reads.Find(read.order);
    if (kept != nullptr && kept->use != CodeRead::Use::kConsumed) kept->use = CodeRead::Use::kConsumed;
  }
  a.add_seqs(shot.seq);
  a.add_shots(file);
  book_.Raise(std::move(a), std::move(tracking));
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
    const std::string file = File(id);
    wire::Anomaly a = Draft(wire::Anomaly::CODE_WITHOUT_SHOT, shots_[id].station,
                            msg::CodeWithoutShot(Who(*p), Who(bound_to), file));
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

void Judge::Impl::Bind(StationState& st, ShotId id, int64_t moment_us, CodeRead& read) {
  read.use = CodeRead::Use::kConsumed;
  read.consumer = id;
  ShotRecord& shot = shots_[id];
  shot.bound = true;
  shot.student = read.student;
  if (read.student == kNone || read.masked_name != roster_.MaskedName(read.student)) {
    read_texts_[id] = ReadTexts{read.registry_no, read.masked_name};
  }
  Changed(id);
  if (read.student == kNone) {
    shot.state = wire::Binding::UNASSIGNED;
    if (read.unknown_code != kNoAnomaly) book_.TrackShot(read.unknown_code, id);
    const std::string file = File(id);
    Tracking tracking;
    tracking.shots = {id};
    book_.Raise(ReadAndShot(wire::Anomaly::SHOT_UNKNOWN_CODE, read, id, msg::ShotUnknownCode(file, Who(read))),
                std::move(tracking));
    return;
  }
  const StudentId x = read.student;
  const ShotId photo_before = FirstLive(x);
  const bool had_photo = photo_before != kNoShot;
  std::vector<ShotId> superseded;
  if (read.retake) {
    for (ShotId old : LiveShots(x)) {
      shots_[old].state = wire::Binding::SUPERSEDED;
      Changed(old);
      superseded.push_back(old);
    }
    SetOnlyLive(x, id);
    shot.state = wire::Binding::ASSIGNED;
  } else if (had_photo) {
    const ShotId first = FirstLive(x);
    AddLive(x, id);
    shot.state = wire::Binding::UNASSIGNED;
    const std::string file = File(id), first_file = File(first);
    wire::Anomaly a = Draft(wire::Anomaly::DUPLICATE_STUDENT, shot.station,
                            msg::DuplicateStudent(Who(read), first_file, shots_[first].station, file));
    a.add_seqs(shots_[first].seq);
    a.add_seqs(read.seq);
    a.add_seqs(shot.seq);
    a.add_shots(first_file);
    a.add_shots(file);
    Name(a, x, read.registry_no, read.masked_name);
    Tracking tracking;
    tracking.named = {x};
    tracking.shots = {first, id};
    tracking.live_limit = 1;
    book_.Raise(std::move(a), std::move(tracking));
  } else {
    SetOnlyLive(x, id);
    shot.state = wire::Binding::ASSIGNED;
  }
  RefreshPhoto(x, photo_before);
  for (ShotId old : superseded) ShotDead(old, msg::kRetakeReplaced);

  const int64_t age = moment_us - read.last_seen_us;
  if (age > config_.stale_code_us()) {
    const std::string file = File(id);
    Tracking tracking;
    tracking.named = {x};
    tracking.shots = {id};
    book_.Raise(ReadAndShot(wire::Anomaly::STALE_CODE, read, id, msg::StaleCode(file, Who(read), age)),
                std::move(tracking));
  }
  if (student(x).absent && !had_photo && shot.state == wire::Binding::ASSIGNED) {
    const std::string file = File(id);
    wire::Anomaly a = Draft(wire::Anomaly::ABSENT_SUPERSEDED, shot.station,
                            msg::AbsentSuperseded(Who(read), file));
    a.add_seqs(shot.seq);
    a.add_shots(file);
    Name(a, x, read.registry_no, read.masked_name);
    book_.Raise(std::move(a), {});
  }
  st.current_class = roster_.ClassOf(x);
  if (!student(x).queued) {
    student(x).queued = true;
    Queue(st, QueueEntry{x, id, read.order, moment_us});
  }
}

void Judge::Impl::RefreshPhoto(StudentId x, ShotId before) {
  const ShotId photo = FirstLive(x);
  if (photo != kNoShot && shots_[photo].binding() != wire::Binding::ASSIGNED) {
    shots_[photo].state = wire::Binding::ASSIGNED;  // the next held-back shot moves up
    Changed(photo);
  }
  // Progress counts a photo at its station: move the count where the photo moved.
  const uint32_t was = before == kNoShot ? 0 : shots_[before].station;
  const uint32_t now = photo == kNoShot ? 0 : shots_[photo].station;
  if (now == was) return;
  const ClassId klass = roster_.ClassOf(x);
  if (was != 0) {
    --stations_.at(was).photographed;
    if (now == 0) --class_done_[static_cast<size_t>(klass)];
  }
  if (now != 0) {
    ++Station(now).photographed;
    if (was == 0) ++class_done_[static_cast<size_t>(klass)];
  }
  if (was == 0) {
    student(x).named_missing = false;
    book_.StudentPhotographed(x);
  }
}

void Judge::Impl::ShotDead(ShotId id, msg::Reason reason) {
  book_.ShotDead(id, [this](ShotId s) { return IsLive(shots_[s].binding()); }, reason);
}

void Judge::Impl::OnVoid(StationState& st, const wire::CaptureEvent& event) {
  const wire::Shot& target = event.shot();
  const ShotId id = target.sha256().empty() ? LatestShot(event.station(), target.file_name())
                                            : FindShot(event.station(), target.sha256(), target.file_name());
  if (id == kNoShot) return;  // no such shot here: nothing to void
  ShotRecord& shot = shots_[id];
  if (shot.binding() == wire::Binding::VOIDED) return;
  const wire::Binding::State before = shot.binding();
  shot.state = wire::Binding::VOIDED;
  Changed(id);

  if (shot.student != kNone) {
    const ShotId photo_before = FirstLive(shot.student);
    RemoveLive(shot.student, id);
    RefreshPhoto(shot.student, photo_before);
  }
  st.reads.Unblock(id);
  // Judge the rest as if the voided shot had never been: its code read owns the next shot again.
  CodeRead* read = shot.bound ? st.reads.ConsumedBy(id) : nullptr;
  if (read != nullptr && before != wire::Binding::SUPERSEDED) {
    if (!read->blocked.empty()) {
      const BlockedShot next = read->blocked.front();
      read->blocked.erase(read->blocked.begin());
      book_.Resolve(next.without_code, msg::kShotBeforeVoided);
      Bind(st, next.shot, next.moment_us, *read);
    } else if (st.reads.IsLatest(*read)) {
      read->use = CodeRead::Use::kFresh;
      read->consumer = kNoShot;
      read->revived = true;
    }
  }
  ShotDead(id, msg::kShotsVoided);
}

void Judge::Impl::OnAbsent(const wire::CaptureEvent& event) {
  const StudentId x = roster_.ByStudentNo(event.student_no());
  if (x == kNone) {
    wire::Anomaly a = Draft(wire::Anomaly::UNKNOWN_STUDENT, event.station(),
                            msg::UnknownStudent());
    a.add_seqs(event.seq());
    a.add_students()->set_student_no(event.student_no());
    book_.Raise(std::move(a), {});
    return;
  }
  StudentState& s = student(x);
  if (s.absent) return;
  s.absent = true;
  if (s.photo == kNoShot) {
    book_.StudentAbsent(x);
    return;
  }
  const std::string file = File(s.photo);
  wire::Anomaly a = Draft(wire::Anomaly::ABSENT_AFTER_PHOTO, event.station(),
                          msg::AbsentAfterPhoto(Who(x), file));
  a.add_seqs(shots_[s.photo].seq);
  a.add_seqs(event.seq());
  a.add_shots(file);
  Name(a, x);
  Tracking tracking;
  tracking.named = {x};
  tracking.shots = {s.photo};
  book_.Raise(std::move(a), std::move(tracking));
}

void Judge::Impl::OnResolve(uint32_t station, uint64_t seq, const std::string& id, const std::string& by,
                            const std::string& reason) {
  const std::optional<AnomalyIndex> index = book_.Find(id);
  if (index && book_.IsOpen(*index)) {
    book_.Resolve(*index, by, reason);
    return;
  }
  wire::Anomaly a = Draft(wire::Anomaly::UNKNOWN_ANOMALY, station, msg::UnknownAnomaly(id));
  if (seq != 0) a.add_seqs(seq);
  book_.Raise(std::move(a), {});
}

// ---- Shot numbers ----

void Judge::Impl::CheckShotNumber(StationState& st, ShotId id, int64_t moment_us, int64_t capture_us) {
  const ShotRecord& shot = shots_[id];
  // Taken before the previous shot: on the camera's clock where both images carry a capture time,
  // because a station clock set back makes every later moment look earlier.
  bool taken_before = false;
  if (st.last_number) {
    taken_before = capture_us != 0 && st.last_number_capture_us != 0 ? capture_us < st.last_number_capture_us
                                                                      : moment_us < st.last_number_moment_us;
  }
  const ShotNumberStep step = ClassifyShotNumber(st.last_number, shot.number, taken_before);
  if (step.step == ShotStep::kLateArrival) {
    StationState::Gap& gap = st.gap;
    if (gap.anomaly != kNoAnomaly && gap.low < shot.number && shot.number < gap.high && gap.missing > 0 &&
        --gap.missing == 0) {
      book_.Resolve(gap.anomaly, msg::kImagesArrivedLate);
    }
    return;  // the counter did not go back: the file was delivered late
  }
  const ShotId prev = st.last_number_shot;
  auto draft = [&](wire::Anomaly::Kind kind, msg::Text message) {
    wire::Anomaly a = Draft(kind, shot.station, std::move(message));
    a.add_seqs(shots_[prev].seq);
    a.add_seqs(shot.seq);
    a.add_shots(File(prev));
    a.add_shots(File(id));
    return a;
  };
  switch (step.step) {
    case ShotStep::kGap: {
      wire::Anomaly a = draft(wire::Anomaly::SHOT_NUMBER_GAP,
                              msg::ShotNumberGap(shots_[prev].number, shot.number, step.missing));
      st.gap = {book_.Raise(std::move(a), {}), shots_[prev].number, shot.number, step.missing};
      break;
    }
    case ShotStep::kDuplicate: {
      wire::Anomaly a = draft(wire::Anomaly::DUPLICATE_SHOT, msg::DuplicateShot(shot.number, File(prev), File(id)));
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
                              msg::ShotNumberRewind(shots_[prev].number, shot.number, File(id)));
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
  st.last_number_moment_us = moment_us;
  st.last_number_capture_us = capture_us;
}

// ---- Queue, schedule, classes moving on ----

void Judge::Impl::Queue(StationState& st, const QueueEntry& entry) {
  const uint32_t station = shots_[entry.shot].station;
  const QueueFindings f = st.queue.OnFirstBinding(entry);
  class_last_station_[static_cast<size_t>(roster_.ClassOf(entry.student))] = station;
  for (const QueueEntry& e : f.out_of_order) {
    const std::string file = File(e.shot);
    wire::Anomaly a = Draft(wire::Anomaly::OUT_OF_ORDER, station,
                            msg::OutOfOrder(WhoShot(e.shot), ClassName(roster_.ClassOf(e.student)), file,
                                            shots_[e.shot].number));
    NameShot(a, e.shot);
    NameShotStudent(a, e.shot);
    book_.Raise(std::move(a), {{e.student}, {}, 0, kNone, false});
  }
  for (const QueueEntry& e : f.interleaved) {
    const std::string file = File(e.shot);
    wire::Anomaly a = Draft(wire::Anomaly::CLASS_INTERLEAVED, station,
                            msg::ClassInterleaved(WhoShot(e.shot), ClassName(roster_.ClassOf(e.student)),
                                                  ClassName(f.resumed_class), file, shots_[e.shot].number));
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
                            msg::WrongStation(info.name, shot.station, WhoShot(first.shot), File(first.shot)));
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
    if (first.moment_us >= start && first.moment_us <= end) return;
  }
  const Slot& slot = *here.front();
  wire::Anomaly a = Draft(wire::Anomaly::OFF_SCHEDULE, shot.station,
                          msg::OffSchedule(info.name, msg::TimeOfDay(first.moment_us, midnight),
                                           msg::Minute(slot.start_minute), msg::Minute(slot.end_minute), shot.station));
  NameShot(a, first.shot);
  NameShotStudent(a, first.shot);
  book_.Raise(std::move(a), {});
}

void Judge::Impl::ClassMovedOn(uint32_t station, ClassId klass, bool again) {
  for (StudentId x : roster_.Members(klass)) {
    StudentState& s = student(x);
    if (s.photo != kNoShot || s.absent || book_.Flagged(x) || (s.named_missing && !again)) continue;
    s.named_missing = true;
    wire::Anomaly a = s.code_read ? Draft(wire::Anomaly::NO_VALID_PHOTO, station, msg::NoValidPhoto(Who(x), ClassName(klass)))
                                  : Draft(wire::Anomaly::MISSING_STUDENT, station,
                                          msg::MissingStudent(Who(x), ClassName(klass)));
    Name(a, x);
    book_.Raise(std::move(a), {{x}, {}, 0, x, true});
  }
}

void Judge::Impl::DayOver(uint32_t station) {
  std::set<uint32_t> now_over;
  for (uint32_t s : roster_.stations()) {
    if ((station == 0 || s == station) && day_over_.insert(s).second) now_over.insert(s);
  }
  if (now_over.empty()) return;
  // A class moves on once the day is over at every station with a slot of it, named at the
  // station where it was last photographed, else at its last slot's.
  for (ClassId klass = 0; klass < static_cast<ClassId>(roster_.num_classes()); ++klass) {
    const std::vector<Slot>& slots = roster_.klass(klass).slots;
    if (slots.empty()) continue;
    const auto over = [&](const Slot& slot) { return day_over_.count(slot.station) != 0; };
    const auto now = [&](const Slot& slot) { return now_over.count(slot.station) != 0; };
    if (!std::all_of(slots.begin(), slots.end(), over) || !std::any_of(slots.begin(), slots.end(), now)) continue;
    const uint32_t last = class_last_station_[static_cast<size_t>(klass)];
    const bool photographed_at_slot =
        std::any_of(slots.begin(), slots.end(), [&](const Slot& slot) { return slot.station == last; });
    const Slot& latest = *std::max_element(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) {
      return a.end_minute < b.end_minute;
    });
    ClassMovedOn(photographed_at_slot ? last : latest.station, klass, /*again=*/false);
  }
}

// ---- Drafting ----

wire::Anomaly Judge::Impl::Draft(wire::Anomaly::Kind kind, uint32_t station, msg::Text message) {
  wire::Anomaly a;
  a.set_kind(kind);
  a.set_station(station);
  a.set_message(std::move(message.en));
  a.set_message_zh(std::move(message.zh));
  return a;
}

wire::Anomaly Judge::Impl::ReadAndShot(wire::Anomaly::Kind kind, const CodeRead& read, ShotId id,
                                       msg::Text message) const {
  wire::Anomaly a = Draft(kind, shots_[id].station, std::move(message));
  a.add_seqs(read.seq);
  a.add_seqs(shots_[id].seq);
  a.add_shots(File(id));
  Name(a, read.student, read.registry_no, read.masked_name);
  return a;
}

void Judge::Impl::Name(wire::Anomaly& a, StudentId x, std::string_view registry_no,
                       std::string_view masked_name) const {
  wire::StudentRef* ref = a.add_students();
  if (x != kNone) ref->set_student_no(roster_.StudentNo(x));
  ref->set_registry_no(std::string(registry_no));
  ref->set_masked_name(std::string(!masked_name.empty() || x == kNone ? masked_name : roster_.MaskedName(x)));
}

void Judge::Impl::Name(wire::Anomaly& a, StudentId x) const {
  Name(a, x, roster_.RegistryNo(x), roster_.MaskedName(x));
}

void Judge::Impl::NameShot(wire::Anomaly& a, ShotId id) const {
  a.add_seqs(shots_[id].seq);
  a.add_shots(File(id));
}

void Judge::Impl::NameShotStudent(wire::Anomaly& a, ShotId id) const {
  if (shots_[id].bound) Name(a, shots_[id].student, ShotRegistryNo(id), ShotMaskedName(id));
}

msg::Person Judge::Impl::Who(StudentId x) const {
  return {std::string(roster_.MaskedName(x)), std::string(roster_.RegistryNo(x))};
}

msg::Person Judge::Impl::WhoShot(ShotId id) const { return {std::string(ShotMaskedName(id)), ShotRegistryNo(id)}; }

// ---- Outputs ----

std::vector<AssignmentRow> Judge::Impl::Assignment() const {
  // Indices into the book, so that each row's list comes out in the order raised.
  const std::vector<AnomalyState>& states = book_.states();
  std::map<std::string_view, std::vector<size_t>> doubts_of_student;
  std::map<std::pair<uint32_t, std::string_view>, std::vector<size_t>> doubts_of_shot;
  for (size_t i = 0; i < states.size(); ++i) {
    const wire::Anomaly& a = states[i].anomaly;
    if (!states[i].open() || a.severity() == wire::INFO) continue;
    for (const wire::StudentRef& s : a.students()) {
      if (!s.student_no().empty()) doubts_of_student[s.student_no()].push_back(i);
    }
    for (const std::string& shot : a.shots()) doubts_of_shot[{a.station(), shot}].push_back(i);
  }
  std::vector<AssignmentRow> rows;
  rows.reserve(roster_.num_students());
  for (StudentId x : roster_.SortedByStudentNo()) {
    const StudentState& s = student(x);
    AssignmentRow row;
    row.student_no = roster_.StudentNo(x);
    row.registry_no = roster_.RegistryNo(x);
    row.class_name = ClassName(roster_.ClassOf(x));
    std::vector<size_t> doubts;
    if (const auto it = doubts_of_student.find(row.student_no); it != doubts_of_student.end()) doubts = it->second;
    if (s.photo != kNoShot) {
      const ShotRecord& photo = shots_[s.photo];
      row.status = "photographed";
      row.station = photo.station;
      row.shot_number = photo.number;
      row.image_file = File(s.photo);
      row.image_sha256 = ToHex(std::string_view(photo.sha256.data(), photo.sha256.size()));
      if (const auto it = doubts_of_shot.find({row.station, row.image_file}); it != doubts_of_shot.end()) {
        doubts.insert(doubts.end(), it->second.begin(), it->second.end());
      }
    } else {
      row.status = s.absent ? "absent" : "missing";
    }
    std::sort(doubts.begin(), doubts.end());
    doubts.erase(std::unique(doubts.begin(), doubts.end()), doubts.end());
    for (const size_t i : doubts) row.open_anomalies.push_back(states[i].anomaly.id());
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<UnassignedShot> Judge::Impl::Unassigned() const {
  std::vector<UnassignedShot> out;
  for (ShotId id = 0; id < shots_.size(); ++id) {
    const ShotRecord& s = shots_[id];
    const char* reason = nullptr;
    switch (s.binding()) {
      case wire::Binding::ASSIGNED: continue;
      case wire::Binding::VOIDED: reason = "voided"; break;
      case wire::Binding::SUPERSEDED: reason = "superseded"; break;
      default:
        reason = s.stalled || (s.bound && s.student != kNone) ? "held_back" : !s.bound ? "no_code" : "unknown_code";
        break;
    }
    out.push_back({s.station, s.seq, s.number, File(id), ToHex(std::string_view(s.sha256.data(), s.sha256.size())),
                   reason});
  }
  std::stable_sort(out.begin(), out.end(), [](const UnassignedShot& a, const UnassignedShot& b) {
    return std::tie(a.station, a.seq) < std::tie(b.station, b.seq);
  });
  return out;
}

std::vector<StationProgress> Judge::Impl::Progress() const {
  std::vector<StationProgress> out;
  for (const auto& [number, st] : stations_) {
    StationProgress p;
    p.station = number;
    p.photographed = st.photographed;
    p.day_over = day_over_.count(number) != 0;
    if (st.current_class != kNone) {
      const ClassInfo& c = roster_.klass(st.current_class);
      p.current_class = c.name;
      p.class_done = class_done_[static_cast<size_t>(st.current_class)];
      p.class_expected = c.size;
    }
    out.push_back(std::move(p));
  }
  return out;
}

// ---- Judge ----

Judge::Judge(Schedule schedule, Roster roster, wire::JudgeConfig config)
    : impl_(std::make_unique<Impl>(schedule, std::move(roster), std::move(config))) {}
Judge::~Judge() = default;
wire::Verdict Judge::Apply(const wire::RecordItem& item) { return Apply(item, nullptr); }
wire::Verdict Judge::Apply(const wire::RecordItem& item, const wire::CaptureEvent* event) {
  wire::Verdict verdict;
  impl_->Apply(item, event, &verdict);
  return verdict;
}
void Judge::Apply(const wire::RecordItem& item, const wire::CaptureEvent* event, wire::Verdict* verdict) {
  impl_->Apply(item, event, verdict);
}
const std::vector<AnomalyState>& Judge::anomalies() const { return impl_->anomalies(); }
std::vector<AssignmentRow> Judge::Assignment() const { return impl_->Assignment(); }
std::vector<UnassignedShot> Judge::Unassigned() const { return impl_->Unassigned(); }
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
