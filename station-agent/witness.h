// The station as a witness of the coordinator's record: it keeps the newest tree head the
// coordinator signed (common/checkpoint.h), as its acks bring them, in the journal. An auditor
// later checks the record against it (`station-agent --print-checkpoint`, `capturectl verify
// --checkpoint`): a coordinator's store rewritten after the head was sent no longer leads to it,
// even when the rewriter re-signed the store's own heads.
//
// A head is kept when its signature holds, it is signed with the pinned coordinator key (when the
// agent has one: not in plain text), and it is larger than the kept one. A smaller head, or another
// root at the kept size, is not kept: the coordinator's record went back or was rewritten, and
// Offer says so, while the kept head stays as evidence.
//
// Not thread-safe: the agent's loop owns it.
#pragma once

#include <optional>
#include <string_view>

#include "common/checkpoint.h"
#include "common/identity.h"
#include "common/status.h"
#include "station-agent/journal.h"

namespace capture::agent {

class CheckpointWitness {
 public:
  // Reads the head the journal kept; `journal` must outlive this. Corruption when the kept line
  // does not parse.
  static Result<CheckpointWitness> Open(Journal* journal, std::optional<PublicKey> coordinator_key);

  // A head from an ack (empty: the coordinator signs none). OK when it is kept or is the kept one;
  // InvalidArgument naming why it is refused; IoError when the journal cannot keep it.
  Status Offer(std::string_view line);

  const std::optional<Checkpoint>& kept() const { return kept_; }

 private:
  CheckpointWitness(Journal* journal, std::optional<PublicKey> coordinator_key)
      : journal_(journal), coordinator_key_(coordinator_key) {}

  Journal* journal_;
  std::optional<PublicKey> coordinator_key_;
  std::optional<Checkpoint> kept_;
};

}  // namespace capture::agent
