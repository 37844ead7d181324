// The record's tree: its leaves (coordinator/proof/record_leaves.h), the tree over a store
// (record_tree.h) and the coordinator's signed heads (tree_heads.h), on real RocksDB stores.
#include <gtest/gtest.h>

#include <rocksdb/db.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/checkpoint.h"
#include "common/identity.h"
#include "common/merkle.h"
#include "coordinator/proof/record_leaves.h"
#include "coordinator/proof/record_tree.h"
#include "coordinator/proof/tree_heads.h"
#include "coordinator/record_store.h"
#include "tests/support/assert_ok.h"
#include "tests/support/raw_store.h"
#include "tests/support/temp_dir.h"

namespace capture::coord {
namespace {

using namespace std::chrono_literals;
using ::capture::testing::TempDir;
using SteadyClock = std::chrono::steady_clock;

StoredJudgeInputs SomeInputs() {
  return {"config bytes", "station,college,class,headcount,start,end\n",
          "student_no,registry_no,college,class,name,masked_name\n1,R1,c,k,\"Li, \"\"Ming\"\"\nJr\",L*\n2,R2,c,k,n,m\n",
          "station,public_key\n"};
}

JudgeInputs AsJudgeInputs(const StoredJudgeInputs& stored) {
  JudgeInputs inputs;
  inputs.schedule_csv = stored.schedule_csv;
  inputs.roster_csv = stored.roster_csv;
  inputs.station_keys_csv = stored.station_keys_csv;
  return inputs;
}

std::vector<std::string> Records(std::string_view csv) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (const auto record = NextCsvRecord(csv, &pos)) out.emplace_back(*record);
  return out;
}

// ---- leaves ----

TEST(RecordLeaves, TheJudgesInputsAreTheFirstFourLeavesEachBehindTheTagOfItsKind) {
  const StoredJudgeInputs inputs = SomeInputs();
  const auto leaves = InputLeaves(inputs);
  const std::string tags[] = {std::string("capture-input-v1\0schedule\0", 26), std::string("capture-input-v1\0roster\0", 24),
                              std::string("capture-input-v1\0config\0", 24),
                              std::string("capture-input-v1\0station-keys\0", 30)};
  for (uint64_t i = 0; i < kInputLeaves; ++i) {
    EXPECT_EQ(leaves[i].substr(0, tags[i].size()), tags[i]) << "leaf " << i;
    auto parsed = ParseInputLeaf(leaves[i]);
    ASSERT_OK(parsed.status());
    EXPECT_EQ(static_cast<uint64_t>(parsed->kind), i);
  }
  EXPECT_EQ(leaves[0], tags[0] + inputs.schedule_csv);
  EXPECT_EQ(leaves[2], tags[2] + inputs.config);
  EXPECT_EQ(leaves[3], tags[3] + inputs.station_keys_csv);
  EXPECT_EQ(InputLeaves(StoredJudgeInputs{})[3], tags[3]) << "no enrolment: the tag alone";
  EXPECT_EQ(ItemLeafIndex(1), 4u);
  EXPECT_FALSE(ParseInputLeaf(ItemLeafBytes("i", "v")).ok());
}

TEST(RecordLeaves, RosterRecordsAreTheFileByteForByteWithAQuotedLineFeedInsideItsRecord) {
  const std::string csv = "\xEF\xBB\xBFh1,h2\n\"a\nb\",\"x\"\"\n\"\r\n\nlast,no line feed";
  const std::vector<std::string> want = {"\xEF\xBB\xBFh1,h2\n", "\"a\nb\",\"x\"\"\n\"\r\n", "\n", "last,no line feed"};
  EXPECT_EQ(Records(csv), want);
  EXPECT_EQ(Records(""), std::vector<std::string>{});
  EXPECT_EQ(Records("a\n"), std::vector<std::string>{"a\n"});
}

TEST(RecordLeaves, TheRosterLeafCommitsToEveryRecordThroughTheRostersOwnTree) {
  StoredJudgeInputs inputs = SomeInputs();
  auto parsed = ParseInputLeaf(InputLeaves(inputs)[1]);
  ASSERT_OK(parsed.status());
  auto commitment = ParseRosterCommitment(parsed->content);
  ASSERT_OK(commitment.status());
  const std::vector<std::string> records = Records(inputs.roster_csv);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(commitment->records, 3u);
  MerkleFrontier tree;
  for (const std::string& record : records) tree.Append(RosterRecordHash(record));
  EXPECT_EQ(commitment->root, tree.Root());
  // Domain separation: a record's leaf is not the leaf of its bytes alone.
  EXPECT_NE(RosterRecordHash(records[1]), LeafHash(records[1]));

  inputs.roster_csv[inputs.roster_csv.size() - 3] ^= 1;
  EXPECT_NE(InputLeaves(inputs)[1], InputLeaves(SomeInputs())[1]);
  EXPECT_FALSE(ParseRosterCommitment(parsed->content.substr(1)).ok());
}

TEST(RecordLeaves, AnItemLeafIsItsTagAndTwoLengthPrefixedPartsAndHashesAsThoseBytes) {
  const std::string item = "item bytes", verdict = std::string("verdict\0bytes", 13);
  const std::string leaf = ItemLeafBytes(item, verdict);
  EXPECT_EQ(leaf, std::string("capture-item-v1\0", 16) + std::string("\0\0\0\0\0\0\0\x0a", 8) + item +
                      std::string("\0\0\0\0\0\0\0\x0d", 8) + verdict);
  EXPECT_EQ(ItemLeafHash(item, verdict), LeafHash(leaf));
  // The lengths keep the border between item and verdict: moving it changes the leaf.
  EXPECT_NE(ItemLeafHash("item bytesv", "erdict"), ItemLeafHash("item bytes", "verdict"));
  auto parsed = ParseItemLeaf(leaf);
  ASSERT_OK(parsed.status());
  EXPECT_EQ(parsed->item, item);
  EXPECT_EQ(parsed->verdict, verdict);
  for (const std::string& bad : {leaf.substr(0, leaf.size() - 1), leaf + "x", leaf.substr(1), std::string("x")}) {
    EXPECT_FALSE(ParseItemLeaf(bad).ok()) << bad;
  }
}

// ---- the tree over a store ----

// Commits `n` observations, each with a verdict naming its commit index.
Status AppendItems(RecordStore& store, int n, const StoredItemSink& sink) {
  RecordStore::Batch batch;
  for (int i = 0; i < n; ++i) {
    wire::Observation observation;
    observation.set_kind(wire::Observation::STATION_SILENT);
    observation.set_station(1);
    observation.set_detail("item " + std::to_string(store.commit_index() + i + 1));
    batch.AddObservation(std::move(observation));
  }
  wire::Verdict verdict;
  const ItemJudge judge = [&](const wire::RecordItem& item, const wire::CaptureEvent*) -> const wire::Verdict& {
    verdict.set_commit_index(item.commit_index());
    return verdict;
  };
  return store.Commit(std::move(batch), 7, judge, sink);
}

// Opens the store's RocksDB as someone editing its files would, and hands over its families.
void EditStore(const std::string& store_dir,
               const std::function<void(rocksdb::DB*, rocksdb::ColumnFamilyHandle* record,
                                        rocksdb::ColumnFamilyHandle* meta)>& edit) {
  ::capture::testing::RawStore raw(store_dir);
  edit(raw.db(), raw.family("record"), raw.family("meta"));
}

// A coordinator's start: its heads opened over the store, the record replayed into them.
Result<std::unique_ptr<TreeHeads>> Restart(const RecordStore& store, std::shared_ptr<const Identity> identity) {
  auto heads = TreeHeads::Open(store, std::move(identity));
  if (!heads.ok()) return heads.status();
  Status replayed = store.ForEachStoredItem([&](const wire::RecordItem&, std::string_view item, std::string_view verdict) {
    (*heads)->Append(item, verdict);
    return true;
  });
  if (!replayed.ok()) return replayed;
  if (Status s = (*heads)->CheckRestored(store.commit_index()); !s.ok()) return s;
  return std::move(*heads);
}

// A store with the inputs and `items` items, each committed with `sink` (if set).
std::unique_ptr<RecordStore> StoreWithItems(const std::string& dir, int items, const StoredItemSink& sink = nullptr) {
  auto store = RecordStore::Open(dir, false);
  EXPECT_TRUE(store.ok()) << store.status().message();
  EXPECT_TRUE((*store)->SaveJudgeInputs(AsJudgeInputs(SomeInputs())).ok());
  for (int i = 0; i < items; ++i) {
    EXPECT_TRUE(AppendItems(**store, 1, sink).ok());
  }
  return std::move(*store);
}

TEST(RecordTree, IsTheMerkleTreeOfTheInputLeavesThenEachItemWithItsVerdictAsStored) {
  TempDir dir;
  auto store = StoreWithItems(dir / "store", 5);
  auto stored = store->ReadStoredJudgeInputs();
  ASSERT_OK(stored.status());
  MerkleFrontier want;
  std::vector<Sha256> roots;
  for (const std::string& leaf : InputLeaves(*stored)) want.Append(LeafHash(leaf));
  roots.push_back(want.Root());
  RecordTree tree(*stored, {4, 9, 6, 6, 2, 100});
  ASSERT_OK(store->ForEachStoredItem([&](const wire::RecordItem&, std::string_view item, std::string_view verdict) {
    want.Append(LeafHash(ItemLeafBytes(item, verdict)));
    roots.push_back(want.Root());
    tree.AppendItem(item, verdict);
    return true;
  }));
  EXPECT_EQ(tree.size(), 9u);
  EXPECT_EQ(tree.Root(), want.Root());
  EXPECT_EQ(tree.RootAt(4), roots[0]);
  EXPECT_EQ(tree.RootAt(6), roots[2]);
  EXPECT_EQ(tree.RootAt(9), roots[5]);
  EXPECT_TRUE(tree.RootAt(2).has_value()) << "a watched size inside the inputs";
  EXPECT_FALSE(tree.RootAt(5).has_value()) << "not watched";
  EXPECT_FALSE(tree.RootAt(100).has_value()) << "not reached";
}

// ---- the coordinator's signed heads ----

// Whether SignIfDue signed; a failure fails the test.
bool Signed(const Result<bool>& signed_head) {
  EXPECT_TRUE(signed_head.ok()) << signed_head.status().message();
  return signed_head.ok() && *signed_head;
}

std::vector<uint64_t> StoredHeadSizes(const RecordStore& store) {
  std::vector<uint64_t> sizes;
  EXPECT_TRUE(store.ForEachCheckpoint([&](uint64_t size, std::string_view) {
    sizes.push_back(size);
    return true;
  }).ok());
  return sizes;
}

TEST(TreeHeads, SignsAHeadWhenTheTreeGrewAtMostOncePerIntervalAndStoresIt) {
  TempDir dir;
  auto store = StoreWithItems(dir / "store", 0);
  const auto identity = std::make_shared<const Identity>(Identity::Generate());
  auto heads = Restart(*store, identity);
  ASSERT_OK(heads.status());
  EXPECT_EQ((*heads)->newest(), "");
  const auto t0 = SteadyClock::now();
  const int64_t now_us = 1713774605123456;
  EXPECT_TRUE(Signed((*heads)->SignIfDue(*store, t0, now_us)));
  auto first = ParseCheckpoint((*heads)->newest());
  ASSERT_OK(first.status());
  EXPECT_EQ(first->size, 4u) << "the inputs alone";
  EXPECT_EQ(first->time_us, now_us);
  EXPECT_OK(VerifyCheckpointSignature(*first, identity->public_key()));

  ASSERT_OK(AppendItems(*store, 2, (*heads)->Sink()));
  EXPECT_FALSE(Signed((*heads)->SignIfDue(*store, t0 + 100ms, now_us + 1)));
  EXPECT_EQ(ParseCheckpoint((*heads)->newest())->size, 4u) << "not due yet";
  EXPECT_TRUE(Signed((*heads)->SignIfDue(*store, t0 + 200ms, now_us + 2)));
  const std::string second = (*heads)->newest();
  EXPECT_EQ(ParseCheckpoint(second)->size, 6u);
  EXPECT_FALSE(Signed((*heads)->SignIfDue(*store, t0 + 10s, now_us + 3)));
  EXPECT_EQ((*heads)->newest(), second) << "the tree did not grow";

  ASSERT_OK(AppendItems(*store, 1, (*heads)->Sink()));
  EXPECT_TRUE(Signed((*heads)->SignIfDue(*store, t0 + 201ms, now_us + 4, /*force=*/true)));
  auto third = ParseCheckpoint((*heads)->newest());
  ASSERT_OK(third.status());
  EXPECT_EQ(third->size, 7u);
  EXPECT_EQ(StoredHeadSizes(*store), (std::vector<uint64_t>{4, 6, 7}));
  EXPECT_EQ(*store->NewestCheckpoint(), (*heads)->newest());

  auto stored = store->ReadStoredJudgeInputs();
  ASSERT_OK(stored.status());
  RecordTree tree(*stored);
  ASSERT_OK(store->ForEachStoredItem([&](const wire::RecordItem&, std::string_view item, std::string_view verdict) {
    tree.AppendItem(item, verdict);
    return true;
  }));
  EXPECT_EQ(third->root, tree.Root()) << "the head's root is the tree recomputed from the store";
}

TEST(TreeHeads, ARestartRebuildsTheTreeFromTheStoreAndGoesOnFromItsNewestHead) {
  TempDir dir;
  const auto identity = std::make_shared<const Identity>(Identity::Generate());
  std::string newest;
  {
    auto store = StoreWithItems(dir / "store", 0);
    auto heads = Restart(*store, identity);
    ASSERT_OK(heads.status());
    ASSERT_OK(AppendItems(*store, 3, (*heads)->Sink()));
    EXPECT_TRUE(Signed((*heads)->SignIfDue(*store, SteadyClock::now(), 1)));
    newest = (*heads)->newest();
    ASSERT_OK(AppendItems(*store, 2, (*heads)->Sink()));  // committed after the last head
  }
  auto store = RecordStore::Open(dir / "store", false);
  ASSERT_OK(store.status());
  auto heads = Restart(**store, identity);
  ASSERT_OK(heads.status());
  EXPECT_EQ((*heads)->newest(), newest);
  EXPECT_EQ((*heads)->size(), 9u);
  EXPECT_TRUE(Signed((*heads)->SignIfDue(**store, SteadyClock::now(), 2)));
  EXPECT_EQ(ParseCheckpoint((*heads)->newest())->size, 9u) << "the items after the last head get one at once";
}

TEST(TreeHeads, AStoreChangedAfterItsNewestHeadWasSignedDoesNotStart) {
  TempDir dir;
  const auto identity = std::make_shared<const Identity>(Identity::Generate());
  {
    auto store = StoreWithItems(dir / "store", 0);
    auto heads = Restart(*store, identity);
    ASSERT_OK(heads.status());
    ASSERT_OK(AppendItems(*store, 3, (*heads)->Sink()));
    EXPECT_TRUE(Signed((*heads)->SignIfDue(*store, SteadyClock::now(), 1)));
  }
  EditStore(dir / "store", [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* record, rocksdb::ColumnFamilyHandle*) {
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), record, ::capture::testing::BigEndian64(2), &value).ok());
    wire::StoredItem stored;
    ASSERT_TRUE(stored.ParseFromString(value));
    wire::Verdict verdict;
    ASSERT_TRUE(verdict.ParseFromString(stored.verdict()));
    verdict.add_raised()->set_message("added later");
    stored.set_verdict(verdict.SerializeAsString());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), record, ::capture::testing::BigEndian64(2), stored.SerializeAsString()).ok());
  });
  auto store = RecordStore::Open(dir / "store", false);
  ASSERT_OK(store.status());
  auto heads = Restart(**store, identity);
  ASSERT_FALSE(heads.ok());
  EXPECT_EQ(heads.status().code(), Status::Code::kCorruption);
  EXPECT_NE(heads.status().message().find("no longer leads to the newest signed head (size 7"), std::string::npos)
      << heads.status().message();
}

