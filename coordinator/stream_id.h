// A station's event stream: one per (station, journal epoch). Sequence numbers count within it.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace capture::coord {

struct StreamId {
  uint32_t station = 0;
  uint64_t epoch = 0;
  auto operator<=>(const StreamId&) const = default;
};

// The epoch as 16 lowercase hex digits, as in routing ids and logs.
std::string EpochHex(uint64_t epoch);

// The agent's DEALER routing id: "agent/<station>/<epoch hex>" (proto/capture.proto).
std::string AgentRoutingId(const StreamId& stream);

// "station 2 epoch 00ab…": how logs name a stream.
std::string Describe(const StreamId& stream);

}  // namespace capture::coord
