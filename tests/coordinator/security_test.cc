// Who may publish: the real coordinator and real station agents on 127.0.0.1, with CURVE on, against
// clients that must get nothing in (no key, an unenrolled key, another station's key, a copy of a
// station's key) and a station whose laptop is replaced.
#include <gtest/gtest.h>

#include <zmq.h>

#include "common/frame.h"
#include "common/fs.h"
#include "common/identity.h"
#include "common/transport.h"
#include "coordinator/audit.h"
#include "coordinator/record_store.h"
#include "coordinator/status_client.h"
#include "station-agent/journal.h"
#include "tests/coordinator/fake_agent.h"
#include "tests/coordinator/live_room.h"
#include "tests/support/assert_ok.h"
#include "tools/capture-sim/kit.h"

namespace capture::coord {
namespace {

using namespace std::chrono_literals;
using testing::FakeAgent;
using testing::LiveRoom;
using testing::MakeEvent;

constexpr auto kWait = 10s;

uint64_t Counter(LiveRoom& room, const std::string& name) {
  auto value = QueryCounter(room.registrar(), name, 2000);
  EXPECT_TRUE(value.ok()) << value.status().message();
  return value.ok() ? *value : ~0ull;
}

// Events of `station` stored in the record, from a stopped or running coordinator's store.
uint64_t StoredEventsOf(LiveRoom& room, uint32_t station) {
  auto status = QueryStatus(room.registrar(), 2000);
  EXPECT_TRUE(status.ok()) << status.status().message();
  uint64_t stored = 0;
  if (!status.ok()) return stored;
  for (const auto& s : status->stations()) {
    if (s.station() == station) stored += s.stored_seq();
  }
  return stored;
}

// One student of station 1 photographed through the real agent's inputs.
void Photograph(LiveRoom& room, int student) {
  ASSERT_OK(room.Scan(1, room.student(1, student)));
  ASSERT_OK(room.AwaitLine(1, {"kind=CODE_READ", room.student(1, student).registry_no}, kWait).status());
  auto file = room.DropShot(1);
  ASSERT_OK(file.status());
  ASSERT_OK(room.AwaitLine(1, {"kind=SHOT_TAKEN", "file=" + *file}, kWait).status());
}

ClientSecurity FreshKey(LiveRoom& room) {
  auto server = ReadPublicKey(room.store() + "/coordinator.pub");
  EXPECT_TRUE(server.ok());
  return {std::make_shared<const Identity>(Identity::Generate()), server.ok() ? *server : PublicKey{}};
}

// Publishes station 1's event seq 1..n on a PUB with `security` (plain text when insecure) and a
// heartbeat, as a rogue agent would.
void PublishAsStationOne(LiveRoom& room, const ClientSecurity& security, uint64_t epoch, int n) {
  FakeAgent rogue(1, epoch, security);
  ASSERT_OK(rogue.Connect(room.events(), room.control()));
  rogue.AddEvents(static_cast<uint64_t>(n));
  ASSERT_OK(rogue.SendHello());
  for (int seq = 1; seq <= n; ++seq) {
    // The PUB drops what it sends before its connection is up, so a few tries over a while.
    for (int i = 0; i < 20; ++i) {
      ASSERT_OK(rogue.PublishEvent(static_cast<uint64_t>(seq)));
      std::this_thread::sleep_for(5ms);  // pacing a sender, not ordering anything
    }
  }
  ASSERT_OK(rogue.PublishHeartbeat());
  EXPECT_FALSE(rogue.WaitForAck(1, 500ms)) << "a refused client was acknowledged";
}

TEST(Security, RefusedClientsCommitNothingAndTheRealStationLosesNothing) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  Photograph(room, 0);

