#include "coordinator/station_watch.h"

#include <gtest/gtest.h>

namespace capture::coord {
namespace {

using namespace std::chrono_literals;
using Time = StationWatch::SteadyTime;

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kNow = 1713749400 * kSecond;  // the coordinator's system clock in these tests
const Time kStart{};

StationWatch::Options Options(bool sim_time = false) {
  StationWatch::Options o;
  o.clock_tolerance_us = 60 * kSecond;
  o.silent_after = 3s;
  o.confirm = 1s;
  o.sim_time = sim_time;
  return o;
}

wire::Heartbeat Beat(uint32_t station, int64_t station_time_us) {
  wire::Heartbeat hb;
  hb.set_station(station);
  hb.set_epoch(0xabc);
  hb.set_last_seq(1);
  hb.set_station_time_us(station_time_us);
  return hb;
}

// Heartbeats every 250 ms over `span`, the station clock `offset` off the system clock.
std::vector<wire::Observation> Beats(StationWatch& watch, uint32_t station, int64_t offset, Time from,
                                     std::chrono::milliseconds span) {
  std::vector<wire::Observation> out;
  for (auto t = 0ms; t <= span; t += 250ms) {
    const int64_t system = kNow + std::chrono::duration_cast<std::chrono::microseconds>(t).count();
    for (auto& o : watch.Heartbeat(Beat(station, system + offset), system, from + t)) out.push_back(o);
  }
  return out;
}

TEST(StationWatch, RecordsAClockBeyondToleranceOnceItStaysBeyond) {
  StationWatch watch(Options());
  auto first = watch.Heartbeat(Beat(1, kNow + 600 * kSecond), kNow, kStart);
  EXPECT_TRUE(first.empty()) << "a single heartbeat is not yet confirmed";
  auto out = Beats(watch, 1, 600 * kSecond, kStart + 250ms, 2s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind(), wire::Observation::CLOCK_OFFSET);
  EXPECT_EQ(out[0].station(), 1u);
  EXPECT_EQ(out[0].offset_us(), 600 * kSecond);
}

TEST(StationWatch, RecordsNothingForAClockAlwaysWithinTolerance) {
  StationWatch watch(Options());
  EXPECT_TRUE(Beats(watch, 1, 59 * kSecond, kStart, 5s).empty());
  EXPECT_TRUE(Beats(watch, 2, -2 * kSecond, kStart, 5s).empty());
}

TEST(StationWatch, RecordsTheClockBackWithinTolerance) {
  StationWatch watch(Options());
  ASSERT_EQ(Beats(watch, 1, -300 * kSecond, kStart, 2s).size(), 1u);
  auto back = Beats(watch, 1, 0, kStart + 3s, 2s);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].kind(), wire::Observation::CLOCK_OFFSET);
  EXPECT_EQ(back[0].offset_us(), 0);
}

TEST(StationWatch, IgnoresABurstOfHeartbeatsThatWaitedInAQueue) {
  StationWatch watch(Options());
  EXPECT_TRUE(Beats(watch, 1, 0, kStart, 1s).empty());
  // Two minutes of heartbeats queued while the coordinator was down arrive within 10 ms.
  for (int i = 0; i < 480; ++i) {
    const int64_t sent = kNow - 120 * kSecond + i * kSecond / 4;
    EXPECT_TRUE(watch.Heartbeat(Beat(1, sent), kNow + 2 * kSecond, kStart + 2s).empty());
  }
  EXPECT_TRUE(Beats(watch, 1, 0, kStart + 2010ms, 3s).empty());
}

constexpr int64_t kDay = 1713745800 * kSecond;  // the simulated stations' time, far from the system clock

// A simulated day of three stations in record order, one event each per 10 s of played time, the
// third station's clock `skew` off; `every` events of station 1 are played before the others catch
// up (the play running ahead at one station, as a fast play does), and heartbeats caught at any
// moment of it. Returns what the watch recorded.
std::vector<wire::Observation> SimDay(int64_t skew, int every) {
  StationWatch watch(Options(/*sim_time=*/true));
  std::vector<wire::Observation> out;
  auto keep = [&](std::vector<wire::Observation> more) { out.insert(out.end(), more.begin(), more.end()); };
  Time now = kStart;
  for (int step = 0; step < 120; step += every) {
    for (uint32_t station : {1u, 2u, 3u}) {
      for (int i = step; i < step + every; ++i) {
        const int64_t time = kDay + i * 10 * kSecond + (station == 3 ? skew : 0);
        keep(watch.Event(station, 0xabc, time, /*live=*/true));
        now += 1ms;
        keep(watch.Heartbeat(Beat(station, time), kNow, now));
      }
    }
  }
  return out;
}

TEST(StationWatch, WithSimTimeMeasuresEachStationsEventsAgainstTheOthersInRecordOrder) {
  const auto out = SimDay(600 * kSecond, 1);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind(), wire::Observation::CLOCK_OFFSET);
  EXPECT_EQ(out[0].station(), 3u);
  EXPECT_EQ(out[0].offset_us(), 600 * kSecond);
}

