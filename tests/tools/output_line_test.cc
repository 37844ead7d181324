#include "tools/capture-sim/output_line.h"

#include <gtest/gtest.h>

namespace capture::sim {
namespace {

TEST(OutputLine, ParsesAnEventWithPlainAndQuotedValues) {
  auto line = ParseOutputLine(
      "event station=2 seq=17 kind=CODE_UNREADABLE reason=\"not a collection code (wrong \\\"prefix\\\")\"\n");
  EXPECT_EQ(line.type, "event");
  EXPECT_EQ(line.GetNumber("station"), 2u);
  EXPECT_EQ(line.GetNumber("seq"), 17u);
  EXPECT_EQ(line.Get("kind"), "CODE_UNREADABLE");
  EXPECT_EQ(line.Get("reason"), "not a collection code (wrong \"prefix\")");
  EXPECT_EQ(line.text, "");
}

TEST(OutputLine, ParsesUtf8ValuesAndHexNumbers) {
  auto line = ParseOutputLine("ready station=1 epoch=00ab00cd00ef0012 last_seq=0 masked_name=张*明");
  EXPECT_EQ(line.GetNumber("epoch", /*hex=*/true), 0x00ab00cd00ef0012u);
  EXPECT_EQ(line.GetNumber("last_seq"), 0u);
  EXPECT_EQ(line.Get("masked_name"), "张*明");
  EXPECT_EQ(line.GetNumber("masked_name"), std::nullopt);
  EXPECT_EQ(line.Get("missing"), std::nullopt);
}

TEST(OutputLine, KeepsTheSentenceOfAnAlertAsText) {
  auto line = ParseOutputLine("alert station=3 image IMG_X.JPG has no shot number: kept, not a shot");
  EXPECT_EQ(line.type, "alert");
  EXPECT_EQ(line.GetNumber("station"), 3u);
  EXPECT_EQ(line.text, "image IMG_X.JPG has no shot number: kept, not a shot");
}

}  // namespace
}  // namespace capture::sim
