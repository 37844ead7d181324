#include "coordinator/replication/restore.h"

#include <thread>
#include <utility>

#include "common/sha256.h"
#include "coordinator/audit.h"
#include "coordinator/proof/record_leaves.h"
#include "coordinator/proof/record_tree.h"
#include "coordinator/replication/replica_messages.h"

namespace capture::replication {

Result<std::string> OpenRoster(const wire::ReplicaInputs& inputs, const RosterSource& source) {
  std::string roster;
  switch (source.kind) {
    case RosterSource::Kind::kAuditor:
    case RosterSource::Kind::kCoordinator: {
      const bool auditor = source.kind == RosterSource::Kind::kAuditor;
      auto opened = OpenSealed(*source.identity, auditor ? inputs.sealed_roster() : inputs.coordinator_sealed_roster(),
                               auditor ? "the roster sealed to the auditors" : "the roster sealed to the coordinator");
      if (!opened.ok()) return opened.status();
      roster = std::move(*opened);
      break;
    }
    case RosterSource::Kind::kFile:
      roster = source.roster_csv;
      break;
  }
  const Sha256 hash = ComputeSha256(roster);
  if (std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()) != inputs.roster_sha256()) {
    return Status::InvalidArgument("the roster has SHA-256 " + ToHex(hash) + ", not the record's " +
                                   ToHex(inputs.roster_sha256()) + ": it is not the roster this record was judged with");
  }
  return roster;
}

StoreRestorer::StoreRestorer(coord::RecordStore& store, std::string campus, RosterSource roster)
    : store_(store), campus_(std::move(campus)), roster_(std::move(roster)) {}

Status StoreRestorer::Apply(uint64_t sequence, std::string_view data) {
  const std::string where = "message " + std::to_string(sequence) + " of " + RecordSubject(campus_);
  auto message = ParseReplicaMessage(data, where);
  if (!message.ok()) return message.status();
  ++summary_.messages;
  if (message->campus() != campus_) {
    return Status::Corruption(where + " names campus \"" + message->campus() + "\"");
  }
  if (!has_inputs_) {
    if (!message->has_inputs()) {
      return Status::Corruption(where + " is a batch, but a record's first message is the judge's inputs");
    }
    return ApplyInputs(*message, where);
  }
  if (message->record_id() != summary_.record_id) {
    return Status::Corruption(where + " belongs to record " + ToHex(message->record_id()) + ", not to record " +
                              ToHex(summary_.record_id) + " that the subject began with");
  }
  if (message->has_inputs()) return Status::Corruption(where + " holds the judge's inputs a second time");
  return ApplyBatch(message->batch(), where);
}

Status StoreRestorer::ApplyInputs(const wire::ReplicaMessage& message, const std::string& where) {
  if (store_.has_judge_inputs() || store_.commit_index() > 0) {
    return Status::FailedPrecondition("the store to restore into holds a record already: give a new folder");
  }
  const wire::ReplicaInputs& given = message.inputs();
  auto coordinator_key = PublicKeyFromBytes(given.coordinator_key(), where + ": the coordinator key");
  if (!coordinator_key.ok()) return coordinator_key.status();
  auto auditor_key = PublicKeyFromBytes(given.auditor_key(), where + ": the auditor key");
  if (!auditor_key.ok()) return auditor_key.status();
  auto roster = OpenRoster(given, roster_);
  if (!roster.ok()) return Status::InvalidArgument(where + ": " + roster.status().message());
  coord::JudgeInputs inputs;
  if (!inputs.config.ParseFromString(given.judge_config())) {
    return Status::Corruption(where + ": the judge's configuration does not parse");
  }
  inputs.schedule_csv = given.schedule_csv();
  inputs.roster_csv = std::move(*roster);
  inputs.station_keys_csv = given.station_keys_csv();
  if (Status s = store_.AdoptRecordId(message.record_id()); !s.ok()) return s;
  if (Status s = store_.SaveJudgeInputs(inputs); !s.ok()) return s;
  // The tree's first leaves are the configuration's bytes as stored: they must be the original's.
  auto stored = store_.ReadStoredJudgeInputs();
  if (!stored.ok()) return stored.status();
  if (stored->config != given.judge_config()) {
    return Status::Corruption(where + ": the judge's configuration is not in the form this store writes it");
  }
  has_inputs_ = true;
  summary_.record_id = message.record_id();
  summary_.coordinator_key = *coordinator_key;
  summary_.auditor_key = *auditor_key;
  return Status::Ok();
}

