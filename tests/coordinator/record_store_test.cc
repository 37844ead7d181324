#include "coordinator/record_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
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

// A stand-in judge's verdict: it names the item, so a test can tell whose verdict it reads.
wire::Verdict EchoVerdict(const wire::RecordItem& item) {
  wire::Verdict verdict;
  verdict.set_commit_index(item.commit_index());
  verdict.add_bindings()->set_file_name(item.has_event() ? item.event() : "observation");
  return verdict;
}

// The stand-in judge, as an ItemJudge; it also notes which commit indexes it judged.
struct EchoJudge {
  std::vector<uint64_t> judged;
  wire::Verdict last;
  ItemJudge AsItemJudge() {
    return [this](const wire::RecordItem& item, const wire::CaptureEvent*) -> const wire::Verdict& {
      judged.push_back(item.commit_index());
      return last = EchoVerdict(item);
    };
  }
};

Status CommitEchoed(RecordStore& store, RecordStore::Batch batch, int64_t received_time_us) {
  EchoJudge judge;
  return store.Commit(std::move(batch), received_time_us, judge.AsItemJudge());
}

// Events whose bytes are a short text: the store never parses them.
void Add(RecordStore::Batch& batch, const StreamId& stream, uint64_t seq, const std::string& bytes) {
  batch.AddEvent(stream, seq, bytes, wire::CaptureEvent());
}

std::vector<std::pair<uint64_t, std::string>> Verdicts(const RecordStore& store) {
  std::vector<std::pair<uint64_t, std::string>> out;
  Status s = store.ForEachItemAndVerdict([&](const wire::RecordItem& item, std::string_view bytes) {
    out.emplace_back(item.commit_index(), bytes);
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
  Add(first, kA, 1, "a1");
  Add(first, kB, 1, "b1");
  first.AddObservation(Conflict(kA, 1, "forged"));
  ASSERT_TRUE(CommitEchoed(*store, std::move(first), 100).ok());
  RecordStore::Batch second;
  Add(second, kA, 2, "a2");
  ASSERT_TRUE(CommitEchoed(*store, std::move(second), 200).ok());

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
    Add(batch, kA, 1, "a1");
    Add(batch, kA, 2, "a2");
    batch.AddObservation(Conflict(kA, 2, "forged"));
    ASSERT_TRUE(CommitEchoed(*store, std::move(batch), 300).ok());
  }
  for (bool read_only : {true, false}) {
    auto store = OpenOrDie(dir / "store", read_only);
    ASSERT_TRUE(store);
    EXPECT_EQ(store->commit_index(), 3u);
    EXPECT_EQ(store->last_received_time_us(), 300);
    EXPECT_EQ(store->streams(), (std::map<StreamId, uint64_t>{{kA, 2}}));
    auto bytes = store->EventBytes(kA, 2);
    ASSERT_TRUE(bytes.ok()) << bytes.status().message();
    EXPECT_EQ(*bytes, "a2");
    EXPECT_EQ(store->EventBytes(kA, 3).status().code(), Status::Code::kNotFound);
    EXPECT_TRUE(*store->HasConflict(kA, 2, ComputeSha256("forged")));
    EXPECT_FALSE(*store->HasConflict(kA, 2, ComputeSha256("other")));
    EXPECT_EQ(Items(*store).size(), 3u);
  }
  auto store = OpenOrDie(dir / "store");
  RecordStore::Batch next;
  Add(next, kA, 3, "a3");
  ASSERT_TRUE(CommitEchoed(*store, std::move(next), 400).ok());
  EXPECT_EQ(Items(*store).back().commit_index(), 4u);
}

TEST(RecordStore, NeverStoresAnEventThatDoesNotContinueItsStream) {
  TempDir dir;
  auto store = OpenOrDie(dir / "store");
  RecordStore::Batch batch;
  Add(batch, kA, 1, "a1");
  ASSERT_TRUE(CommitEchoed(*store, std::move(batch), 1).ok());

  RecordStore::Batch conflicting;
  Add(conflicting, kB, 1, "b1");  // valid, but the batch is all or nothing
  Add(conflicting, kA, 1, "forged");
  EXPECT_EQ(CommitEchoed(*store, std::move(conflicting), 2).code(), Status::Code::kInvalidArgument);
  RecordStore::Batch gap;
  Add(gap, kA, 3, "a3");
  EXPECT_EQ(CommitEchoed(*store, std::move(gap), 3).code(), Status::Code::kInvalidArgument);

  EXPECT_EQ(store->commit_index(), 1u);
  auto items = Items(*store);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].event(), "a1");
  EXPECT_EQ(*store->EventBytes(kA, 1), "a1");
  EXPECT_EQ(store->streams().count(kB), 0u);
}

