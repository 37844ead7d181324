#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/checkpoint.h"
#include "common/identity.h"
#include "common/merkle.h"
#include "common/sha256.h"

namespace capture {
namespace {

// The tree as RFC 9162 §2.1.1 defines it, recursively and straight from the text: MTH over
// D[lo:hi], built on ComputeSha256 alone so that it shares no code with the library under test.
size_t RefSplit(size_t n) {
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Sha256 RefMth(const std::vector<std::string>& d, size_t lo, size_t hi) {
  if (hi == lo) return ComputeSha256("");
  if (hi - lo == 1) return ComputeSha256(std::string(1, '\x00') + d[lo]);
  const size_t k = RefSplit(hi - lo);
  return ComputeSha256("\x01" + AsBytes(RefMth(d, lo, lo + k)) + AsBytes(RefMth(d, lo + k, hi)));
}

// A proof hash and what the verifier does with it. Two claims whose proofs have the same roles are
// checked by the same hash computations, so a proof for one also verifies for the other.
enum class Role { kLeftSibling, kRightSibling, kOldSubtree };
using RefProof = std::vector<std::pair<Sha256, Role>>;

// RFC 9162 §2.1.3.1 PATH(m, D[lo:hi]).
RefProof RefPath(const std::vector<std::string>& d, size_t m, size_t lo, size_t hi) {
  if (hi - lo == 1) return {};
  const size_t k = RefSplit(hi - lo);
  RefProof path;
  if (m - lo < k) {
    path = RefPath(d, m, lo, lo + k);
    path.push_back({RefMth(d, lo + k, hi), Role::kRightSibling});
  } else {
    path = RefPath(d, m, lo + k, hi);
    path.push_back({RefMth(d, lo, lo + k), Role::kLeftSibling});
  }
  return path;
}

// RFC 9162 §2.1.4.1 SUBPROOF(m, D[lo:hi], b).
RefProof RefSubproof(const std::vector<std::string>& d, size_t m, size_t lo, size_t hi, bool b) {
  if (m - lo == hi - lo) {
    if (b) return {};
    return {{RefMth(d, lo, hi), Role::kOldSubtree}};
  }
  const size_t k = RefSplit(hi - lo);
  RefProof proof;
  if (m - lo <= k) {
    proof = RefSubproof(d, m, lo, lo + k, b);
    proof.push_back({RefMth(d, lo + k, hi), Role::kRightSibling});
  } else {
    proof = RefSubproof(d, m, lo + k, hi, false);
    proof.push_back({RefMth(d, lo, lo + k), Role::kLeftSibling});
  }
  return proof;
}

std::vector<Sha256> Hashes(const RefProof& proof) {
  std::vector<Sha256> out;
  for (const auto& [hash, role] : proof) out.push_back(hash);
  return out;
}

std::vector<Role> Roles(const RefProof& proof) {
  std::vector<Role> out;
  for (const auto& [hash, role] : proof) out.push_back(role);
  return out;
}

std::string Unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  }
  return out;
}

Sha256 H(std::string_view hex) {
  const std::optional<Sha256> h = Sha256FromHex(hex);
  EXPECT_TRUE(h.has_value()) << hex;
  return h.value_or(Sha256{});
}

// Leaves that differ in length and content.
std::vector<std::string> Leaves(size_t n) {
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) out.push_back("leaf " + std::to_string(i) + std::string(i % 7, 'x'));
  return out;
}

// The RFC 6962 test input, used by every CT implementation's tests.
std::vector<std::string> Rfc6962Leaves() {
  std::vector<std::string> out;
  for (const char* hex :
       {"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"}) {
    out.push_back(Unhex(hex));
  }
  return out;
}

LeafHashSource SourceOf(const std::vector<std::string>& leaves) {
  return [&leaves](uint64_t index) -> Result<Sha256> { return LeafHash(leaves.at(index)); };
}

Sha256 FlipBit(Sha256 h, size_t bit) {
  h[bit / 8] ^= static_cast<unsigned char>(1u << (bit % 8));
  return h;
}

// The root of the first n leaves, as the library computes it.
Sha256 FrontierRoot(const std::vector<std::string>& leaves, size_t n) {
  MerkleFrontier frontier;
  for (size_t i = 0; i < n; ++i) frontier.Append(LeafHash(leaves[i]));
  return frontier.Root();
}

