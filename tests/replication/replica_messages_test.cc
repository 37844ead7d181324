// The replication messages: ids, the judge's inputs with the roster sealed, batches that fit.
#include "coordinator/replication/replica_messages.h"

#include <gtest/gtest.h>

#include "tests/support/assert_ok.h"

namespace capture::replication {
namespace {

const std::string kRecordId(16, '\x5a');

TEST(ReplicaMessages, AnIdNamesTheCampusTheRecordAndTheFirstCommitIndex) {
  EXPECT_EQ(MessageId("north", kRecordId, 42), "north:5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a:42");
  EXPECT_EQ(MessageId("north", kRecordId, 0), "north:5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a:0");
}

TEST(ReplicaMessages, TheRosterOpensOnlyWithTheAuditorsOrTheCoordinatorsKeyAndTheRestIsInTheClear) {
  const Identity auditor = Identity::Generate();
  const Identity stranger = Identity::Generate();
  const Identity coordinator = Identity::Generate();
  coord::StoredJudgeInputs inputs{"config-bytes", "station,class\n1,A\n", "student_no,name\n2024001,Zhang San\n",
                                  ""};
  auto message = InputsMessage("north", kRecordId, inputs, auditor.public_key(), coordinator.public_key());
  ASSERT_OK(message.status());
  const std::string wire = message->SerializeAsString();
  EXPECT_EQ(wire.find("Zhang San"), std::string::npos);
  EXPECT_EQ(wire.find("2024001"), std::string::npos);
  EXPECT_NE(wire.find("station,class"), std::string::npos);
  auto parsed = ParseReplicaMessage(wire, "message 1");
  ASSERT_OK(parsed.status());
  EXPECT_EQ(NextCommitIndexAfter(*parsed), 1u);
  auto opened = OpenSealed(auditor, parsed->inputs().sealed_roster(), "the sealed roster");
  ASSERT_OK(opened.status());
  EXPECT_EQ(*opened, inputs.roster_csv);
  auto restoring = OpenSealed(coordinator, parsed->inputs().coordinator_sealed_roster(), "the sealed roster");
  ASSERT_OK(restoring.status());
  EXPECT_EQ(*restoring, inputs.roster_csv);
  EXPECT_FALSE(OpenSealed(stranger, parsed->inputs().coordinator_sealed_roster(), "the sealed roster").ok());
  auto refused = OpenSealed(stranger, parsed->inputs().sealed_roster(), "the sealed roster");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("the sealed roster does not open with key"), std::string::npos);
}

TEST(ReplicaMessages, BatchesStayWithinTheirLimitAndContinueOneAnother) {
  const size_t limit = 4096;
  BatchBuilder batch("north", kRecordId, 7, limit);
  const std::string item(300, 'i');
  const std::string verdict(100, 'v');
  size_t added = 0;
  while (batch.Add(item, verdict)) ++added;
  EXPECT_GT(added, 5u);
  wire::ReplicaMessage first = batch.Finish("checkpoint size=1");
  EXPECT_LE(first.ByteSizeLong(), limit);
  EXPECT_EQ(first.batch().first_commit_index(), 7u);
  EXPECT_EQ(static_cast<size_t>(first.batch().items_size()), added);
  EXPECT_EQ(NextCommitIndexAfter(first), 7 + added);
  // One item more would not have fitted.
  wire::StoredItem extra;
  extra.set_item(item);
  extra.set_verdict(verdict);
  *first.mutable_batch()->add_items() = extra;
  EXPECT_GT(first.ByteSizeLong(), limit - 10);

  ASSERT_TRUE(batch.Add(item, verdict));
  EXPECT_EQ(batch.first_commit_index(), 7 + added);
  EXPECT_EQ(batch.Finish("").batch().first_commit_index(), 7 + added);
}

TEST(ReplicaMessages, AnItemLargerThanTheLimitStillGoesAloneSoItsErrorIsTheServers) {
  BatchBuilder batch("north", kRecordId, 1, 100);
  EXPECT_TRUE(batch.Add(std::string(500, 'i'), "v"));
  EXPECT_FALSE(batch.Add("i", "v"));
  EXPECT_EQ(batch.items(), 1u);
}

TEST(ReplicaMessages, BytesThatAreNoReplicationMessageAreNamed) {
  auto garbage = ParseReplicaMessage(std::string("\xff\xff\xff", 3), "message 9 on capture.north.record");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.status().message(), "message 9 on capture.north.record is not a replication message (it does not parse)");
  auto empty = ParseReplicaMessage("", "message 3");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().message(), "message 3 is neither the judge's inputs nor a batch of items");
}

}  // namespace
}  // namespace capture::replication
