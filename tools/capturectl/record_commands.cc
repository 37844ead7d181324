// The commands that read the judged record: export, verify, checkpoint, anomalies.
#include <cstdio>
#include <map>
#include <optional>

#include "common/fs.h"
#include "coordinator/audit.h"
#include "coordinator/security/chain_audit.h"
#include "coordinator/judge/export.h"
#include "coordinator/proof/tree_audit.h"
#include "coordinator/status_client.h"
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
  if (args.what != "anomalies" && (args.open_only || args.station != 0)) {
    return Fail("--open and --station select anomalies; the " + args.what + " export lists every " +
                (args.what == "assignment" ? "student" : "unassigned shot"));
  }
  wire::ExportRequest request = AnomaliesRequest(args.open_only, args.station);
  if (args.what == "assignment") request.set_what(wire::ExportRequest::ASSIGNMENT);
  if (args.what == "unassigned") request.set_what(wire::ExportRequest::UNASSIGNED);
  auto text = ExportText(args.source, request);
  if (!text.ok()) return Fail(text.status().message());
  return Emit(*text, args.out);
}

int RunVerify(const VerifyArgs& args) {
  // A record still growing would be verified up to some item, and its images while they arrive.
  if (const std::optional<long> holder = coord::RecordStore::HolderOf(args.store_dir)) {
    return Fail("verify: store " + args.store_dir + " is in use by a running coordinator (pid " +
                std::to_string(*holder) +
                "): verify needs a stopped store, or a copy made while it was stopped; while it runs, "
                "checkpoint --connect gives its newest signed head");
  }
  const std::string key_source = args.coordinator_key.empty() ? args.store_dir + "/coordinator.pub" : args.coordinator_key;
  auto key = ReadPublicKey(key_source);
  if (!key.ok()) {
    return Fail("the coordinator's key (" + key_source + "): " + key.status().message() +
                (args.coordinator_key.empty() ? "; give it with --coordinator-key HEX_OR_FILE" : ""));
  }
  std::vector<coord::KeptHead> kept;
  for (const std::string& file : args.checkpoints) {
    auto line = ReadFile(file);
    if (!line.ok()) return Fail("--checkpoint: " + line.status().message());
    auto head = ParseCheckpoint(*line);
    if (!head.ok()) return Fail("--checkpoint " + file + ": " + head.status().message());
    kept.push_back({*head, "the checkpoint in " + file});
  }
  auto store = coord::RecordStore::Open(args.store_dir, /*read_only=*/true);
  if (!store.ok()) return Fail(store.status().message());
  auto audit = coord::AuditTree(**store, *key, kept);
  if (!audit.ok()) return Fail(audit.status().message());
  bool found = false;
  const coord::VerifyOutcome& verdicts = audit->verdicts;
  if (!verdicts.equal) {
    std::printf("differs commit_index=%llu: %s\n", static_cast<unsigned long long>(verdicts.first_difference),
                verdicts.difference.c_str());
    found = true;
  } else {
    std::printf("verified items=%llu: every stored verdict equals the re-judged one\n",
                static_cast<unsigned long long>(verdicts.items));
  }
  for (const coord::CoordinatorKeyRotation& rotation : verdicts.key_rotations) {
    std::printf("rotated coordinator key commit_index=%llu: %s -> %s (a restore without the coordinator's key: "
                "heads before it hold with the first key, heads after it with the second)\n",
                static_cast<unsigned long long>(rotation.commit_index), ToHex(rotation.previous_key).c_str(),
                ToHex(rotation.key).c_str());
  }
  auto enrolment = coord::StoredEnrolment(**store);
  if (!enrolment.ok()) return Fail(enrolment.status().message());
  auto chains = coord::AuditChains(**store, *enrolment);
  if (!chains.ok()) return Fail(chains.status().message());
  if (!chains->ok) {
    std::printf("broken chain commit_index=%llu: %s\n", static_cast<unsigned long long>(chains->first_failure),
                chains->failure.c_str());
    found = true;
  } else {
    std::printf("verified chains events=%llu heads=%llu: every event links to the one before it and every kept "
                "station head is its station's signature of the stored event (%llu events after the last head)\n",
                static_cast<unsigned long long>(chains->events), static_cast<unsigned long long>(chains->heads),
                static_cast<unsigned long long>(chains->uncovered));
  }
  for (const std::string& line : audit->findings) std::printf("%s\n", line.c_str());
  if (audit->stored_heads == 0) {
    std::printf("differs heads: the store holds no signed tree head, so the record proves nothing of itself (a "
                "coordinator run with --insecure signs none)\n");
    found = true;
  }
  found = found || !audit->findings.empty();
  if (audit->findings.empty() && audit->newest) {
    std::printf("verified heads=%llu: each is signed by the coordinator's key %s and is the record's root at its "
                "size; the newest: size=%llu time=%s root=%s\n",
                static_cast<unsigned long long>(audit->stored_heads), KeyHex(*key).c_str(),
                static_cast<unsigned long long>(audit->newest->size),
                FormatIso8601UtcMicros(audit->newest->time_us).c_str(), ToHex(audit->newest->root).c_str());
    if (audit->newest->size < audit->leaves) {
      std::printf("note: the record has %llu leaves; the last %llu item(s) came after the newest head and no head "
                  "covers them yet\n",
                  static_cast<unsigned long long>(audit->leaves),
                  static_cast<unsigned long long>(audit->leaves - audit->newest->size));
    }
  }
  for (size_t i = 0; i < kept.size(); ++i) {
    if (!audit->kept_holds[i]) continue;
    std::printf("verified checkpoint size=%llu time=%s: the record extends this head (%s)\n",
                static_cast<unsigned long long>(kept[i].head.size), FormatIso8601UtcMicros(kept[i].head.time_us).c_str(),
                kept[i].origin.c_str());
  }
  if (args.check_images) {
    auto images = coord::AuditImages(**store, ImageStore(args.store_dir));
    if (!images.ok()) return Fail(images.status().message());
    for (const std::string& line : images->missing) std::printf("missing image %s\n", line.c_str());
    for (const std::string& line : images->altered) std::printf("altered image %s\n", line.c_str());
    if (!images->missing.empty() || !images->altered.empty()) {
      found = true;
    } else {
      std::printf("verified images=%llu: every image the record names is in %s/images and hashes to its name\n",
                  static_cast<unsigned long long>(images->images), args.store_dir.c_str());
    }
  }
  return found ? kExitFound : kExitOk;
}

int RunCheckpoint(const RecordSource& source) {
  if (Status s = CheckOneSource(source); !s.ok()) return Fail("checkpoint: " + s.message());
  std::string line;
  if (!source.store_dir.empty()) {
    auto store = coord::RecordStore::Open(source.store_dir, /*read_only=*/true);
    if (!store.ok()) return Fail(store.status().message());
    auto newest = (*store)->NewestCheckpoint();
    if (!newest.ok() && newest.status().code() != Status::Code::kNotFound) return Fail(newest.status().message());
    if (newest.ok()) line = std::move(*newest);
  } else {
    auto control = source.connection.Resolve();
    if (!control.ok()) return Fail(control.status().message());
    auto reply = coord::QueryStatus(*control, source.connection.timeout_ms);
    if (!reply.ok()) return Fail(reply.status().message());
    line = reply->checkpoint();
  }
  if (line.empty()) {
    std::fprintf(stderr, "capturectl: the coordinator has signed no tree head yet (none is signed with --insecure)\n");
    return kExitFound;
  }
  return Emit(line + "\n", "");
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