TEST(RecordStore, BatchAnswersForItsOwnEventsAndConflicts) {
  RecordStore::Batch batch;
  Add(batch, kA, 1, "a1");
  batch.AddObservation(Conflict(kA, 1, "forged"));
  ASSERT_NE(batch.FindEvent(kA, 1), nullptr);
  EXPECT_EQ(*batch.FindEvent(kA, 1), "a1");
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
  Add(batch, kA, 1, "a1");
  EXPECT_FALSE(CommitEchoed(*store, std::move(batch), 1).ok());
}

TEST(RecordStore, OpensAStoreWithColumnFamiliesOfALaterVersion) {
  TempDir dir;
  {
    auto store = OpenOrDie(dir / "store");
    RecordStore::Batch batch;
    Add(batch, kA, 1, "a1");
    ASSERT_TRUE(CommitEchoed(*store, std::move(batch), 1).ok());
  }
  {
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : {"default", "record", "runs", "meta"}) {
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
  EchoJudge judge;
  {
    auto store = OpenOrDie(dir / "store");
    RecordStore::Batch first;
    Add(first, kA, 1, "a1");
    first.AddObservation(Conflict(kA, 1, "forged"));
    ASSERT_TRUE(store->Commit(std::move(first), 100, judge.AsItemJudge()).ok());
    RecordStore::Batch second;
    Add(second, kB, 1, "b1");
    ASSERT_TRUE(store->Commit(std::move(second), 200, judge.AsItemJudge()).ok());
  }
  EXPECT_EQ(judge.judged, (std::vector<uint64_t>{1, 2, 3}));
  auto store = OpenOrDie(dir / "store", /*read_only=*/true);
  const auto verdicts = Verdicts(*store);
  ASSERT_EQ(verdicts.size(), 3u);
  const auto items = Items(*store);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(verdicts[i].first, i + 1);
    EXPECT_EQ(verdicts[i].second, EchoVerdict(items[i]).SerializeAsString());
  }
}

TEST(RecordStore, GivesTheJudgeTheParsedEventOfEachEventItem) {
  TempDir dir;
  auto store = OpenOrDie(dir / "store");
  wire::CaptureEvent event;
  event.set_station(kA.station);
  event.set_seq(1);
  RecordStore::Batch batch;
  batch.AddEvent(kA, 1, event.SerializeAsString(), event);
  batch.AddObservation(Conflict(kA, 1, "forged"));
  std::vector<std::string> seen;
  wire::Verdict verdict;
  ASSERT_TRUE(store
                  ->Commit(std::move(batch), 1,
                           [&](const wire::RecordItem& item, const wire::CaptureEvent* parsed) -> const wire::Verdict& {
                             seen.push_back(parsed ? parsed->SerializeAsString() : "none");
                             verdict.set_commit_index(item.commit_index());
                             return verdict;
                           })
                  .ok());
  EXPECT_EQ(seen, (std::vector<std::string>{event.SerializeAsString(), "none"}));
}

