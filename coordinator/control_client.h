// A client of the coordinator's control socket (ROUTER), for capturectl, the simulator and tests:
// one request, one reply, from a fresh DEALER with its own ZeroMQ context. No authentication yet.
// Thread-safe: every call has its own context and socket.
#pragma once

#include <string>

#include "capture.pb.h"
#include "common/status.h"

namespace capture::coord {

// Sends `request` and waits up to `timeout_ms` for a reply whose body is `reply_body`. Replies of
// any size are accepted (an export may pass kMaxFrameBytes). Unavailable when no reply comes in
// time; InvalidArgument when the reply is not a frame of that body.
Result<wire::Frame> CallControl(const std::string& control_endpoint, wire::Frame request,
                                wire::Frame::BodyCase reply_body, int timeout_ms);

// Asks the coordinator to resolve anomaly `anomaly_id` with the registrar token; the reply says
// whether it was open (or that the token was refused).
Result<wire::ResolveReply> RequestResolve(const std::string& control_endpoint, const std::string& anomaly_id,
                                          const std::string& reason, const std::string& by, const std::string& token,
                                          int timeout_ms);

Result<wire::ExportReply> RequestExport(const std::string& control_endpoint, const wire::ExportRequest& request,
                                        int timeout_ms);

}  // namespace capture::coord
