// How capturectl prints a shot number: as the camera and the station agent do (`shot=0412`), so
// the digital form, the reconciliation and the paper in the registrar's hand read alike.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace capture::ctl {

inline std::string ShotNumberText(uint32_t number) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04u", number);
  return buf;
}

}  // namespace capture::ctl
