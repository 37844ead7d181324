// The record's Merkle tree (leaves: record_leaves.h), grown one leaf at a time as the record is
// committed or read: the coordinator keeps one beside its store and signs its heads; `capturectl
// verify` grows one while it reads the record and compares it with signed heads at their sizes.
//
// An append costs one item leaf hash and one node hash amortised (O(log n) at worst) and allocates
// nothing (MerkleFrontier). Not thread-safe; a value.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "common/merkle.h"
#include "common/sha256.h"
#include "coordinator/record_store.h"

namespace capture::coord {

class RecordTree {
 public:
  // The tree of the judge's inputs (leaves 0 to 3). The roots at the `watched` sizes (any order,
  // repeats allowed) are kept as the tree passes them, e.g. those of signed heads to check.
  explicit RecordTree(const StoredJudgeInputs& inputs, std::vector<uint64_t> watched = {});

  // The leaf of the next record item, with its verdict, as stored.
  void AppendItem(std::string_view item_bytes, std::string_view verdict_bytes);

  uint64_t size() const { return frontier_.size(); }
  Sha256 Root() const { return frontier_.Root(); }
  // The root the tree had when it had `size` leaves, if that size is watched and was reached.
  std::optional<Sha256> RootAt(uint64_t size) const;

 private:
  void Append(const Sha256& leaf_hash);

  MerkleFrontier frontier_;
  std::vector<uint64_t> watched_;  // ascending, distinct
  size_t next_watched_ = 0;        // the first one not reached yet
  std::vector<std::pair<uint64_t, Sha256>> roots_;  // of the watched sizes reached, ascending
};

}  // namespace capture::coord
