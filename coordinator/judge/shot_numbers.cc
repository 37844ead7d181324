#include "coordinator/judge/shot_numbers.h"

namespace capture::judge {

ShotNumberStep ClassifyShotNumber(std::optional<uint32_t> previous, uint32_t current, bool taken_before_previous) {
  if (!previous) return {ShotStep::kFirst, 0};
  const uint32_t prev = *previous;
  if (current == prev) return {ShotStep::kDuplicate, 0};
  if (current < prev) {
    if (prev >= kWrapFrom && current <= kWrapTo) {
      // Some counters wrap to 0000, some to 0001: either follows 9999 directly.
      const uint32_t skipped = (kCounterMax - prev) + (current > 0 ? current - 1 : 0);
      return skipped == 0 ? ShotNumberStep{ShotStep::kNext, 0} : ShotNumberStep{ShotStep::kGap, skipped};
    }
    return {taken_before_previous ? ShotStep::kLateArrival : ShotStep::kRewind, 0};
  }
  if (current == prev + 1) return {ShotStep::kNext, 0};
  return {ShotStep::kGap, current - prev - 1};
}

}  // namespace capture::judge
