#include "coordinator/record_store.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "tests/support/temp_dir.h"

namespace capture::coord {
namespace {

using ::capture::testing::TempDir;

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

// A stand-in judge: its verdict names the item, so a test can tell whose verdict it reads.
wire::Verdict Echo(const wire::RecordItem& item) {
  wire::Verdict verdict;
  verdict.set_commit_index(item.commit_index());
  verdict.add_bindings()->set_file_name(item.has_event() ? item.event() : "observation");
  return verdict;
}

std::vector<std::pair<uint64_t, std::string>> Verdicts(const RecordStore& store) {
  std::vector<std::pair<uint64_t, std::string>> out;
  Status s = store.ForEachVerdict([&](uint64_t index, const std::string& bytes) {
    out.emplace_back(index, bytes);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
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
  ASSERT_TRUE(store->Commit(first, 100, Echo).ok());
  RecordStore::Batch second;
  second.AddEvent(kA, 2, "a2");
  ASSERT_TRUE(store->Commit(second, 200, Echo).ok());

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
    ASSERT_TRUE(store->Commit(batch, 300, Echo).ok());
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
  ASSERT_TRUE(store->Commit(next, 400, Echo).ok());
  EXPECT_EQ(Items(*store).back().commit_index(), 4u);
}

TEST(RecordStore, NeverStoresAnEventThatDoesNotContinueItsStream) {
  TempDir dir;
  auto store = OpenOrDie(dir / "store");
  RecordStore::Batch batch;
  batch.AddEvent(kA, 1, "a1");
  ASSERT_TRUE(store->Commit(batch, 1, Echo).ok());

  RecordStore::Batch conflicting;
  conflicting.AddEvent(kB, 1, "b1");  // valid, but the batch is all or nothing
  conflicting.AddEvent(kA, 1, "forged");
  EXPECT_EQ(store->Commit(conflicting, 2, Echo).code(), Status::Code::kInvalidArgument);
  RecordStore::Batch gap;
  gap.AddEvent(kA, 3, "a3");
  EXPECT_EQ(store->Commit(gap, 3, Echo).code(), Status::Code::kInvalidArgument);

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
  EXPECT_FALSE(store->Commit(batch, 1, Echo).ok());
}

TEST(RecordStore, OpensAStoreWithColumnFamiliesOfALaterVersion) {
  TempDir dir;
  {
    auto store = OpenOrDie(dir / "store");
    RecordStore::Batch batch;
    batch.AddEvent(kA, 1, "a1");
    ASSERT_TRUE(store->Commit(batch, 1, Echo).ok());
  }
  {
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : {"default", "record", "events", "meta", "verdicts"}) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir / "store/db", families, &handles, &db).ok());
    rocksdb::ColumnFamilyHandle* later = nullptr;
    ASSERT_TRUE(db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "later", &later).ok());
    handles.push_back(later);
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    delete db;
  }
  auto store = OpenOrDie(dir / "store");
  ASSERT_TRUE(store);
  EXPECT_EQ(store->commit_index(), 1u);
}

TEST(RecordStore, StoresEachItemsVerdictBesideItInCommitOrder) {
  TempDir dir;
  std::vector<uint64_t> judged;
  auto judge = [&](const wire::RecordItem& item) {
    judged.push_back(item.commit_index());
    return Echo(item);
  };
  {
    auto store = OpenOrDie(dir / "store");
    RecordStore::Batch first;
    first.AddEvent(kA, 1, "a1");
    first.AddObservation(Conflict(kA, 1, "forged"));
    ASSERT_TRUE(store->Commit(first, 100, judge).ok());
    RecordStore::Batch second;
    second.AddEvent(kB, 1, "b1");
    ASSERT_TRUE(store->Commit(second, 200, judge).ok());
    EXPECT_EQ(store->verdict_index(), 3u);
  }
  EXPECT_EQ(judged, (std::vector<uint64_t>{1, 2, 3}));
  auto store = OpenOrDie(dir / "store", /*read_only=*/true);
  const auto verdicts = Verdicts(*store);
  ASSERT_EQ(verdicts.size(), 3u);
  const auto items = Items(*store);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(verdicts[i].first, i + 1);
    EXPECT_EQ(verdicts[i].second, Echo(items[i]).SerializeAsString());
  }
}

