// capturectl: reads a coordinator's record (a stopped coordinator's store, read-only) or asks a
// running coordinator over its control socket.
//
//   capturectl export anomalies|assignment (--store DIR | --connect ENDPOINT) [--out FILE] [--open] [--station N]
//   capturectl verify --store DIR
//   capturectl status --connect ENDPOINT
//   capturectl resolve ID --reason TEXT --connect ENDPOINT [--by NAME]
//
// Exports are formatted by coordinator/judge/export.h, so --store and --connect give the same
// bytes for the same record. Exit codes: 0 done; 1 verify found a verdict that differs, or resolve
// named no open anomaly; 2 usage, I/O or protocol errors.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "common/fs.h"
#include "common/status.h"
#include "coordinator/audit.h"
#include "coordinator/control_client.h"
#include "coordinator/judge/export.h"
#include "coordinator/record_store.h"
#include "coordinator/status_client.h"
#include "coordinator/stream_id.h"

namespace {

using namespace capture;

constexpr int kExitOk = 0;
constexpr int kExitFound = 1;
constexpr int kExitError = 2;

int Fail(const std::string& message) {
  std::fprintf(stderr, "capturectl: %s\n", message.c_str());
  return kExitError;
}

struct ExportArgs {
  std::string what;
  std::string store_dir;
  std::string endpoint;
  std::string out;
  bool open_only = false;
  uint32_t station = 0;
};

Result<std::string> ExportFromStore(const ExportArgs& args) {
  auto store = coord::RecordStore::Open(args.store_dir, /*read_only=*/true);
  if (!store.ok()) return store.status();
  auto judge = coord::JudgeStoredRecord(**store);
  if (!judge.ok()) return judge.status();
  if (args.what == "assignment") return judge::AssignmentCsv(**judge);
  return judge::AnomaliesJsonLines(**judge, {args.open_only, args.station});
}

Result<std::string> ExportFromCoordinator(const ExportArgs& args, int timeout_ms) {
  wire::ExportRequest request;
  request.set_what(args.what == "assignment" ? wire::ExportRequest::ASSIGNMENT : wire::ExportRequest::ANOMALIES);
  request.set_open_only(args.open_only);
  request.set_station(args.station);
  auto reply = coord::RequestExport(args.endpoint, request, timeout_ms);
  if (!reply.ok()) return reply.status();
  if (!reply->ok()) return Status::InvalidArgument("the coordinator refused the export: " + reply->text());
  return std::move(*reply->mutable_text());
}

int RunExport(const ExportArgs& args, int timeout_ms) {
  if (args.store_dir.empty() == args.endpoint.empty()) return Fail("export needs exactly one of --store and --connect");
  if (args.what == "assignment" && (args.open_only || args.station != 0)) {
    return Fail("--open and --station select anomalies; the assignment has one row per student");
  }
  auto text = args.store_dir.empty() ? ExportFromCoordinator(args, timeout_ms) : ExportFromStore(args);
  if (!text.ok()) return Fail(text.status().message());
  if (!args.out.empty()) {
    if (Status s = WriteFileDurably(args.out, *text); !s.ok()) return Fail(s.message());
    return kExitOk;
  }
  std::fwrite(text->data(), 1, text->size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : Fail("cannot write the export to stdout");
}

int RunVerify(const std::string& store_dir) {
  auto store = coord::RecordStore::Open(store_dir, /*read_only=*/true);
  if (!store.ok()) return Fail(store.status().message());
  auto outcome = coord::VerifyVerdicts(**store);
  if (!outcome.ok()) return Fail(outcome.status().message());
  if (!outcome->equal) {
    std::printf("differs commit_index=%llu: %s\n", static_cast<unsigned long long>(outcome->first_difference),
                outcome->difference.c_str());
    return kExitFound;
  }
  std::printf("verified items=%llu: every stored verdict equals the re-judged one\n",
              static_cast<unsigned long long>(outcome->items));
  return kExitOk;
}

int RunStatus(const std::string& endpoint, int timeout_ms) {
  auto reply = coord::QueryStatus(endpoint, timeout_ms);
  if (!reply.ok()) return Fail(reply.status().message());
  std::printf("commit_index=%llu\n", static_cast<unsigned long long>(reply->commit_index()));
  for (const wire::StationStatus& s : reply->stations()) {
    std::printf("stream station=%u epoch=%s stored_seq=%llu announced_seq=%llu\n", s.station(),
                coord::EpochHex(s.epoch()).c_str(), static_cast<unsigned long long>(s.stored_seq()),
                static_cast<unsigned long long>(s.announced_seq()));
  }
  for (const wire::Counter& c : reply->counters()) {
    std::printf("counter %s=%llu\n", c.name().c_str(), static_cast<unsigned long long>(c.value()));
  }
  return kExitOk;
}

int RunResolve(const std::string& id, const std::string& reason, const std::string& by, const std::string& endpoint,
               int timeout_ms) {
  auto reply = coord::RequestResolve(endpoint, id, reason, by, timeout_ms);
  if (!reply.ok()) return Fail(reply.status().message());
  std::printf("%s commit_index=%llu: %s\n", reply->ok() ? "resolved" : "not_resolved",
              static_cast<unsigned long long>(reply->commit_index()), reply->message().c_str());
  return reply->ok() ? kExitOk : kExitFound;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"capturectl: exports, verification, status and resolutions of a capture day's record."};
  app.footer(
      "Exit codes: 0 done; 1 verify found a stored verdict that differs from the re-judged one, or resolve named "
      "no open anomaly; 2 usage, I/O or protocol errors.\n"
      "--store reads a stopped coordinator's store read-only and judges its record again with the inputs stored "
      "in it. --connect asks a running coordinator on its control address; there is no token yet (a later "
      "version adds the registrar's token), so anyone who reaches that address can resolve anomalies.");
  app.require_subcommand(1);
  app.fallthrough();  // --timeout-ms may follow the subcommand
  int timeout_ms = 5000;
  app.add_option("--timeout-ms", timeout_ms, "How long to wait for a coordinator's reply.")->capture_default_str();

  ExportArgs export_args;
  CLI::App* export_cmd = app.add_subcommand("export", "Print the anomalies (JSON Lines) or the assignment (CSV).");
  export_cmd->add_option("what", export_args.what, "anomalies or assignment")
      ->required()
      ->check(CLI::IsMember({"anomalies", "assignment"}));
  export_cmd->add_option("--store", export_args.store_dir, "A stopped coordinator's store folder.");
  export_cmd->add_option("--connect", export_args.endpoint, "A running coordinator's control address.");
  export_cmd->add_option("--out", export_args.out, "Write to this file instead of stdout.");
  export_cmd->add_flag("--open", export_args.open_only, "Anomalies: only the open ones.");
  export_cmd->add_option("--station", export_args.station, "Anomalies: only this station's.");

  std::string verify_store;
  CLI::App* verify_cmd = app.add_subcommand(
      "verify", "Judge the stored record again from scratch and compare every stored verdict byte for byte.");
  verify_cmd->add_option("--store", verify_store, "A stopped coordinator's store folder.")->required();

  std::string status_endpoint;
  CLI::App* status_cmd = app.add_subcommand("status", "Print a running coordinator's streams and counters.");
  status_cmd->add_option("--connect", status_endpoint, "The coordinator's control address.")->required();

  std::string resolve_id, resolve_reason, resolve_by = "registrar", resolve_endpoint;
  CLI::App* resolve_cmd =
      app.add_subcommand("resolve", "Resolve an open anomaly; recorded with who and why, and judged.");
  resolve_cmd->add_option("id", resolve_id, "The anomaly's id, e.g. A3.")->required();
  resolve_cmd->add_option("--reason", resolve_reason, "Why it is resolved.")->required();
  resolve_cmd->add_option("--by", resolve_by, "Who resolves it.")->capture_default_str();
  resolve_cmd->add_option("--connect", resolve_endpoint, "The coordinator's control address.")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitError;
  }
  if (*export_cmd) return RunExport(export_args, timeout_ms);
  if (*verify_cmd) return RunVerify(verify_store);
  if (*status_cmd) return RunStatus(status_endpoint, timeout_ms);
  return RunResolve(resolve_id, resolve_reason, resolve_by, resolve_endpoint, timeout_ms);
}