  // A fresh key that was never enrolled (it may know the site key: that decodes codes, nothing more).
  PublishAsStationOne(room, FreshKey(room), 0xbad1, 3);
  // No CURVE at all.
  PublishAsStationOne(room, ClientSecurity{}, 0xbad2, 3);
  // The coordinator's public key, but a key pair that is no one's Ed25519 identity.
  {
    char public_z85[41], secret_z85[41];
    ASSERT_EQ(zmq_curve_keypair(public_z85, secret_z85), 0);
    zmq::context_t context;
    auto pub = OpenSocket(context, zmq::socket_type::pub);
    ASSERT_OK(pub.status());
    auto server = ReadPublicKey(room.store() + "/coordinator.pub");
    ASSERT_OK(server.status());
    auto curve = CurvePublicOf(*server);
    ASSERT_OK(curve.status());
    pub->set(zmq::sockopt::curve_serverkey, zmq::buffer(curve->data(), curve->size()));
    pub->set(zmq::sockopt::curve_publickey, std::string(public_z85));
    pub->set(zmq::sockopt::curve_secretkey, std::string(secret_z85));
    ASSERT_OK(Connect(*pub, room.events()));
    for (int i = 0; i < 20; ++i) {
      EXPECT_TRUE(TrySend(*pub, EncodeEventFrame(MakeEvent(1, 0xbad3, 1))));
      std::this_thread::sleep_for(5ms);  // pacing a sender, not ordering anything
    }
  }
  ASSERT_OK(room.WaitForCounter("curve_refused{reason=\"unknown_key\"}", 2, kWait));
  // The client without CURVE: no_curve when the coordinator read its mechanism first, hung_up when
  // the client read the coordinator's and left; either way refused and counted.
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (Counter(room, "curve_refused{reason=\"no_curve\"}") + Counter(room, "curve_refused{reason=\"hung_up\"}") == 0) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the client without CURVE was not counted as refused";
    std::this_thread::sleep_for(20ms);  // polling the counters, not ordering anything
  }

  // The real station goes on, and only its stream is in the record.
  Photograph(room, 1);
  ASSERT_OK(room.WaitUntilStored(kWait));
  auto status = QueryStatus(room.registrar(), 2000);
  ASSERT_OK(status.status());
  ASSERT_EQ(status->stations_size(), 1) << "a refused client opened a stream";
  EXPECT_EQ(status->stations(0).stored_seq(), 4u);
  EXPECT_EQ(Counter(room, "events_stored{station=\"1\"}"), 4u) << "a refused client's event was stored";
  ASSERT_OK(room.StopAgent(1));
  ASSERT_OK(room.StopCoordinator());
  const std::string log = *ReadFile(room.path("coordinator.log"));
  EXPECT_NE(log.find("refused a connection from 127.0.0.1 (unknown_key), CURVE key "), std::string::npos) << log;
  EXPECT_TRUE(log.find("(no_curve") != std::string::npos || log.find("(hung_up") != std::string::npos) << log;
}

TEST(Security, AnotherStationsKeyPublishingAsStationOneIsRejectedAsAStationMismatch) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  PublishAsStationOne(room, room.StationSecurity(2), 0x2222, 3);
  ASSERT_OK(room.WaitForCounter("frames_rejected{reason=\"station_mismatch\"}", 3, kWait));
  EXPECT_EQ(StoredEventsOf(room, 1), 0u);
  EXPECT_EQ(Counter(room, "events_stored{station=\"1\"}"), 0u);
}

TEST(Security, ASecondConnectionWithARunningAgentsKeyTakesNoneOfItsReplies) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  Photograph(room, 0);
  ASSERT_OK(room.WaitUntilStored(kWait));
  // Events are stored before the agent's hello is taken; the copy must come after the agent.
  ASSERT_OK(room.WaitForCounter("hellos{station=\"1\"}", 1, kWait));

  // Another process with station 1's key (a copied key file) says hello for the running agent's epoch.
  const uint64_t epoch = std::stoull(room.epoch_hex(1), nullptr, 16);
  FakeAgent copy(1, epoch, room.StationSecurity(1));
  ASSERT_OK(copy.Connect(room.events(), room.control()));
  ASSERT_OK(copy.SendHello());
  ASSERT_OK(room.WaitForCounter("hellos_refused{reason=\"station_connected\"}", 1, kWait));

  // The real agent still gets its acks, its anomaly notices and its image transfers.
  auto shot = room.DropShot(1);  // a shot with no code: a blocker the agent must hear of
  ASSERT_OK(shot.status());
  ASSERT_OK(room.AwaitLine(1, {"anomaly station=1", "kind=SHOT_WITHOUT_CODE"}, kWait).status());
  Photograph(room, 1);
  ASSERT_OK(room.WaitUntilStored(kWait));
  ASSERT_OK(room.WaitForCounter("images_stored", 3, kWait));
  // The copy heard nothing for the station: no ack, no verdict, no resend request.
  EXPECT_FALSE(copy.WaitFor([](const wire::Frame& f) { return f.has_ack() || f.has_verdict() || f.has_resend(); },
                            300ms)
                   .has_value());
}

