#include "coordinator/stream_id.h"

#include <cstdio>

namespace capture::coord {

std::string EpochHex(uint64_t epoch) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(epoch));
  return buf;
}

std::string AgentRoutingId(const StreamId& stream) {
  return "agent/" + std::to_string(stream.station) + "/" + EpochHex(stream.epoch);
}

std::string Describe(const StreamId& stream) {
  return "station " + std::to_string(stream.station) + " epoch " + EpochHex(stream.epoch);
}

}  // namespace capture::coord
