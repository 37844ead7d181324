// A small client of the coordinator's control socket, for the simulator, tests and tools.
#pragma once

#include <string>

#include "capture.pb.h"
#include "common/status.h"

namespace capture::coord {

// Sends Frame{status_request} to the coordinator ROUTER at `control_endpoint` from a fresh DEALER
// (its own ZeroMQ context) and waits up to `timeout_ms` for the Frame{status_reply}.
// Unavailable when no reply arrives in time; InvalidArgument when the reply is not a status reply.
// Thread-safe: every call has its own context and socket.
Result<wire::StatusReply> QueryStatus(const std::string& control_endpoint, int timeout_ms);

}  // namespace capture::coord
