#include <gtest/gtest.h>

#include "common/collection_code.h"
#include "common/csv.h"
#include "common/frame.h"
#include "common/schedule.h"
#include "common/time_format.h"
#include "common/utf8.h"

namespace capture {
namespace {

TEST(Csv, ParsesQuotedFieldsWithCommasAndQuotes) {
  auto rows = ParseCsv("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\nx,,y\n", "t.csv");
  ASSERT_TRUE(rows.ok()) << rows.status().message();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0], (CsvRow{"a", "b,c", "say \"hi\""}));
  EXPECT_EQ((*rows)[1], (CsvRow{"x", "", "y"}));
  EXPECT_EQ(CsvLine({"a", "b,c", "q\""}), "a,\"b,c\",\"q\"\"\"\n");
}

TEST(Csv, RejectsAnUnterminatedQuoteNamingTheLine) {
  auto rows = ParseCsv("a\nb,\"oops\n", "t.csv");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("t.csv line 3"), std::string::npos) << rows.status().message();
}

TEST(Time, RoundTripsIsoWithOffset) {
  auto t = ParseIso8601("2024-04-22T08:30:05+08:00");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, (DaysFromCivil(2024, 4, 22) * 86400 + 30 * 60 + 5) * 1000000);
  EXPECT_EQ(FormatIso8601(*t, 480), "2024-04-22T08:30:05.000+08:00");
  EXPECT_EQ(FormatIso8601(*t), "2024-04-22T00:30:05.000Z");
  EXPECT_FALSE(ParseIso8601("2024-04-22 08:30").ok());
  EXPECT_FALSE(ParseIso8601("2024-04-22T08:30:05").ok());
}

TEST(Time, FormatsUtcToTheMicrosecondAndParsesItBack) {
  auto t = ParseIso8601("2024-04-22T08:30:05.123456+08:00");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatIso8601UtcMicros(*t), "2024-04-22T00:30:05.123456Z");
  EXPECT_EQ(FormatIso8601UtcMicros(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatIso8601UtcMicros(-1), "1969-12-31T23:59:59.999999Z");
  for (const MicrosSinceEpoch instant : {MicrosSinceEpoch{-1}, *t, DaysFromCivil(0, 1, 1) * 86400 * 1000000,
                                         DaysFromCivil(10000, 1, 1) * 86400 * 1000000 - 1}) {
    auto back = ParseIso8601(FormatIso8601UtcMicros(instant));
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(*back, instant);
  }
}

TEST(Utf8, CutsAndMeasuresByCharactersNeverThroughOne) {
  // 甲 is E7 94 B2 and 乙 E4 B9 99: the last 4 bytes would start inside 甲, the last 4 characters are 00甲乙.
  const std::string registry = "104212021000甲乙";
  EXPECT_EQ(LastChars(registry, 4), "00甲乙");
  EXPECT_TRUE(IsValidUtf8(LastChars(registry, 4)));
  EXPECT_FALSE(IsValidUtf8(registry.substr(registry.size() - 4)));
  EXPECT_EQ(FirstChars("张三丰", 2), "张三");
  EXPECT_EQ(LastChars("ab", 4), "ab");
  EXPECT_EQ(LastChars("a\xff" "b", 2), "\xff" "b") << "a stray byte is one character";
  EXPECT_EQ(DisplayWidth("物理学2101"), 10u);
  EXPECT_EQ(DisplayWidth("e\xcc\x81"), 1u) << "a combining mark takes no column";
  EXPECT_EQ(ValidUtf8("a\xe7\x94z"), "a\xef\xbf\xbd\xef\xbf\xbdz") << "each stray byte";
  EXPECT_EQ(ValidUtf8("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd") << "an overlong '/'";
  EXPECT_EQ(ValidUtf8("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd") << "a surrogate";
  EXPECT_EQ(InvalidUtf8At("ok\xff"), 2u);
  EXPECT_EQ(TerminalSafe("a\x1b[31m\t\xe2\x80\xae\xc2\x9b"), "a?[31m ??");
}

TEST(Csv, RefusesTextThatIsNotUtf8NamingTheLine) {
  // 张三 in GBK, as a Chinese Excel saves "CSV" by default.
  auto rows = ParseCsv("student_no,name\n1,ok\n2,\xd5\xc5\xc8\xfd\n", "roster.csv");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().message(),
            "roster.csv line 3: byte 0xD5 is not UTF-8: save the file as UTF-8 (in Excel: \"CSV UTF-8\")");
}

TEST(CollectionCode, ACodeMintedFromTextThatIsNotUtf8DoesNotDecode) {
  const SiteKey key = GenerateSiteKey();
  auto decoded = MakeDemoCodeDecoder(key)->Decode(MintDemoCode(key, "1042120210001", "\xd5\xc5*"));
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("not UTF-8"), std::string::npos);
}

