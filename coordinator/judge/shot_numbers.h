// How a station's shot number (拍摄号) relates to the one before it. Pure.
#pragma once

#include <cstdint>
#include <optional>

namespace capture::judge {

enum class ShotStep {
  kFirst,        // no shot before at this station
  kNext,         // one higher, or a wrap from 99xx to 00xx with nothing skipped
  kGap,          // higher by more than one (also across a wrap): `missing` images never arrived
  kDuplicate,    // the same number again
  kRewind,       // lower, and taken later: the counter went back
  kLateArrival,  // lower, but taken before the previous shot: its file was delivered late
};

struct ShotNumberStep {
  ShotStep step = ShotStep::kFirst;
  uint32_t missing = 0;  // kGap only
};

// Counters run 1..9999 and wrap; previous ≥ kWrapFrom and current ≤ kWrapTo is a wrap.
inline constexpr uint32_t kWrapFrom = 9900;
inline constexpr uint32_t kWrapTo = 100;
inline constexpr uint32_t kCounterMax = 9999;

// `taken_before_previous`: the shot's moment is earlier than the previous shot's (only known when
// the images carry their capture time).
ShotNumberStep ClassifyShotNumber(std::optional<uint32_t> previous, uint32_t current, bool taken_before_previous);

}  // namespace capture::judge
