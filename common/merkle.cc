#include "common/merkle.h"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>
#include <map>
#include <string>
#include <utility>

namespace capture {

namespace {

constexpr unsigned char kLeafPrefix = 0x00;
constexpr unsigned char kNodePrefix = 0x01;

// A run of leaves [begin, end) whose tree root is one hash of a proof, and where that hash goes.
struct Subtree {
  uint64_t begin, end;
  size_t slot;
};

// The largest power of two below n; the RFC's split point k. Requires n > 1.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// Fills each subtree's slot of `proof` with MTH(D[begin:end]), reading each leaf in increasing index
// order. The subtrees are disjoint; a frontier per subtree holds O(log n) hashes, never the leaves.
Status FillSubtreeRoots(std::vector<Subtree> subtrees, const LeafHashSource& leaf_hash, std::vector<Sha256>& proof) {
  std::sort(subtrees.begin(), subtrees.end(), [](const Subtree& a, const Subtree& b) { return a.begin < b.begin; });
  for (const Subtree& subtree : subtrees) {
    MerkleFrontier frontier;
    for (uint64_t i = subtree.begin; i < subtree.end; ++i) {
      Result<Sha256> leaf = leaf_hash(i);
      if (!leaf.ok()) return leaf.status();
      frontier.Append(*leaf);
    }
    proof[subtree.slot] = frontier.Root();
  }
  return Status::Ok();
}

// RFC 9162 §2.1.3.2 takes the length from the tree's shape: the levels below the point where the
// leaf's path and the last leaf's path part (inner), plus one per left sibling above it (border).
uint64_t InclusionProofLength(uint64_t index, uint64_t size) {
  const uint64_t inner = static_cast<uint64_t>(std::bit_width(index ^ (size - 1)));
  return inner + static_cast<uint64_t>(std::popcount(index >> inner));
}

// A consistency proof is the inclusion proof of the old tree's last complete subtree in the new
// tree, seen at that subtree's level, plus that subtree's root unless the old tree is exactly it
// (old_size a power of two: the verifier then starts from old_root). Requires 0 < old < new.
uint64_t ConsistencyProofLength(uint64_t old_size, uint64_t new_size) {
  const int level = std::countr_zero(old_size);
  const uint64_t node = (old_size - 1) >> level;
  const uint64_t last = (new_size - 1) >> level;
  return (node != 0 ? 1 : 0) + InclusionProofLength(node, last + 1);
}

std::string RootMismatch(const std::string& what, const Sha256& got, const Sha256& want) {
  return "root mismatch: " + what + " yields root " + ToHex(got) + ", expected " + ToHex(want);
}

}  // namespace

Sha256 LeafHash(std::string_view leaf_bytes) {
  // Streamed rather than concatenated: a leaf is hashed per record item, with no copy of it.
  EnsureSodium();
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, &kLeafPrefix, 1);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(leaf_bytes.data()), leaf_bytes.size());
  Sha256 out;
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

Sha256 NodeHash(const Sha256& left, const Sha256& right) {
  // On the stack: the frontier hashes a node per appended leaf and must not allocate.
  char input[1 + 2 * sizeof(Sha256)];
  input[0] = static_cast<char>(kNodePrefix);
  std::memcpy(input + 1, left.data(), left.size());
  std::memcpy(input + 1 + left.size(), right.data(), right.size());
  return ComputeSha256({input, sizeof input});
}

Sha256 EmptyTreeRoot() { return ComputeSha256(""); }

void MerkleFrontier::Append(const Sha256& leaf_hash) {
  // Like adding one to a binary counter: each trailing one bit of size_ is a complete subtree of
  // the new leaf's size that merges with it and carries up.
  Sha256 node = leaf_hash;
  for (uint64_t carry = size_; carry & 1; carry >>= 1) {
    node = NodeHash(subtrees_.back(), node);
    subtrees_.pop_back();
  }
  subtrees_.push_back(node);
  ++size_;
}

Sha256 MerkleFrontier::Root() const {
  if (subtrees_.empty()) return EmptyTreeRoot();
  // The RFC splits off the largest power of two first, so the smaller subtrees on the right nest
  // innermost: fold from the right.
  Sha256 root = subtrees_.back();
  for (auto it = subtrees_.rbegin() + 1; it != subtrees_.rend(); ++it) root = NodeHash(*it, root);
  return root;
}

