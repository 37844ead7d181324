#include <gtest/gtest.h>

#include "tools/capture-sim/day.h"

namespace capture::sim {
namespace {

using namespace std::chrono_literals;

DaySummary SentTen() {
  DaySummary summary;
  StationSummary s;
  s.station = 2;
  s.epoch = 0xabc;
  s.events_sent = 10;
  summary.stations.push_back(s);
  return summary;
}

wire::StatusReply Stored(uint32_t station, uint64_t epoch, uint64_t seq) {
  wire::StatusReply reply;
  wire::StationStatus* s = reply.add_stations();
  s->set_station(station);
  s->set_epoch(epoch);
  s->set_stored_seq(seq);
  return reply;
}

TEST(WaitUntilStored, KeepsAskingUntilTheStationsEpochIsStoredUpToWhatItSent) {
  DaySummary summary = SentTen();
  int calls = 0;
  Status st = WaitUntilStored(
      [&]() -> Result<wire::StatusReply> {
        ++calls;
        if (calls == 1) return Status::Unavailable("not up yet");
        if (calls == 2) return Stored(2, 0xabc, 4);
        wire::StatusReply reply = Stored(2, 0xabc, calls == 3 ? 9 : 10);
        *reply.add_stations() = Stored(2, 0xdef, 99).stations(0);  // an older epoch counts for nothing
        return reply;
      },
      summary, 10s);
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(summary.stations[0].events_stored, 10u);
}

TEST(WaitUntilStored, GivesUpAtTheTimeoutWithTheStoredCountSoFar) {
  DaySummary summary = SentTen();
  Status st = WaitUntilStored([] { return Result<wire::StatusReply>(Stored(2, 0xabc, 7)); }, summary, 100ms);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("had not stored every event after 100 ms"), std::string::npos) << st.message();
  EXPECT_EQ(summary.stations[0].events_stored, 7u);
  EXPECT_FALSE(summary.ok());
}

}  // namespace
}  // namespace capture::sim
