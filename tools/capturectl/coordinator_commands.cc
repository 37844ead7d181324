// The commands that talk to a running coordinator (status, resolve, enroll) and the key list.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "common/fs.h"
#include "common/time_format.h"
#include "coordinator/audit.h"
#include "coordinator/control_client.h"
#include "coordinator/security/enrolment.h"
#include "coordinator/status_client.h"
#include "tools/capturectl/commands.h"
#include "tools/capturectl/status_view.h"
#include "tools/capturectl/text_table.h"

namespace capture::ctl {

namespace {

std::string KeysJson(const wire::KeysReply& keys) {
  std::string out;
  for (const wire::KeyRecord& k : keys.keys()) {
    PublicKey key{};
    std::copy(k.public_key().begin(), k.public_key().end(), key.begin());
    nlohmann::json line = {{"station", k.station()},
                           {"key", KeyHex(key)},
                           {"change", k.revoked() ? "revoked" : "enrolled"},
                           {"commit_index", k.commit_index()},
                           {"time", k.time_us() == 0 ? "" : FormatIso8601(k.time_us())},
                           {"by", k.by()},
                           {"admitted", k.admitted()}};
    out += line.dump() + "\n";
  }
  return out;
}

std::string KeysTable(const wire::KeysReply& keys) {
  TextTable table({"station", "key", "change", "commit", "time", "by", "admitted now"});
  for (const wire::KeyRecord& k : keys.keys()) {
    PublicKey key{};
    std::copy(k.public_key().begin(), k.public_key().end(), key.begin());
    table.AddRow({std::to_string(k.station()), KeyHex(key), k.revoked() ? "revoked" : "enrolled",
                  k.commit_index() == 0 ? "file" : std::to_string(k.commit_index()),
                  k.time_us() == 0 ? "-" : FormatIso8601(k.time_us()), k.by(), k.admitted() ? "yes" : "no"});
  }
  return table.Render() + std::to_string(keys.keys_size()) + " key change(s)\n";
}

}  // namespace

int RunStatus(const StatusArgs& args) {
  auto control = args.connection.Resolve();
  if (!control.ok()) return Fail(control.status().message());
  auto reply = coord::QueryStatus(*control, args.connection.timeout_ms);
  if (!reply.ok()) return Fail(reply.status().message());
  return Emit(args.json ? StatusJson(*reply) : StatusTable(*reply), "");
}

int RunResolve(const ResolveArgs& args) {
  auto token = coord::ReadRegistrarToken(args.token_file);
  if (!token.ok()) return Fail(token.status().message());
  auto control = args.connection.Resolve();
  if (!control.ok()) return Fail(control.status().message());
  auto reply = coord::RequestResolve(*control, args.id, args.reason, args.by, *token, args.connection.timeout_ms);
  if (!reply.ok()) return Fail(reply.status().message());
  if (reply->token_refused()) return Fail("the coordinator refused " + args.token_file + ": " + reply->message());
  std::printf("%s commit_index=%llu: %s\n", reply->ok() ? "resolved" : "not_resolved",
              static_cast<unsigned long long>(reply->commit_index()), reply->message().c_str());
  return reply->ok() ? kExitOk : kExitFound;
}

int RunCloseDay(const CloseDayArgs& args) {
  auto token = coord::ReadRegistrarToken(args.token_file);
  if (!token.ok()) return Fail(token.status().message());
  auto control = args.connection.Resolve();
  if (!control.ok()) return Fail(control.status().message());
  auto reply = coord::RequestCloseDay(*control, args.station, args.by, *token, args.connection.timeout_ms);
  if (!reply.ok()) return Fail(reply.status().message());
  const wire::CloseDayReply& answer = *reply;
  if (!answer.ok()) return Fail("the coordinator refused: " + answer.message());
  std::printf("closed commit_index=%llu: %s\n", static_cast<unsigned long long>(answer.commit_index()),
              answer.message().c_str());
  return answer.raised() == 0 ? kExitOk : kExitFound;
}

int RunEnroll(const EnrollArgs& args) {
  if (args.revoke == !args.key.empty()) return Fail("enroll: give exactly one of --key HEX_OR_FILE and --revoke");
  wire::Frame request;
  wire::EnrolRequest* enrol = request.mutable_enrol_request();
  enrol->set_station(args.station);
  enrol->set_revoke(args.revoke);
  enrol->set_by(args.by);
  if (!args.revoke) {
    auto key = ReadPublicKey(args.key);
    if (!key.ok()) return Fail("--key: " + key.status().message());
    enrol->set_public_key(key->data(), key->size());
  }
  auto token = coord::ReadRegistrarToken(args.token_file);
  if (!token.ok()) return Fail(token.status().message());
  enrol->set_token(*token);
  auto control = args.connection.Resolve();
  if (!control.ok()) return Fail(control.status().message());
  auto reply = coord::CallControl(*control, std::move(request), wire::Frame::kEnrolReply, args.connection.timeout_ms);
  if (!reply.ok()) return Fail(reply.status().message());
  const wire::EnrolReply& answer = reply->enrol_reply();
  if (!answer.ok()) return Fail("the coordinator refused: " + answer.message());
  std::printf("%s commit_index=%llu: %s\n", args.revoke ? "revoked" : "enrolled",
              static_cast<unsigned long long>(answer.commit_index()), answer.message().c_str());
  return kExitOk;
}

int RunKeys(const KeysArgs& args) {
  if (args.store_dir.empty() == args.connection.endpoint.empty()) {
    return Fail("give exactly one of --store DIR and --connect ENDPOINT");
  }
  wire::KeysReply keys;
  if (!args.store_dir.empty()) {
    auto store = coord::RecordStore::Open(args.store_dir, /*read_only=*/true);
    if (!store.ok()) return Fail(store.status().message());
    auto enrolment = coord::StoredEnrolment(**store);
    if (!enrolment.ok()) return Fail(enrolment.status().message());
    keys = coord::KeysReplyOf(*enrolment);
  } else {
    auto control = args.connection.Resolve();
    if (!control.ok()) return Fail(control.status().message());
    wire::Frame request;
    request.mutable_keys_request();
    auto reply = coord::CallControl(*control, std::move(request), wire::Frame::kKeysReply, args.connection.timeout_ms);
    if (!reply.ok()) return Fail(reply.status().message());
    keys = std::move(*reply->mutable_keys_reply());
  }
  return Emit(args.json ? KeysJson(keys) : KeysTable(keys), "");
}

}  // namespace capture::ctl
