// Text in any script survives the whole way: a roster whose registry numbers and names are not
// ASCII, codes valid under the site key read by a real agent, the judge's messages that shorten
// them, the agent's notice, capturectl's table and the exports.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <sstream>
#include <string>

#include "common/utf8.h"
#include "tests/tools/one_station_room.h"
#include "tests/tools/test_support.h"

namespace capture::sim::testing {
namespace {

// 甲 is E7 94 B2 and 乙 E4 B9 99: a cut after the last 4 bytes would start inside 甲.
constexpr const char* kRegistry = "104212021000甲乙";

TEST(TextDay, ANonAsciiRegistryNumberAndNamesReachTheStationTheTableAndTheExportsIntact) {
  OneStationRoom room;
  ASSERT_NO_FATAL_FAILURE(room.Start({std::string("202100101,") + kRegistry + ",文学院,汉语言文学2101,欧阳娜娜,欧*娜",
                                      "202100102,1042120210000002,文学院,汉语言文学2101,Zoë Ångström,Z*ë"}));
  ASSERT_NO_FATAL_FAILURE(room.Read(kRegistry, "欧*娜"));
  room.Shoot(1, "2024:04:22 08:30:09");
  room.Shoot(2, "2024:04:22 08:30:20");  // no new code read: SHOT_WITHOUT_CODE names 欧*娜

  // The BLOCKER reaches the station (a message cut inside a character would not parse there).
  const std::string notice = room.AwaitAgentLine("kind=SHOT_WITHOUT_CODE");
  EXPECT_TRUE(IsValidUtf8(notice)) << notice;
  EXPECT_NE(notice.find("欧*娜 (…00甲乙)"), std::string::npos) << notice;

  const ProgramRun table = room.Ctl({"anomalies", "--connect", room.control()});
  EXPECT_EQ(table.exit_code, 1) << "an open blocker, not an error: " << table.err;
  EXPECT_NE(table.out.find("欧*娜 (…00甲乙)"), std::string::npos) << table.out;

  const ProgramRun jsonl = room.Ctl({"export", "anomalies", "--connect", room.control()});
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl.err;
  std::istringstream lines(jsonl.out);
  int parsed = 0;
  for (std::string line; std::getline(lines, line);) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
    ++parsed;
    if (j.value("kind", "") != "SHOT_WITHOUT_CODE") continue;
    EXPECT_EQ(j["students"][0].value("registry_no", ""), kRegistry);
    EXPECT_EQ(j["students"][0].value("masked_name", ""), "欧*娜");
  }
  EXPECT_GE(parsed, 1);

  const ProgramRun assignment = room.Ctl({"export", "assignment", "--connect", room.control()});
  ASSERT_EQ(assignment.exit_code, 0) << assignment.err;
  EXPECT_NE(assignment.out.find(std::string("202100101,") + kRegistry + ",汉语言文学2101,photographed,1,1,IMG_0001.JPG,"),
            std::string::npos)
      << assignment.out;
}

}  // namespace
}  // namespace capture::sim::testing
