// The image figures, through the real `coordinator` and one real `station-agent` on 127.0.0.1:
//   images/journal   `count` camera images of `mib` MiB landing at once in the agent's camera folder
//                    (renamed in, as a tethered camera's software does): MiB/s until the agent has
//                    hashed, copied (fsync) and journaled the last one;
//   images/filed     MiB/s until the coordinator has filed the last one (shipped on the image socket,
//                    hashed again, fsynced and renamed under its SHA-256);
//   images/lag       seconds from the last shot journaled to the last image filed.
// Each trial in a fresh store and journal under `tmp`.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "tools/bench/figures.h"

namespace capture::bench {

struct ImageOptions {
  std::string bin_dir;  // where coordinator and station-agent are
  std::string tmp;
  int trials = 3;
  int count = 40;
  int mib = 5;
};

Status RunImages(const ImageOptions& options, Figures& figures);

}  // namespace capture::bench
