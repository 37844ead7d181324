#include "coordinator/judge/binding.h"

#include <algorithm>

namespace capture::judge {

CodeRead* StationReads::Add(std::string_view registry_no, int64_t time_us, bool retake) {
  if (!retake && orders_ != 0 && !shot_since_last_read_) {
    if (CodeRead& last = at(orders_); last.registry_no == registry_no) {
      last.last_seen_us = std::max(last.last_seen_us, time_us);
      return nullptr;
    }
  }
  CodeRead& read = at(++orders_);
  read.order = orders_;
  read.time_us = time_us;
  read.student = kNone;
  read.registry_no.assign(registry_no);
  read.masked_name.clear();
  read.seq = 0;
  read.last_seen_us = time_us;
  read.retake = retake;
  read.revived = false;
  read.use = CodeRead::Use::kFresh;
  read.consumer = kNoShot;
  read.blocked.clear();
  read.unknown_code = kNoAnomaly;
  shot_since_last_read_ = false;
  return &read;
}

StationReads::Found StationReads::ForShot(int64_t moment, int64_t arrival) {
  if (orders_ == 0) return {};
  CodeRead* at_moment = nullptr;
  int64_t after = arrival;  // the station time of what followed the read in record order
  for (uint64_t order = orders_; order >= first(); --order) {
    CodeRead& read = at(order);
    if (read.time_us > after) break;
    if (read.time_us <= moment) {
      at_moment = &read;
      break;
    }
    after = read.time_us;
  }
  if (at_moment != nullptr && at_moment->use != CodeRead::Use::kConsumed) return {at_moment, nullptr};
  CodeRead& newest = at(orders_);
  if (newest.use == CodeRead::Use::kFresh) return {&newest, nullptr};
  return {nullptr, at_moment != nullptr ? at_moment : &newest};
}

std::vector<CodeRead*> StationReads::FreshBefore(const CodeRead& read) {
  std::vector<CodeRead*> fresh;
  for (uint64_t order = read.order; order > first();) {
    CodeRead& r = at(--order);
    if (r.use != CodeRead::Use::kFresh) break;
    fresh.push_back(&r);
  }
  std::reverse(fresh.begin(), fresh.end());
  return fresh;
}

CodeRead* StationReads::ConsumedBy(ShotId shot) {
  for (uint64_t order = orders_; order >= first(); --order) {
    if (at(order).consumer == shot) return &at(order);
  }
  return nullptr;
}

void StationReads::Unblock(ShotId shot) {
  for (uint64_t order = orders_; order >= first(); --order) {
    std::vector<BlockedShot>& blocked = at(order).blocked;
    const auto it = std::find_if(blocked.begin(), blocked.end(), [&](const BlockedShot& b) { return b.shot == shot; });
    if (it != blocked.end()) {
      blocked.erase(it);
      return;
    }
  }
}

}  // namespace capture::judge
