// A stalled station: the reads an agent took in after it was held up cannot be ordered with the
// shots taken meanwhile, so each such shot is a blocker naming everyone read in that stretch.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "tests/judge/record_builder.h"

namespace capture::judge::testing {
namespace {

using wire::Anomaly;

std::set<std::string> Named(const AnomalyState& a) {
  std::set<std::string> out;
  for (const wire::StudentRef& s : a.anomaly.students()) out.insert(s.registry_no());
  return out;
}

TEST(JudgeStall, EveryShotTakenWhileTheAgentWasHeldUpNamesEveryoneReadInThatStretchAndNoOneElse) {
  RecordBuilder r;
  r.Photograph(1, "08:30:00", "202100101", 1);
  // Held up from 08:30:10 to 08:31:00: three codes read meanwhile, all stamped at the wake-up,
  // and the two shots taken meanwhile after them (their EXIF times are within the stretch).
  r.ReadStudentAfterStall(1, "08:31:00", "202100102", "08:30:10");
  r.ReadStudentAfterStall(1, "08:31:00", "202100103", "08:30:10");
  r.ReadStudentAfterStall(1, "08:31:00", "202100104", "08:30:10");
  r.Shot(1, "08:31:00", 2, "08:30:24");
  r.Shot(1, "08:31:00", 3, "08:30:44");
  // Back to normal.
  r.Photograph(1, "08:31:10", "202100105", 4);

  const auto stalled = r.OfKind(Anomaly::STALL_UNORDERED);
  ASSERT_EQ(stalled.size(), 2u) << r.Describe();
  const std::set<std::string> stretch = {Reg("202100102"), Reg("202100103"), Reg("202100104")};
  for (const AnomalyState& a : stalled) {
    EXPECT_EQ(a.anomaly.severity(), wire::BLOCKER);
    EXPECT_EQ(Named(a), stretch);
  }
  EXPECT_EQ(stalled[0].anomaly.shots(0), "IMG_0002.JPG");
  EXPECT_EQ(stalled[1].anomaly.shots(0), "IMG_0003.JPG");
  // Nobody gets a photo no rule supports, and no one outside the stretch is named.
  for (const char* s : {"202100102", "202100103", "202100104"}) EXPECT_EQ(r.Row(s).status, "missing") << s;
  EXPECT_EQ(r.Row("202100101").image_file, "IMG_0001.JPG");
  EXPECT_EQ(r.Row("202100105").image_file, "IMG_0004.JPG");
  for (const AnomalyState& a : r.judge().anomalies()) {
    if (a.anomaly.severity() == wire::INFO) continue;
    for (const std::string& reg : Named(a)) EXPECT_EQ(stretch.count(reg), 1u) << r.Describe();
  }
  std::vector<std::string> unassigned;
  for (const UnassignedShot& u : r.judge().Unassigned()) unassigned.push_back(u.image_file + " " + u.reason);
  EXPECT_EQ(unassigned, (std::vector<std::string>{"IMG_0002.JPG held_back", "IMG_0003.JPG held_back"}));
  // Voiding a shot resolves its blocker.
  r.Void(1, "08:31:20", "IMG_0002.JPG");
  EXPECT_FALSE(r.OfKind(Anomaly::STALL_UNORDERED)[0].open());
}

TEST(JudgeStall, AShotTakenBeforeTheStallBindsAsUsual) {
  RecordBuilder r;
  r.Photograph(1, "08:29:50", "202000199", 1);  // the camera's clock agrees with the station's
  r.ReadStudent(1, "08:30:00", "202100101");
  r.ReadStudentAfterStall(1, "08:31:00", "202100102", "08:30:10");
  r.Shot(1, "08:31:00", 2, "08:30:04");  // taken before the agent was held up
  EXPECT_TRUE(r.OfKind(Anomaly::STALL_UNORDERED).empty()) << r.Describe();
  EXPECT_EQ(r.Row("202100101").image_file, "IMG_0002.JPG");
}

}  // namespace
}  // namespace capture::judge::testing