TEST(Security, MadeUpStreamsAreRefusedBeyondTheEpochLimit) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  zmq::context_t context;
  auto pub = OpenSocket(context, zmq::socket_type::pub);
  ASSERT_OK(pub.status());
  ASSERT_OK(Secure(*pub, room.StationSecurity(1)));
  ASSERT_OK(Connect(*pub, room.events()));
  // Heartbeats of 200 made-up epochs, several rounds (the first ones may go before the connection is up).
  for (int round = 0; round < 20 && Counter(room, "frames_rejected{reason=\"epoch_limit\"}") == 0; ++round) {
    for (uint64_t epoch = 1; epoch <= 200; ++epoch) {
      wire::Frame frame;
      frame.mutable_heartbeat()->set_station(1);
      frame.mutable_heartbeat()->set_epoch(epoch);
      frame.mutable_heartbeat()->set_last_seq(5);
      ASSERT_TRUE(TrySend(*pub, EncodeFrame(std::move(frame))));
    }
    std::this_thread::sleep_for(50ms);  // polling a condition with a bound
  }
  ASSERT_OK(room.WaitForCounter("frames_rejected{reason=\"epoch_limit\"}", 1, kWait));
  auto status = QueryStatus(room.registrar(), 2000);
  ASSERT_OK(status.status());
  EXPECT_EQ(status->stations_size(), 32) << "each station opens at most 32 epochs";
}

TEST(Security, AReplacedLaptopsKeyIsEnrolledLiveAndTheOldKeyIsRefusedAfterwards) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  Photograph(room, 0);
  ASSERT_OK(room.WaitUntilStored(kWait));
  ASSERT_OK(room.WaitForCounter("images_stored", 1, kWait));  // else the record misses its photo
  ASSERT_OK(room.StopAgent(1));

  // The new laptop: a new journal and a new key, enrolled by the registrar on the running coordinator.
  const Identity laptop = Identity::Generate();
  ASSERT_OK(laptop.SaveNew(room.path("new-laptop.key")));
  auto enrolled = room.Capturectl({"enroll", "--station", "1", "--key", KeyHex(laptop.public_key()), "--by",
                                   "registrar Wang", "--connect", room.control(), "--token-file",
                                   room.store() + "/registrar.token"});
  ASSERT_OK(enrolled.status());
  ASSERT_EQ(enrolled->exit_code, 0) << enrolled->out;
  EXPECT_NE(enrolled->out.find("enrolled commit_index="), std::string::npos) << enrolled->out;

  ASSERT_OK(room.StartAgent(1, {}, false, {"--identity", room.path("new-laptop.key"), "--journal",
                                           room.path("new-laptop-journal")}));
  Photograph(room, 1);
  ASSERT_OK(room.WaitUntilStored(kWait));

  // The old key gets no new connection.
  PublishAsStationOne(room, room.StationSecurity(1), 0x01d, 1);
  ASSERT_OK(room.WaitForCounter("curve_refused{reason=\"withdrawn_key\"}", 1, kWait));
  ASSERT_OK(room.WaitForCounter("images_stored", 2, kWait));
  ASSERT_OK(room.StopAgent(1));
  ASSERT_OK(room.StopCoordinator());

  // The record shows which key was valid when; both epochs verify.
  auto keys = room.Capturectl({"keys", "--store", room.store(), "--json"});
  ASSERT_OK(keys.status());
  ASSERT_EQ(keys->exit_code, 0) << keys->out;
  EXPECT_NE(keys->out.find("\"by\":\"registrar Wang\""), std::string::npos) << keys->out;
  EXPECT_NE(keys->out.find("\"key\":\"" + KeyHex(laptop.public_key()) + "\""), std::string::npos) << keys->out;
  EXPECT_NE(keys->out.find("\"admitted\":false"), std::string::npos) << keys->out;
  auto store = RecordStore::Open(room.store(), /*read_only=*/true);
  ASSERT_OK(store.status());
  bool enrolment_item = false, new_epoch = false;
  ASSERT_OK((*store)->ForEachItem([&](const wire::RecordItem& item) {
    enrolment_item |= item.has_observation() && item.observation().kind() == wire::Observation::KEY_ENROLLED &&
                      item.observation().by() == "registrar Wang";
    new_epoch |= item.has_observation() && item.observation().kind() == wire::Observation::EPOCH_STARTED;
    return true;
  }));
  EXPECT_TRUE(enrolment_item);
  EXPECT_TRUE(new_epoch);
  auto verify = room.Capturectl({"verify", "--store", room.store()});
  ASSERT_OK(verify.status());
  EXPECT_EQ(verify->exit_code, 0) << verify->out;
}

