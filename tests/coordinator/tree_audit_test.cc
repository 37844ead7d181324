// `capturectl verify`'s tree check (coordinator/proof/tree_audit.h) on real stores: a judged record
// written as the coordinator writes it (the judge test's RecordBuilder day), its heads signed as
// the coordinator signs them, then changed the ways someone holding the store could change it.
#include "coordinator/proof/tree_audit.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "common/csv.h"
#include "coordinator/proof/tree_heads.h"
#include "tests/judge/record_builder.h"
#include "tests/support/assert_ok.h"
#include "tests/support/raw_store.h"
#include "tests/support/temp_dir.h"

namespace capture::coord {
namespace {

using ::capture::testing::TempDir;
namespace jt = ::capture::judge::testing;

std::string ScheduleCsv(const Schedule& schedule) {
  auto hhmm = [](int minute) {
    char text[32];
    std::snprintf(text, sizeof text, "%02d:%02d", minute / 60, minute % 60);
    return std::string(text);
  };
  std::string csv = "station,college,class,headcount,start,end\n";
  for (const ScheduledClass& c : schedule.classes) {
    csv += CsvLine({std::to_string(c.station), c.college, c.class_name, std::to_string(c.headcount),
                    hhmm(c.start_minute), hhmm(c.end_minute)});
  }
  return csv;
}

std::string RosterCsv(const Roster& roster) {
  std::string csv = std::string(kRosterHeader) + "\n";
  for (const RosterStudent& s : roster.students) {
    csv += CsvLine({s.student_no, s.registry_no, s.college, s.class_name, s.name, s.masked_name});
  }
  return csv;
}

// The judge test's small day: three students photographed, one shot without a code.
std::vector<wire::RecordItem> DayItems() {
  jt::RecordBuilder day;
  day.Photograph(1, "08:31:00", "202100101", 1);
  day.Photograph(1, "08:32:00", "202100102", 2);
  day.Shot(1, "08:33:00", 3, "08:33:00");
  day.Photograph(1, "08:34:00", "202100103", 4);
  return day.items();
}

// Writes the day as the coordinator would: the inputs, then each item judged and committed, and a
// head signed after every `head_every` items. Returns the coordinator's identity.
std::shared_ptr<const Identity> WriteDay(const std::string& dir, size_t head_every) {
  auto store = RecordStore::Open(dir, false);
  EXPECT_TRUE(store.ok()) << store.status().message();
  JudgeInputs inputs;
  inputs.config = judge::DefaultJudgeConfig(jt::LocalMidnightUs(), 480);
  inputs.schedule_csv = ScheduleCsv(jt::TestSchedule());
  inputs.roster_csv = RosterCsv(jt::TestRoster());
  EXPECT_TRUE((*store)->SaveJudgeInputs(inputs).ok());
  auto judge = MakeJudge(inputs);
  EXPECT_TRUE(judge.ok()) << judge.status().message();
  auto identity = std::make_shared<const Identity>(Identity::Generate());
  auto heads = TreeHeads::Open(**store, identity);
  EXPECT_TRUE(heads.ok()) << heads.status().message();
  wire::Verdict verdict;
  const ItemJudge judge_item = [&](const wire::RecordItem& item, const wire::CaptureEvent* event) -> const wire::Verdict& {
    (*judge)->Apply(item, event, &verdict);
    return verdict;
  };
  const std::vector<wire::RecordItem> items = DayItems();
  for (size_t i = 0; i < items.size(); ++i) {
    wire::CaptureEvent event;
    EXPECT_TRUE(event.ParseFromString(items[i].event()));
    RecordStore::Batch batch;
    batch.AddEvent({event.station(), event.epoch()}, event.seq(), items[i].event(), event);
    EXPECT_TRUE((*store)->Commit(std::move(batch), items[i].received_time_us(), judge_item, (*heads)->Sink()).ok());
    if ((i + 1) % head_every == 0 || i + 1 == items.size()) {
      auto signed_head = (*heads)->SignIfDue(**store, std::chrono::steady_clock::now(), 1713774605000000 + int64_t(i),
                                             /*force=*/true);
      EXPECT_TRUE(signed_head.ok() && *signed_head);
    }
  }
  return identity;
}

Result<TreeAudit> Audit(const std::string& dir, const PublicKey& key, const std::vector<KeptHead>& kept = {}) {
  auto store = RecordStore::Open(dir, /*read_only=*/true);
  if (!store.ok()) return store.status();
  return AuditTree(**store, key, kept);
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

// The stored item of `commit_index` with one byte of its verdict's first binding changed, as an
// editor of the store's files would leave it (no head is signed again).
void AlterVerdictOf(const std::string& dir, uint64_t commit_index) {
  ::capture::testing::RawStore raw(dir);
  wire::StoredItem stored;
  ASSERT_TRUE(stored.ParseFromString(raw.Get("record", ::capture::testing::BigEndian64(commit_index))));
  wire::Verdict verdict;
  ASSERT_TRUE(verdict.ParseFromString(stored.verdict()));
  verdict.add_raised()->set_message("inserted");
  stored.set_verdict(verdict.SerializeAsString());
  raw.Put("record", ::capture::testing::BigEndian64(commit_index), stored.SerializeAsString());
}

TEST(TreeAudit, ARecordAsTheCoordinatorWroteItHoldsForEveryStoredHead) {
  TempDir dir;
  const auto identity = WriteDay(dir / "store", 2);
  auto audit = Audit(dir / "store", identity->public_key());
  ASSERT_OK(audit.status());
  EXPECT_TRUE(audit->verdicts.equal);
  EXPECT_EQ(audit->verdicts.items, 7u);
  EXPECT_EQ(audit->leaves, 11u);
  EXPECT_EQ(audit->stored_heads, 4u) << "after items 2, 4, 6 and 7";
  EXPECT_TRUE(audit->findings.empty()) << Joined(audit->findings);
  ASSERT_TRUE(audit->newest.has_value());
  EXPECT_EQ(audit->newest->size, 11u);
  EXPECT_EQ(audit->newest->root, audit->root);
}

TEST(TreeAudit, AHeadOfAnotherKeyIsNamedWithBothKeys) {
  TempDir dir;
  WriteDay(dir / "store", 3);
  const Identity other = Identity::Generate();
  auto audit = Audit(dir / "store", other.public_key());
  ASSERT_OK(audit.status());
  ASSERT_EQ(audit->findings.size(), 3u) << Joined(audit->findings);
  EXPECT_NE(audit->findings[0].find("not by the coordinator's key " + KeyHex(other.public_key())), std::string::npos)
      << audit->findings[0];
  EXPECT_EQ(audit->findings[0].rfind("differs head size=7 time=", 0), 0u) << audit->findings[0];
}

// The verdicts' check finds this one too; the heads narrow where: after the last head that holds.
TEST(TreeAudit, AnItemChangedWithoutSigningAgainFailsEachHeadAboveItNamingTheLeavesAfterTheLastThatHolds) {
  TempDir dir;
  const auto identity = WriteDay(dir / "store", 2);
  AlterVerdictOf(dir / "store", 5);
  auto audit = Audit(dir / "store", identity->public_key());
  ASSERT_OK(audit.status());
  EXPECT_FALSE(audit->verdicts.equal);
  EXPECT_EQ(audit->verdicts.first_difference, 5u);
  ASSERT_EQ(audit->findings.size(), 2u) << Joined(audit->findings);
  EXPECT_NE(audit->findings[0].find("differs head size=10 "), std::string::npos) << audit->findings[0];
  EXPECT_NE(audit->findings[0].find("a leaf among leaves 8..9 (commit indexes 5..6) changed"), std::string::npos)
      << audit->findings[0];
  EXPECT_NE(audit->findings[1].find("a leaf among leaves 8..10 (commit indexes 5..7) changed"), std::string::npos)
      << audit->findings[1];
}

TEST(TreeAudit, AKeptHeadOfTheSameSizeWithAnotherRootShowsTwoTreesSignedForOneSize) {
  TempDir dir;
  const auto identity = WriteDay(dir / "store", 7);
  auto store = RecordStore::Open(dir / "store", true);
  ASSERT_OK(store.status());
  auto line = (*store)->NewestCheckpoint();
  ASSERT_OK(line.status());
  auto stored = ParseCheckpoint(*line);
  ASSERT_OK(stored.status());
  store->reset();
  // What a station kept before the store was rewritten and signed again: the same size, another root.
  Sha256 original = stored->root;
  original[0] ^= 1;
  const KeptHead kept{SignCheckpoint(stored->size, original, stored->time_us - 1, *identity), "the checkpoint in s1.cp"};
  auto audit = Audit(dir / "store", identity->public_key(), {kept});
  ASSERT_OK(audit.status());
  EXPECT_EQ(audit->kept_holds, std::vector<bool>{false});
  ASSERT_EQ(audit->findings.size(), 1u) << Joined(audit->findings);
  const std::string& finding = audit->findings[0];
  EXPECT_EQ(finding.rfind("differs checkpoint size=11 ", 0), 0u) << finding;
  EXPECT_NE(finding.find("(the checkpoint in s1.cp)"), std::string::npos) << finding;
  EXPECT_NE(finding.find("a leaf among leaves 0..10 (the judge's inputs: schedule, roster, config, station-keys; "
                         "commit indexes 1..7) changed"),
            std::string::npos)
      << finding;
  EXPECT_NE(finding.find("the coordinator's key signed two trees of one size"), std::string::npos) << finding;

  const KeptHead holding{*stored, "the checkpoint in s2.cp"};
  auto clean = Audit(dir / "store", identity->public_key(), {holding});
  ASSERT_OK(clean.status());
  EXPECT_EQ(clean->kept_holds, std::vector<bool>{true});
  EXPECT_TRUE(clean->findings.empty()) << Joined(clean->findings);
}

// Stations' heads of different sizes, all kept before the store was rewritten: the smaller that
// holds bounds where the change can be in the larger that does not.
TEST(TreeAudit, KeptHeadsOfSeveralStationsNarrowARewriteToTheLeavesBetweenThem) {
  TempDir dir;
  const auto identity = WriteDay(dir / "store", 2);
  std::vector<Checkpoint> stored;
  {
    auto store = RecordStore::Open(dir / "store", true);
    ASSERT_OK(store.status());
    ASSERT_OK((*store)->ForEachCheckpoint([&](uint64_t, std::string_view line) {
      stored.push_back(*ParseCheckpoint(line));
      return true;
    }));
  }
  ASSERT_EQ(stored.size(), 4u);
  Checkpoint rewritten_after = stored[2];  // size 10: as if the store changed in leaves 8..9 later
  rewritten_after.root[5] ^= 1;
  rewritten_after = SignCheckpoint(rewritten_after.size, rewritten_after.root, rewritten_after.time_us, *identity);
  const std::vector<KeptHead> kept = {{rewritten_after, "station 1's head"}, {stored[1], "station 2's head"}};
  auto audit = Audit(dir / "store", identity->public_key(), kept);
  ASSERT_OK(audit.status());
  EXPECT_EQ(audit->kept_holds, (std::vector<bool>{false, true}));
  ASSERT_EQ(audit->findings.size(), 1u) << Joined(audit->findings);
  EXPECT_NE(audit->findings[0].find("(station 1's head)"), std::string::npos) << audit->findings[0];
  EXPECT_NE(audit->findings[0].find("a leaf among leaves 8..9 (commit indexes 5..6) changed"), std::string::npos)
      << audit->findings[0];
}

TEST(TreeAudit, AKeptHeadLargerThanTheRecordSaysItemsWereRemoved) {
  TempDir dir;
  const auto identity = WriteDay(dir / "store", 7);
  const KeptHead kept{SignCheckpoint(20, Sha256{}, 1, *identity), "a station's head"};
  auto audit = Audit(dir / "store", identity->public_key(), {kept});
  ASSERT_OK(audit.status());
  ASSERT_EQ(audit->findings.size(), 1u) << Joined(audit->findings);
  EXPECT_NE(audit->findings[0].find("it covers 20 leaves but the record has 11 (commit indexes up to 7): items were "
                                    "removed"),
            std::string::npos)
      << audit->findings[0];
}

}  // namespace
}  // namespace capture::coord
