#include "tools/capturectl/record_access.h"

#include <cstdio>
#include <vector>

#include "common/fs.h"
#include "coordinator/audit.h"
#include "coordinator/control_client.h"
#include "coordinator/judge/export.h"

namespace capture::ctl {

int Fail(const std::string& message) {
  std::fprintf(stderr, "capturectl: %s\n", message.c_str());
  return kExitError;
}

int Emit(const std::string& text, const std::string& out) {
  if (!out.empty()) {
    if (Status s = WriteFileDurably(out, text); !s.ok()) return Fail(s.message());
    return kExitOk;
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : Fail("cannot write to stdout");
}

Result<coord::ControlEndpoint> Connection::Resolve() const {
  if (insecure) {
    std::fprintf(stderr, "capturectl: warning: --insecure: the request and its answer cross the network in plain text\n");
    return coord::ControlEndpoint{endpoint, {}};
  }
  auto security = coord::RegistrarSecurity(keys_dir, key_file, coordinator_key);
  if (!security.ok()) return security.status();
  return coord::ControlEndpoint{endpoint, std::move(*security)};
}

Status CheckOneSource(const RecordSource& source) {
  if (source.store_dir.empty() == source.connection.endpoint.empty()) {
    return Status::InvalidArgument("give exactly one of --store DIR and --connect ENDPOINT");
  }
  return Status::Ok();
}

Result<JudgedStore> JudgeStore(const std::string& store_dir) {
  auto store = coord::RecordStore::Open(store_dir, /*read_only=*/true);
  if (!store.ok()) return store.status();
  auto judge = coord::JudgeStoredRecord(**store);
  if (!judge.ok()) return judge.status();
  JudgedStore out;
  auto inputs = (*store)->ReadJudgeInputs();  // JudgeStoredRecord has read them already
  if (!inputs.ok()) return inputs.status();
  out.inputs = std::move(*inputs);
  out.store = std::move(*store);
  out.judge = std::move(*judge);
  return out;
}

Result<std::map<std::string, int64_t>> RaisedTimes(const JudgedStore& judged) {
  std::map<uint64_t, std::vector<std::string>> ids_by_commit;
  for (const judge::AnomalyState& a : judged.judge->anomalies()) {
    ids_by_commit[a.anomaly.raised_commit()].push_back(a.anomaly.id());
  }
  std::map<std::string, int64_t> out;
  if (ids_by_commit.empty()) return out;
  const uint64_t last = ids_by_commit.rbegin()->first;
  Status s = judged.store->ForEachItem([&](const wire::RecordItem& item) {
    if (const auto it = ids_by_commit.find(item.commit_index()); it != ids_by_commit.end()) {
      for (const std::string& id : it->second) out[id] = item.received_time_us();
    }
    return item.commit_index() < last;
  });
  if (!s.ok()) return s;
  return out;
}

Result<std::string> ExportText(const RecordSource& source, const wire::ExportRequest& request) {
  if (!source.store_dir.empty()) {
    auto judged = JudgeStore(source.store_dir);
    if (!judged.ok()) return judged.status();
    if (request.what() == wire::ExportRequest::ASSIGNMENT) return judge::AssignmentCsv(*judged->judge);
    if (request.what() == wire::ExportRequest::UNASSIGNED) return judge::UnassignedCsv(*judged->judge);
    return judge::AnomaliesJsonLines(*judged->judge, {request.open_only(), request.station()});
  }
  auto control = source.connection.Resolve();
  if (!control.ok()) return control.status();
  auto reply = coord::RequestExport(*control, request, source.connection.timeout_ms);
  if (!reply.ok()) return reply.status();
  if (!reply->ok()) return Status::InvalidArgument("the coordinator refused the export: " + reply->text());
  return std::move(*reply->mutable_text());
}

}  // namespace capture::ctl
