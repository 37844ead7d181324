// A store rebuilt from a campus's replication messages, without NATS: real RocksDB stores, the
// messages the replicator builds, and what a forged or damaged stream is refused with.
#include "coordinator/replication/restore.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/checkpoint.h"
#include "coordinator/proof/record_leaves.h"
#include "coordinator/replication/replica_messages.h"
#include "tests/support/assert_ok.h"
#include "tests/support/temp_dir.h"

namespace capture::replication {
namespace {

const char kRoster[] = "student_no,registry_no,college,class,name,masked_name\n2024001,R1,C,A,Zhang San,Z*\n";

// A stopped campus store: the judge's inputs and three commits (events of one station and an
// observation), each item with a verdict that names it.
class SourceCampus {
 public:
  SourceCampus() {
    auto opened = coord::RecordStore::Open(dir_.path() + "/source", false);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    store_ = std::move(*opened);
    coord::JudgeInputs inputs;
    inputs.config.set_utc_offset_minutes(480);
    inputs.config.set_stale_code_us(90'000'000);
    inputs.schedule_csv = "station,class,start,end\n1,A,08:00,09:00\n";
    inputs.roster_csv = kRoster;
    EXPECT_OK(store_->SaveJudgeInputs(inputs));
    Commit({1, 2}, 1'000);
    Commit({3}, 2'000, /*with_observation=*/true);
    Commit({4, 5, 6}, 3'000);
  }

  coord::RecordStore& store() { return *store_; }
  const Identity& coordinator() const { return coordinator_; }
  const Identity& auditor() const { return auditor_; }

  // A head of `size` leaves signed by `signer` (the restore checks who signed, not the root).
  std::string Head(uint64_t size, const Identity* signer = nullptr) const {
    return FormatCheckpoint(SignCheckpoint(size, Sha256{}, 1'700'000'000'000'000, signer ? *signer : coordinator_));
  }

  // The subject as the replicator writes it: the inputs, then batches of at most `per_batch`
  // items, each with a head covering the items so far.
  std::vector<std::string> Messages(size_t per_batch) const {
    std::vector<std::string> out;
    auto inputs = store_->ReadStoredJudgeInputs();
    EXPECT_TRUE(inputs.ok());
    auto first = InputsMessage("north", store_->record_id(), *inputs, auditor_.public_key(), coordinator_.public_key());
    EXPECT_TRUE(first.ok());
    out.push_back(first->SerializeAsString());
    auto cursor = store_->ReadItems(1);
    uint64_t next = 1;
    while (true) {
      BatchBuilder batch("north", store_->record_id(), next, 1 << 20);
      while (batch.items() < per_batch) {
        auto more = cursor->Next();
        EXPECT_TRUE(more.ok());
        if (!*more) break;
        batch.Add(cursor->item_bytes(), cursor->verdict_bytes());
      }
      if (batch.items() == 0) break;
      next += batch.items();
      out.push_back(batch.Finish(Head(coord::kInputLeaves + next - 1)).SerializeAsString());
    }
    return out;
  }

 private:
  void Commit(std::vector<uint64_t> seqs, int64_t time_us, bool with_observation = false) {
    coord::RecordStore::Batch batch;
    for (uint64_t seq : seqs) {
      wire::CaptureEvent event;
      event.set_station(1);
      event.set_epoch(0xabc);
      event.set_seq(seq);
      event.set_station_time_us(time_us + static_cast<int64_t>(seq));
      batch.AddEvent({1, 0xabc}, seq, event.SerializeAsString(), event);
    }
    if (with_observation) {
      wire::Observation observation;
      observation.set_kind(wire::Observation::STATION_SILENT);
      observation.set_station(2);
      batch.AddObservation(observation);
    }
    wire::Verdict verdict;
    EXPECT_OK(store_->Commit(std::move(batch), time_us, [&](const wire::RecordItem& item, const wire::CaptureEvent*) -> const wire::Verdict& {
      verdict.set_commit_index(item.commit_index());
      return verdict;
    }));
  }

  testing::TempDir dir_;
  std::unique_ptr<coord::RecordStore> store_;
  Identity coordinator_ = Identity::Generate();
  Identity auditor_ = Identity::Generate();
};

struct Target {
  testing::TempDir dir;
  std::unique_ptr<coord::RecordStore> store;
  Target() {
    auto opened = coord::RecordStore::Open(dir.path() + "/restored", false);
    EXPECT_TRUE(opened.ok()) << opened.status().message();
    store = std::move(*opened);
  }
};

// Applies `messages` in order; the first error, or the summary.
Result<RestoreSummary> ApplyAll(coord::RecordStore& store, const std::vector<std::string>& messages, RosterSource roster) {
  StoreRestorer restorer(store, "north", std::move(roster));
  for (size_t i = 0; i < messages.size(); ++i) {
    if (Status s = restorer.Apply(i + 1, messages[i]); !s.ok()) return s;
  }
  return restorer.Finish();
}

TEST(Restore, EveryItemAndVerdictIsStoredAgainByteForByteWithTheInputsRecordIdAndHeads) {
  SourceCampus source;
  Target target;
  auto restored = ApplyAll(*target.store, source.Messages(2), RosterSource::Auditor(source.auditor()));
  ASSERT_OK(restored.status());
  EXPECT_EQ(restored->items, 7u);  // six events and one observation
  EXPECT_EQ(restored->messages, 5u);
  EXPECT_EQ(restored->heads, 4u);
  EXPECT_EQ(restored->heads_beyond, 0u);
  EXPECT_EQ(restored->coordinator_key, source.coordinator().public_key());
  EXPECT_EQ(target.store->record_id(), source.store().record_id());

  auto original = source.store().ReadStoredJudgeInputs();
  auto copy = target.store->ReadStoredJudgeInputs();
  ASSERT_OK(original.status());
  ASSERT_OK(copy.status());
  EXPECT_EQ(copy->config, original->config);
  EXPECT_EQ(copy->schedule_csv, original->schedule_csv);
  EXPECT_EQ(copy->roster_csv, kRoster);

  std::vector<std::pair<std::string, std::string>> items;
  ASSERT_OK(source.store().ForEachStoredItem([&](const wire::RecordItem&, std::string_view item, std::string_view verdict) {
    items.emplace_back(item, verdict);
    return true;
  }));
  size_t index = 0;
  ASSERT_OK(target.store->ForEachStoredItem([&](const wire::RecordItem& item, std::string_view bytes, std::string_view verdict) {
    EXPECT_LT(index, items.size());
    if (index < items.size()) {
      EXPECT_EQ(bytes, items[index].first) << "commit index " << item.commit_index();
      EXPECT_EQ(verdict, items[index].second) << "commit index " << item.commit_index();
    }
    ++index;
    return true;
  }));
  EXPECT_EQ(index, items.size());
  EXPECT_EQ(target.store->streams().at({1, 0xabc}), 6u);  // the stream goes on at seq 7
  auto newest = target.store->NewestCheckpoint();
  ASSERT_OK(newest.status());
  EXPECT_EQ(*newest, source.Head(coord::kInputLeaves + 7));
}

TEST(Restore, AHeadBeyondTheStreamsLastItemIsLeftOut) {
  SourceCampus source;
  std::vector<std::string> messages = source.Messages(7);
  auto last = ParseReplicaMessage(messages.back(), "the batch");
  ASSERT_OK(last.status());
  last->mutable_batch()->set_checkpoint(source.Head(coord::kInputLeaves + 9));
  messages.back() = last->SerializeAsString();
  Target target;
  auto restored = ApplyAll(*target.store, messages, RosterSource::Auditor(source.auditor()));
  ASSERT_OK(restored.status());
  EXPECT_EQ(restored->heads, 0u);
  EXPECT_EQ(restored->heads_beyond, 1u);
  EXPECT_FALSE(target.store->NewestCheckpoint().ok());
}

TEST(Restore, AHoleARepeatAnotherRecordAForeignHeadOrAnAlteredItemStopsItNamingTheMessage) {
  SourceCampus source;
  const std::vector<std::string> messages = source.Messages(2);
  struct Case {
    const char* what;
    std::vector<std::string> messages;
    std::string expected;
  };
  std::vector<Case> cases;
  cases.push_back({"a hole", {messages[0], messages[1], messages[3]},
                   "message 3 of capture.north.record begins at commit index 5 where the record goes on at 3"});
  cases.push_back({"a repeat", {messages[0], messages[1], messages[1]}, "begins at commit index 1 where the record goes on at 3"});
  cases.push_back({"no inputs first", {messages[1]}, "a record's first message is the judge's inputs"});
  auto other = ParseReplicaMessage(messages[2], "batch");
  ASSERT_OK(other.status());
  other->set_record_id(std::string(16, '\x01'));
  cases.push_back({"another record", {messages[0], messages[1], other->SerializeAsString()}, "belongs to record 01010101"});
  auto foreign = ParseReplicaMessage(messages[1], "batch");
  ASSERT_OK(foreign.status());
  const Identity stranger = Identity::Generate();
  foreign->mutable_batch()->set_checkpoint(source.Head(coord::kInputLeaves + 2, &stranger));
  cases.push_back({"a foreign head", {messages[0], foreign->SerializeAsString()},
                   "its tree head is signed by key " + KeyHex(stranger.public_key()) + ", not by the record's"});
  auto altered = ParseReplicaMessage(messages[1], "batch");
  ASSERT_OK(altered.status());
  // The same item with an unknown field added: it parses, but it is not what the store writes.
  altered->mutable_batch()->mutable_items(0)->mutable_item()->append("\xf8\x07\x01", 3);
  cases.push_back({"an altered item", {messages[0], altered->SerializeAsString()},
                   "commit index 1: the item or its verdict is not in the form the record stores it"});
  for (const Case& c : cases) {
    Target target;
    auto restored = ApplyAll(*target.store, c.messages, RosterSource::Auditor(source.auditor()));
    ASSERT_FALSE(restored.ok()) << c.what << " was restored";
    EXPECT_NE(restored.status().message().find(c.expected), std::string::npos)
        << c.what << ": " << restored.status().message();
  }
}

TEST(Restore, TheRosterOpensWithTheAuditorsOrTheCoordinatorsKeyOrTheRecordsOwnRosterFile) {
  SourceCampus source;
  const std::vector<std::string> messages = source.Messages(3);
  {
    Target target;
    EXPECT_OK(ApplyAll(*target.store, messages, RosterSource::Coordinator(source.coordinator())).status());
  }
  {
    Target target;
    EXPECT_OK(ApplyAll(*target.store, messages, RosterSource::File(kRoster)).status());
  }
  {
    Target target;
    auto refused = ApplyAll(*target.store, messages, RosterSource::File(std::string(kRoster) + "2024002,R2,C,A,Li Si,L*\n"));
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.status().message().find("it is not the roster this record was judged with"), std::string::npos)
        << refused.status().message();
    EXPECT_FALSE(target.store->has_judge_inputs());
  }
  {
    Target target;
    const Identity stranger = Identity::Generate();
    auto refused = ApplyAll(*target.store, messages, RosterSource::Auditor(stranger));
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.status().message().find("the roster sealed to the auditors does not open with key"),
              std::string::npos)
        << refused.status().message();
  }
}

TEST(Restore, AStoreThatHoldsARecordAlreadyIsNotRestoredInto) {
  SourceCampus source;
  StoreRestorer restorer(source.store(), "north", RosterSource::Auditor(source.auditor()));
  Status refused = restorer.Apply(1, source.Messages(3).front());
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.message().find("holds a record already"), std::string::npos) << refused.message();
}

}  // namespace
}  // namespace capture::replication
