// A client of the coordinator's control socket (ROUTER), for capturectl, the simulator and tests:
// one request, one reply, from a fresh DEALER with its own ZeroMQ context, as the registrar (CURVE
// with the registrar's key, pinned to the coordinator's) unless the endpoint says plain text.
// Thread-safe: every call has its own context and socket.
#pragma once

#include <string>

#include "capture.pb.h"
#include "common/status.h"
#include "common/transport.h"

namespace capture::coord {

// The coordinator's control socket and how to reach it.
struct ControlEndpoint {
  std::string address;  // "tcp://127.0.0.1:5702"
  ClientSecurity security;
};

// The registrar's keys in `keys_dir` (a coordinator's store folder, or a copy of its
// registrar.key and coordinator.pub): `registrar_key` and `coordinator_key` override the files'
// paths when not empty. The error names the file and how to get it.
Result<ClientSecurity> RegistrarSecurity(const std::string& keys_dir, const std::string& registrar_key = "",
                                         const std::string& coordinator_key = "");
// ControlEndpoint{address, RegistrarSecurity(store_dir)}: how tests and the simulator reach a
// coordinator whose store they can read.
Result<ControlEndpoint> RegistrarEndpoint(const std::string& address, const std::string& store_dir);

// The registrar token in `path` (a coordinator's <store>/registrar.token), without its line end.
Result<std::string> ReadRegistrarToken(const std::string& path);

// Sends `request` and waits up to `timeout_ms` for a reply whose body is `reply_body`. Replies of
// any size are accepted (an export may pass kMaxFrameBytes). Unavailable when no reply comes in
// time; InvalidArgument when the reply is not a frame of that body.
Result<wire::Frame> CallControl(const ControlEndpoint& control, wire::Frame request,
                                wire::Frame::BodyCase reply_body, int timeout_ms);

// Asks the coordinator to resolve anomaly `anomaly_id` with the registrar token; the reply says
// whether it was open (or that the token was refused).
Result<wire::ResolveReply> RequestResolve(const ControlEndpoint& control, const std::string& anomaly_id,
                                          const std::string& reason, const std::string& by, const std::string& token,
                                          int timeout_ms);

// Asks the coordinator to close the day at `station` (0: every station) as `by`.
Result<wire::CloseDayReply> RequestCloseDay(const ControlEndpoint& control, uint32_t station, const std::string& by,
                                            const std::string& token, int timeout_ms);

Result<wire::ExportReply> RequestExport(const ControlEndpoint& control, const wire::ExportRequest& request,
                                        int timeout_ms);

}  // namespace capture::coord