TEST(CollectionCode, DecodesOnlyUnderTheSiteKeyItWasMintedWith) {
  const SiteKey key = GenerateSiteKey();
  const std::string code = MintDemoCode(key, "1042120210001", "张*明");
  EXPECT_EQ(code, MintDemoCode(key, "1042120210001", "张*明"));
  auto decoded = MakeDemoCodeDecoder(key)->Decode(code);
  ASSERT_TRUE(decoded.ok()) << decoded.status().message();
  EXPECT_EQ(decoded->registry_no, "1042120210001");
  EXPECT_EQ(decoded->masked_name, "张*明");
  EXPECT_FALSE(MakeDemoCodeDecoder(GenerateSiteKey())->Decode(code).ok());
  std::string tampered = code;
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(MakeDemoCodeDecoder(key)->Decode(tampered).ok());
  EXPECT_FALSE(MakeDemoCodeDecoder(key)->Decode("hello").ok());
}

TEST(Frame, RejectsOversizedMalformedAndVersionlessFrames) {
  auto reason = [](std::string_view bytes) {
    auto r = DecodeFrame(bytes);
    return std::holds_alternative<FrameError>(r) ? std::get<FrameError>(r).reason : FrameRejection::kBadEvent;
  };
  EXPECT_EQ(reason(std::string(kMaxFrameBytes + 1, 'x')), FrameRejection::kOversized);
  EXPECT_EQ(reason("\xff\xff\xff"), FrameRejection::kMalformed);
  wire::Frame no_version;
  no_version.mutable_heartbeat()->set_station(1);
  EXPECT_EQ(reason(no_version.SerializeAsString()), FrameRejection::kUnknownVersion);
  wire::Frame hb;
  hb.mutable_heartbeat()->set_station(1);
  auto ok = DecodeFrame(EncodeFrame(hb));
  ASSERT_TRUE(std::holds_alternative<wire::Frame>(ok));
  EXPECT_EQ(std::get<wire::Frame>(ok).heartbeat().station(), 1u);
}

TEST(Frame, ChecksThatAnEventCarriesWhatItsKindNeeds) {
  wire::CaptureEvent ev;
  ev.set_station(1);
  ev.set_seq(3);
  ev.set_kind(wire::SHOT_TAKEN);
  ev.mutable_shot()->set_file_name("IMG_0001.JPG");
  EXPECT_TRUE(std::holds_alternative<FrameError>(ParseEvent(ev.SerializeAsString())));
  ev.mutable_shot()->set_sha256(std::string(32, 'h'));
  EXPECT_TRUE(std::holds_alternative<wire::CaptureEvent>(ParseEvent(ev.SerializeAsString())));
}

TEST(Schedule, ParsesTheSeedSchedule) {
  auto schedule = LoadSchedule(std::string(CAPTURE_DATA_DIR) + "/schedule-2024-04-22.csv");
  ASSERT_TRUE(schedule.ok()) << schedule.status().message();
  EXPECT_EQ(schedule->classes.size(), 99u);
  EXPECT_EQ(schedule->Stations(), (std::vector<int>{1, 2, 3}));
  int total = 0;
  for (const auto& c : schedule->classes) total += c.headcount;
  EXPECT_EQ(total, 3575);
  EXPECT_EQ(schedule->classes[0].start_minute, 8 * 60 + 30);
}

TEST(Roster, RejectsADuplicateRegistryNumber) {
  auto roster = ParseRoster(
      "student_no,registry_no,college,class,name,masked_name\n1,R1,c,k,n,m\n2,R1,c,k,n,m\n", "r.csv");
  ASSERT_FALSE(roster.ok());
  EXPECT_NE(roster.status().message().find("registry_no R1 appears twice"), std::string::npos);
}

}  // namespace
}  // namespace capture
