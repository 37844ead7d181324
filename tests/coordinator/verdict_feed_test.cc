#include "coordinator/verdict_feed.h"

#include <gtest/gtest.h>

#include <variant>

#include "common/frame.h"

namespace capture::coord {
namespace {

wire::Anomaly MakeAnomaly(const std::string& id, uint32_t station, size_t message_bytes = 40) {
  wire::Anomaly a;
  a.set_id(id);
  a.set_kind(wire::Anomaly::SHOT_WITHOUT_CODE);
  a.set_severity(wire::BLOCKER);
  a.set_station(station);
  a.add_shots("IMG_0413.JPG");
  wire::StudentRef* s = a.add_students();
  s->set_student_no("2021001001");
  s->set_registry_no("1042120210100001");
  s->set_masked_name("张*明");
  a.set_message(std::string(message_bytes, 'm'));
  return a;
}

wire::Verdict Decode(const std::string& frame_bytes) {
  auto decoded = DecodeFrame(frame_bytes);
  EXPECT_TRUE(std::holds_alternative<wire::Frame>(decoded));
  return std::holds_alternative<wire::Frame>(decoded) ? std::get<wire::Frame>(decoded).verdict() : wire::Verdict();
}

TEST(VerdictFeed, TellsAStationOnlyItsOwnAnomaliesWithoutStudentNumbers) {
  wire::Verdict verdict;
  verdict.set_commit_index(7);
  *verdict.add_raised() = MakeAnomaly("A1", 1);
  *verdict.add_raised() = MakeAnomaly("A2", 2);
  wire::Resolution* r = verdict.add_resolved();
  r->set_anomaly_id("A0");
  r->set_station(2);
  verdict.add_bindings()->set_station(1);

  const auto frames = StationVerdictFrames(verdict, 1);
  ASSERT_EQ(frames.size(), 1u);
  const wire::Verdict ours = Decode(frames[0]);
  EXPECT_EQ(ours.commit_index(), 7u);
  ASSERT_EQ(ours.raised_size(), 1);
  EXPECT_EQ(ours.raised(0).id(), "A1");
  EXPECT_EQ(ours.raised(0).students(0).student_no(), "");
  EXPECT_EQ(ours.raised(0).students(0).registry_no(), "1042120210100001");
  EXPECT_EQ(ours.resolved_size(), 0);
  EXPECT_EQ(ours.bindings_size(), 0);

  EXPECT_TRUE(StationVerdictFrames(verdict, 3).empty());
  EXPECT_EQ(Decode(StationVerdictFrames(verdict, 2)[0]).resolved(0).anomaly_id(), "A0");
}

TEST(VerdictFeed, SplitsAVerdictTooLargeForOneFrameKeepingTheOrder) {
  wire::Verdict verdict;
  verdict.set_commit_index(9);
  for (int i = 1; i <= 40; ++i) *verdict.add_raised() = MakeAnomaly("A" + std::to_string(i), 1, 4000);
  const auto frames = StationVerdictFrames(verdict, 1);
  ASSERT_GT(frames.size(), 1u);
  std::vector<std::string> ids;
  for (const auto& frame : frames) {
    EXPECT_LE(frame.size(), kMaxFrameBytes);
    const wire::Verdict part = Decode(frame);
    EXPECT_EQ(part.commit_index(), 9u);
    for (const auto& a : part.raised()) ids.push_back(a.id());
  }
  ASSERT_EQ(ids.size(), 40u);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(ids[i], "A" + std::to_string(i + 1));
}

}  // namespace
}  // namespace capture::coord
