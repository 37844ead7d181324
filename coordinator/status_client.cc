#include "coordinator/status_client.h"

#include "coordinator/control_client.h"

namespace capture::coord {

Result<wire::StatusReply> QueryStatus(const ControlEndpoint& control_endpoint, int timeout_ms) {
  wire::Frame request;
  request.mutable_status_request();
  auto reply = CallControl(control_endpoint, std::move(request), wire::Frame::kStatusReply, timeout_ms);
  if (!reply.ok()) return reply.status();
  return std::move(*reply->mutable_status_reply());
}

uint64_t CounterValue(const wire::StatusReply& reply, std::string_view name) {
  for (const wire::Counter& c : reply.counters()) {
    if (c.name() == name) return c.value();
  }
  return 0;
}

Result<uint64_t> QueryCounter(const ControlEndpoint& control_endpoint, std::string_view name, int timeout_ms) {
  auto status = QueryStatus(control_endpoint, timeout_ms);
  if (!status.ok()) return status.status();
  return CounterValue(*status, name);
}

}  // namespace capture::coord