TEST(RecordStore, FindsEveryStoredEventAgainAcrossInterleavedCommits) {
  TempDir dir;
  std::map<std::pair<StreamId, uint64_t>, std::string> written;
  {
    auto store = OpenOrDie(dir / "store");
    uint64_t next_a = 1;
    uint64_t next_b = 1;
    for (int commit = 0; commit < 20; ++commit) {
      RecordStore::Batch batch;
      // Uneven interleavings, observations between, and commits where a stream has no event.
      for (int i = 0; i < commit % 7; ++i) {
        const bool a = (i + commit) % 3 != 0;
        const StreamId stream = a ? kA : kB;
        const uint64_t seq = a ? next_a++ : next_b++;
        const std::string bytes = (a ? "a" : "b") + std::to_string(seq);
        Add(batch, stream, seq, bytes);
        written[{stream, seq}] = bytes;
        if (i % 4 == 3) batch.AddObservation(Conflict(stream, seq, "other"));
      }
      ASSERT_TRUE(CommitEchoed(*store, std::move(batch), commit).ok());
    }
  }
  for (bool read_only : {false, true}) {
    auto store = OpenOrDie(dir / "store", read_only);
    for (const auto& [where, bytes] : written) {
      auto found = store->EventBytes(where.first, where.second);
      ASSERT_TRUE(found.ok()) << found.status().message();
      EXPECT_EQ(*found, bytes);
    }
    EXPECT_EQ(store->EventBytes(kB, 0).status().code(), Status::Code::kNotFound);
  }
}

TEST(RecordStore, ShowsTheJudgeNothingOfABatchItRefuses) {
  TempDir dir;
  auto store = OpenOrDie(dir / "store");
  RecordStore::Batch gap;
  Add(gap, kA, 1, "a1");
  Add(gap, kA, 3, "a3");
  EchoJudge judge;
  EXPECT_EQ(store->Commit(std::move(gap), 1, judge.AsItemJudge()).code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(judge.judged.empty());
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
    EXPECT_FALSE(store->has_judge_inputs());
    EXPECT_EQ(store->ReadJudgeInputs().status().code(), Status::Code::kNotFound);
    ASSERT_TRUE(store->SaveJudgeInputs(inputs).ok());
    JudgeInputs other = inputs;
    other.roster_csv = "changed";
    EXPECT_EQ(store->SaveJudgeInputs(other).code(), Status::Code::kInvalidArgument);
  }
  auto store = OpenOrDie(dir / "store", /*read_only=*/true);
  ASSERT_TRUE(store->has_judge_inputs());
  auto read = store->ReadJudgeInputs();
  ASSERT_TRUE(read.ok()) << read.status().message();
  EXPECT_EQ(read->config.SerializeAsString(), inputs.config.SerializeAsString());
  EXPECT_EQ(read->schedule_csv, inputs.schedule_csv);
  EXPECT_EQ(read->roster_csv, inputs.roster_csv);
}

TEST(RecordStore, ReadsTheJudgesInputsBackAsStoredTheConfigurationUnparsed) {
  TempDir dir;
  JudgeInputs inputs;
  inputs.config.set_utc_offset_minutes(480);
  inputs.schedule_csv = "schedule";
  inputs.roster_csv = "roster";
  inputs.station_keys_csv = "keys";
  auto store = OpenOrDie(dir / "store");
  EXPECT_EQ(store->ReadStoredJudgeInputs().status().code(), Status::Code::kNotFound);
  ASSERT_TRUE(store->SaveJudgeInputs(inputs).ok());
  auto stored = store->ReadStoredJudgeInputs();
  ASSERT_TRUE(stored.ok()) << stored.status().message();
  EXPECT_EQ(stored->config, inputs.config.SerializeAsString());
  EXPECT_EQ(stored->schedule_csv, "schedule");
  EXPECT_EQ(stored->roster_csv, "roster");
  EXPECT_EQ(stored->station_keys_csv, "keys");
}

