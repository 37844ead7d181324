#include "coordinator/proof/tree_heads.h"

#include "coordinator/proof/record_leaves.h"

namespace capture::coord {

namespace {

std::string DescribeHead(const Checkpoint& head) {
  return "the newest signed head (size " + std::to_string(head.size) + ", signed at " +
         FormatIso8601UtcMicros(head.time_us) + ")";
}

}  // namespace

Result<std::unique_ptr<TreeHeads>> TreeHeads::Open(const RecordStore& store, std::shared_ptr<const Identity> identity,
                                                   std::chrono::milliseconds interval) {
  auto inputs = store.ReadStoredJudgeInputs();
  if (!inputs.ok()) return inputs.status();
  std::optional<Checkpoint> newest;
  std::string newest_line;
  auto line = store.NewestCheckpoint();
  if (line.ok()) {
    auto parsed = ParseCheckpoint(*line);
    if (!parsed.ok()) return Status::Corruption("the store's newest signed head does not parse: " + parsed.status().message());
    if (identity && parsed->key != identity->public_key()) {
      return Status::Corruption(DescribeHead(*parsed) + " is signed by key " + KeyHex(parsed->key) +
                                ", not by this coordinator's key " + KeyHex(identity->public_key()) +
                                ": the store's coordinator.key was replaced");
    }
    if (Status s = VerifyCheckpointSignature(*parsed); !s.ok()) return Status::Corruption(DescribeHead(*parsed) + ": " + s.message());
    newest = *parsed;
    newest_line = std::move(*line);
  } else if (line.status().code() != Status::Code::kNotFound) {
    return line.status();
  }
  std::vector<uint64_t> watched;
  if (newest) watched.push_back(newest->size);
  std::unique_ptr<TreeHeads> heads(new TreeHeads(RecordTree(*inputs, std::move(watched)), std::move(identity), interval));
  heads->newest_ = newest;
  heads->newest_line_ = std::move(newest_line);
  return heads;
}

Status TreeHeads::CheckRestored(uint64_t commit_index) const {
  if (tree_.size() != kInputLeaves + commit_index) {
    return Status::Corruption("the record's tree has " + std::to_string(tree_.size()) + " leaves after the replay of " +
                              std::to_string(commit_index) + " items; it needs " +
                              std::to_string(kInputLeaves + commit_index));
  }
  if (!newest_) return Status::Ok();
  if (newest_->size > tree_.size()) {
    return Status::Corruption(DescribeHead(*newest_) + " covers " + std::to_string(newest_->size) + " leaves but the record has " +
                              std::to_string(tree_.size()) + ": items were removed from the store after it was signed");
  }
  if (tree_.RootAt(newest_->size) != newest_->root) {
    return Status::Corruption("the record no longer leads to " + DescribeHead(*newest_) +
                              ": the store was changed after it was signed (capturectl verify --store tells more)");
  }
  return Status::Ok();
}

Result<bool> TreeHeads::SignIfDue(RecordStore& store, std::chrono::steady_clock::time_point now, int64_t now_us,
                                  bool force) {
  if (!identity_ || (newest_ && newest_->size == tree_.size())) return false;
  if (!force && now < next_due_) return false;
  Checkpoint head = SignCheckpoint(tree_.size(), tree_.Root(), now_us, *identity_);
  std::string line = FormatCheckpoint(head);
  if (Status s = store.SaveCheckpoint(head.size, line); !s.ok()) return s;
  newest_ = head;
  newest_line_ = std::move(line);
  next_due_ = now + interval_;
  return true;
}

}  // namespace capture::coord
