#include "coordinator/judge/anomaly_book.h"

#include <algorithm>
#include <charconv>

namespace capture::judge {

wire::Severity SeverityOf(wire::Anomaly::Kind kind) {
  switch (kind) {
    case wire::Anomaly::SHOT_WITHOUT_CODE:
    case wire::Anomaly::CODE_WITHOUT_SHOT:
    case wire::Anomaly::STALE_CODE:
    case wire::Anomaly::DUPLICATE_STUDENT:
    case wire::Anomaly::DUPLICATE_SHOT:
    case wire::Anomaly::SHOT_NUMBER_REWIND:
    case wire::Anomaly::UNKNOWN_CODE:
    case wire::Anomaly::CHAIN_CONFLICT:
    case wire::Anomaly::ABSENT_AFTER_PHOTO:
    case wire::Anomaly::SHOT_UNKNOWN_CODE:
    case wire::Anomaly::STALL_UNORDERED:
      return wire::BLOCKER;
    case wire::Anomaly::CODE_UNREADABLE:
    case wire::Anomaly::SHOT_NUMBER_GAP:
    case wire::Anomaly::STATION_REPLACED:
    case wire::Anomaly::ABSENT_SUPERSEDED:
    case wire::Anomaly::UNKNOWN_ANOMALY:
      return wire::INFO;
    default:
      return wire::WARNING;
  }
}

AnomalyBook::AnomalyBook(size_t num_students) : open_naming_(num_students, 0) {}

AnomalyIndex AnomalyBook::Raise(wire::Anomaly anomaly, Tracking tracking) {
  const auto index = static_cast<AnomalyIndex>(states_.size());
  anomaly.set_id("A" + std::to_string(index + 1));
  anomaly.set_severity(SeverityOf(anomaly.kind()));
  anomaly.set_raised_commit(verdict_->commit_index());
  *verdict_->add_raised() = anomaly;
  states_.push_back(AnomalyState{std::move(anomaly), std::nullopt});

  for (StudentId s : tracking.named) ++open_naming_[static_cast<size_t>(s)];
  for (ShotId shot : tracking.shots) by_shot_[shot].push_back(index);
  if (tracking.until_photo != kNone) {
    by_photo_[tracking.until_photo].push_back(index);
    if (tracking.or_absent) by_absent_[tracking.until_photo].push_back(index);
  }
  tracking_.push_back(std::move(tracking));
  return index;
}

void AnomalyBook::Resolve(AnomalyIndex index, const std::string& by, const std::string& reason) {
  Resolve(index, by, reason, {});
}

void AnomalyBook::Resolve(AnomalyIndex index, msg::Reason reason) {
  Resolve(index, kByJudge, std::string(reason.en), std::string(reason.zh));
}

void AnomalyBook::Resolve(AnomalyIndex index, const std::string& by, const std::string& reason,
                          const std::string& reason_zh) {
  AnomalyState& state = states_[index];
  if (!state.open()) return;
  wire::Resolution r;
  r.set_anomaly_id(state.anomaly.id());
  r.set_commit_index(verdict_->commit_index());
  r.set_by(by);
  r.set_reason(reason);
  r.set_reason_zh(reason_zh);
  r.set_station(state.anomaly.station());
  *verdict_->add_resolved() = r;
  state.resolution = std::move(r);
  for (StudentId s : tracking_[index].named) --open_naming_[static_cast<size_t>(s)];
}

std::optional<AnomalyIndex> AnomalyBook::Find(std::string_view id) const {
  if (id.size() < 2 || id[0] != 'A') return std::nullopt;
  uint64_t n = 0;
  const auto [end, ec] = std::from_chars(id.data() + 1, id.data() + id.size(), n);
  if (ec != std::errc() || end != id.data() + id.size() || n == 0 || n > states_.size()) return std::nullopt;
  if (id[1] == '0') return std::nullopt;  // "A07" is not an id we gave out
  return static_cast<AnomalyIndex>(n - 1);
}

void AnomalyBook::TrackShot(AnomalyIndex index, ShotId shot) {
  tracking_[index].shots.push_back(shot);
  by_shot_[shot].push_back(index);
}

void AnomalyBook::ResolveListed(std::unordered_map<StudentId, std::vector<AnomalyIndex>>& lists, StudentId student,
                                msg::Reason reason) {
  const auto it = lists.find(student);
  if (it == lists.end()) return;
  const std::vector<AnomalyIndex> list = std::move(it->second);
  lists.erase(it);
  for (AnomalyIndex index : list) Resolve(index, reason);
}

void AnomalyBook::StudentPhotographed(StudentId student) {
  ResolveListed(by_photo_, student, msg::kNowHasPhoto);
}

void AnomalyBook::StudentAbsent(StudentId student) {
  ResolveListed(by_absent_, student, msg::kMarkedAbsent);
}

void AnomalyBook::ShotDead(ShotId shot, const std::function<bool(ShotId)>& live, msg::Reason reason) {
  const auto it = by_shot_.find(shot);
  if (it == by_shot_.end()) return;
  const std::vector<AnomalyIndex> indexes = std::move(it->second);
  by_shot_.erase(it);
  for (AnomalyIndex index : indexes) {
    if (!IsOpen(index)) continue;
    const Tracking& t = tracking_[index];
    const auto live_count = static_cast<uint32_t>(std::count_if(t.shots.begin(), t.shots.end(), live));
    if (live_count <= t.live_limit) Resolve(index, reason);
  }
}

}  // namespace capture::judge
