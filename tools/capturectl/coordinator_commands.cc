// The commands that talk to a running coordinator: status, resolve.
#include <cstdio>

#include "common/fs.h"
#include "coordinator/control_client.h"
#include "coordinator/status_client.h"
#include "tools/capturectl/commands.h"
#include "tools/capturectl/status_view.h"

namespace capture::ctl {

int RunStatus(const StatusArgs& args) {
  auto reply = coord::QueryStatus(args.endpoint, args.timeout_ms);
  if (!reply.ok()) return Fail(reply.status().message());
  return Emit(args.json ? StatusJson(*reply) : StatusTable(*reply), "");
}

int RunResolve(const ResolveArgs& args) {
  auto token = ReadFile(args.token_file);
  if (!token.ok()) return Fail("cannot read the registrar token: " + token.status().message());
  while (!token->empty() && (token->back() == '\n' || token->back() == '\r')) token->pop_back();
  auto reply = coord::RequestResolve(args.endpoint, args.id, args.reason, args.by, *token, args.timeout_ms);
  if (!reply.ok()) return Fail(reply.status().message());
  std::printf("%s commit_index=%llu: %s\n", reply->ok() ? "resolved" : "not_resolved",
              static_cast<unsigned long long>(reply->commit_index()), reply->message().c_str());
  return reply->ok() ? kExitOk : kExitFound;
}

}  // namespace capture::ctl
