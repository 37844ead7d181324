#include "coordinator/status_client.h"

#include "coordinator/control_client.h"

namespace capture::coord {

Result<wire::StatusReply> QueryStatus(const std::string& control_endpoint, int timeout_ms) {
  wire::Frame request;
  request.mutable_status_request();
  auto reply = CallControl(control_endpoint, std::move(request), wire::Frame::kStatusReply, timeout_ms);
  if (!reply.ok()) return reply.status();
  return std::move(*reply->mutable_status_reply());
}

}  // namespace capture::coord
