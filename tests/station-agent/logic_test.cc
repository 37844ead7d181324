// Pure parts of the station agent: file names, input lines, JPEG/EXIF reading, stdout lines.
#include <gtest/gtest.h>

#include "capture.pb.h"
#include "common/time_format.h"
#include "station-agent/input.h"
#include "station-agent/jpeg_info.h"
#include "station-agent/lines.h"
#include "station-agent/shot_name.h"
#include "test_support.h"

namespace capture::agent {
namespace {

FileClass Classify(std::string_view name) { return ShotNamer::Make().value().Classify(name); }

TEST(ShotName, ReadsTheNumberOfEveryCommonCameraPrefix) {
  for (const char* name : {"IMG_0412.JPG", "DSC_0412.JPG", "_DSC0412.JPG", "DSCF0412.jpg", "img_0412.jpeg"}) {
    const FileClass c = Classify(name);
    EXPECT_EQ(c.kind, FileKind::kShot) << name;
    EXPECT_EQ(c.shot_number, 412u) << name;
  }
  EXPECT_EQ(Classify("101CANON/IMG_9999.JPG").shot_number, 9999u);
  EXPECT_EQ(Classify("DSC_12345.JPG").shot_number, 12345u);
}

TEST(ShotName, ARawTwinIsNotAShot) {
  for (const char* name : {"IMG_0412.CR2", "DSC_0412.NEF", "_DSC0412.ARW", "DSCF0412.RAF", "IMG_0412.cr3"}) {
    EXPECT_EQ(Classify(name).kind, FileKind::kRawTwin) << name;
  }
}

TEST(ShotName, AJpegWithoutANumberIsUnnumbered) {
  for (const char* name : {"portrait.jpg", "IMG_041.JPG", "IMG_0412a.JPG", "VERYLONGPREFIX_0412.JPG", "IMG_0000.JPG"}) {
    EXPECT_EQ(Classify(name).kind, FileKind::kUnnumbered) << name;
  }
}

TEST(ShotName, HiddenAndOtherFilesAreIgnored) {
  for (const char* name : {".IMG_0412.JPG", "IMG_0412.JPG.tmp", "IMG_0412.xmp", "notes.txt"}) {
    EXPECT_EQ(Classify(name).kind, FileKind::kIgnored) << name;
  }
}

TEST(ShotName, ACustomPatternOverridesTheDefault) {
  auto namer = ShotNamer::Make(R"(^shot-(\d+)\.jpg$)");
  ASSERT_TRUE(namer.ok()) << namer.status().message();
  EXPECT_EQ(namer->Classify("SHOT-77.JPG").shot_number, 77u);
  EXPECT_EQ(namer->Classify("IMG_0412.JPG").kind, FileKind::kUnnumbered);
}

TEST(ShotName, RejectsAPatternWithoutExactlyOneGroupOrInvalid) {
  EXPECT_FALSE(ShotNamer::Make(R"(^IMG_\d+\.jpg$)").ok());
  EXPECT_FALSE(ShotNamer::Make(R"(^(IMG)_(\d+)\.jpg$)").ok());
  EXPECT_FALSE(ShotNamer::Make("(unclosed").ok());
}

InputLine Parse(std::string_view line) {
  auto parsed = ParseInputLine(line, 1);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.ok() ? *parsed : InputLine{};
}

TEST(Input, ACodeLineIsTrimmedOfCarriageReturnAndSpaces) {
  const InputLine line = Parse("  CC1.abcdef \r");
  ASSERT_TRUE(std::holds_alternative<CodeLine>(line));
  EXPECT_EQ(std::get<CodeLine>(line).code, "CC1.abcdef");
}

TEST(Input, EmptyLinesAreIgnored) {
  EXPECT_TRUE(std::holds_alternative<EmptyLine>(Parse("")));
  EXPECT_TRUE(std::holds_alternative<EmptyLine>(Parse(" \t\r")));
}

TEST(Input, ParsesEveryMarkForm) {
  EXPECT_FALSE(std::get<RetakeMark>(Parse("!retake")).registry_no);
  EXPECT_EQ(std::get<RetakeMark>(Parse("!retake 1042120210001")).registry_no, "1042120210001");
  EXPECT_FALSE(std::get<VoidMark>(Parse("!void\r")).shot);
  EXPECT_EQ(std::get<VoidMark>(Parse("!void IMG_0412.JPG")).shot, "IMG_0412.JPG");
  EXPECT_EQ(std::get<AbsentMark>(Parse("!absent 202100101")).student_no, "202100101");
  const auto resolve = std::get<ResolveMark>(Parse("!resolve A-17   teacher  confirmed order "));
  EXPECT_EQ(resolve.anomaly_id, "A-17");
  EXPECT_EQ(resolve.reason, "teacher  confirmed order");
  const auto time = std::get<TimeMark>(Parse("!time 2024-04-22T08:30:05+08:00"));
  EXPECT_EQ(time.time, ParseIso8601("2024-04-22T00:30:05Z").value());
  EXPECT_EQ(time.utc_offset_minutes, 480);
  EXPECT_EQ(std::get<TimeMark>(Parse("!time 2024-04-22T08:30:05.250-03:30")).utc_offset_minutes, -210);
  EXPECT_EQ(std::get<TimeMark>(Parse("!time 2024-04-22T08:30:05Z")).utc_offset_minutes, 0);
}

TEST(Input, AMalformedOrUnknownMarkIsAnErrorNamingTheLineAndTheValidForms) {
  for (const char* bad : {"!retake a b", "!void 1 2", "!absent", "!absent a b", "!resolve A-17", "!resolve",
                          "!time", "!time yesterday", "!time 2024-04-22T08:30:05", "!bogus", "!"}) {
    auto parsed = ParseInputLine(bad, 42);
    ASSERT_FALSE(parsed.ok()) << bad;
    const std::string& m = parsed.status().message();
    EXPECT_NE(m.find("input line 42"), std::string::npos) << m;
    EXPECT_NE(m.find(bad), std::string::npos) << m;
    EXPECT_NE(m.find(kMarkForms), std::string::npos) << m;
  }
}

TEST(Jpeg, CompleteOnlyWithStartAndEndMarkers) {
  const std::string jpeg = testing::MakeJpeg(1);
  EXPECT_EQ(CheckJpeg(jpeg), JpegState::kComplete);
  EXPECT_EQ(CheckJpeg(jpeg.substr(0, jpeg.size() - 1)), JpegState::kIncomplete);
  EXPECT_EQ(CheckJpeg(jpeg.substr(0, 100)), JpegState::kIncomplete);
  EXPECT_EQ(CheckJpeg(""), JpegState::kIncomplete);
  EXPECT_EQ(CheckJpeg("plain text"), JpegState::kNotJpeg);
}

TEST(Exif, ReadsDateTimeOriginalInBothByteOrders) {
  for (bool le : {true, false}) {
    const auto t = ReadDateTimeOriginal(testing::MakeJpeg(2, testing::ExifSegment("2024:04:22 08:30:09", le)));
    ASSERT_TRUE(t.has_value()) << (le ? "II" : "MM");
    EXPECT_EQ(t->year, 2024);
    EXPECT_EQ(t->month, 4);
    EXPECT_EQ(t->day, 22);
    EXPECT_EQ(t->hour, 8);
    EXPECT_EQ(t->minute, 30);
    EXPECT_EQ(t->second, 9);
    EXPECT_EQ(CivilToMicros(*t, 480), ParseIso8601("2024-04-22T08:30:09+08:00").value());
  }
}

TEST(Exif, AbsentUnsetOrDamagedGivesNothing) {
  EXPECT_FALSE(ReadDateTimeOriginal(testing::MakeJpeg(3)));
  EXPECT_FALSE(ReadDateTimeOriginal(testing::MakeJpeg(3, testing::ExifSegment("0000:00:00 00:00:00", true))));
  EXPECT_FALSE(ReadDateTimeOriginal(testing::MakeJpeg(3, testing::ExifSegment("2024-04-22 08:30:09", true))));
  const std::string exif = testing::ExifSegment("2024:04:22 08:30:09", false);
  const std::string good = testing::MakeJpeg(3, exif);
  // Every truncation inside the Exif segment must be handled without reading past the end.
  for (size_t n = 0; n < 2 + exif.size(); ++n) EXPECT_FALSE(ReadDateTimeOriginal(good.substr(0, n))) << n;
}

TEST(Lines, EventLinesFollowTheContract) {
  wire::CaptureEvent ev;
  ev.set_station(2);
  ev.set_seq(7);
  ev.set_kind(wire::SHOT_TAKEN);
  ev.mutable_shot()->set_file_name("101CANON/IMG_0042.JPG");
  ev.mutable_shot()->set_shot_number(42);
  ev.mutable_shot()->set_sha256(std::string(32, '\x01'));
  std::string hex;
  for (int i = 0; i < 32; ++i) hex += "01";
  EXPECT_EQ(FormatEventLine(ev),
            "event station=2 seq=7 kind=SHOT_TAKEN shot=0042 file=101CANON/IMG_0042.JPG sha256=" + hex);
  ev.Clear();
  ev.set_station(1);
  ev.set_seq(3);
  ev.set_kind(wire::CODE_UNREADABLE);
  ev.set_detail("not a \"code\"");
  EXPECT_EQ(FormatEventLine(ev), R"(event station=1 seq=3 kind=CODE_UNREADABLE reason="not a \"code\"")");
  PublicKey key{};
  key[0] = 0xab;
  key[31] = 0x01;
  EXPECT_EQ(FormatReadyLine(3, 0xabcULL, 9, key),
            "ready station=3 epoch=0000000000000abc last_seq=9 key=ab" + std::string(60, '0') + "01");
  EXPECT_EQ(FormatAlertLine(1, "two\nlines"), "alert station=1 two lines");
}

}  // namespace
}  // namespace capture::agent
