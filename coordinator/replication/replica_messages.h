// The messages of a campus's replication subject, capture.<campus>.record (docs/replication.md):
// first the judge's inputs, then the stored items in commit order, each with its verdict, packed into
// messages no larger than the servers take. Pure: building and reading them does no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "capture.pb.h"
#include "common/identity.h"
#include "common/status.h"
#include "coordinator/record_store.h"

namespace capture::replication {

// "<campus>:<record id hex>:<first commit index>" (0 for the inputs): the same message sent again
// after a crash has the same id, and the stream drops it within its duplicate window.
std::string MessageId(std::string_view campus, std::string_view record_id, uint64_t first_commit_index);

// The first message: the stored inputs with the roster sealed to `auditor_key`.
Result<wire::ReplicaMessage> InputsMessage(std::string_view campus, std::string_view record_id,
                                           const coord::StoredJudgeInputs& inputs, const PublicKey& auditor_key,
                                           const PublicKey& coordinator_key);

// Packs stored items in commit order into one message of at most `max_bytes` encoded.
class BatchBuilder {
 public:
  BatchBuilder(std::string_view campus, std::string_view record_id, uint64_t first_commit_index, size_t max_bytes);
  // Adds the next item unless the message would outgrow its limit: false then, and nothing is added.
  // The first item always goes in: an item larger than the limit is the caller's error to report.
  bool Add(std::string_view item_bytes, std::string_view verdict_bytes);
  size_t items() const { return static_cast<size_t>(message_.batch().items_size()); }
  uint64_t first_commit_index() const { return message_.batch().first_commit_index(); }
  size_t encoded_size() const { return size_; }
  // The message, with the newest signed tree head; the builder is left empty.
  wire::ReplicaMessage Finish(std::string checkpoint);

 private:
  wire::ReplicaMessage message_;
  size_t max_bytes_;
  size_t size_;
};

// Parses a message read from the stream; InvalidArgument naming `where` when it does not parse or
// is neither inputs nor a batch.
Result<wire::ReplicaMessage> ParseReplicaMessage(std::string_view data, std::string_view where);

// The commit index that follows the message: 1 after the inputs.
uint64_t NextCommitIndexAfter(const wire::ReplicaMessage& message);

}  // namespace capture::replication
