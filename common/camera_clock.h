// When a shot was taken, on the station clock. A tethered camera delivers the file after the
// shutter, so the arrival time is late by a varying delay; the EXIF capture time is exact but on
// the camera's clock. The camera's offset is estimated as the median of (capture − arrival) over
// the station's last kWindow images, so one odd image does not shift it; a shot's moment is its
// capture time minus that offset, and never later than its arrival.
//
// Pure. The judge places each recorded shot with it; the station agent, to order a backlog of
// images among the code lines waiting beside them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace capture {

class CameraClock {
 public:
  static constexpr size_t kWindow = 9;
  // Takes in an image's (capture − arrival) and returns its moment. `capture_time_us` 0: the image
  // carries none, its arrival is all there is.
  int64_t Moment(int64_t capture_time_us, int64_t arrival_us);
  // A capture time on the station clock by the offset so far (none yet: as it is), taking nothing in.
  int64_t Aligned(int64_t capture_time_us) const;

 private:
  std::array<int64_t, kWindow> offsets_{};  // a ring, in arrival order
  std::array<int64_t, kWindow> sorted_{};   // the same offsets, ascending: the median is in the middle
  size_t count_ = 0;
};

}  // namespace capture
