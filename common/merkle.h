// Merkle trees as RFC 9162 (Certificate Transparency v2) defines them, with the hashing of RFC 6962:
// the tree over the record's leaves, its root, and inclusion and consistency proofs.
//
// Hashing (RFC 9162 §2.1.1): a leaf is SHA-256(0x00 || bytes), an inner node SHA-256(0x01 || left ||
// right); a tree of n > 1 leaves splits at k, the largest power of two below n, into the first k
// leaves and the rest; the empty tree's root is SHA-256 of the empty string. docs/record-proofs.md
// writes the format up.
//
// Everything here is pure: no files, sockets or clock. Leaves are handed in as leaf hashes. The
// functions are thread-safe; a MerkleFrontier is a value and, like any value, not safe to change from
// two threads at once.
//
// Errors: proof generation returns kInvalidArgument for impossible arguments (an index outside the
// tree, an old size above the new one) and passes a leaf source's error on unchanged. Verification
// returns kCorruption for every claim that does not hold, with a message saying which part failed.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "common/sha256.h"
#include "common/status.h"

namespace capture {

// SHA-256(0x00 || leaf_bytes).
Sha256 LeafHash(std::string_view leaf_bytes);
// SHA-256(0x01 || left || right).
Sha256 NodeHash(const Sha256& left, const Sha256& right);
// The root of the tree of no leaves: SHA-256 of the empty string.
Sha256 EmptyTreeRoot();

// An append-only tree that keeps only the roots of its largest complete subtrees, one per set bit
// of size(): O(log n) hashes, enough to give the root and to go on appending. An append costs one
// node hash amortised and allocates nothing once the vector has grown to the most subtrees the tree
// has had (never more than 64).
class MerkleFrontier {
 public:
  void Append(const Sha256& leaf_hash);
  uint64_t size() const { return size_; }
  // The tree's root (RFC 9162 MTH); EmptyTreeRoot() for size 0. Costs popcount(size) - 1 hashes.
  Sha256 Root() const;

 private:
  uint64_t size_ = 0;
  // The complete subtrees, largest (leftmost) first; subtree i holds 2^b leaves for the i-th set
  // bit b of size_, counted from the top.
  std::vector<Sha256> subtrees_;
};

// Gives the hash of the leaf at `index`. The proof functions call it for each leaf they need, in
// increasing order of index and at most once per index (so a source over a store can keep a cursor
// and move it forward), and stop at its first error.
using LeafHashSource = std::function<Result<Sha256>(uint64_t index)>;

// The inclusion proof of leaf `index` in the tree of the first `size` leaves: RFC 9162 §2.1.3.1
// PATH(index, D[0:size]), the sibling subtrees' roots from the leaf up. Reads every leaf of the
// tree but `index` once. kInvalidArgument unless index < size.
Result<std::vector<Sha256>> InclusionProof(uint64_t index, uint64_t size, const LeafHashSource& leaf_hash);

// The inclusion proofs of several leaves in the tree of the first `size` leaves, in the order of
// `indices` (repeats allowed), each equal to InclusionProof(index, size, …), from ONE pass that
// reads every leaf once: a proof file of a dozen leaves costs one pass over a large record, not a
// dozen. kInvalidArgument unless every index is below size.
Result<std::vector<std::vector<Sha256>>> InclusionProofs(const std::vector<uint64_t>& indices, uint64_t size,
                                                         const LeafHashSource& leaf_hash);

// The consistency proof that the tree of the first `old_size` leaves is a prefix of the tree of
// the first `new_size`: RFC 9162 §2.1.4.1 PROOF(old_size, D[0:new_size]). Empty when the sizes are
// equal (no leaf is read then). Reads the leaves of the proof's subtrees once each: O(new_size).
// kInvalidArgument when old_size > new_size, or old_size is 0 and new_size is not (RFC 9162 defines
// no proof from the empty tree: every tree extends it, there is nothing to prove).
Result<std::vector<Sha256>> ConsistencyProof(uint64_t old_size, uint64_t new_size, const LeafHashSource& leaf_hash);

// Whether `proof` proves that the leaf with hash `leaf_hash` is leaf `index` of the tree of `size`
// leaves with root `root` (RFC 9162 §2.1.3.2). Fails unless index < size and the proof has exactly
// as many hashes as PATH(index, D[0:size]). The size is bound by the signed checkpoint that carries
// the root, not by the proof: a proof can also verify under another size whose path has the same
// shape.
Status VerifyInclusion(uint64_t index, uint64_t size, const Sha256& leaf_hash, const std::vector<Sha256>& proof,
                       const Sha256& root);

// Whether `proof` proves that the tree of `old_size` leaves with root `old_root` is a prefix of the
// tree of `new_size` leaves with root `new_root` (RFC 9162 §2.1.4.2). Fails when old_size > new_size,
// and unless the proof has exactly as many hashes as PROOF(old_size, D[0:new_size]). Equal sizes
// need an empty proof and equal roots. Old size 0 (no proof is defined from it) verifies only
// against new size 0, with an empty proof and both roots EmptyTreeRoot().
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Sha256& old_root, const Sha256& new_root,
                         const std::vector<Sha256>& proof);

}  // namespace capture