Result<std::vector<Sha256>> InclusionProof(uint64_t index, uint64_t size, const LeafHashSource& leaf_hash) {
  if (index >= size) {
    return Status::InvalidArgument("no inclusion proof of leaf " + std::to_string(index) + " in a tree of " +
                                   std::to_string(size) + " leaves: the index must be below the size");
  }
  // PATH(m, D[lo:hi]) walked from the top: at each split the sibling half goes into the proof. The
  // RFC lists the siblings from the leaf up, so the first found goes last.
  std::vector<Subtree> siblings;
  uint64_t lo = 0, hi = size;
  while (hi - lo > 1) {
    const uint64_t mid = lo + SplitPoint(hi - lo);
    if (index < mid) {
      siblings.push_back({mid, hi, 0});
      hi = mid;
    } else {
      siblings.push_back({lo, mid, 0});
      lo = mid;
    }
  }
  for (size_t i = 0; i < siblings.size(); ++i) siblings[i].slot = siblings.size() - 1 - i;
  std::vector<Sha256> proof(siblings.size());
  if (Status st = FillSubtreeRoots(std::move(siblings), leaf_hash, proof); !st.ok()) return st;
  return proof;
}

Result<std::vector<std::vector<Sha256>>> InclusionProofs(const std::vector<uint64_t>& indices, uint64_t size,
                                                         const LeafHashSource& leaf_hash) {
  // Every sibling in a path is a node of the RFC's tree of `size` leaves, and every such node is
  // either a complete subtree of 2^b leaves starting at a multiple of 2^b, which an append-only
  // frontier builds once when its last leaf arrives, or a run [lo, size) along the right edge,
  // which is the fold of the frontier's subtrees from lo on once every leaf is in. So one pass
  // with a frontier that reports each node it builds fills every proof.
  struct Slot {
    size_t proof, position;
  };
  std::map<std::pair<uint64_t, uint64_t>, std::vector<Slot>> complete;  // [begin, end) -> where it goes
  std::map<uint64_t, std::vector<Slot>> right_edge;                      // begin of [begin, size) -> where
  std::vector<std::vector<Sha256>> proofs(indices.size());
  for (size_t p = 0; p < indices.size(); ++p) {
    const uint64_t index = indices[p];
    if (index >= size) {
      return Status::InvalidArgument("no inclusion proof of leaf " + std::to_string(index) + " in a tree of " +
                                     std::to_string(size) + " leaves: the index must be below the size");
    }
    std::vector<std::pair<uint64_t, uint64_t>> siblings;  // from the top, as in InclusionProof
    uint64_t lo = 0, hi = size;
    while (hi - lo > 1) {
      const uint64_t mid = lo + SplitPoint(hi - lo);
      if (index < mid) {
        siblings.emplace_back(mid, hi);
        hi = mid;
      } else {
        siblings.emplace_back(lo, mid);
        lo = mid;
      }
    }
    proofs[p].resize(siblings.size());
    for (size_t i = 0; i < siblings.size(); ++i) {
      const auto [begin, end] = siblings[i];
      const Slot slot{p, siblings.size() - 1 - i};
      const uint64_t width = end - begin;
      if (std::has_single_bit(width) && begin % width == 0) {
        complete[{begin, end}].push_back(slot);
      } else {
        right_edge[begin].push_back(slot);
      }
    }
  }
  auto fill = [&proofs](const std::vector<Slot>& slots, const Sha256& hash) {
    for (const Slot& slot : slots) proofs[slot.proof][slot.position] = hash;
  };
  // The frontier of MerkleFrontier::Append, with each subtree's first leaf kept beside its root.
  std::vector<std::pair<uint64_t, Sha256>> subtrees;
  for (uint64_t i = 0; i < size; ++i) {
    Result<Sha256> leaf = leaf_hash(i);
    if (!leaf.ok()) return leaf.status();
    std::pair<uint64_t, Sha256> node{i, *leaf};
    for (uint64_t carry = i;; carry >>= 1) {
      if (auto wanted = complete.find({node.first, i + 1}); wanted != complete.end()) fill(wanted->second, node.second);
      if (!(carry & 1)) break;
      node = {subtrees.back().first, NodeHash(subtrees.back().second, node.second)};
      subtrees.pop_back();
    }
    subtrees.push_back(node);
  }
  Sha256 folded{};
  for (auto it = subtrees.rbegin(); it != subtrees.rend(); ++it) {
    folded = it == subtrees.rbegin() ? it->second : NodeHash(it->second, folded);
    if (auto wanted = right_edge.find(it->first); wanted != right_edge.end()) fill(wanted->second, folded);
  }
  return proofs;
}

