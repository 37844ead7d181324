#include "coordinator/dashboard/timeline.h"

#include <algorithm>

namespace capture::dashboard {

namespace {
constexpr int64_t kMicrosPerSecond = 1'000'000;
}  // namespace

void Timeline::Committed(uint64_t first_commit_index, uint64_t last_commit_index, int64_t time_us, uint64_t events) {
  if (last_commit_index < first_commit_index) return;
  if (events > 0) minutes_[MinuteOf(time_us)].events += events;
  if (commit_times_.empty() || time_us - commit_times_.back().second >= kMicrosPerSecond) {
    commit_times_.emplace_back(first_commit_index, time_us);
  }
}

void Timeline::CommitTimed(int64_t time_us, double seconds) {
  Minute& m = minutes_[MinuteOf(time_us)];
  ++m.commits;
  m.commit_seconds_sum += seconds;
  m.commit_seconds_max = std::max(m.commit_seconds_max, seconds);
}

bool Timeline::WantsSample(int64_t time_us) const { return !sampled_minute_ || MinuteOf(time_us) != *sampled_minute_; }

void Timeline::Sample(int64_t time_us, const std::vector<judge::StationProgress>& progress) {
  const int64_t minute = MinuteOf(time_us);
  auto record = [&](int64_t at) {
    Minute& m = minutes_[at];
    for (const judge::StationProgress& p : progress) m.photographed[p.station] = p.photographed;
  };
  // The progress as a new minute begins is how the last sampled one ended (to within the items
  // of this turn): its plot point then shows the minute's end, not its first commit.
  if (sampled_minute_ && *sampled_minute_ < minute) record(*sampled_minute_);
  record(minute);
  sampled_minute_ = std::max(minute, sampled_minute_.value_or(minute));
}

std::optional<int64_t> Timeline::TimeOfCommit(uint64_t commit_index) const {
  if (commit_times_.empty()) return std::nullopt;
  auto it = std::upper_bound(commit_times_.begin(), commit_times_.end(), commit_index,
                             [](uint64_t c, const std::pair<uint64_t, int64_t>& e) { return c < e.first; });
  if (it == commit_times_.begin()) return commit_times_.front().second;
  return std::prev(it)->second;
}

uint32_t Timeline::PhotographedAt(uint32_t station, int64_t time_us) const {
  const int64_t minute = MinuteOf(time_us);
  for (auto it = minutes_.upper_bound(minute); it != minutes_.begin();) {
    --it;
    const auto found = it->second.photographed.find(station);
    if (found != it->second.photographed.end()) return found->second;
  }
  return 0;
}

}  // namespace capture::dashboard
