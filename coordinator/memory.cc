#include "coordinator/memory.h"

#include <jemalloc/jemalloc.h>

#include <string>

#include "common/log.h"

// jemalloc reads this at start: pages freed while capturing go back within a second rather than
// jemalloc's default ten (the per-turn churn is small, the start-up's is not).
extern "C" {
const char* malloc_conf = "dirty_decay_ms:1000,muzzy_decay_ms:0";
}

namespace capture::coord {

void ReturnFreedMemory() {
  // "arena.<MALLCTL_ARENAS_ALL>.purge": every arena.
  const std::string purge = "arena." + std::to_string(MALLCTL_ARENAS_ALL) + ".purge";
  if (mallctl(purge.c_str(), nullptr, nullptr, nullptr, 0) != 0) {
    LogWarn("coordinator", "could not return freed memory to the system (jemalloc " + purge + ")");
  }
}

}  // namespace capture::coord