TEST(RecordStore, ShowsTheJudgeNothingOfABatchItRefuses) {
  TempDir dir;
  auto store = OpenOrDie(dir / "store");
  RecordStore::Batch gap;
  gap.AddEvent(kA, 1, "a1");
  gap.AddEvent(kA, 3, "a3");
  int judged = 0;
  EXPECT_EQ(store->Commit(gap, 1, [&](const wire::RecordItem& item) {
                  ++judged;
                  return Echo(item);
                }).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(judged, 0);
  EXPECT_TRUE(Verdicts(*store).empty());
}

TEST(RecordStore, KeepsTheJudgesInputsAndNeverReplacesThem) {
  TempDir dir;
  JudgeInputs inputs;
  inputs.config.set_local_midnight_us(1713715200000000);
  inputs.config.set_utc_offset_minutes(480);
  inputs.schedule_csv = "station,college,class,headcount,start,end\n";
  inputs.roster_csv = std::string("student_no,registry_no\n\0binary", 30);
  {
    auto store = OpenOrDie(dir / "store");
    EXPECT_FALSE(store->judge_inputs().has_value());
    ASSERT_TRUE(store->SaveJudgeInputs(inputs).ok());
    JudgeInputs other = inputs;
    other.roster_csv = "changed";
    EXPECT_EQ(store->SaveJudgeInputs(other).code(), Status::Code::kInvalidArgument);
  }
  auto store = OpenOrDie(dir / "store", /*read_only=*/true);
  ASSERT_TRUE(store->judge_inputs().has_value());
  EXPECT_EQ(store->judge_inputs()->config.SerializeAsString(), inputs.config.SerializeAsString());
  EXPECT_EQ(store->judge_inputs()->schedule_csv, inputs.schedule_csv);
  EXPECT_EQ(store->judge_inputs()->roster_csv, inputs.roster_csv);
}

// A store written before verdicts existed: format "1", no "verdicts" column family.
void MakeFormatOne(const std::string& db_path) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : {"default", "record", "events", "meta", "verdicts"}) {
    families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), db_path, families, &handles, &db).ok());
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[3], "format", "1").ok());
  ASSERT_TRUE(db->DropColumnFamily(handles[4]).ok());
  for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  delete db;
}

TEST(RecordStore, ReadsAFormatOneStoreAndCommitsOnlyOnceItsVerdictsAreAdded) {
  TempDir dir;
  {
    auto store = OpenOrDie(dir / "store");
    RecordStore::Batch batch;
    batch.AddEvent(kA, 1, "a1");
    batch.AddEvent(kA, 2, "a2");
    ASSERT_TRUE(store->Commit(batch, 1, Echo).ok());
  }
  MakeFormatOne(dir / "store/db");
  {
    auto read_only = OpenOrDie(dir / "store", /*read_only=*/true);
    ASSERT_TRUE(read_only);
    EXPECT_EQ(read_only->verdict_index(), 0u);
    EXPECT_TRUE(Verdicts(*read_only).empty());
  }
  auto store = OpenOrDie(dir / "store");
  ASSERT_TRUE(store);
  EXPECT_EQ(store->commit_index(), 2u);
  EXPECT_EQ(store->verdict_index(), 0u);
  RecordStore::Batch next;
  next.AddEvent(kA, 3, "a3");
  EXPECT_EQ(store->Commit(next, 2, Echo).code(), Status::Code::kInvalidArgument);

  wire::Verdict skipping;
  skipping.set_commit_index(2);
  EXPECT_EQ(store->AddVerdicts({skipping}).code(), Status::Code::kInvalidArgument);
  const auto items = Items(*store);
  ASSERT_TRUE(store->AddVerdicts({Echo(items[0]), Echo(items[1])}).ok());
  EXPECT_TRUE(store->Commit(next, 2, Echo).ok());
  EXPECT_EQ(Verdicts(*store).size(), 3u);
}

}  // namespace
}  // namespace capture::coord
