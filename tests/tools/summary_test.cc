#include "tools/capture-sim/summary.h"

#include <gtest/gtest.h>

namespace capture::sim {
namespace {

StationSummary Station(int station, uint64_t epoch, uint64_t events, int students, int absent, int alerts) {
  StationSummary s;
  s.station = station;
  s.epoch = epoch;
  s.events_sent = s.events_stored = events;
  s.students = students;
  s.absent = absent;
  s.photographed = students - absent;
  s.alerts = alerts;
  return s;
}

DaySummary TwoStations() {
  DaySummary s;
  s.elapsed_seconds = 1.5;
  s.stations.push_back(Station(1, 0xab, 25, 12, 1, 0));
  s.stations.push_back(Station(2, 0xcd, 30, 15, 0, 2));
  return s;
}

TEST(DaySummary, IsOkOnlyWhenEveryStationStoredAllItSentAndFinished) {
  DaySummary s = TwoStations();
  EXPECT_TRUE(s.ok());
  s.stations[1].events_stored = 29;
  EXPECT_FALSE(s.ok());
  s = TwoStations();
  s.stations[0].error = "timed out";
  EXPECT_FALSE(s.ok());
  s = TwoStations();
  s.error = "coordinator gone";
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(DaySummary{}.ok());
}

TEST(DaySummary, IsOkOnlyWhenEveryImageIsFiledWhereThatIsKnown) {
  DaySummary s = TwoStations();
  s.stations[0].images = {"aa", "bb"};
  EXPECT_TRUE(s.ok()) << "a coordinator the simulator did not start: its image store is not looked at";
  s.stations[0].images_not_filed = std::set<std::string>{"bb"};
  EXPECT_FALSE(s.ok());
  EXPECT_NE(FormatSummaryTable(s).find("1/2"), std::string::npos) << FormatSummaryTable(s);
  s.stations[0].images_not_filed.emplace();
  EXPECT_TRUE(s.ok());
}

TEST(DaySummary, JsonHasStationsTotalsAndOk) {
  const std::string json = FormatSummaryJson(TwoStations());
  EXPECT_EQ(json.rfind("{\"ok\":true,", 0), 0u) << json;
  EXPECT_NE(json.find("{\"station\":1,\"epoch\":\"00000000000000ab\",\"events_sent\":25,\"events_stored\":25,"
                      "\"students\":12,\"absent\":1,\"expected\":11,\"photographed\":11,\"alerts\":0,"
                      "\"agent_restarts\":0,\"images_taken\":0,\"images_filed\":null,\"stored_all\":true,\"error\":null}"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"totals\":{\"events_sent\":55,\"events_stored\":55,\"students\":27,\"absent\":1,"
                      "\"expected\":26,\"photographed\":26,\"alerts\":2,\"agent_restarts\":0,\"images_taken\":0,"
                      "\"images_filed\":null}"),
            std::string::npos)
      << json;
}

TEST(DaySummary, JsonEscapesErrorMessages) {
  DaySummary s = TwoStations();
  s.stations[0].error = "waited for \"ready\"\n";
  const std::string json = FormatSummaryJson(s);
  EXPECT_NE(json.find("\"error\":\"waited for \\\"ready\\\"\\n\""), std::string::npos) << json;
  EXPECT_EQ(json.rfind("{\"ok\":false,", 0), 0u);
}

TEST(DaySummary, TableHasARowPerStationAndATotal) {
  const std::string table = FormatSummaryTable(TwoStations());
  EXPECT_NE(table.find("photographed/expected"), std::string::npos) << table;
  EXPECT_NE(table.find("11/11"), std::string::npos) << table;
  EXPECT_NE(table.find("26/26"), std::string::npos) << table;
  EXPECT_NE(table.find("result: ok"), std::string::npos) << table;
}

}  // namespace
}  // namespace capture::sim