TEST(TreeHeads, ARecordShorterThanItsNewestHeadDoesNotStart) {
  TempDir dir;
  const auto identity = std::make_shared<const Identity>(Identity::Generate());
  {
    auto store = StoreWithItems(dir / "store", 0);
    auto heads = Restart(*store, identity);
    ASSERT_OK(heads.status());
    ASSERT_OK(AppendItems(*store, 3, (*heads)->Sink()));
    EXPECT_TRUE(Signed((*heads)->SignIfDue(*store, SteadyClock::now(), 1)));
  }
  EditStore(dir / "store", [](rocksdb::DB* db, rocksdb::ColumnFamilyHandle* record, rocksdb::ColumnFamilyHandle* meta) {
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), record, ::capture::testing::BigEndian64(3)).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), meta, "commit_index", ::capture::testing::BigEndian64(2)).ok());
  });
  auto store = RecordStore::Open(dir / "store", false);
  ASSERT_OK(store.status());
  auto heads = Restart(**store, identity);
  ASSERT_FALSE(heads.ok());
  EXPECT_NE(heads.status().message().find("covers 7 leaves but the record has 6: items were removed"), std::string::npos)
      << heads.status().message();
}

TEST(TreeHeads, AHeadSignedByAnotherKeyDoesNotStartAndPlainTextSignsNothing) {
  TempDir dir;
  {
    auto store = StoreWithItems(dir / "store", 1);
    auto unsigned_heads = Restart(*store, nullptr);
    ASSERT_OK(unsigned_heads.status());
    EXPECT_FALSE(Signed((*unsigned_heads)->SignIfDue(*store, SteadyClock::now(), 1, /*force=*/true)));
    EXPECT_EQ((*unsigned_heads)->newest(), "");
    EXPECT_TRUE(StoredHeadSizes(*store).empty());
    auto heads = Restart(*store, std::make_shared<const Identity>(Identity::Generate()));
    ASSERT_OK(heads.status());
    EXPECT_TRUE(Signed((*heads)->SignIfDue(*store, SteadyClock::now(), 1)));
  }
  auto store = RecordStore::Open(dir / "store", false);
  ASSERT_OK(store.status());
  auto other = TreeHeads::Open(**store, std::make_shared<const Identity>(Identity::Generate()));
  ASSERT_FALSE(other.ok());
  EXPECT_NE(other.status().message().find("coordinator.key was replaced"), std::string::npos) << other.status().message();
  EXPECT_OK(Restart(**store, nullptr).status());  // plain text checks the roots, not the key
}

}  // namespace
}  // namespace capture::coord
