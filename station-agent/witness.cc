#include "station-agent/witness.h"

namespace capture::agent {

namespace {

std::string Describe(const Checkpoint& head) {
  return "size " + std::to_string(head.size) + " root " + ToHex(head.root) + " signed at " +
         FormatIso8601UtcMicros(head.time_us);
}

}  // namespace

Result<CheckpointWitness> CheckpointWitness::Open(Journal* journal, std::optional<PublicKey> coordinator_key) {
  CheckpointWitness witness(journal, coordinator_key);
  auto line = journal->Checkpoint();
  if (line.ok()) {
    auto kept = ParseCheckpoint(*line);
    if (!kept.ok()) return Status::Corruption("the journal's checkpoint does not parse: " + kept.status().message());
    witness.kept_ = *kept;
  } else if (line.status().code() != Status::Code::kNotFound) {
    return line.status();
  }
  return witness;
}

Status CheckpointWitness::Offer(std::string_view line) {
  if (line.empty()) return Status::Ok();
  auto head = ParseCheckpoint(line);
  if (!head.ok()) return Status::InvalidArgument("the coordinator's checkpoint is refused: " + head.status().message());
  Status signature = coordinator_key_ ? VerifyCheckpointSignature(*head, *coordinator_key_) : VerifyCheckpointSignature(*head);
  if (!signature.ok()) return Status::InvalidArgument("the coordinator's checkpoint is refused: " + signature.message());
  if (kept_) {
    if (*head == *kept_) return Status::Ok();
    if (head->size == kept_->size && head->root != kept_->root) {
      return Status::InvalidArgument("the coordinator signed another root for a tree of the same size: " +
                                     Describe(*head) + ", after " + Describe(*kept_) +
                                     "; its record was rewritten. The station keeps the earlier head");
    }
    if (head->size < kept_->size) {
      return Status::InvalidArgument("the coordinator signed a smaller tree (" + Describe(*head) + ") than before (" +
                                     Describe(*kept_) + "): its record went back. The station keeps the larger head");
    }
    if (head->size == kept_->size) return Status::Ok();  // the same tree signed again later
  }
  if (Status s = journal_->SaveCheckpoint(line); !s.ok()) return s;
  kept_ = *head;
  return Status::Ok();
}

}  // namespace capture::agent
