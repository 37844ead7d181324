#include "coordinator/replication/replica_messages.h"

#include <google/protobuf/io/coded_stream.h>

#include "common/sha256.h"

namespace capture::replication {
namespace {

// The bytes a length-delimited field of `n` bytes takes: its tag, its length and itself.
size_t FieldSize(size_t n) {
  return 1 + google::protobuf::io::CodedOutputStream::VarintSize64(n) + n;
}

wire::ReplicaMessage Header(std::string_view campus, std::string_view record_id) {
  wire::ReplicaMessage message;
  message.set_campus(std::string(campus));
  message.set_record_id(std::string(record_id));
  return message;
}

}  // namespace

std::string MessageId(std::string_view campus, std::string_view record_id, uint64_t first_commit_index) {
  return std::string(campus) + ":" + ToHex(record_id) + ":" + std::to_string(first_commit_index);
}

Result<wire::ReplicaMessage> InputsMessage(std::string_view campus, std::string_view record_id,
                                           const coord::StoredJudgeInputs& inputs, const PublicKey& auditor_key,
                                           const PublicKey& coordinator_key) {
  auto sealed = SealTo(auditor_key, inputs.roster_csv);
  if (!sealed.ok()) return Status::InvalidArgument("the auditor's " + sealed.status().message());
  auto sealed_to_coordinator = SealTo(coordinator_key, inputs.roster_csv);
  if (!sealed_to_coordinator.ok()) return Status::InvalidArgument("the coordinator's " + sealed_to_coordinator.status().message());
  wire::ReplicaMessage message = Header(campus, record_id);
  wire::ReplicaInputs* out = message.mutable_inputs();
  out->set_judge_config(inputs.config);
  out->set_schedule_csv(inputs.schedule_csv);
  out->set_station_keys_csv(inputs.station_keys_csv);
  out->set_sealed_roster(std::move(*sealed));
  out->set_coordinator_sealed_roster(std::move(*sealed_to_coordinator));
  const Sha256 roster_hash = ComputeSha256(inputs.roster_csv);
  out->set_roster_sha256(roster_hash.data(), roster_hash.size());
  out->set_auditor_key(auditor_key.data(), auditor_key.size());
  out->set_coordinator_key(coordinator_key.data(), coordinator_key.size());
  return message;
}

BatchBuilder::BatchBuilder(std::string_view campus, std::string_view record_id, uint64_t first_commit_index,
                           size_t max_bytes)
    : message_(Header(campus, record_id)), max_bytes_(max_bytes) {
  message_.mutable_batch()->set_first_commit_index(first_commit_index);
  size_ = message_.ByteSizeLong();
}

bool BatchBuilder::Add(std::string_view item_bytes, std::string_view verdict_bytes) {
  // The batch field's length prefix grows as items are added: counted at its largest (10 bytes).
  const size_t item = FieldSize(FieldSize(item_bytes.size()) + FieldSize(verdict_bytes.size()));
  if (items() > 0 && size_ + item + 10 > max_bytes_) return false;
  wire::StoredItem* stored = message_.mutable_batch()->add_items();
  stored->set_item(std::string(item_bytes));
  stored->set_verdict(std::string(verdict_bytes));
  size_ += item;
  return true;
}

wire::ReplicaMessage BatchBuilder::Finish(std::string checkpoint) {
  message_.mutable_batch()->set_checkpoint(std::move(checkpoint));
  wire::ReplicaMessage done = Header(message_.campus(), message_.record_id());
  done.Swap(&message_);
  message_.mutable_batch()->set_first_commit_index(done.batch().first_commit_index() + done.batch().items_size());
  size_ = message_.ByteSizeLong();
  return done;
}

Result<wire::ReplicaMessage> ParseReplicaMessage(std::string_view data, std::string_view where) {
  wire::ReplicaMessage message;
  if (!message.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
    return Status::InvalidArgument(std::string(where) + " is not a replication message (it does not parse)");
  }
  if (message.body_case() == wire::ReplicaMessage::BODY_NOT_SET) {
    return Status::InvalidArgument(std::string(where) + " is neither the judge's inputs nor a batch of items");
  }
  return message;
}

uint64_t NextCommitIndexAfter(const wire::ReplicaMessage& message) {
  if (message.has_inputs()) return 1;
  return message.batch().first_commit_index() + static_cast<uint64_t>(message.batch().items_size());
}

}  // namespace capture::replication
