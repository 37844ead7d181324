// Rebuilding a campus's store from its replication subject (docs/replication.md, "Restoring a
// campus's store"): `coordinator --restore-from` after the loss of the coordinator's machine, and
// `capturectl fetch` for the auditors.
//
// The subject's messages are applied in order to a new store: the judge's inputs (the roster
// unsealed by whoever may: the auditors, the coordinator's key backup, or the registrar's own
// roster file, checked against the hash the stream names), the record id, then every item with
// its verdict through RecordStore::Commit, so that the store's invariants hold as for a live record.
// The restored bytes must be the stream's exactly: an item or verdict that the store would encode
// otherwise, a hole or a repeat in the commit indexes, a message of another record or campus, or a
// tree head not signed by the record's coordinator key stops the restore, naming the message.
// Signed heads are kept once the store holds every item they cover; a head beyond the stream's last
// item (the stream lacked items that the coordinator had signed) is left out.
//
// Left out: the stations' signed chain heads, which are not replicated (`verify` counts the events
// after the last head it has as uncovered), and the images.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture.pb.h"
#include "common/checkpoint.h"
#include "common/identity.h"
#include "common/status.h"
#include "coordinator/record_store.h"
#include "coordinator/replication/nats_stream.h"

namespace capture::replication {

// Who opens the roster that the inputs message carries sealed.
struct RosterSource {
  enum class Kind { kAuditor, kCoordinator, kFile };
  Kind kind = Kind::kAuditor;
  const Identity* identity = nullptr;  // kAuditor, kCoordinator: the secret key, outliving the restore
  std::string roster_csv;              // kFile: the registrar's roster file

  static RosterSource Auditor(const Identity& secret) { return {Kind::kAuditor, &secret, {}}; }
  static RosterSource Coordinator(const Identity& secret) { return {Kind::kCoordinator, &secret, {}}; }
  static RosterSource File(std::string roster_csv) { return {Kind::kFile, nullptr, std::move(roster_csv)}; }
};

// The roster's bytes from the inputs message; InvalidArgument when the source cannot open it (the
// wrong key, or a roster file of other bytes).
Result<std::string> OpenRoster(const wire::ReplicaInputs& inputs, const RosterSource& source);

struct RestoreSummary {
  uint64_t messages = 0;
  uint64_t items = 0;         // the store's commit index at the end
  uint64_t heads = 0;         // signed tree heads kept
  uint64_t heads_beyond = 0;  // heads left out: they cover items the stream does not hold
  PublicKey coordinator_key{};
  PublicKey auditor_key{};
  std::string record_id;
};

// Applies the subject's messages one at a time to a store that holds nothing yet. Pure over the
// store: no NATS, so it is tested on its own. Not thread-safe.
class StoreRestorer {
 public:
  StoreRestorer(coord::RecordStore& store, std::string campus, RosterSource roster);

  // The message of stream sequence `sequence` (for messages); an error stops the restore.
  Status Apply(uint64_t sequence, std::string_view data);
  // After the last message: FailedPrecondition when there was none.
  Result<RestoreSummary> Finish();

 private:
  Status ApplyInputs(const wire::ReplicaMessage& message, const std::string& where);
  Status ApplyBatch(const wire::ReplicaBatch& batch, const std::string& where);
  // Commits items [begin, end) of the batch, parsed in `items` (their bodies are moved out), which
  // share one commit time.
  Status CommitRun(const wire::ReplicaBatch& batch, std::vector<wire::RecordItem>& items, size_t begin, size_t end,
                   const std::string& where);
  Status KeepHead(const std::string& line, const std::string& where);
  Status SaveCoveredHeads();

  coord::RecordStore& store_;
  std::string campus_;
  RosterSource roster_;
  RestoreSummary summary_;
  bool has_inputs_ = false;
  std::map<uint64_t, std::string> pending_heads_;  // by size: heads the store does not cover yet
  uint64_t saved_through_ = 0;                     // the largest head kept
};

// After a restore without the coordinator's key (its machine is lost, and no backup): records that
// `identity` signs the record's heads from now on instead of `previous_key`, as an Observation
// COORDINATOR_KEY_ROTATED judged like any item, and signs a head of the whole record with it, so a
// coordinator starts on the store and `verify` reports the rotation rather than a rewrite. The
// commit index of that item.
Result<uint64_t> RotateCoordinatorKey(coord::RecordStore& store, const PublicKey& previous_key,
                                      const Identity& identity, int64_t now_us);

// Reads the campus's whole subject from `stream` into `store` (new: nothing stored yet). Waits up to
// `timeout` for the stream to answer, and as long between two messages.
Result<RestoreSummary> RestoreCampus(NatsStream& stream, std::string_view campus, RosterSource roster,
                                     coord::RecordStore& store, std::chrono::milliseconds timeout);

}  // namespace capture::replication