TEST(Security, ACraftedEventAheadOfTheStationsOwnIsNamedAsAChainConflictBlocker) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  ASSERT_OK(room.StartAgent(1));
  Photograph(room, 0);
  ASSERT_OK(room.WaitUntilStored(kWait));

  // A copy of station 1's key sends seq 3 first, linked to the station's seq 2 as the station's own would be.
  std::string last;
  {
    auto journal = agent::Journal::Open(room.journal_dir(1), /*read_only=*/true);
    ASSERT_OK(journal.status());
    ASSERT_OK((*journal)->ForEachEvent(2, [&](uint64_t, std::string_view bytes) {
      last = std::string(bytes);
      return false;
    }));
  }
  const uint64_t epoch = std::stoull(room.epoch_hex(1), nullptr, 16);
  wire::CaptureEvent crafted;
  ASSERT_TRUE(crafted.ParseFromString(MakeEvent(1, epoch, 3)));
  crafted.set_prev_sha256(AsBytes(ComputeSha256(last)));
  FakeAgent copy(1, epoch, room.StationSecurity(1));
  ASSERT_OK(copy.Connect(room.events(), room.control()));
  ASSERT_OK(copy.SendRaw(EncodeEventFrame(crafted.SerializeAsString())));
  ASSERT_OK(room.WaitForCounter("events_stored{station=\"1\"}", 3, kWait));

  // The station's own seq 3 cannot be stored unnoticed: the operator is told at once.
  ASSERT_OK(room.Scan(1, room.student(1, 1)));
  auto blocker = room.AwaitLine(1, {"anomaly station=1", "severity=BLOCKER", "kind=CHAIN_CONFLICT"}, kWait);
  ASSERT_OK(blocker.status());
  ASSERT_OK(room.WaitForCounter("seq_conflicts", 1, kWait));
}

TEST(Security, AnEventThatDoesNotLinkToTheStationsChainIsRefused) {
  LiveRoom room;
  ASSERT_OK(room.StartCoordinator());
  FakeAgent agent(1, 0xc4a1, room.StationSecurity(1));
  ASSERT_OK(agent.Connect(room.events(), room.control()));
  agent.AddEvents(1);
  ASSERT_OK(agent.SendHello());
  ASSERT_OK(agent.SendEvent(1));
  ASSERT_TRUE(agent.WaitForAck(1, kWait));
  // Seq 2 naming a predecessor the record does not hold.
  wire::CaptureEvent unlinked;
  ASSERT_TRUE(unlinked.ParseFromString(MakeEvent(1, 0xc4a1, 2)));
  unlinked.set_prev_sha256(AsBytes(ComputeSha256("not seq 1")));
  ASSERT_OK(agent.SendRaw(EncodeEventFrame(unlinked.SerializeAsString())));
  ASSERT_OK(room.WaitForCounter("frames_rejected{reason=\"bad_link\"}", 1, kWait));
  EXPECT_EQ(Counter(room, "events_stored{station=\"1\"}"), 1u);
}

}  // namespace
}  // namespace capture::coord