Result<std::vector<Sha256>> ConsistencyProof(uint64_t old_size, uint64_t new_size, const LeafHashSource& leaf_hash) {
  if (old_size > new_size) {
    return Status::InvalidArgument("no consistency proof from a tree of " + std::to_string(old_size) +
                                   " leaves to a smaller one of " + std::to_string(new_size));
  }
  if (old_size == new_size) return std::vector<Sha256>{};
  if (old_size == 0) {
    return Status::InvalidArgument("no consistency proof from the empty tree (RFC 9162 defines none: every "
                                   "tree extends it)");
  }
  // SUBPROOF(m, D[lo:hi], whole) walked from the top. `whole` says D[lo:hi] starts where the old
  // tree does, so when it ends where the old tree ends, the verifier has its root already.
  std::vector<Subtree> nodes;
  uint64_t lo = 0, hi = new_size;
  bool whole = true;
  while (old_size != hi) {
    const uint64_t mid = lo + SplitPoint(hi - lo);
    if (old_size <= mid) {
      nodes.push_back({mid, hi, 0});
      hi = mid;
    } else {
      nodes.push_back({lo, mid, 0});
      lo = mid;
      whole = false;
    }
  }
  if (!whole) nodes.push_back({lo, hi, 0});
  // The RFC appends on the way back up, so the deepest node comes first.
  for (size_t i = 0; i < nodes.size(); ++i) nodes[i].slot = nodes.size() - 1 - i;
  std::vector<Sha256> proof(nodes.size());
  if (Status st = FillSubtreeRoots(std::move(nodes), leaf_hash, proof); !st.ok()) return st;
  return proof;
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Sha256& leaf_hash, const std::vector<Sha256>& proof,
                       const Sha256& root) {
  const std::string what =
      "the inclusion proof of leaf " + std::to_string(index) + " in a tree of " + std::to_string(size);
  if (index >= size) return Status::Corruption(what + ": the index is not below the size");
  const uint64_t needed = InclusionProofLength(index, size);
  if (proof.size() != needed) {
    return Status::Corruption("inclusion proof has " + std::to_string(proof.size()) + " hashes, a tree of " +
                              std::to_string(size) + " needs " + std::to_string(needed) + " for index " +
                              std::to_string(index));
  }
  // RFC 9162 §2.1.3.2, step for step: fn walks the leaf's path, sn the last leaf's. The length check
  // above guarantees sn reaches 0 exactly with the last hash.
  uint64_t fn = index, sn = size - 1;
  Sha256 r = leaf_hash;
  for (const Sha256& p : proof) {
    assert(sn != 0);
    if ((fn & 1) || fn == sn) {
      r = NodeHash(p, r);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  assert(sn == 0);
  if (r != root) return Status::Corruption(RootMismatch(what, r, root));
  return Status::Ok();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Sha256& old_root, const Sha256& new_root,
                         const std::vector<Sha256>& proof) {
  const std::string what =
      "the consistency proof from a tree of " + std::to_string(old_size) + " to one of " + std::to_string(new_size);
  if (old_size > new_size) return Status::Corruption(what + ": the old tree is larger than the new");
  if (old_size == 0 && new_size != 0) {
    return Status::Corruption(what + ": there is no proof from the empty tree (RFC 9162 defines none)");
  }
  const uint64_t needed = old_size == new_size ? 0 : ConsistencyProofLength(old_size, new_size);
  if (proof.size() != needed) {
    return Status::Corruption("consistency proof has " + std::to_string(proof.size()) +
                              " hashes, going from a tree of " + std::to_string(old_size) + " to one of " +
                              std::to_string(new_size) + " needs " + std::to_string(needed));
  }
  if (old_size == new_size) {
    if (old_root != new_root) {
      return Status::Corruption("root mismatch: two trees of " + std::to_string(old_size) + " leaves, roots " +
                                ToHex(old_root) + " and " + ToHex(new_root));
    }
    if (old_size == 0 && old_root != EmptyTreeRoot()) {
      return Status::Corruption("root mismatch: the empty tree's root is " + ToHex(EmptyTreeRoot()) + ", not " +
                                ToHex(old_root));
    }
    return Status::Ok();
  }
  // RFC 9162 §2.1.4.2, step for step. When old_size is a power of two the proof omits the old root
  // and the verifier starts from it (step 2). The length check guarantees sn reaches 0 exactly
  // with the last hash.
  const bool starts_at_old_root = std::has_single_bit(old_size);
  uint64_t fn = old_size - 1, sn = new_size - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Sha256 fr = starts_at_old_root ? old_root : proof[0];
  Sha256 sr = fr;
  for (size_t i = starts_at_old_root ? 0 : 1; i < proof.size(); ++i) {
    const Sha256& c = proof[i];
    assert(sn != 0);
    if ((fn & 1) || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while (!(fn & 1) && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  assert(sn == 0);
  if (fr != old_root) return Status::Corruption("old " + RootMismatch(what, fr, old_root));
  if (sr != new_root) return Status::Corruption("new " + RootMismatch(what, sr, new_root));
  return Status::Ok();
}

}  // namespace capture
