// Campuses replicating to a real NATS JetStream cluster: real nats-server processes, real
// coordinators and agents on 127.0.0.1, killed and restarted as a capture day would see them.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/identity.h"
#include "coordinator/record_store.h"
#include "coordinator/replication/nats_stream.h"
#include "coordinator/replication/replica_messages.h"
#include "tests/integration/cluster.h"
#include "tests/replication/nats_cluster.h"
#include "tests/support/assert_ok.h"

namespace capture::itest {
namespace {

using namespace std::chrono_literals;
using testing::NatsCluster;

std::vector<std::string> ReplicateFlags(const NatsCluster& nats, const std::string& campus, const Identity& auditor,
                                        std::vector<std::string> more = {}) {
  std::vector<std::string> flags = {"--replicate", nats.urls(), "--campus", campus, "--auditor-key",
                                    KeyHex(auditor.public_key())};
  flags.insert(flags.end(), more.begin(), more.end());
  return flags;
}

// Plays `students` more students at every station, round-robin: two events each (code read, shot).
void Play(Cluster& cluster, int students) {
  for (int i = 0; i < students; ++i) {
    for (int station : cluster.stations()) {
      if (!cluster.StationDone(station)) ASSERT_OK(cluster.PlayNextStudent(station));
    }
  }
}

// Waits until the coordinator says the stream holds everything it committed.
Status WaitUntilReplicated(Cluster& cluster, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string seen;
  while (std::chrono::steady_clock::now() < deadline) {
    auto lag = cluster.Counter("replication_lag_items");
    auto replicated = cluster.Counter("replication_replicated_index");
    if (lag.ok() && replicated.ok() && *lag == 0 && *replicated > 0) return Status::Ok();
    seen = lag.ok() ? std::to_string(*lag) + " items behind" : lag.status().message();
    std::this_thread::sleep_for(100ms);
  }
  return Status::Unavailable("the stream did not catch up within the timeout: " + seen);
}

// Every message on the campus's subject, parsed, in stream order.
Result<std::vector<wire::ReplicaMessage>> ReadCampus(const NatsCluster& nats, const std::string& campus) {
  auto urls = replication::ParseNatsUrls(nats.urls());
  if (!urls.ok()) return urls.status();
  auto stream = replication::NatsStream::Connect(testing::NatsClientOptions(*urls), 5s);
  if (!stream.ok()) return stream.status();
  std::vector<wire::ReplicaMessage> messages;
  Status parse_error;
  Status read = (*stream)->ReadOn(
      replication::RecordSubject(campus), 1,
      [&](const replication::StoredMessage& m) {
        auto parsed = replication::ParseReplicaMessage(m.data, "stream message " + std::to_string(m.sequence));
        if (!parsed.ok()) {
          parse_error = parsed.status();
          return false;
        }
        messages.push_back(std::move(*parsed));
        return true;
      },
      10s);
  if (!read.ok()) return read;
  if (!parse_error.ok()) return parse_error;
  return messages;
}

// The stream holds the campus's whole record exactly once, in order, byte for byte as stored, after
// the judge's inputs, and nothing of another record.
void ExpectStreamEqualsStore(const NatsCluster& nats, const std::string& campus, const std::string& store_dir,
                             size_t at_least_items) {
  auto messages = ReadCampus(nats, campus);
  ASSERT_OK(messages.status());
  auto store = coord::RecordStore::Open(store_dir, /*read_only=*/true);
  ASSERT_OK(store.status());
  ASSERT_FALSE(messages->empty());
  ASSERT_TRUE(messages->front().has_inputs()) << "the first message is not the judge's inputs";
  auto inputs = (*store)->ReadStoredJudgeInputs();
  ASSERT_OK(inputs.status());
  EXPECT_EQ(messages->front().inputs().schedule_csv(), inputs->schedule_csv);
  size_t inputs_messages = 0;
  std::vector<std::pair<std::string, std::string>> replicated;
  for (const wire::ReplicaMessage& m : *messages) {
    EXPECT_EQ(m.campus(), campus);
    EXPECT_EQ(m.record_id(), (*store)->record_id()) << "a message of another record is on " << campus;
    if (m.has_inputs()) {
      ++inputs_messages;
      continue;
    }
    ASSERT_EQ(m.batch().first_commit_index(), replicated.size() + 1) << "a batch is out of order, or repeats items";
    for (const wire::StoredItem& item : m.batch().items()) replicated.emplace_back(item.item(), item.verdict());
  }
  EXPECT_EQ(inputs_messages, 1u);
  size_t index = 0;
  ASSERT_OK((*store)->ForEachStoredItem([&](const wire::RecordItem& item, std::string_view bytes, std::string_view verdict) {
    EXPECT_LT(index, replicated.size()) << "commit index " << item.commit_index() << " is not in the stream";
    if (index < replicated.size()) {
      EXPECT_EQ(replicated[index].first, bytes) << "commit index " << item.commit_index();
      EXPECT_EQ(replicated[index].second, verdict) << "the verdict of commit index " << item.commit_index();
    }
    ++index;
    return true;
  }));
  EXPECT_EQ(index, replicated.size()) << "the stream holds items the store does not";
  EXPECT_GE(index, at_least_items);
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Replication, TwoCampusesReplicateToAThreeNodeClusterThroughTheLossOfAServer) {
  NatsCluster nats(3);
  ASSERT_OK(nats.Start());
  const Identity auditor = Identity::Generate();
  Cluster north("three-stations.csv", 11);
  Cluster south("three-stations.csv", 12);
  north.set_coordinator_flags(ReplicateFlags(nats, "north", auditor));
  south.set_coordinator_flags(ReplicateFlags(nats, "south", auditor));
  for (Cluster* campus : {&north, &south}) {
    ASSERT_OK(campus->StartCoordinator());
    ASSERT_OK(campus->StartAllAgents());
  }

  Play(north, 4);
  Play(south, 4);
  ASSERT_OK(nats.Kill(0));  // mid-day: the stream goes on with two of its three servers
  Play(north, 4);
  Play(south, 4);
  ASSERT_OK(nats.Restart(0));
  Play(north, 4);
  Play(south, 4);

  for (Cluster* campus : {&north, &south}) {
    ASSERT_OK(campus->WaitUntilAllStored(60s));
    ASSERT_OK(WaitUntilReplicated(*campus, 60s));
    ASSERT_OK(campus->StopAll());
  }
  ExpectStreamEqualsStore(nats, "north", north.store_dir(), 12 * 3 * 2);
  ExpectStreamEqualsStore(nats, "south", south.store_dir(), 12 * 3 * 2);
}

TEST(Replication, AKillNineAndAnOutageLongerThanTheDuplicateWindowLeaveEveryItemInTheStreamOnce) {
  NatsCluster nats(3);
  ASSERT_OK(nats.Start());
  const Identity auditor = Identity::Generate();
  Cluster campus("three-stations.csv", 13);
  campus.set_coordinator_flags(ReplicateFlags(nats, "west", auditor, {"--duplicate-window-seconds", "1"}));
  ASSERT_OK(campus.StartCoordinator());
  ASSERT_OK(campus.StartAllAgents());

  Play(campus, 5);
  ASSERT_OK(campus.KillCoordinator());  // while it replicates the last students
  ASSERT_OK(nats.KillAll());
  ASSERT_OK(campus.StartCoordinator());  // NATS is out of reach: capture goes on
  Play(campus, 5);
  ASSERT_OK(campus.WaitUntilAllStored(60s));
  ASSERT_OK(campus.KillCoordinator());
  // Longer than the duplicate window: a re-send now would be stored a second time.
  std::this_thread::sleep_for(2s);
  ASSERT_OK(nats.RestartAll());
  ASSERT_OK(campus.StartCoordinator());
  Play(campus, 5);
  ASSERT_OK(campus.WaitUntilAllStored(60s));
  ASSERT_OK(WaitUntilReplicated(campus, 90s));
  ASSERT_OK(campus.StopAll());
  ExpectStreamEqualsStore(nats, "west", campus.store_dir(), 15 * 3 * 2);
}

TEST(Replication, ASecondCoordinatorClaimingTheSameCampusIsRefusedAndPublishesNothing) {
  NatsCluster nats(3);
  ASSERT_OK(nats.Start());
  const Identity auditor = Identity::Generate();
  Cluster first("three-stations.csv", 14);
  Cluster second("three-stations.csv", 15);
  first.set_coordinator_flags(ReplicateFlags(nats, "east", auditor));
  second.set_coordinator_flags(ReplicateFlags(nats, "east", auditor));
  ASSERT_OK(first.StartCoordinator());
  ASSERT_OK(first.StartAllAgents());
  Play(first, 4);
  ASSERT_OK(first.WaitUntilAllStored(60s));
  ASSERT_OK(WaitUntilReplicated(first, 60s));

  Status refused = second.StartCoordinator();
  ASSERT_FALSE(refused.ok()) << "a second coordinator was let in on campus east";
  const std::string log = ReadText(second.store_dir() + "/../coordinator.log");
  EXPECT_NE(log.find("campus east on the stream belongs to record"), std::string::npos) << log;
  EXPECT_NE(log.find("another coordinator claims the campus"), std::string::npos) << log;

  Play(first, 4);
  ASSERT_OK(first.WaitUntilAllStored(60s));
  ASSERT_OK(WaitUntilReplicated(first, 60s));
  ASSERT_OK(first.StopAll());
  ExpectStreamEqualsStore(nats, "east", first.store_dir(), 8 * 3 * 2);
}

}  // namespace
}  // namespace capture::itest