// Known answers for Rfc6962Leaves(), confirmed against transparency-dev/merkle's test vectors.
const char* const kEmptyRoot = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const char* const kRfc6962Roots[] = {
    kEmptyRoot,
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

TEST(MerkleHash, LeafAndNodeHashesArePrefixedSha256) {
  EXPECT_EQ(ToHex(LeafHash("")), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(ToHex(LeafHash(std::string(1, '\x00'))),
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7");
  EXPECT_EQ(ToHex(NodeHash(LeafHash(""), LeafHash(std::string(1, '\x00')))),
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
  EXPECT_EQ(LeafHash("abc"), ComputeSha256(std::string(1, '\x00') + "abc"));
}

TEST(MerkleFrontier, EmptyTreeRootIsTheSha256OfTheEmptyString) {
  const MerkleFrontier empty;
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_EQ(ToHex(empty.Root()), kEmptyRoot);
  EXPECT_EQ(ToHex(EmptyTreeRoot()), kEmptyRoot);
}

TEST(MerkleFrontier, RootIsTheRfcTreeHashForEverySizeUpTo200) {
  const std::vector<std::string> leaves = Leaves(200);
  MerkleFrontier frontier;
  for (size_t n = 0; n <= leaves.size(); ++n) {
    ASSERT_EQ(frontier.size(), n);
    ASSERT_EQ(ToHex(frontier.Root()), ToHex(RefMth(leaves, 0, n))) << "size " << n;
    if (n < leaves.size()) frontier.Append(LeafHash(leaves[n]));
  }
}

TEST(MerkleFrontier, RootsOfTheRfc6962TestLeavesAreTheKnownAnswers) {
  const std::vector<std::string> leaves = Rfc6962Leaves();
  MerkleFrontier frontier;
  for (size_t n = 0; n <= leaves.size(); ++n) {
    EXPECT_EQ(ToHex(frontier.Root()), kRfc6962Roots[n]) << "size " << n;
    EXPECT_EQ(ToHex(RefMth(leaves, 0, n)), kRfc6962Roots[n]) << "size " << n;
    if (n < leaves.size()) frontier.Append(LeafHash(leaves[n]));
  }
}

TEST(MerkleFrontier, ACopyGrowsIndependentlyOfItsOriginal) {
  const std::vector<std::string> leaves = Leaves(40);
  MerkleFrontier original;
  for (size_t i = 0; i < 21; ++i) original.Append(LeafHash(leaves[i]));
  MerkleFrontier copy = original;
  for (size_t i = 21; i < 40; ++i) copy.Append(LeafHash(leaves[i]));
  EXPECT_EQ(original.size(), 21u);
  EXPECT_EQ(original.Root(), RefMth(leaves, 0, 21));
  EXPECT_EQ(copy.size(), 40u);
  EXPECT_EQ(copy.Root(), RefMth(leaves, 0, 40));
}

TEST(MerkleProof, InclusionProofsOfTheRfc6962TestLeavesAreTheKnownAnswers) {
  const std::vector<std::string> leaves = Rfc6962Leaves();
  const struct {
    uint64_t index, size;
    std::vector<const char*> proof;
  } cases[] = {
      {0, 1, {}},
      {0, 8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5, 8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1, 5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const auto& c : cases) {
    std::vector<Sha256> want;
    for (const char* hex : c.proof) want.push_back(H(hex));
    auto proof = InclusionProof(c.index, c.size, SourceOf(leaves));
    ASSERT_TRUE(proof.ok()) << proof.status().message();
    EXPECT_EQ(*proof, want) << "leaf " << c.index << " of " << c.size;
    EXPECT_TRUE(VerifyInclusion(c.index, c.size, LeafHash(leaves[c.index]), want, H(kRfc6962Roots[c.size])).ok());
  }
}

TEST(MerkleProof, ConsistencyProofsOfTheRfc6962TestLeavesAreTheKnownAnswers) {
  const std::vector<std::string> leaves = Rfc6962Leaves();
  const struct {
    uint64_t old_size, new_size;
    std::vector<const char*> proof;
  } cases[] = {
      {1, 1, {}},
      {1, 8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6, 8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
      {6, 7,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
  };
  for (const auto& c : cases) {
    std::vector<Sha256> want;
    for (const char* hex : c.proof) want.push_back(H(hex));
    auto proof = ConsistencyProof(c.old_size, c.new_size, SourceOf(leaves));
    ASSERT_TRUE(proof.ok()) << proof.status().message();
    EXPECT_EQ(*proof, want) << c.old_size << " to " << c.new_size;
    const Status st =
        VerifyConsistency(c.old_size, c.new_size, H(kRfc6962Roots[c.old_size]), H(kRfc6962Roots[c.new_size]), want);
    EXPECT_TRUE(st.ok()) << st.message();
  }
}

TEST(MerkleProof, InclusionProofOfEveryLeafVerifiesForEveryTreeUpTo64Leaves) {
  const std::vector<std::string> leaves = Leaves(64);
  for (size_t size = 1; size <= leaves.size(); ++size) {
    const Sha256 root = RefMth(leaves, 0, size);
    ASSERT_EQ(FrontierRoot(leaves, size), root);
    for (size_t index = 0; index < size; ++index) {
      auto proof = InclusionProof(index, size, SourceOf(leaves));
      ASSERT_TRUE(proof.ok()) << proof.status().message();
      ASSERT_EQ(*proof, Hashes(RefPath(leaves, index, 0, size))) << "leaf " << index << " of " << size;
      const Status st = VerifyInclusion(index, size, LeafHash(leaves[index]), *proof, root);
      ASSERT_TRUE(st.ok()) << "leaf " << index << " of " << size << ": " << st.message();
    }
  }
}

TEST(MerkleProof, ConsistencyProofOfEveryPairVerifiesForEveryTreeUpTo64Leaves) {
  const std::vector<std::string> leaves = Leaves(64);
  for (size_t new_size = 1; new_size <= leaves.size(); ++new_size) {
    const Sha256 new_root = RefMth(leaves, 0, new_size);
    for (size_t old_size = 1; old_size <= new_size; ++old_size) {
      auto proof = ConsistencyProof(old_size, new_size, SourceOf(leaves));
      ASSERT_TRUE(proof.ok()) << proof.status().message();
      ASSERT_EQ(*proof, Hashes(RefSubproof(leaves, old_size, 0, new_size, true))) << old_size << " to " << new_size;
      const Status st = VerifyConsistency(old_size, new_size, RefMth(leaves, 0, old_size), new_root, *proof);
      ASSERT_TRUE(st.ok()) << old_size << " to " << new_size << ": " << st.message();
    }
  }
}

TEST(MerkleProof, EveryBitFlipInAnInclusionProofItsLeafOrItsRootIsRejected) {
  const std::vector<std::string> leaves = Leaves(33);
  for (size_t size = 1; size <= leaves.size(); ++size) {
    const Sha256 root = RefMth(leaves, 0, size);
    for (size_t index = 0; index < size; ++index) {
      const std::vector<Sha256> proof = Hashes(RefPath(leaves, index, 0, size));
      const Sha256 leaf = LeafHash(leaves[index]);
      for (size_t bit = 0; bit < 256; ++bit) {
        ASSERT_FALSE(VerifyInclusion(index, size, FlipBit(leaf, bit), proof, root).ok());
        ASSERT_FALSE(VerifyInclusion(index, size, leaf, proof, FlipBit(root, bit)).ok());
        for (size_t i = 0; i < proof.size(); ++i) {
          std::vector<Sha256> bad = proof;
          bad[i] = FlipBit(bad[i], bit);
          ASSERT_FALSE(VerifyInclusion(index, size, leaf, bad, root).ok())
              << "leaf " << index << " of " << size << ", hash " << i << " bit " << bit;
        }
      }
    }
  }
}

TEST(MerkleProof, EveryBitFlipInAConsistencyProofOrEitherRootIsRejected) {
  const std::vector<std::string> leaves = Leaves(33);
  for (size_t new_size = 1; new_size <= leaves.size(); ++new_size) {
    const Sha256 new_root = RefMth(leaves, 0, new_size);
    for (size_t old_size = 1; old_size <= new_size; ++old_size) {
      const Sha256 old_root = RefMth(leaves, 0, old_size);
      const std::vector<Sha256> proof = Hashes(RefSubproof(leaves, old_size, 0, new_size, true));
      for (size_t bit = 0; bit < 256; ++bit) {
        ASSERT_FALSE(VerifyConsistency(old_size, new_size, FlipBit(old_root, bit), new_root, proof).ok());
        ASSERT_FALSE(VerifyConsistency(old_size, new_size, old_root, FlipBit(new_root, bit), proof).ok());
        for (size_t i = 0; i < proof.size(); ++i) {
          std::vector<Sha256> bad = proof;
          bad[i] = FlipBit(bad[i], bit);
          ASSERT_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, bad).ok())
              << old_size << " to " << new_size << ", hash " << i << " bit " << bit;
        }
      }
    }
  }
}

TEST(MerkleProof, AnInclusionProofWithAHashDroppedOrAddedIsRejected) {
  const std::vector<std::string> leaves = Leaves(64);
  for (size_t size = 1; size <= leaves.size(); ++size) {
    const Sha256 root = RefMth(leaves, 0, size);
    for (size_t index = 0; index < size; ++index) {
      const std::vector<Sha256> proof = Hashes(RefPath(leaves, index, 0, size));
      const Sha256 leaf = LeafHash(leaves[index]);
      for (size_t i = 0; i <= proof.size(); ++i) {
        std::vector<Sha256> longer = proof;
        longer.insert(longer.begin() + static_cast<std::ptrdiff_t>(i), i < proof.size() ? proof[i] : root);
        ASSERT_FALSE(VerifyInclusion(index, size, leaf, longer, root).ok());
        if (i == proof.size()) continue;
        std::vector<Sha256> shorter = proof;
        shorter.erase(shorter.begin() + static_cast<std::ptrdiff_t>(i));
        ASSERT_FALSE(VerifyInclusion(index, size, leaf, shorter, root).ok());
      }
    }
  }
}

TEST(MerkleProof, AConsistencyProofWithAHashDroppedOrAddedIsRejected) {
  const std::vector<std::string> leaves = Leaves(64);
  for (size_t new_size = 1; new_size <= leaves.size(); ++new_size) {
    const Sha256 new_root = RefMth(leaves, 0, new_size);
    for (size_t old_size = 1; old_size <= new_size; ++old_size) {
      const Sha256 old_root = RefMth(leaves, 0, old_size);
      const std::vector<Sha256> proof = Hashes(RefSubproof(leaves, old_size, 0, new_size, true));
      for (size_t i = 0; i <= proof.size(); ++i) {
        std::vector<Sha256> longer = proof;
        longer.insert(longer.begin() + static_cast<std::ptrdiff_t>(i), i < proof.size() ? proof[i] : old_root);
        ASSERT_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, longer).ok());
        if (i == proof.size()) continue;
        std::vector<Sha256> shorter = proof;
        shorter.erase(shorter.begin() + static_cast<std::ptrdiff_t>(i));
        ASSERT_FALSE(VerifyConsistency(old_size, new_size, old_root, new_root, shorter).ok());
      }
    }
  }
}

TEST(MerkleProof, AnInclusionProofDoesNotVerifyForAnyOtherIndex) {
  const std::vector<std::string> leaves = Leaves(64);
  for (size_t size = 1; size <= leaves.size(); ++size) {
    const Sha256 root = RefMth(leaves, 0, size);
    for (size_t index = 0; index < size; ++index) {
      const std::vector<Sha256> proof = Hashes(RefPath(leaves, index, 0, size));
      for (size_t other = 0; other <= size + 1; ++other) {
        if (other == index) continue;
        ASSERT_FALSE(VerifyInclusion(other, size, LeafHash(leaves[index]), proof, root).ok())
            << "leaf " << index << " of " << size << " claimed as leaf " << other;
      }
    }
  }
}

// The size is bound by the signed checkpoint, not by the proof: verification recomputes the root
// from the proof's hashes, so a size whose path combines them the same way accepts the same proof.
TEST(MerkleProof, AnInclusionProofVerifiesForAnotherSizeOnlyWhenItsPathHasTheSameShape) {
  constexpr size_t kMaxSize = 70;
  const std::vector<std::string> leaves = Leaves(kMaxSize);
  // shapes[size][index]: the roles of PATH(index, D[0:size]).
  std::vector<std::vector<std::vector<Role>>> shapes(kMaxSize + 1);
  for (size_t size = 1; size <= kMaxSize; ++size) {
    for (size_t index = 0; index < size; ++index) shapes[size].push_back(Roles(RefPath(leaves, index, 0, size)));
  }
  for (size_t size = 1; size <= 64; ++size) {
    const Sha256 root = RefMth(leaves, 0, size);
    for (size_t index = 0; index < size; ++index) {
      const std::vector<Sha256> proof = Hashes(RefPath(leaves, index, 0, size));
      for (size_t other = 0; other <= kMaxSize; ++other) {
        if (other == size) continue;
        const bool same_shape = index < other && shapes[other][index] == shapes[size][index];
        ASSERT_EQ(VerifyInclusion(index, other, LeafHash(leaves[index]), proof, root).ok(), same_shape)
            << "leaf " << index << " of " << size << " claimed in a tree of " << other;
      }
    }
  }
}

TEST(MerkleProof, AConsistencyProofVerifiesForOtherSizesOnlyWhenItHasTheSameShape) {
  constexpr size_t kMaxSize = 70;
  const std::vector<std::string> leaves = Leaves(kMaxSize);
  // shapes[new_size][old_size]: the roles of PROOF(old_size, D[0:new_size]), for 0 < old_size < new_size.
  std::vector<std::vector<std::vector<Role>>> shapes(kMaxSize + 1, std::vector<std::vector<Role>>(kMaxSize + 1));
  for (size_t n = 2; n <= kMaxSize; ++n) {
    for (size_t m = 1; m < n; ++m) shapes[n][m] = Roles(RefSubproof(leaves, m, 0, n, true));
  }
  auto same_shape = [&](size_t m, size_t n, size_t m2, size_t n2) {
    return 0 < m2 && m2 < n2 && shapes[n2][m2] == shapes[n][m];
  };
  for (size_t new_size = 2; new_size <= 64; ++new_size) {
    const Sha256 new_root = RefMth(leaves, 0, new_size);
    for (size_t old_size = 1; old_size < new_size; ++old_size) {
      const Sha256 old_root = RefMth(leaves, 0, old_size);
      const std::vector<Sha256> proof = Hashes(RefSubproof(leaves, old_size, 0, new_size, true));
      for (size_t other = 0; other <= new_size + 1; ++other) {
        if (other == old_size) continue;
        ASSERT_EQ(VerifyConsistency(other, new_size, old_root, new_root, proof).ok(),
                  same_shape(old_size, new_size, other, new_size))
            << old_size << " to " << new_size << " claimed from " << other;
      }
      for (size_t other = 0; other <= kMaxSize; ++other) {
        if (other == new_size) continue;
        ASSERT_EQ(VerifyConsistency(old_size, other, old_root, new_root, proof).ok(),
                  same_shape(old_size, new_size, old_size, other))
            << old_size << " to " << new_size << " claimed to " << other;
      }
    }
  }
}

TEST(MerkleProof, AnIndexAtOrBeyondTheSizeIsRejected) {
  const std::vector<std::string> leaves = Leaves(8);
  for (const auto& [index, size] : {std::pair<uint64_t, uint64_t>{0, 0}, {8, 8}, {9, 8}}) {
    auto proof = InclusionProof(index, size, SourceOf(leaves));
    ASSERT_FALSE(proof.ok());
    EXPECT_EQ(proof.status().code(), Status::Code::kInvalidArgument);
    const Status st = VerifyInclusion(index, size, LeafHash(leaves[0]), {}, RefMth(leaves, 0, size));
    EXPECT_EQ(st.code(), Status::Code::kCorruption);
    EXPECT_NE(st.message().find("the index is not below the size"), std::string::npos) << st.message();
  }
}

TEST(MerkleProof, EqualSizesNeedAnEmptyProofAndEqualRoots) {
  const std::vector<std::string> leaves = Leaves(8);
  const Sha256 root = RefMth(leaves, 0, 5);
  auto proof = ConsistencyProof(5, 5, [](uint64_t) -> Result<Sha256> { return Status::IoError("not to be read"); });
  ASSERT_TRUE(proof.ok()) << proof.status().message();
  EXPECT_TRUE(proof->empty());
  EXPECT_TRUE(VerifyConsistency(5, 5, root, root, {}).ok());
  EXPECT_FALSE(VerifyConsistency(5, 5, root, root, {root}).ok());
  const Status st = VerifyConsistency(5, 5, root, RefMth(leaves, 0, 4), {});
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find("root mismatch: two trees of 5 leaves"), std::string::npos) << st.message();
}

TEST(MerkleProof, TheEmptyTreeIsConsistentOnlyWithItself) {
  const std::vector<std::string> leaves = Leaves(8);
  const Sha256 empty = EmptyTreeRoot();
  auto proof = ConsistencyProof(0, 0, SourceOf(leaves));
  ASSERT_TRUE(proof.ok());
  EXPECT_TRUE(proof->empty());
  EXPECT_TRUE(VerifyConsistency(0, 0, empty, empty, {}).ok());
  const Sha256 other = RefMth(leaves, 0, 1);
  EXPECT_FALSE(VerifyConsistency(0, 0, other, other, {}).ok());
  EXPECT_FALSE(VerifyConsistency(0, 0, empty, empty, {empty}).ok());

  auto from_empty = ConsistencyProof(0, 3, SourceOf(leaves));
  ASSERT_FALSE(from_empty.ok());
  EXPECT_EQ(from_empty.status().code(), Status::Code::kInvalidArgument);
  const Status st = VerifyConsistency(0, 3, empty, RefMth(leaves, 0, 3), {});
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find("no proof from the empty tree"), std::string::npos) << st.message();
}

TEST(MerkleProof, AnOldSizeAboveTheNewIsRejected) {
  const std::vector<std::string> leaves = Leaves(8);
  auto proof = ConsistencyProof(5, 4, SourceOf(leaves));
  ASSERT_FALSE(proof.ok());
  EXPECT_EQ(proof.status().code(), Status::Code::kInvalidArgument);
  const Status st = VerifyConsistency(5, 4, RefMth(leaves, 0, 5), RefMth(leaves, 0, 4), {});
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_NE(st.message().find("the old tree is larger than the new"), std::string::npos) << st.message();
}

TEST(MerkleProof, FailuresSayWhatWasWrong) {
  const std::vector<std::string> leaves = Rfc6962Leaves();
  const std::vector<Sha256> path = Hashes(RefPath(leaves, 5, 0, 8));
  const Sha256 leaf = LeafHash(leaves[5]);
  const Sha256 root = H(kRfc6962Roots[8]);

  const Status short_path = VerifyInclusion(5, 8, leaf, {path[0], path[1]}, root);
  EXPECT_EQ(short_path.message(), "inclusion proof has 2 hashes, a tree of 8 needs 3 for index 5");
  const Status wrong_root = VerifyInclusion(5, 8, leaf, path, H(kRfc6962Roots[7]));
  EXPECT_EQ(wrong_root.message(), "root mismatch: the inclusion proof of leaf 5 in a tree of 8 yields root " +
                                      std::string(kRfc6962Roots[8]) + ", expected " + kRfc6962Roots[7]);

  const std::vector<Sha256> proof = Hashes(RefSubproof(leaves, 6, 0, 8, true));
  const Status long_proof = VerifyConsistency(6, 8, H(kRfc6962Roots[6]), root, {proof[0], proof[1], proof[2], root});
  EXPECT_EQ(long_proof.message(), "consistency proof has 4 hashes, going from a tree of 6 to one of 8 needs 3");
  const Status wrong_old = VerifyConsistency(6, 8, H(kRfc6962Roots[5]), root, proof);
  EXPECT_EQ(wrong_old.message().rfind("old root mismatch: the consistency proof from a tree of 6 to one of 8", 0), 0u)
      << wrong_old.message();
  const Status wrong_new = VerifyConsistency(6, 8, H(kRfc6962Roots[6]), H(kRfc6962Roots[7]), proof);
  EXPECT_EQ(wrong_new.message().rfind("new root mismatch: the consistency proof from a tree of 6 to one of 8", 0), 0u)
      << wrong_new.message();
}

TEST(MerkleProof, ProofsReadEachLeafAtMostOnceInIncreasingOrder) {
  const std::vector<std::string> leaves = Leaves(64);
  for (size_t size = 1; size <= leaves.size(); ++size) {
    for (size_t other = 0; other <= size; ++other) {
      std::vector<uint64_t> reads;
      const LeafHashSource recording = [&](uint64_t index) -> Result<Sha256> {
        reads.push_back(index);
        return LeafHash(leaves.at(index));
      };
      if (other < size) {
        ASSERT_TRUE(InclusionProof(other, size, recording).ok());
        // Every leaf but the proven one, each once, in order.
        std::vector<uint64_t> want;
        for (uint64_t i = 0; i < size; ++i) {
          if (i != other) want.push_back(i);
        }
        ASSERT_EQ(reads, want) << "leaf " << other << " of " << size;
        reads.clear();
      }
      if (other == 0) continue;
      ASSERT_TRUE(ConsistencyProof(other, size, recording).ok());
      for (size_t i = 0; i < reads.size(); ++i) {
        ASSERT_LT(reads[i], size);
        if (i > 0) {
          ASSERT_LT(reads[i - 1], reads[i]) << other << " to " << size;
        }
      }
    }
  }
}

TEST(MerkleProof, ALeafSourceErrorIsPassedOn) {
  const LeafHashSource failing = [](uint64_t index) -> Result<Sha256> {
    if (index == 3) return Status::IoError("leaf 3 unreadable");
    return LeafHash("x");
  };
  auto inclusion = InclusionProof(0, 8, failing);
  ASSERT_FALSE(inclusion.ok());
  EXPECT_EQ(inclusion.status().message(), "leaf 3 unreadable");
  auto consistency = ConsistencyProof(5, 8, failing);
  ASSERT_FALSE(consistency.ok());
  EXPECT_EQ(consistency.status().code(), Status::Code::kIoError);
}

TEST(MerkleProof, ProofsInALargeTreeVerifyAgainstTheFrontierRoot) {
  const uint64_t size = 100'003;
  const LeafHashSource source = [](uint64_t index) -> Result<Sha256> { return LeafHash(std::to_string(index)); };
  MerkleFrontier frontier;
  std::vector<Sha256> roots;  // roots[n] is the root of the first n leaves, for the sizes below
  const std::vector<uint64_t> sizes = {1, 2, 3, 4096, 65'536, 65'537, 99'999, size - 1, size};
  for (uint64_t i = 0; i < size; ++i) {
    frontier.Append(*source(i));
    if (std::find(sizes.begin(), sizes.end(), i + 1) != sizes.end()) roots.push_back(frontier.Root());
  }
  const Sha256 root = frontier.Root();
  for (const uint64_t index : {uint64_t{0}, uint64_t{1}, uint64_t{65'535}, uint64_t{65'536}, size - 2, size - 1}) {
    auto proof = InclusionProof(index, size, source);
    ASSERT_TRUE(proof.ok()) << proof.status().message();
    const Status st = VerifyInclusion(index, size, *source(index), *proof, root);
    EXPECT_TRUE(st.ok()) << "leaf " << index << ": " << st.message();
  }
  for (size_t i = 0; i < sizes.size(); ++i) {
    auto proof = ConsistencyProof(sizes[i], size, source);
    ASSERT_TRUE(proof.ok()) << proof.status().message();
    const Status st = VerifyConsistency(sizes[i], size, roots[i], root, *proof);
    EXPECT_TRUE(st.ok()) << sizes[i] << " to " << size << ": " << st.message();
  }
}

TEST(MerkleProof, InclusionProofsOfManyLeavesInOnePassEqualTheProofsOneAtATime) {
  const std::vector<std::string> leaves = Leaves(64);
  for (size_t size = 1; size <= leaves.size(); ++size) {
    std::vector<uint64_t> indices;
    for (uint64_t i = size; i-- > 0;) indices.push_back(i);  // every leaf, in no particular order
    indices.push_back(size / 2);                             // and one twice
    std::vector<uint64_t> reads;
    const LeafHashSource recording = [&](uint64_t index) -> Result<Sha256> {
      reads.push_back(index);
      return LeafHash(leaves.at(index));
    };
    auto proofs = InclusionProofs(indices, size, recording);
    ASSERT_TRUE(proofs.ok()) << proofs.status().message();
    ASSERT_EQ(proofs->size(), indices.size());
    for (size_t p = 0; p < indices.size(); ++p) {
      ASSERT_EQ((*proofs)[p], Hashes(RefPath(leaves, indices[p], 0, size))) << "leaf " << indices[p] << " of " << size;
    }
    std::vector<uint64_t> every(size);
    for (uint64_t i = 0; i < size; ++i) every[i] = i;
    ASSERT_EQ(reads, every) << "one pass, each leaf once, in order, for a tree of " << size;
  }
}

TEST(MerkleProof, InclusionProofsInALargeTreeEqualTheProofsOneAtATime) {
  const uint64_t size = 100'003;
  const LeafHashSource source = [](uint64_t index) -> Result<Sha256> { return LeafHash(std::to_string(index)); };
  const std::vector<uint64_t> indices = {0, 1, 4095, 4096, 65'535, 65'536, 99'999, size - 2, size - 1};
  auto proofs = InclusionProofs(indices, size, source);
  ASSERT_TRUE(proofs.ok()) << proofs.status().message();
  for (size_t p = 0; p < indices.size(); ++p) {
    auto one = InclusionProof(indices[p], size, source);
    ASSERT_TRUE(one.ok()) << one.status().message();
    EXPECT_EQ((*proofs)[p], *one) << "leaf " << indices[p];
  }
}

TEST(MerkleProof, InclusionProofsRefuseAnIndexAtOrBeyondTheSizeBeforeReadingALeaf) {
  bool read = false;
  const LeafHashSource source = [&](uint64_t) -> Result<Sha256> {
    read = true;
    return LeafHash("x");
  };
  auto proofs = InclusionProofs({1, 8}, 8, source);
  ASSERT_FALSE(proofs.ok());
  EXPECT_EQ(proofs.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(proofs.status().message().find("leaf 8 in a tree of 8"), std::string::npos) << proofs.status().message();
  EXPECT_FALSE(read);
  auto none = InclusionProofs({}, 0, source);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// The key of the documented example: Ed25519 from the seed 00 01 02 ... 1f.
Ed25519SecretKey ExampleKey() {
  unsigned char seed[crypto_sign_SEEDBYTES];
  for (size_t i = 0; i < sizeof seed; ++i) seed[i] = static_cast<unsigned char>(i);
  Ed25519PublicKey public_key;
  Ed25519SecretKey secret_key;
  EXPECT_EQ(crypto_sign_seed_keypair(public_key.data(), secret_key.data(), seed), 0);
  return secret_key;
}

Ed25519SecretKey RandomKey() {
  Ed25519PublicKey public_key;
  Ed25519SecretKey secret_key;
  EXPECT_EQ(crypto_sign_keypair(public_key.data(), secret_key.data()), 0);
  return secret_key;
}

MicrosSinceEpoch ExampleTime() {
  auto t = ParseIso8601("2024-04-22T08:30:05.123456Z");
  EXPECT_TRUE(t.ok());
  return t.ok() ? *t : 0;
}

// The example of docs/record-proofs.md: the 8-leaf RFC 6962 tree, signed with ExampleKey(). The
// same signature comes from Python's `cryptography` (Ed25519PrivateKey.sign of the documented bytes).
const char* const kExampleLine =
    "checkpoint size=8 root=5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328 "
    "time=2024-04-22T08:30:05.123456Z key=03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8 "
    "sig=d5ba524bfd98ee2168503355fb8df4aa70d984fdab1c3707102f1034f146a549"
    "c5daddd4b0ea55e6b90869761e0a0512c562316fffcba2263b32e211bd190f00";

TEST(Checkpoint, SignedBytesAreTheVersionTagThenSizeRootAndTimeBigEndian) {
  const Sha256 root = H(kRfc6962Roots[8]);
  EXPECT_EQ(
      ToHex(CheckpointSignedBytes(0x0102030405060708, root, ExampleTime())),
      ToHex(std::string_view("capture-checkpoint-v1\n")) + "0102030405060708" + kRfc6962Roots[8] + "000616ab3e903f80");
  // A time before 1970 is negative, in two's complement.
  EXPECT_EQ(ToHex(CheckpointSignedBytes(8, root, -2)).substr(2 * 62), "fffffffffffffffe");
  EXPECT_EQ(CheckpointSignedBytes(8, root, 0).size(), 70u);
}

TEST(Checkpoint, TheDocumentedExampleLineIsWhatSigningGives) {
  const Checkpoint checkpoint = SignCheckpoint(8, H(kRfc6962Roots[8]), ExampleTime(), ExampleKey());
  EXPECT_EQ(FormatCheckpoint(checkpoint), kExampleLine);
  EXPECT_TRUE(VerifyCheckpointSignature(checkpoint).ok());
}

TEST(Checkpoint, FormatsAndParsesBackTheSameCheckpoint) {
  const Checkpoint checkpoint = SignCheckpoint(36'000'001, FrontierRoot(Leaves(5), 5), ExampleTime(), RandomKey());
  const std::string line = FormatCheckpoint(checkpoint);
  for (const std::string& text : {line, line + "\n"}) {
    auto parsed = ParseCheckpoint(text);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    EXPECT_EQ(*parsed, checkpoint);
    EXPECT_TRUE(VerifyCheckpointSignature(*parsed, checkpoint.key).ok());
  }
  const Checkpoint empty_tree = SignCheckpoint(0, EmptyTreeRoot(), -1, RandomKey());
  auto parsed = ParseCheckpoint(FormatCheckpoint(empty_tree));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(*parsed, empty_tree);
  EXPECT_EQ(FormatCheckpoint(SignCheckpoint(UINT64_MAX, EmptyTreeRoot(), 0, RandomKey())).substr(0, 37),
            "checkpoint size=18446744073709551615 ");
}

TEST(Checkpoint, SigningWithAnIdentityGivesTheSignatureOfItsSecretKey) {
  const Identity identity = Identity::Generate();
  const Checkpoint signed_by_identity = SignCheckpoint(8, H(kRfc6962Roots[8]), ExampleTime(), identity);
  EXPECT_EQ(signed_by_identity.key, identity.public_key());
  EXPECT_TRUE(VerifyCheckpointSignature(signed_by_identity, identity.public_key()).ok());
  Checkpoint other_root = signed_by_identity;
  other_root.root = H(kRfc6962Roots[7]);
  EXPECT_FALSE(VerifyCheckpointSignature(other_root).ok());
}

TEST(Checkpoint, AnyChangedFieldOrSignatureBitFailsVerification) {
  const Checkpoint good = SignCheckpoint(8, H(kRfc6962Roots[8]), ExampleTime(), ExampleKey());
  ASSERT_TRUE(VerifyCheckpointSignature(good).ok());
  std::vector<Checkpoint> changed;
  for (const uint64_t size : {uint64_t{7}, uint64_t{9}, uint64_t{8} | uint64_t{1} << 63}) {
    changed.push_back(good);
    changed.back().size = size;
  }
  for (const MicrosSinceEpoch time : {good.time_us - 1, good.time_us + 1, -good.time_us}) {
    changed.push_back(good);
    changed.back().time_us = time;
  }
  for (size_t bit = 0; bit < 256; ++bit) {
    changed.push_back(good);
    changed.back().root = FlipBit(good.root, bit);
  }
  for (size_t bit = 0; bit < 8 * good.sig.size(); ++bit) {
    changed.push_back(good);
    changed.back().sig[bit / 8] ^= static_cast<unsigned char>(1u << (bit % 8));
  }
  changed.push_back(good);
  changed.back().key = SignCheckpoint(8, good.root, good.time_us, RandomKey()).key;
  for (const Checkpoint& checkpoint : changed) {
    const Status st = VerifyCheckpointSignature(checkpoint);
    ASSERT_EQ(st.code(), Status::Code::kCorruption) << FormatCheckpoint(checkpoint);
    ASSERT_NE(st.message().find("the signature does not verify under key " + KeyHex(checkpoint.key)),
              std::string::npos)
        << st.message();
  }
}

TEST(Checkpoint, ACheckpointSignedByAnotherKeyFailsNamingBothKeys) {
  const Checkpoint expected = SignCheckpoint(8, H(kRfc6962Roots[8]), ExampleTime(), ExampleKey());
  const Checkpoint impostor = SignCheckpoint(8, H(kRfc6962Roots[8]), ExampleTime(), RandomKey());
  ASSERT_TRUE(VerifyCheckpointSignature(impostor).ok());  // a good signature, by the wrong signer
  EXPECT_TRUE(VerifyCheckpointSignature(expected, expected.key).ok());
  const Status st = VerifyCheckpointSignature(impostor, expected.key);
  EXPECT_EQ(st.code(), Status::Code::kCorruption);
  EXPECT_EQ(st.message(), "checkpoint signed by key " + KeyHex(impostor.key) + ", expected " + KeyHex(expected.key));
}

TEST(Checkpoint, MalformedLinesAreRejectedNamingTheField) {
  const std::string good = FormatCheckpoint(SignCheckpoint(8, H(kRfc6962Roots[8]), ExampleTime(), ExampleKey()));
  auto replace = [&](std::string_view from, std::string_view to) {
    std::string line = good;
    const size_t at = line.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return line.replace(at, from.size(), to);
  };
  const std::string root = kRfc6962Roots[8];
  const std::string key = "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8";
  std::string upper_key = key;
  for (char& c : upper_key) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string sig = good.substr(good.find("sig=") + 4);
  const struct {
    std::string line, message;
  } cases[] = {
      {"", "not a checkpoint line: it starts with '', not 'checkpoint '"},
      {"Checkpoint" + good.substr(10), "not a checkpoint line: it starts with 'Checkpoint', not 'checkpoint '"},
      {good.substr(0, good.find(" sig=")), "checkpoint line: sig= is missing"},
      {good.substr(0, good.find(" time=")), "checkpoint line: time= is missing"},
      {replace(" time=", " tim="),
       "checkpoint line: expected time= after root=, found 'tim=2024-04-22T08:30:05.123456Z'"},
      {replace(" root=" + root + " time=2024-04-22T08:30:05.123456Z", " time=2024-04-22T08:30:05.123456Z root=" + root),
       "checkpoint line: expected root= after size=, found 'time=2024-04-22T08:30:05.123456Z'"},
      {replace("checkpoint size=8", "checkpoint  size=8"),
       "checkpoint line: expected size= after 'checkpoint', found ''"},
      {good + " note=x", "checkpoint line: nothing may follow sig=, found 'note=x'"},
      {good + " ", "checkpoint line: nothing may follow sig=, found ''"},
      {good + "\n\n", "checkpoint line: sig= must be 128 lowercase hex digits, not 129"},
      {good + "\r\n", "checkpoint line: sig= must be 128 lowercase hex digits, not 129"},
      {replace(key, key.substr(0, 63) + "\n"),
       "checkpoint line: key= has '\\x0a' at digit 64: only lowercase hex digits (0-9, a-f)"},
      {replace("size=8", "size="), "checkpoint line: size= is empty"},
      {replace("size=8", "size=08"), "checkpoint line: size= has a leading zero: '08'"},
      {replace("size=8", "size=-8"), "checkpoint line: size= must be a decimal number, not '-8'"},
      {replace("size=8", "size=0x8"), "checkpoint line: size= must be a decimal number, not '0x8'"},
      {replace("size=8", "size=18446744073709551616"),
       "checkpoint line: size= is beyond 2^64 - 1: '18446744073709551616'"},
      {replace(root, root.substr(1)), "checkpoint line: root= must be 64 lowercase hex digits, not 63"},
      {replace(root, root + "0"), "checkpoint line: root= must be 64 lowercase hex digits, not 65"},
      {replace(key, upper_key), "checkpoint line: key= has 'A' at digit 3: only lowercase hex digits (0-9, a-f)"},
      {replace(key, key.substr(0, 62)), "checkpoint line: key= must be 64 lowercase hex digits, not 62"},
      {replace(sig, sig.substr(0, 64)), "checkpoint line: sig= must be 128 lowercase hex digits, not 64"},
      {replace(sig, "g" + sig.substr(1)),
       "checkpoint line: sig= has 'g' at digit 1: only lowercase hex digits (0-9, a-f)"},
  };
  for (const auto& c : cases) {
    auto parsed = ParseCheckpoint(c.line);
    ASSERT_FALSE(parsed.ok()) << c.line;
    EXPECT_EQ(parsed.status().code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(parsed.status().message(), c.message) << c.line;
  }
  // Every time that is not exactly what FormatIso8601UtcMicros writes.
  for (const char* time : {"2024-04-22T08:30:05Z", "2024-04-22T08:30:05.123Z", "2024-04-22T08:30:05.1234567Z",
                           "2024-04-22T16:30:05.123456+08:00", "2024-04-22T08:30:05.123456z",
                           "2024-04-22T08:30:60.000000Z", "2024-02-30T08:30:05.123456Z", "yesterday"}) {
    auto parsed = ParseCheckpoint(replace("2024-04-22T08:30:05.123456Z", time));
    ASSERT_FALSE(parsed.ok()) << time;
    EXPECT_EQ(parsed.status().message(),
              "checkpoint line: time= must be UTC to the microsecond, as 2024-04-22T08:30:05.123456Z, not '" +
                  std::string(time) + "'");
  }
}

}  // namespace
}  // namespace capture
