// The journal and the image store, in process.
#include <gtest/gtest.h>

#include <filesystem>

#include "common/fs.h"
#include "common/image_store.h"
#include "station-agent/journal.h"
#include "test_support.h"

namespace capture::agent {
namespace {

wire::CaptureEvent Absent(std::string student_no) {
  wire::CaptureEvent ev;
  ev.set_station(1);
  ev.set_kind(wire::MARK_ABSENT);
  ev.set_student_no(std::move(student_no));
  return ev;
}

TEST(Journal, NumbersEventsFromOneAndContinuesAfterReopen) {
  testing::TempDir dir;
  uint64_t epoch = 0;
  {
    auto journal = Journal::Open(dir.path(), false);
    ASSERT_TRUE(journal.ok()) << journal.status().message();
    epoch = (*journal)->epoch();
    EXPECT_NE(epoch, 0u);
    EXPECT_EQ((*journal)->last_seq(), 0u);
    for (const char* s : {"a", "b"}) {
      wire::CaptureEvent ev = Absent(s);
      ASSERT_TRUE((*journal)->Append(&ev).ok());
    }
    EXPECT_EQ((*journal)->last_seq(), 2u);
  }
  auto journal = Journal::Open(dir.path(), false);
  ASSERT_TRUE(journal.ok());
  EXPECT_EQ((*journal)->epoch(), epoch);
  EXPECT_EQ((*journal)->last_seq(), 2u);
  wire::CaptureEvent ev = Absent("c");
  auto bytes = (*journal)->Append(&ev);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(ev.seq(), 3u);
  EXPECT_EQ(ev.epoch(), epoch);

  std::vector<uint64_t> seqs;
  std::string last_bytes;
  ASSERT_TRUE((*journal)
                  ->ForEachEvent(2,
                                 [&](uint64_t seq, std::string_view b) {
                                   seqs.push_back(seq);
                                   last_bytes = b;
                                   return true;
                                 })
                  .ok());
  EXPECT_EQ(seqs, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(last_bytes, *bytes);
}

TEST(Journal, ReadOnlyOpenSeesEventsAndAckedMarkButCannotWrite) {
  testing::TempDir dir;
  {
    auto journal = Journal::Open(dir.path(), false);
    ASSERT_TRUE(journal.ok());
    wire::CaptureEvent ev = Absent("a");
    ASSERT_TRUE((*journal)->Append(&ev).ok());
    ASSERT_TRUE((*journal)->SetAcked(1).ok());
    ASSERT_TRUE((*journal)->SetAcked(0).ok());  // never lowers
  }
  auto journal = Journal::Open(dir.path(), true);
  ASSERT_TRUE(journal.ok()) << journal.status().message();
  EXPECT_EQ((*journal)->last_seq(), 1u);
  EXPECT_EQ((*journal)->acked_seq(), 1u);
  wire::CaptureEvent ev = Absent("b");
  EXPECT_FALSE((*journal)->Append(&ev).ok());
  EXPECT_FALSE(Journal::Open(dir / "missing", true).ok());
}

TEST(Journal, IndexesImagesByNameAndContent) {
  testing::TempDir dir;
  auto journal = Journal::Open(dir.path(), false);
  ASSERT_TRUE(journal.ok());
  const Sha256 a = ComputeSha256("a"), b = ComputeSha256("b");
  wire::CaptureEvent ev;
  ev.set_station(1);
  ev.set_kind(wire::SHOT_TAKEN);
  ev.mutable_shot()->set_file_name("IMG_0001.JPG");
  ev.mutable_shot()->set_sha256(AsBytes(a));
  ASSERT_TRUE((*journal)->Append(&ev).ok());
  ASSERT_TRUE((*journal)->RecordImageWithoutEvent("odd.jpg", b).ok());
  EXPECT_TRUE((*journal)->HasImage("IMG_0001.JPG", a).value());
  EXPECT_FALSE((*journal)->HasImage("IMG_0001.JPG", b).value());
  EXPECT_FALSE((*journal)->HasImage("IMG_0002.JPG", a).value());
  EXPECT_TRUE((*journal)->HasImage("odd.jpg", b).value());
}

TEST(ImageStore, KeepsEachContentUnderItsHash) {
  testing::TempDir dir;
  ImageStore store(dir.path());
  const Sha256 h = ComputeSha256("jpeg bytes");
  ASSERT_TRUE(store.Put("jpeg bytes", h).ok());
  ASSERT_TRUE(store.Put("jpeg bytes", h).ok());
  const std::string hex = ToHex(h);
  EXPECT_EQ(store.PathFor(h), dir.path() + "/images/" + hex.substr(0, 2) + "/" + hex + ".jpg");
  EXPECT_EQ(ReadFile(store.PathFor(h)).value(), "jpeg bytes");
}

}  // namespace
}  // namespace capture::agent
