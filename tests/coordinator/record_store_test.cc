#include "coordinator/record_store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "tests/coordinator/temp_dir.h"

namespace capture::coord {
namespace {

using testing::TempDir;

const StreamId kA{1, 0x1111};
const StreamId kB{2, 0x2222};

std::unique_ptr<RecordStore> OpenOrDie(const std::string& dir, bool read_only = false) {
  auto store = RecordStore::Open(dir, read_only);
  EXPECT_TRUE(store.ok()) << store.status().message();
  return store.ok() ? std::move(*store) : nullptr;
}

std::vector<wire::RecordItem> Items(const RecordStore& store) {
  std::vector<wire::RecordItem> items;
  Status s = store.ForEachItem([&](const wire::RecordItem& item) {
    items.push_back(item);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return items;
}

wire::Observation Conflict(const StreamId& stream, uint64_t seq, const std::string& bytes) {
  wire::Observation obs;
  obs.set_kind(wire::Observation::SEQ_CONFLICT);
  obs.set_station(stream.station);
  obs.set_epoch(stream.epoch);
  obs.set_seq(seq);
  obs.set_sha256(AsBytes(ComputeSha256(bytes)));
  return obs;
}

TEST(RecordStore, GivesEveryItemTheNextCommitIndexAcrossBatches) {
  TempDir dir;
  auto store = OpenOrDie(dir / "store");
  RecordStore::Batch first;
  first.AddEvent(kA, 1, "a1");
  first.AddEvent(kB, 1, "b1");
  first.AddObservation(Conflict(kA, 1, "forged"));
  ASSERT_TRUE(store->Commit(first, 100).ok());
  RecordStore::Batch second;
  second.AddEvent(kA, 2, "a2");
  ASSERT_TRUE(store->Commit(second, 200).ok());

  EXPECT_EQ(store->commit_index(), 4u);
  auto items = Items(*store);
  ASSERT_EQ(items.size(), 4u);
  for (size_t i = 0; i < items.size(); ++i) EXPECT_EQ(items[i].commit_index(), i + 1);
  EXPECT_EQ(items[0].event(), "a1");
  EXPECT_EQ(items[1].event(), "b1");
  EXPECT_EQ(items[2].observation().kind(), wire::Observation::SEQ_CONFLICT);
  EXPECT_EQ(items[3].event(), "a2");
  EXPECT_EQ(items[0].received_time_us(), 100);
  EXPECT_EQ(items[3].received_time_us(), 200);
}

TEST(RecordStore, KeepsEverythingAfterReopening) {
  TempDir dir;
  {
    auto store = OpenOrDie(dir / "store");
    RecordStore::Batch batch;
    batch.AddEvent(kA, 1, "a1");
    batch.AddEvent(kA, 2, "a2");
    batch.AddObservation(Conflict(kA, 2, "forged"));
    ASSERT_TRUE(store->Commit(batch, 300).ok());
  }
  for (bool read_only : {true, false}) {
    auto store = OpenOrDie(dir / "store", read_only);
    ASSERT_TRUE(store);
    EXPECT_EQ(store->commit_index(), 3u);
    EXPECT_EQ(store->last_received_time_us(), 300);
    EXPECT_EQ(store->streams(), (std::map<StreamId, uint64_t>{{kA, 2}}));
    auto hash = store->EventHash(kA, 2);
    ASSERT_TRUE(hash.ok());
    EXPECT_EQ(*hash, ComputeSha256("a2"));
    EXPECT_EQ(store->EventHash(kA, 3).status().code(), Status::Code::kNotFound);
    EXPECT_TRUE(*store->HasConflict(kA, 2, ComputeSha256("forged")));
    EXPECT_FALSE(*store->HasConflict(kA, 2, ComputeSha256("other")));
    EXPECT_EQ(Items(*store).size(), 3u);
  }
  auto store = OpenOrDie(dir / "store");
  RecordStore::Batch next;
  next.AddEvent(kA, 3, "a3");
  ASSERT_TRUE(store->Commit(next, 400).ok());
  EXPECT_EQ(Items(*store).back().commit_index(), 4u);
}

TEST(RecordStore, NeverStoresAnEventThatDoesNotContinueItsStream) {
  TempDir dir;
  auto store = OpenOrDie(dir / "store");
  RecordStore::Batch batch;
  batch.AddEvent(kA, 1, "a1");
  ASSERT_TRUE(store->Commit(batch, 1).ok());

  RecordStore::Batch conflicting;
  conflicting.AddEvent(kB, 1, "b1");  // valid, but the batch is all or nothing
  conflicting.AddEvent(kA, 1, "forged");
  EXPECT_EQ(store->Commit(conflicting, 2).code(), Status::Code::kInvalidArgument);
  RecordStore::Batch gap;
  gap.AddEvent(kA, 3, "a3");
  EXPECT_EQ(store->Commit(gap, 3).code(), Status::Code::kInvalidArgument);

  EXPECT_EQ(store->commit_index(), 1u);
  auto items = Items(*store);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].event(), "a1");
  EXPECT_EQ(*store->EventHash(kA, 1), ComputeSha256("a1"));
  EXPECT_EQ(store->streams().count(kB), 0u);
}

TEST(RecordStore, BatchAnswersForItsOwnEventsAndConflicts) {
  RecordStore::Batch batch;
  batch.AddEvent(kA, 1, "a1");
  batch.AddObservation(Conflict(kA, 1, "forged"));
  ASSERT_NE(batch.FindEvent(kA, 1), nullptr);
  EXPECT_EQ(*batch.FindEvent(kA, 1), ComputeSha256("a1"));
  EXPECT_EQ(batch.FindEvent(kA, 2), nullptr);
  EXPECT_TRUE(batch.HasConflict(kA, 1, ComputeSha256("forged")));
  EXPECT_FALSE(batch.HasConflict(kB, 1, ComputeSha256("forged")));
}

TEST(RecordStore, ReadOnlyOpenOfAMissingStoreFailsAndNamesIt) {
  TempDir dir;
  auto store = RecordStore::Open(dir / "nothing", /*read_only=*/true);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find(dir / "nothing"), std::string::npos) << store.status().message();
}

TEST(RecordStore, ReadOnlyStoreRefusesToCommit) {
  TempDir dir;
  OpenOrDie(dir / "store").reset();
  auto store = OpenOrDie(dir / "store", /*read_only=*/true);
  RecordStore::Batch batch;
  batch.AddEvent(kA, 1, "a1");
  EXPECT_FALSE(store->Commit(batch, 1).ok());
}

TEST(RecordStore, OpensAStoreWithColumnFamiliesOfALaterVersion) {
  TempDir dir;
  {
    auto store = OpenOrDie(dir / "store");
    RecordStore::Batch batch;
    batch.AddEvent(kA, 1, "a1");
    ASSERT_TRUE(store->Commit(batch, 1).ok());
  }
  {
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : {"default", "record", "events", "meta"}) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir / "store/db", families, &handles, &db).ok());
    rocksdb::ColumnFamilyHandle* verdicts = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "verdicts", &verdicts).ok());
    handles.push_back(verdicts);
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    delete db;
  }
  auto store = OpenOrDie(dir / "store");
  ASSERT_TRUE(store);
  EXPECT_EQ(store->commit_index(), 1u);
}

}  // namespace
}  // namespace capture::coord
