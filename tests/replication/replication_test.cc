// Campuses replicating to a real NATS JetStream cluster: real nats-server processes, real
// coordinators and agents on 127.0.0.1, killed and restarted as a capture day would see them.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "common/fs.h"
#include "common/identity.h"
#include "coordinator/record_store.h"
#include "coordinator/replication/nats_stream.h"
#include "coordinator/replication/replica_messages.h"
#include "tests/integration/cluster.h"
#include "tests/replication/nats_cluster.h"
#include "tests/support/assert_ok.h"
#include "tools/capture-sim/process.h"

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

// Each stored item's bytes and its verdict's bytes, in commit order.
using StoredItems = std::vector<std::pair<std::string, std::string>>;

StoredItems StoredItemsOf(const std::string& store_dir) {
  StoredItems items;
  auto store = coord::RecordStore::Open(store_dir, /*read_only=*/true);
  EXPECT_TRUE(store.ok()) << store.status().message();
  if (!store.ok()) return items;
  EXPECT_OK((*store)->ForEachStoredItem([&](const wire::RecordItem&, std::string_view item, std::string_view verdict) {
    items.emplace_back(item, verdict);
    return true;
  }));
  return items;
}

// `copy` holds `original`'s items and verdicts byte for byte, and nothing more; names the first that differs.
void ExpectSameItems(const StoredItems& original, const StoredItems& copy, const std::string& what) {
  for (size_t i = 0; i < std::min(original.size(), copy.size()); ++i) {
    EXPECT_EQ(copy[i].first, original[i].first) << what << ": commit index " << i + 1;
    EXPECT_EQ(copy[i].second, original[i].second) << what << ": the verdict of commit index " << i + 1;
    if (copy[i] != original[i]) return;
  }
  EXPECT_EQ(copy.size(), original.size()) << what << ": another number of items";
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
  StoredItems replicated;
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
  store->reset();
  const StoredItems stored = StoredItemsOf(store_dir);
  ExpectSameItems(stored, replicated, "the stream of " + campus);
  EXPECT_GE(stored.size(), at_least_items);
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

// Runs capturectl with `args`; its exit status. `log` gets what it printed, stderr then stdout.
Result<sim::ExitStatus> Capturectl(std::vector<std::string> args, const std::string& log) {
  args.insert(args.begin(), std::string(CAPTURE_BIN_DIR) + "/capturectl");
  std::filesystem::remove(log);
  auto child = sim::ChildProcess::Spawn(std::move(args), log);
  if (!child.ok()) return child.status();
  std::string out;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (auto line = (*child)->ReadLine(deadline)) out += *line + "\n";
  auto exit = (*child)->Wait(10s);
  std::ofstream(log, std::ios::app) << out;
  return exit;
}

// Starts the campus's coordinator; on failure the error has the end of its log.
Status StartCoordinator(Cluster& campus) {
  Status started = campus.StartCoordinator();
  if (started.ok()) return started;
  const std::string log = ReadText(campus.store_dir() + "/../coordinator.log");
  return Status::Unavailable(started.message() + "\n" + log.substr(log.size() > 3000 ? log.size() - 3000 : 0));
}

// A stopped store's exports (assignment CSV, anomalies JSON Lines) as capturectl writes them.
struct Exports {
  std::string assignment, anomalies;
};
Exports ExportsOf(const std::string& store_dir, const std::string& work) {
  Exports exports;
  for (auto [what, text] : {std::pair<const char*, std::string*>{"assignment", &exports.assignment},
                            {"anomalies", &exports.anomalies}}) {
    const std::string out = work + "/" + what + ".export";
    std::filesystem::remove(out);
    auto exit = Capturectl({"export", what, "--store", store_dir, "--out", out}, work + "/export.log");
    EXPECT_TRUE(exit.ok() && exit->Succeeded()) << "export " << what << " of " << store_dir << ": "
                                                << ReadText(work + "/export.log");
    *text = ReadText(out);
  }
  EXPECT_NE(exports.assignment.find('\n'), std::string::npos) << "an empty assignment export of " << store_dir;
  return exports;
}

// `capturectl verify --verdicts-only`: the stream carries no images yet.
void ExpectVerifies(const std::string& store_dir, const std::string& log) {
  auto exit = Capturectl({"verify", "--store", store_dir, "--verdicts-only"}, log);
  ASSERT_OK(exit.status());
  EXPECT_TRUE(exit->Succeeded()) << store_dir << ": verify ended with " << exit->ToString() << ": " << ReadText(log);
}

// Starts `campus` replicating as `id` with its kit's auditor key (the flags it used in `replicate`),
// plays `students` at every station and waits until the stream holds all of it.
void PlayReplicatedDay(const NatsCluster& nats, Cluster& campus, const std::string& id, int students,
                       std::vector<std::string>* replicate) {
  auto auditor = Identity::Load(campus.store_dir() + "/../auditor.key");
  ASSERT_OK(auditor.status());
  *replicate = ReplicateFlags(nats, id, *auditor);
  campus.set_coordinator_flags(*replicate);
  ASSERT_OK(StartCoordinator(campus));
  ASSERT_OK(campus.StartAllAgents());
  Play(campus, students);
  ASSERT_OK(campus.WaitUntilAllStored(60s));
  ASSERT_OK(WaitUntilReplicated(campus, 60s));
}

TEST(Replication, ACampusRestoredFromTheStreamVerifiesExportsAsBeforeAndItsAgentsFillInTheTail) {
  NatsCluster nats(3);
  ASSERT_OK(nats.Start());
  Cluster campus("three-stations.csv", 16);
  const std::string root = campus.store_dir() + "/..";
  std::vector<std::string> replicate;
  ASSERT_NO_FATAL_FAILURE(PlayReplicatedDay(nats, campus, "west", 4, &replicate));

  // What the stream holds, as the campus's own exports; then a tail that never reaches it.
  ASSERT_OK(nats.KillAll());
  ASSERT_OK(campus.KillCoordinator());
  const Exports replicated = ExportsOf(campus.store_dir(), root);
  ASSERT_OK(StartCoordinator(campus));
  Play(campus, 3);
  ASSERT_OK(campus.WaitUntilAllStored(60s));
  ASSERT_OK(campus.KillCoordinator());
  for (int station : campus.stations()) ASSERT_OK(campus.KillAgent(station));
  const Exports whole_day = ExportsOf(campus.store_dir(), root);
  ASSERT_NE(whole_day.assignment, replicated.assignment);

  // The coordinator's machine is lost; its key was backed up.
  auto key = ReadFile(campus.store_dir() + "/coordinator.key");
  ASSERT_OK(key.status());
  ASSERT_OK(WriteFileDurably(root + "/coordinator.key.backup", *key, 0600));
  std::filesystem::remove_all(campus.store_dir());
  ASSERT_OK(nats.RestartAll());
  campus.set_coordinator_flags(
      {"--restore-from", nats.urls(), "--campus", "west", "--coordinator-key-file", root + "/coordinator.key.backup"});
  ASSERT_OK(StartCoordinator(campus));
  ASSERT_OK(campus.KillCoordinator());
  ExpectVerifies(campus.store_dir(), root + "/verify-restored.log");
  const Exports restored = ExportsOf(campus.store_dir(), root);
  EXPECT_EQ(restored.assignment, replicated.assignment);
  EXPECT_EQ(restored.anomalies, replicated.anomalies);
  EXPECT_NE(ReadText(root + "/coordinator.log").find("restored campus west from"), std::string::npos);

  // The agents' journals fill in the tail, and the restored coordinator replicates it.
  campus.set_coordinator_flags(replicate);
  ASSERT_OK(StartCoordinator(campus));
  ASSERT_OK(campus.StartAllAgents());
  ASSERT_OK(campus.WaitUntilAllStored(60s));
  ASSERT_OK(WaitUntilReplicated(campus, 60s));
  ASSERT_OK(campus.StopAll());
  ASSERT_OK(campus.ExpectRecordEqualsJournals());
  ExpectVerifies(campus.store_dir(), root + "/verify-filled.log");
  EXPECT_EQ(ExportsOf(campus.store_dir(), root).assignment, whole_day.assignment);
  ExpectStreamEqualsStore(nats, "west", campus.store_dir(), 7 * 3 * 2);

  // An auditor's copy re-judges to the campus's own verdicts, byte for byte.
  const std::string fetched = root + "/fetched";
  auto fetch = Capturectl({"fetch", "--nats", nats.urls(), "--campus", "west", "--store", fetched, "--auditor-secret",
                           root + "/auditor.key"},
                          root + "/fetch.log");
  ASSERT_OK(fetch.status());
  ASSERT_TRUE(fetch->Succeeded()) << ReadText(root + "/fetch.log");
  ExpectVerifies(fetched, root + "/verify-fetched.log");
  ExpectSameItems(StoredItemsOf(campus.store_dir()), StoredItemsOf(fetched), "the fetched store");
  const Exports audited = ExportsOf(fetched, root);
  const Exports own_exports = ExportsOf(campus.store_dir(), root);
  EXPECT_EQ(audited.assignment, own_exports.assignment);
  EXPECT_EQ(audited.anomalies, own_exports.anomalies);

  // The photo service, without the auditors' key, cannot fetch the roster.
  auto refused = Capturectl({"fetch", "--nats", nats.urls(), "--campus", "west", "--store", root + "/service",
                             "--auditor-secret", root + "/station-1.key"},
                            root + "/fetch-refused.log");
  ASSERT_OK(refused.status());
  EXPECT_EQ(refused->exit_code, 2);
  EXPECT_NE(ReadText(root + "/fetch-refused.log").find("the roster sealed to the auditors does not open"),
            std::string::npos)
      << ReadText(root + "/fetch-refused.log");
}

TEST(Replication, ACampusRestoredWithoutItsKeyRecordsAKeyRotationThatVerifyReports) {
  NatsCluster nats(1);
  ASSERT_OK(nats.Start());
  Cluster campus("three-stations.csv", 17);
  const std::string root = campus.store_dir() + "/..";
  std::vector<std::string> replicate;
  ASSERT_NO_FATAL_FAILURE(PlayReplicatedDay(nats, campus, "south", 3, &replicate));
  ASSERT_OK(campus.StopAll());
  auto old_key = ReadPublicKey(campus.store_dir() + "/coordinator.pub");
  ASSERT_OK(old_key.status());
  const Exports before = ExportsOf(campus.store_dir(), root);

  // The machine and its key are lost; the registrar still has the roster (the cluster gives --roster).
  std::filesystem::remove_all(campus.store_dir());
  campus.set_coordinator_flags({"--restore-from", nats.urls(), "--campus", "south"});
  ASSERT_OK(StartCoordinator(campus));
  ASSERT_OK(campus.KillCoordinator());
  auto new_key = ReadPublicKey(campus.store_dir() + "/coordinator.pub");
  ASSERT_OK(new_key.status());
  ASSERT_NE(*new_key, *old_key);
  EXPECT_NE(ReadText(root + "/coordinator.log").find("restored without the coordinator's key"), std::string::npos);
  // The rotation is the restored record's last item.
  auto restored_store = coord::RecordStore::Open(campus.store_dir(), /*read_only=*/true);
  ASSERT_OK(restored_store.status());
  const std::string rotated = "rotated coordinator key commit_index=" +
                              std::to_string((*restored_store)->commit_index()) + ": " + KeyHex(*old_key) + " -> " +
                              KeyHex(*new_key);
  restored_store->reset();
  for (const std::string& key : {std::string(), KeyHex(*old_key)}) {
    std::vector<std::string> args = {"verify", "--store", campus.store_dir(), "--verdicts-only"};
    if (!key.empty()) args.insert(args.end(), {"--coordinator-key", key});
    auto exit = Capturectl(args, root + "/verify.log");
    ASSERT_OK(exit.status());
    const std::string log = ReadText(root + "/verify.log");
    EXPECT_TRUE(exit->Succeeded()) << log;
    EXPECT_NE(log.find(rotated), std::string::npos) << log;
  }
  // A key the record never used is named.
  auto stranger = Capturectl({"verify", "--store", campus.store_dir(), "--verdicts-only", "--coordinator-key",
                              KeyHex(Identity::Generate().public_key())},
                             root + "/verify-stranger.log");
  ASSERT_OK(stranger.status());
  EXPECT_EQ(stranger->exit_code, 1);
  EXPECT_NE(ReadText(root + "/verify-stranger.log").find("is none of the keys this record's heads were signed with"),
            std::string::npos);
  const Exports after = ExportsOf(campus.store_dir(), root);
  EXPECT_EQ(after.assignment, before.assignment);

  // The agents, given the new coordinator.pub, go on; the stream takes the rotation and what follows.
  campus.set_coordinator_flags(replicate);
  ASSERT_OK(StartCoordinator(campus));
  ASSERT_OK(campus.StartAllAgents());
  Play(campus, 2);
  ASSERT_OK(campus.WaitUntilAllStored(60s));
  ASSERT_OK(WaitUntilReplicated(campus, 60s));
  ASSERT_OK(campus.StopAll());
  ASSERT_OK(campus.ExpectRecordEqualsJournals());
  ExpectVerifies(campus.store_dir(), root + "/verify-after.log");
  ExpectStreamEqualsStore(nats, "south", campus.store_dir(), 5 * 3 * 2);
}

}  // namespace
}  // namespace capture::itest