Status StoreRestorer::ApplyBatch(const wire::ReplicaBatch& batch, const std::string& where) {
  const uint64_t expected = store_.commit_index() + 1;
  if (batch.first_commit_index() != expected) {
    return Status::Corruption(where + " begins at commit index " + std::to_string(batch.first_commit_index()) +
                              " where the record goes on at " + std::to_string(expected) +
                              ": the stream has a hole or a repeat");
  }
  std::vector<wire::RecordItem> items(static_cast<size_t>(batch.items_size()));
  for (size_t i = 0; i < items.size(); ++i) {
    const wire::StoredItem& stored = batch.items(static_cast<int>(i));
    const std::string at = where + ", commit index " + std::to_string(expected + i);
    if (!items[i].ParseFromString(stored.item())) return Status::Corruption(at + ": the item does not parse");
    if (items[i].commit_index() != expected + i) {
      return Status::Corruption(at + ": the item names commit index " + std::to_string(items[i].commit_index()));
    }
  }
  // One Commit per run of items of one commit time, as the coordinator committed them.
  for (size_t begin = 0, end = 0; begin < items.size(); begin = end) {
    end = begin + 1;
    while (end < items.size() && items[end].received_time_us() == items[begin].received_time_us()) ++end;
    if (Status s = CommitRun(batch, items, begin, end, where); !s.ok()) return s;
  }
  if (!batch.checkpoint().empty()) {
    if (Status s = KeepHead(batch.checkpoint(), where); !s.ok()) return s;
  }
  return SaveCoveredHeads();
}

Status StoreRestorer::CommitRun(const wire::ReplicaBatch& batch, std::vector<wire::RecordItem>& items, size_t begin,
                                size_t end, const std::string& where) {
  const uint64_t first = store_.commit_index() + 1;
  coord::RecordStore::Batch run;
  std::vector<wire::Verdict> verdicts(end - begin);
  for (size_t i = begin; i < end; ++i) {
    const std::string at = where + ", commit index " + std::to_string(first + i - begin);
    if (!verdicts[i - begin].ParseFromString(batch.items(static_cast<int>(i)).verdict())) {
      return Status::Corruption(at + ": the verdict does not parse");
    }
    wire::RecordItem& item = items[i];
    if (item.has_observation()) {
      run.AddObservation(std::move(*item.mutable_observation()));
    } else if (item.has_event()) {
      wire::CaptureEvent event;
      if (!event.ParseFromString(item.event())) return Status::Corruption(at + ": the event does not parse");
      const coord::StreamId stream{event.station(), event.epoch()};
      const uint64_t seq = event.seq();
      run.AddEvent(stream, seq, std::move(*item.mutable_event()), std::move(event));
    } else {
      return Status::Corruption(at + ": the item is neither an event nor an observation");
    }
  }
  size_t judged = 0;
  size_t seen = begin;
  std::optional<uint64_t> differs;
  Status committed = store_.Commit(
      std::move(run), items[begin].received_time_us(),
      [&](const wire::RecordItem&, const wire::CaptureEvent*) -> const wire::Verdict& { return verdicts[judged++]; },
      [&](std::string_view item_bytes, std::string_view verdict_bytes) {
        const wire::StoredItem& original = batch.items(static_cast<int>(seen));
        if (!differs && (item_bytes != original.item() || verdict_bytes != original.verdict())) {
          differs = first + seen - begin;
        }
        ++seen;
      });
  if (!committed.ok()) return Status::Corruption(where + ": " + committed.message());
  if (differs) {
    return Status::Corruption(where + ", commit index " + std::to_string(*differs) +
                              ": the item or its verdict is not in the form the record stores it, so the stream's "
                              "bytes are not a coordinator's; the store is not a copy (delete it)");
  }
  summary_.items = store_.commit_index();
  return Status::Ok();
}

