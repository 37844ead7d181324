// The coordinator's side of the record's tree: the tree over the record as committed (record_tree.h)
// and the heads it signs with its identity (common/checkpoint.h), stored beside the record and sent
// to every agent in its acks, so that the stations witness what the record was.
//
// At start the tree is rebuilt from the store (the inputs, then every item with its verdict as
// replayed) and must lead to the newest stored head: a store changed after it was signed does not
// start. Then each committed item's leaf is appended, and a head is signed when the tree grew, at
// most once per interval (a head costs a signature and a small write; a commit costs neither).
// Without an identity (plain text, --insecure) no head is signed; the tree is still kept.
//
// Not thread-safe: the coordinator's loop thread owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/checkpoint.h"
#include "common/identity.h"
#include "common/status.h"
#include "coordinator/proof/record_tree.h"
#include "coordinator/record_store.h"

namespace capture::coord {

class TreeHeads {
 public:
  static constexpr std::chrono::milliseconds kDefaultInterval{200};

  // Reads the judge's inputs and the newest stored head of `store` (which must hold the inputs).
  // Corruption when the newest head does not parse, or is signed by another key than `identity`'s.
  static Result<std::unique_ptr<TreeHeads>> Open(const RecordStore& store, std::shared_ptr<const Identity> identity,
                                                 std::chrono::milliseconds interval = kDefaultInterval);

  // The leaf of the next record item: as the record is replayed at start, then as each is committed.
  void Append(std::string_view item_bytes, std::string_view verdict_bytes) { tree_.AppendItem(item_bytes, verdict_bytes); }
  // A sink that appends (RecordStore::Commit, Replay); it refers to this object.
  StoredItemSink Sink() {
    return [this](std::string_view item, std::string_view verdict) { Append(item, verdict); };
  }

  // After the replay at start: Corruption unless the tree holds the inputs and `commit_index` items
  // and its root at the newest stored head's size is that head's root.
  Status CheckRestored(uint64_t commit_index) const;

  // Signs a head of the tree as it is now (time `now_us`, the system clock) and stores it, when
  // the tree grew since the last head and `interval` has passed since (`force`: whatever the time).
  // Whether it signed one; an error only when the store cannot take it.
  Result<bool> SignIfDue(RecordStore& store, std::chrono::steady_clock::time_point now, int64_t now_us,
                         bool force = false);

  // The newest head's checkpoint line (signed now or found at start); empty when there is none.
  const std::string& newest() const { return newest_line_; }
  uint64_t size() const { return tree_.size(); }

 private:
  TreeHeads(RecordTree tree, std::shared_ptr<const Identity> identity, std::chrono::milliseconds interval)
      : tree_(std::move(tree)), identity_(std::move(identity)), interval_(interval) {}

  RecordTree tree_;
  std::shared_ptr<const Identity> identity_;
  std::chrono::milliseconds interval_;
  std::optional<Checkpoint> newest_;  // the newest head, stored or signed
  std::string newest_line_;
  std::chrono::steady_clock::time_point next_due_{};
};

}  // namespace capture::coord
