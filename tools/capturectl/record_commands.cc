// The commands that read the judged record: export, verify, anomalies.
#include <cstdio>
#include <map>

#include "coordinator/audit.h"
#include "coordinator/security/chain_audit.h"
#include "coordinator/judge/export.h"
#include "tools/capturectl/anomaly_view.h"
#include "tools/capturectl/commands.h"

namespace capture::ctl {

namespace {

wire::ExportRequest AnomaliesRequest(bool open_only, uint32_t station) {
  wire::ExportRequest request;
  request.set_what(wire::ExportRequest::ANOMALIES);
  request.set_open_only(open_only);
  request.set_station(station);
  return request;
}

}  // namespace

int RunExport(const ExportArgs& args) {
  if (Status s = CheckOneSource(args.source); !s.ok()) return Fail("export: " + s.message());
  if (args.what == "assignment" && (args.open_only || args.station != 0)) {
    return Fail("--open and --station select anomalies; the assignment has one row per student");
  }
  wire::ExportRequest request = AnomaliesRequest(args.open_only, args.station);
  if (args.what == "assignment") request.set_what(wire::ExportRequest::ASSIGNMENT);
  auto text = ExportText(args.source, request);
  if (!text.ok()) return Fail(text.status().message());
  return Emit(*text, args.out);
}

int RunVerify(const std::string& store_dir, bool check_images) {
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
  auto enrolment = coord::StoredEnrolment(**store);
  if (!enrolment.ok()) return Fail(enrolment.status().message());
  auto chains = coord::AuditChains(**store, *enrolment);
  if (!chains.ok()) return Fail(chains.status().message());
  if (!chains->ok) {
    std::printf("broken chain commit_index=%llu: %s\n", static_cast<unsigned long long>(chains->first_failure),
                chains->failure.c_str());
    return kExitFound;
  }
  std::printf("verified chains events=%llu heads=%llu: every event links to the one before it and every kept head "
              "is its station's signature of the stored event (%llu events after the last head)\n",
              static_cast<unsigned long long>(chains->events), static_cast<unsigned long long>(chains->heads),
              static_cast<unsigned long long>(chains->uncovered));
  if (!check_images) return kExitOk;
  auto images = coord::AuditImages(**store, ImageStore(store_dir));
  if (!images.ok()) return Fail(images.status().message());
  for (const std::string& line : images->missing) std::printf("missing image %s\n", line.c_str());
  for (const std::string& line : images->altered) std::printf("altered image %s\n", line.c_str());
  if (!images->missing.empty() || !images->altered.empty()) return kExitFound;
  std::printf("verified images=%llu: every image the record names is in %s/images and hashes to its name\n",
              static_cast<unsigned long long>(images->images), store_dir.c_str());
  return kExitOk;
}

int RunAnomalies(const AnomaliesArgs& args) {
  if (Status s = CheckOneSource(args.source); !s.ok()) return Fail("anomalies: " + s.message());
  std::string text;
  std::map<std::string, int64_t> raised_at;
  int utc_offset_minutes = 0;
  if (!args.source.store_dir.empty()) {
    auto judged = JudgeStore(args.source.store_dir);
    if (!judged.ok()) return Fail(judged.status().message());
    text = judge::AnomaliesJsonLines(*judged->judge, {args.open_only, args.station});
    if (!args.json) {
      auto times = RaisedTimes(*judged);
      if (!times.ok()) return Fail(times.status().message());
      raised_at = std::move(*times);
      utc_offset_minutes = judged->inputs.config.utc_offset_minutes();
    }
  } else {
    auto exported = ExportText(args.source, AnomaliesRequest(args.open_only, args.station));
    if (!exported.ok()) return Fail(exported.status().message());
    text = std::move(*exported);
  }
  auto rows = ParseAnomalyJsonLines(text, "the anomalies export");
  if (!rows.ok()) return Fail(rows.status().message());
  const int verdict = NeedsAttention(*rows) ? kExitFound : kExitOk;
  if (!args.json) {
    AddRaisedTimes(*rows, raised_at);
    SortForReading(*rows);
    text = AnomalyTable(*rows, utc_offset_minutes);
  }
  const int emitted = Emit(text, "");
  return emitted == kExitOk ? verdict : emitted;
}

}  // namespace capture::ctl
