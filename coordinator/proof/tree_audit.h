// `capturectl verify`'s proof that a stopped store is the record the coordinator signed: one pass
// over the store that judges every item again (audit.h, VerifyVerdicts) and grows the record's
// tree (record_tree.h) from the same bytes, then holds the tree against every signed head stored
// beside the record and against heads kept elsewhere (stations', `--checkpoint`).
//
// A head holds when it is signed by the coordinator's key and the record's root at its size is its
// root. A stored head can be re-signed by whoever holds the store's coordinator.key; a head a
// station kept cannot be changed afterwards, so a record rewritten after that head was sent fails
// against it even when every stored head was signed again.
//
// What a root can tell: that some leaf below its size changed, not which. A failing head is
// narrowed to the leaves above the largest head below it that holds and is as trustworthy: stored
// heads by stored heads, kept heads by kept heads (several stations' heads of different sizes
// narrow it further). A failing kept head is also compared with the store's own head of its size,
// whose other root then shows that the coordinator's key signed two trees of one size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/checkpoint.h"
#include "common/identity.h"
#include "common/status.h"
#include "coordinator/audit.h"
#include "coordinator/record_store.h"

namespace capture::coord {

// A head kept outside the store, and where it came from ("the checkpoint in FILE").
struct KeptHead {
  Checkpoint head;
  std::string origin;
};

struct TreeAudit {
  VerifyOutcome verdicts;        // the re-judged verdicts, from the same pass
  uint64_t leaves = 0;           // the record's tree: the inputs and every item
  Sha256 root{};
  uint64_t stored_heads = 0;     // heads stored beside the record
  std::optional<Checkpoint> newest;  // the newest stored head that parses
  // One line per head that does not hold, stored heads first in order of size, then the kept ones:
  //   "differs head size=S time=T: why" / "differs checkpoint size=S time=T (ORIGIN): why"
  std::vector<std::string> findings;
  std::vector<bool> kept_holds;  // for each kept head, in the order given: whether it holds
};

// Which key a head of each size must be signed with. A record whose coordinator key never changed:
// the given key for every size. A record restored without its key holds COORDINATOR_KEY_ROTATED
// items: the heads of trees holding such an item are signed by its new key, those before by its
// previous one; the given key must be one of them (an auditor knows the key the campus published,
// the store's coordinator.pub is the newest). A rotation that does not continue the keys before it,
// or a given key the record never used, is a finding.
struct KeySchedule {
  std::vector<std::pair<uint64_t, PublicKey>> keys;  // from this size on, this key (ascending)
  const PublicKey& For(uint64_t size) const;
  static KeySchedule Of(const PublicKey& given, const std::vector<CoordinatorKeyRotation>& rotations,
                        std::vector<std::string>* findings);
};

// Errors only when the store cannot be read or holds no judge inputs.
Result<TreeAudit> AuditTree(const RecordStore& store, const PublicKey& coordinator_key,
                            const std::vector<KeptHead>& kept);

}  // namespace capture::coord
