// The station as a witness of the coordinator's record: which signed heads it keeps in its journal.
#include "station-agent/witness.h"

#include <gtest/gtest.h>

#include "common/merkle.h"
#include "test_support.h"
#include "tests/support/assert_ok.h"

namespace capture::agent {
namespace {

const Identity& CoordinatorIdentity() {
  static const Identity identity = Identity::Generate();
  return identity;
}

std::string Head(uint64_t size, const std::string& root_of, int64_t time_us = 1713774605000000,
                 const Identity& identity = CoordinatorIdentity()) {
  return FormatCheckpoint(SignCheckpoint(size, LeafHash(root_of), time_us, identity));
}

std::unique_ptr<Journal> OpenJournal(const std::string& dir) {
  auto journal = Journal::Open(dir, false);
  EXPECT_TRUE(journal.ok()) << journal.status().message();
  return journal.ok() ? std::move(*journal) : nullptr;
}

TEST(Journal, KeepsTheCheckpointLineForAReadOnlyReaderWhileTheAgentRuns) {
  testing::TempDir dir;
  auto journal = OpenJournal(dir.path());
  EXPECT_EQ(journal->Checkpoint().status().code(), Status::Code::kNotFound);
  ASSERT_OK(journal->SaveCheckpoint("checkpoint size=4"));
  ASSERT_OK(journal->SaveCheckpoint("checkpoint size=9"));
  auto reader = Journal::Open(dir.path(), true);
  ASSERT_OK(reader.status());
  auto line = (*reader)->Checkpoint();
  ASSERT_OK(line.status());
  EXPECT_EQ(*line, "checkpoint size=9");
  EXPECT_FALSE((*reader)->SaveCheckpoint("x").ok());
}

TEST(CheckpointWitness, KeepsEachLargerHeadOfThePinnedKeyAcrossRestarts) {
  testing::TempDir dir;
  {
    auto journal = OpenJournal(dir.path());
    auto witness = CheckpointWitness::Open(journal.get(), CoordinatorIdentity().public_key());
    ASSERT_OK(witness.status());
    EXPECT_FALSE(witness->kept().has_value());
    ASSERT_OK(witness->Offer(""));  // a coordinator in plain text signs none
    EXPECT_FALSE(journal->Checkpoint().ok());
    ASSERT_OK(witness->Offer(Head(4, "a")));
    ASSERT_OK(witness->Offer(Head(9, "b")));
    ASSERT_OK(witness->Offer(Head(9, "b", 1713774606000000)));  // the same tree signed again: nothing new
    EXPECT_EQ(*journal->Checkpoint(), Head(9, "b"));
  }
  auto journal = OpenJournal(dir.path());
  auto witness = CheckpointWitness::Open(journal.get(), CoordinatorIdentity().public_key());
  ASSERT_OK(witness.status());
  ASSERT_TRUE(witness->kept().has_value());
  EXPECT_EQ(witness->kept()->size, 9u);
}

TEST(CheckpointWitness, RefusesAHeadOfAnotherKeyOrWithABrokenSignature) {
  testing::TempDir dir;
  auto journal = OpenJournal(dir.path());
  auto witness = CheckpointWitness::Open(journal.get(), CoordinatorIdentity().public_key());
  ASSERT_OK(witness.status());
  const Identity impostor = Identity::Generate();
  const Status other_key = witness->Offer(Head(5, "a", 1713774605000000, impostor));
  EXPECT_EQ(other_key.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(other_key.message().find("expected " + KeyHex(CoordinatorIdentity().public_key())), std::string::npos)
      << other_key.message();
  std::string broken = Head(5, "a");
  broken[broken.size() - 1] = broken.back() == '0' ? '1' : '0';
  EXPECT_NE(witness->Offer(broken).message().find("does not verify"), std::string::npos);
  EXPECT_FALSE(witness->Offer("checkpoint size=5").ok());
  EXPECT_FALSE(journal->Checkpoint().ok()) << "nothing refused is kept";

  // In plain text the agent has no pinned key: any head whose own signature holds is kept.
  auto unpinned = CheckpointWitness::Open(journal.get(), std::nullopt);
  ASSERT_OK(unpinned.status());
  ASSERT_OK(unpinned->Offer(Head(5, "a", 1713774605000000, impostor)));
  EXPECT_FALSE(unpinned->Offer(broken).ok());
}

TEST(CheckpointWitness, RefusesASmallerTreeOrAnotherRootOfTheSameSizeAndKeepsTheEarlierHead) {
  testing::TempDir dir;
  auto journal = OpenJournal(dir.path());
  auto witness = CheckpointWitness::Open(journal.get(), CoordinatorIdentity().public_key());
  ASSERT_OK(witness.status());
  ASSERT_OK(witness->Offer(Head(9, "b")));
  const Status smaller = witness->Offer(Head(8, "a"));
  EXPECT_NE(smaller.message().find("smaller tree"), std::string::npos) << smaller.message();
  const Status rewritten = witness->Offer(Head(9, "c"));
  EXPECT_NE(rewritten.message().find("another root for a tree of the same size"), std::string::npos)
      << rewritten.message();
  EXPECT_EQ(*journal->Checkpoint(), Head(9, "b"));
}

}  // namespace
}  // namespace capture::agent