Status StoreRestorer::KeepHead(const std::string& line, const std::string& where) {
  auto head = ParseCheckpoint(line);
  if (!head.ok()) return Status::Corruption(where + ": its tree head: " + head.status().message());
  if (head->key != summary_.coordinator_key) {
    return Status::Corruption(where + ": its tree head is signed by key " + KeyHex(head->key) +
                              ", not by the record's coordinator key " + KeyHex(summary_.coordinator_key));
  }
  if (!VerifyCheckpointSignature(*head).ok()) {
    return Status::Corruption(where + ": its tree head's signature does not verify");
  }
  if (head->size > saved_through_) pending_heads_[head->size] = line;  // later batches repeat a head
  return Status::Ok();
}

Status StoreRestorer::SaveCoveredHeads() {
  const uint64_t leaves = coord::kInputLeaves + store_.commit_index();
  while (!pending_heads_.empty() && pending_heads_.begin()->first <= leaves) {
    auto head = pending_heads_.begin();
    if (Status s = store_.SaveCheckpoint(head->first, head->second); !s.ok()) return s;
    ++summary_.heads;
    saved_through_ = head->first;
    pending_heads_.erase(head);
  }
  return Status::Ok();
}

Result<RestoreSummary> StoreRestorer::Finish() {
  if (!has_inputs_) {
    return Status::FailedPrecondition(RecordSubject(campus_) + " holds no record: nothing to restore");
  }
  summary_.heads_beyond = pending_heads_.size();
  return summary_;
}

Result<uint64_t> RotateCoordinatorKey(coord::RecordStore& store, const PublicKey& previous_key,
                                      const Identity& identity, int64_t now_us) {
  auto inputs = store.ReadJudgeInputs();
  if (!inputs.ok()) return inputs.status();
  auto stored_inputs = store.ReadStoredJudgeInputs();
  if (!stored_inputs.ok()) return stored_inputs.status();
  auto judge = coord::MakeJudge(*inputs);
  if (!judge.ok()) return judge.status();
  coord::RecordTree tree(*stored_inputs);
  const auto grow = [&](std::string_view item, std::string_view verdict) { tree.AppendItem(item, verdict); };
  if (Status s = coord::Replay(store, **judge, nullptr, grow); !s.ok()) return s;

  wire::Observation rotation;
  rotation.set_kind(wire::Observation::COORDINATOR_KEY_ROTATED);
  rotation.set_public_key(identity.public_key().data(), identity.public_key().size());
  rotation.set_previous_key(previous_key.data(), previous_key.size());
  rotation.set_detail("restored from the replication stream without the coordinator's key");
  coord::RecordStore::Batch batch;
  batch.AddObservation(std::move(rotation));
  wire::Verdict verdict;
  Status committed = store.Commit(
      std::move(batch), store.last_received_time_us(),
      [&](const wire::RecordItem& item, const wire::CaptureEvent* event) -> const wire::Verdict& {
        verdict = (*judge)->Apply(item, event);
        return verdict;
      },
      grow);
  if (!committed.ok()) return committed;
  const Checkpoint head = SignCheckpoint(tree.size(), tree.Root(), now_us, identity);
  if (Status s = store.SaveCheckpoint(head.size, FormatCheckpoint(head)); !s.ok()) return s;
  return store.commit_index();
}

Result<RestoreSummary> RestoreCampus(NatsStream& stream, std::string_view campus, RosterSource roster,
                                     coord::RecordStore& store, std::chrono::milliseconds timeout) {
  // A cluster that just came back elects the stream's leader some seconds after JetStream answers.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto last = stream.LastOn(RecordSubject(campus));
    if (last.ok()) break;
    if (last.status().code() != Status::Code::kUnavailable || std::chrono::steady_clock::now() >= deadline) {
      return last.status();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  StoreRestorer restorer(store, std::string(campus), std::move(roster));
  Status applied = Status::Ok();
  Status read = stream.ReadOn(
      RecordSubject(campus), 1,
      [&](const StoredMessage& message) {
        applied = restorer.Apply(message.sequence, message.data);
        return applied.ok();
      },
      timeout);
  if (!applied.ok()) return applied;
  if (!read.ok()) return read;
  return restorer.Finish();
}

}  // namespace capture::replication
