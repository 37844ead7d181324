// A small client of the coordinator's control socket, for the simulator, tests and tools.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "capture.pb.h"
#include "common/status.h"
#include "coordinator/control_client.h"

namespace capture::coord {

// Sends Frame{status_request} to the coordinator ROUTER at `control_endpoint` from a fresh DEALER
// (its own ZeroMQ context) and waits up to `timeout_ms` for the Frame{status_reply}.
// Unavailable when no reply arrives in time; InvalidArgument when the reply is not a status reply.
// Thread-safe: every call has its own context and socket.
Result<wire::StatusReply> QueryStatus(const ControlEndpoint& control, int timeout_ms);

// The counter named `name` (e.g. "images_stored", "verdicts_sent{station=\"1\"}") in `reply`; 0
// when the reply has none by that name (a per-station counter appears with its station).
uint64_t CounterValue(const wire::StatusReply& reply, std::string_view name);

// QueryStatus, then CounterValue.
Result<uint64_t> QueryCounter(const ControlEndpoint& control, std::string_view name, int timeout_ms);

}  // namespace capture::coord
