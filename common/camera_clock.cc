#include "common/camera_clock.h"

#include <algorithm>

namespace capture {

int64_t CameraClock::Moment(int64_t capture_time_us, int64_t arrival_us) {
  if (capture_time_us == 0) return arrival_us;
  const int64_t offset_now = capture_time_us - arrival_us;
  size_t n = std::min(count_, kWindow);
  int64_t& slot = offsets_[count_ % kWindow];
  if (n == kWindow) {  // the oldest offset leaves the window
    const auto old = std::lower_bound(sorted_.begin(), sorted_.end(), slot);
    std::copy(old + 1, sorted_.end(), old);
    --n;
  }
  slot = offset_now;
  ++count_;
  const auto end = sorted_.begin() + static_cast<std::ptrdiff_t>(n);
  const auto at = std::upper_bound(sorted_.begin(), end, offset_now);
  std::copy_backward(at, end, end + 1);
  *at = offset_now;
  const int64_t offset = sorted_[(n + 1) / 2];
  return std::min(arrival_us, capture_time_us - offset);
}

int64_t CameraClock::Aligned(int64_t capture_time_us) const {
  const size_t n = std::min(count_, kWindow);
  if (n == 0) return capture_time_us;
  return capture_time_us - sorted_[n / 2];  // the median Moment would use
}

}  // namespace capture
