// The lossless pipeline end to end: real agents, a real coordinator, real sockets on 127.0.0.1.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "tests/integration/cluster.h"
#include "tests/support/assert_ok.h"

namespace capture::itest {
namespace {

using namespace std::chrono_literals;

// Plays every station round-robin, one student at a time, calling `between` before each student.
template <typename Between>
void PlayWholeDay(Cluster& cluster, Between between) {
  for (int step = 0;; ++step) {
    bool played = false;
    for (int station : cluster.stations()) {
      if (cluster.StationDone(station)) continue;
      between(step, station);
      if (::testing::Test::HasFatalFailure()) return;
      ASSERT_OK(cluster.PlayNextStudent(station));
      played = true;
    }
    if (!played) return;
  }
}

TEST(Pipeline, RecordEqualsTheJournalsAfterRepeatedKillNineOfEveryProcess) {
  Cluster cluster("three-stations.csv");
  ASSERT_OK(cluster.StartCoordinator());
  ASSERT_OK(cluster.StartAllAgents());

  std::mt19937 rng(20240422);
  std::uniform_int_distribution<int> pick_step(2, 85);  // each station plays about 90 students
  std::set<int> coordinator_kills;
  while (coordinator_kills.size() < 6) coordinator_kills.insert(pick_step(rng));
  std::map<int, int> agent_kill_step;
  for (int station : cluster.stations()) agent_kill_step[station] = pick_step(rng);
  int restart_coordinator_at = -1;
  int kills = 0;

  PlayWholeDay(cluster, [&](int step, int station) {
    if (station != cluster.stations().front()) {
      if (agent_kill_step[station] == step) {
        ASSERT_OK(cluster.KillAgent(station));
        ASSERT_OK(cluster.StartAgent(station));
      }
      return;
    }
    if (!cluster.coordinator_running() && step >= restart_coordinator_at) ASSERT_OK(cluster.StartCoordinator());
    if (cluster.coordinator_running() && coordinator_kills.count(step)) {
      ASSERT_OK(cluster.KillCoordinator());
      ++kills;
      restart_coordinator_at = step + std::uniform_int_distribution<int>(0, 6)(rng);
    }
    if (agent_kill_step[station] == step) {
      // The image lands while the agent is dead: the restarted agent takes it in from the folder.
      ASSERT_OK(cluster.PlayNextStudent(station, /*kill_before_shot_event=*/true));
    }
  });
  if (HasFatalFailure()) return;
  EXPECT_GE(kills, 5);
  uint64_t total = 0;
  for (int station : cluster.stations()) total += cluster.events_journaled(station);
  EXPECT_GE(total, 540u) << "the whole day must have been played";
  if (!cluster.coordinator_running()) ASSERT_OK(cluster.StartCoordinator());
  ASSERT_OK(cluster.WaitUntilAllStored(60s));
  // Transfers cut by the kills resume; every image arrives whole.
  ASSERT_OK(cluster.WaitUntilAllImagesFiled(60s));
  ASSERT_OK(cluster.StopAll());
  ASSERT_OK(cluster.ExpectRecordEqualsJournals());
  // Live verdicts must equal an offline re-judge, also across the kills.
  ASSERT_OK(cluster.VerifyStoredVerdicts());
}

TEST(Pipeline, CoordinatorStartedAfterFiveHundredEventsReceivesThemAll) {
  Cluster cluster("three-stations.csv");
  ASSERT_OK(cluster.ChooseCoordinatorPorts());
  ASSERT_OK(cluster.StartAllAgents());
  PlayWholeDay(cluster, [](int, int) {});
  if (HasFatalFailure()) return;
  uint64_t total = 0;
  for (int station : cluster.stations()) total += cluster.events_journaled(station);
  ASSERT_GE(total, 500u);
  ASSERT_OK(cluster.StartCoordinator());
  ASSERT_OK(cluster.WaitUntilAllStored(60s));
  ASSERT_OK(cluster.StopAll());
  ASSERT_OK(cluster.ExpectRecordEqualsJournals());
}

TEST(Pipeline, EveryGapLeftByALossyLiveStreamIsRepaired) {
  Cluster cluster("three-stations.csv");
  ASSERT_OK(cluster.StartCoordinator());
  ASSERT_OK(cluster.StartAllAgents(/*drop_share=*/0.3));
  PlayWholeDay(cluster, [](int, int) {});
  if (HasFatalFailure()) return;
  ASSERT_OK(cluster.WaitUntilAllStored(60s));
  uint64_t resend_requests = 0;
  for (int station : cluster.stations()) {
    auto n = cluster.Counter("resend_requests{station=\"" + std::to_string(station) + "\"}");
    ASSERT_TRUE(n.ok()) << n.status().message();
    resend_requests += *n;
  }
  EXPECT_GT(resend_requests, 0u) << "with 30% of frames dropped, gaps must have been asked for";
  ASSERT_OK(cluster.StopAll());
  ASSERT_OK(cluster.ExpectRecordEqualsJournals());
}

}  // namespace
}  // namespace capture::itest
