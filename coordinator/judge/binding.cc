#include "coordinator/judge/binding.h"

#include <algorithm>

namespace capture::judge {

CodeRead* StationReads::Add(CodeRead read) {
  if (!read.retake && !reads_.empty() && !shot_since_last_read_) {
    if (CodeRead& last = reads_.back(); last.registry_no == read.registry_no) {
      last.last_seen_us = std::max(last.last_seen_us, read.time_us);
      return nullptr;
    }
  }
  read.order = ++orders_;
  read.last_seen_us = read.time_us;
  reads_.push_back(std::move(read));
  shot_since_last_read_ = false;
  if (reads_.size() > kMaxReads) reads_.pop_front();
  return &reads_.back();
}

StationReads::Found StationReads::ForShot(int64_t moment, int64_t arrival) {
  CodeRead* at_moment = nullptr;
  int64_t after = arrival;  // the station time of what followed the read in record order
  for (auto it = reads_.rbegin(); it != reads_.rend(); ++it) {
    if (it->time_us > after) break;
    if (it->time_us <= moment) {
      at_moment = &*it;
      break;
    }
    after = it->time_us;
  }
  if (at_moment != nullptr && at_moment->use != CodeRead::Use::kConsumed) return {at_moment, nullptr};
  if (reads_.empty()) return {};
  if (reads_.back().use == CodeRead::Use::kFresh) return {&reads_.back(), nullptr};
  return {nullptr, at_moment != nullptr ? at_moment : &reads_.back()};
}

std::vector<CodeRead*> StationReads::FreshBefore(const CodeRead& read) {
  std::vector<CodeRead*> fresh;
  for (auto it = reads_.begin() + static_cast<std::ptrdiff_t>(read.order - reads_.front().order);
       it != reads_.begin();) {
    --it;
    if (it->use != CodeRead::Use::kFresh) break;
    fresh.push_back(&*it);
  }
  std::reverse(fresh.begin(), fresh.end());
  return fresh;
}

CodeRead* StationReads::Find(uint64_t order) {
  if (reads_.empty() || order < reads_.front().order || order > reads_.back().order) return nullptr;
  return &reads_[static_cast<size_t>(order - reads_.front().order)];
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
