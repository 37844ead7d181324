#include "coordinator/judge/binding.h"

#include <algorithm>
#include <limits>

namespace capture::judge {

CodeRead* StationReads::Add(CodeRead read) {
  if (!read.retake && last_added_ && !shot_since_last_read_) {
    if (CodeRead* last = Find(*last_added_); last != nullptr && last->registry_no == read.registry_no) {
      last->last_seen_us = std::max(last->last_seen_us, read.key.time_us);
      return nullptr;
    }
  }
  read.key.arrival = ++arrivals_;
  read.last_seen_us = read.key.time_us;
  const ReadKey key = read.key;
  const auto it = reads_.emplace(key, std::move(read)).first;
  last_added_ = key;
  shot_since_last_read_ = false;
  while (reads_.size() > kMaxReads) reads_.erase(reads_.begin());
  return reads_.count(key) != 0 ? &it->second : nullptr;
}

CodeRead* StationReads::LastAtOrBefore(int64_t moment) {
  auto it = reads_.upper_bound(ReadKey{moment, std::numeric_limits<uint64_t>::max()});
  if (it == reads_.begin()) return nullptr;
  return &std::prev(it)->second;
}

std::vector<CodeRead*> StationReads::FreshBefore(const CodeRead& read) {
  std::vector<CodeRead*> fresh;
  auto it = reads_.find(read.key);
  while (it != reads_.begin()) {
    --it;
    if (it->second.use != CodeRead::Use::kFresh) break;
    fresh.push_back(&it->second);
  }
  std::reverse(fresh.begin(), fresh.end());
  return fresh;
}

CodeRead* StationReads::Find(const ReadKey& key) {
  const auto it = reads_.find(key);
  return it == reads_.end() ? nullptr : &it->second;
}

int64_t CameraClock::Moment(int64_t capture_time_us, int64_t arrival_us) {
  if (capture_time_us == 0) return arrival_us;
  offsets_[count_ % kWindow] = capture_time_us - arrival_us;
  ++count_;
  const size_t n = std::min(count_, kWindow);
  std::array<int64_t, kWindow> sorted = offsets_;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(n / 2),
                   sorted.begin() + static_cast<std::ptrdiff_t>(n));
  const int64_t offset = sorted[n / 2];
  return std::min(arrival_us, capture_time_us - offset);
}

}  // namespace capture::judge