// The record's tree hashes the bytes a commit writes: they must be what a later read gives back.
TEST(RecordStore, ShowsEachCommittedItemsBytesAsTheyAreReadBack) {
  TempDir dir;
  auto store = OpenOrDie(dir / "store");
  std::vector<std::pair<std::string, std::string>> seen;
  const StoredItemSink sink = [&](std::string_view item, std::string_view verdict) { seen.emplace_back(item, verdict); };
  for (uint64_t seq = 1; seq <= 3; ++seq) {
    RecordStore::Batch batch;
    Add(batch, kA, seq, "a" + std::to_string(seq));
    if (seq == 2) batch.AddObservation(Conflict(kA, 1, "forged"));
    EchoJudge judge;
    ASSERT_TRUE(store->Commit(std::move(batch), 10, judge.AsItemJudge(), sink).ok());
  }
  RecordStore::Batch refused;
  Add(refused, kA, 9, "gap");
  EchoJudge judge;
  EXPECT_EQ(store->Commit(std::move(refused), 10, judge.AsItemJudge(), sink).code(), Status::Code::kInvalidArgument);

  std::vector<std::pair<std::string, std::string>> read;
  ASSERT_TRUE(store->ForEachStoredItem([&](const wire::RecordItem& item, std::string_view bytes, std::string_view verdict) {
    EXPECT_EQ(item.SerializeAsString(), bytes);
    read.emplace_back(bytes, verdict);
    return true;
  }).ok());
  ASSERT_EQ(read.size(), 4u);
  EXPECT_EQ(seen, read);

  std::unique_ptr<RecordStore::Cursor> cursor = store->ReadItems();
  for (const auto& [bytes, verdict] : read) {
    auto next = cursor->Next();
    ASSERT_TRUE(next.ok() && *next) << next.status().message();
    EXPECT_EQ(cursor->item_bytes(), bytes);
    EXPECT_EQ(cursor->verdict_bytes(), verdict);
  }
  auto end = cursor->Next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(*end);
}

TEST(RecordStore, KeepsSignedHeadsBesideTheRecordInOrderOfSizeAndNeverAsItems) {
  TempDir dir;
  {
    auto store = OpenOrDie(dir / "store");
    EXPECT_EQ(store->NewestCheckpoint().status().code(), Status::Code::kNotFound);
    RecordStore::Batch batch;
    Add(batch, kA, 1, "a1");
    ASSERT_TRUE(CommitEchoed(*store, std::move(batch), 1).ok());
    // Sizes whose big-endian bytes sort differently from their decimal text.
    for (uint64_t size : {uint64_t{300}, uint64_t{5}, uint64_t{40}}) {
      ASSERT_TRUE(store->SaveCheckpoint(size, "checkpoint size=" + std::to_string(size)).ok());
    }
  }
  auto store = OpenOrDie(dir / "store", /*read_only=*/true);
  std::vector<std::pair<uint64_t, std::string>> heads;
  ASSERT_TRUE(store->ForEachCheckpoint([&](uint64_t size, std::string_view line) {
    heads.emplace_back(size, line);
    return true;
  }).ok());
  const std::vector<std::pair<uint64_t, std::string>> want = {
      {5, "checkpoint size=5"}, {40, "checkpoint size=40"}, {300, "checkpoint size=300"}};
  EXPECT_EQ(heads, want);
  auto newest = store->NewestCheckpoint();
  ASSERT_TRUE(newest.ok()) << newest.status().message();
  EXPECT_EQ(*newest, "checkpoint size=300");
  EXPECT_EQ(Items(*store).size(), 1u);
  EXPECT_EQ(store->commit_index(), 1u);
  EXPECT_EQ(store->SaveCheckpoint(400, "x").code(), Status::Code::kInvalidArgument) << "read-only";
}

// A store of format version 2 (a column family per verdict and per stream index), never deployed.
TEST(RecordStore, RefusesAStoreOfAnEarlierFormatAndLeavesItAsItIs) {
  TempDir dir;
  const std::string db_path = dir / "store/db";
  std::filesystem::create_directories(dir / "store");
  {
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : {"default", "record", "events", "meta", "verdicts"}) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, db_path, families, &handles, &db).ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[3], "format", "2").ok());
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    delete db;
  }
  for (bool read_only : {false, true}) {
    auto store = RecordStore::Open(dir / "store", read_only);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), Status::Code::kCorruption);
    EXPECT_NE(store.status().message().find("format version '2'"), std::string::npos) << store.status().message();
  }
  std::vector<std::string> families;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), db_path, &families).ok());
  EXPECT_EQ(std::count(families.begin(), families.end(), "runs"), 0);
}

}  // namespace
}  // namespace capture::coord