TEST(StationWatch, WithSimTimeADayPlayedAtAnySpeedRaisesNothing) {
  EXPECT_TRUE(SimDay(0, 1).empty());
  EXPECT_TRUE(SimDay(20 * kSecond, 1).empty()) << "within the tolerance";
  // Heartbeats caught while one station's play ran 50 s ahead of the others' say nothing.
  EXPECT_TRUE(SimDay(0, 5).empty());
}

TEST(StationWatch, WithSimTimeEventsFromAnAgentsBacklogSayNothingOfItsClock) {
  StationWatch watch(Options(/*sim_time=*/true));
  std::vector<wire::Observation> out;
  for (int i = 0; i < 40; ++i) {
    for (uint32_t station : {1u, 2u}) {
      for (auto& o : watch.Event(station, 0xabc, kDay + i * 10 * kSecond, true)) out.push_back(o);
    }
    // Station 3 resends what it journaled an hour earlier while the coordinator was away.
    for (auto& o : watch.Event(3, 0xabc, kDay - 3600 * kSecond + i * kSecond, /*live=*/false)) out.push_back(o);
  }
  EXPECT_TRUE(out.empty());
}

TEST(StationWatch, RecordsSilenceOnceAndTheStationBack) {
  StationWatch watch(Options());
  EXPECT_TRUE(Beats(watch, 1, 0, kStart, 1s).empty());
  EXPECT_TRUE(watch.Tick(kStart + 3s).empty());
  auto silent = watch.Tick(kStart + 4001ms);
  ASSERT_EQ(silent.size(), 1u);
  EXPECT_EQ(silent[0].kind(), wire::Observation::STATION_SILENT);
  EXPECT_EQ(silent[0].station(), 1u);
  EXPECT_TRUE(watch.Tick(kStart + 10s).empty());
  auto back = watch.Heartbeat(Beat(1, kNow), kNow, kStart + 11s);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].kind(), wire::Observation::STATION_BACK);
  EXPECT_TRUE(watch.Tick(kStart + 12s).empty());
}

TEST(StationWatch, AGoodbyeIsRecordedOnceAndTheStoppedStationIsNeverCalledSilent) {
  StationWatch watch(Options());
  EXPECT_TRUE(Beats(watch, 1, 0, kStart, 1s).empty());
  wire::Heartbeat goodbye = Beat(1, kNow);
  goodbye.set_goodbye(true);
  auto stopped = watch.Heartbeat(goodbye, kNow, kStart + 2s);
  ASSERT_EQ(stopped.size(), 1u);
  EXPECT_EQ(stopped[0].kind(), wire::Observation::STATION_STOPPED);
  EXPECT_TRUE(watch.Tick(kStart + 60s).empty()) << "stopped, not silent";

  // A coordinator started again on the record knows it stopped.
  StationWatch restarted(Options());
  wire::RecordItem item;
  *item.mutable_observation() = stopped[0];
  restarted.Restore(item);
  restarted.StartWatching(kStart + 61s);
  EXPECT_TRUE(restarted.Tick(kStart + 120s).empty());
  // Heard again, it is watched again: its next silence is recorded.
  EXPECT_TRUE(restarted.Heartbeat(Beat(1, kNow), kNow, kStart + 121s).empty());
  ASSERT_EQ(restarted.Tick(kStart + 126s).size(), 1u);
}

TEST(StationWatch, NeverCallsAStationNeverHeardSilent) {
  StationWatch watch(Options());
  watch.StartWatching(kStart);
  EXPECT_TRUE(watch.Tick(kStart + 1h).empty());
}

wire::RecordItem ItemWith(const wire::Observation& o) {
  wire::RecordItem item;
  *item.mutable_observation() = o;
  return item;
}

TEST(StationWatch, ContinuesFromTheRecordAfterARestart) {
  StationWatch before(Options());
  std::vector<wire::Observation> recorded = Beats(before, 1, 600 * kSecond, kStart, 2s);
  EXPECT_TRUE(Beats(before, 2, 0, kStart, 2s).empty());
  for (auto& o : before.Tick(kStart + 6s)) recorded.push_back(o);
  ASSERT_EQ(recorded.size(), 3u);  // station 1's clock; both silent

  StationWatch after(Options());
  for (const auto& o : recorded) after.Restore(ItemWith(o));
  wire::RecordItem event;
  wire::CaptureEvent ev;
  ev.set_station(3);
  ev.set_seq(1);
  event.set_event(ev.SerializeAsString());
  after.Restore(event);
  after.StartWatching(kStart + 10s);
  // Station 1's clock is still off: no new CLOCK_OFFSET. It was silent: it is back.
  auto out = Beats(after, 1, 600 * kSecond, kStart + 10s, 2s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].kind(), wire::Observation::STATION_BACK);
  // Station 2 stays silent without a second record; station 3 is known from its events and never
  // heard since the restart: silent in time.
  auto silent = after.Tick(kStart + 14s);
  ASSERT_EQ(silent.size(), 1u);
  EXPECT_EQ(silent[0].station(), 3u);
}

}  // namespace
}  // namespace capture::coord
