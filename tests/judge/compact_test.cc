// The judge's compact storage (packed texts, the id index, the roster index built from them) and
// the camera clock's running median: the same answers as the plain computations they replace.
#include <gtest/gtest.h>
#include <malloc.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "coordinator/judge/binding.h"
#include "coordinator/judge/id_index.h"
#include "coordinator/judge/judge.h"
#include "coordinator/judge/packed_text.h"
#include "coordinator/judge/roster_index.h"

namespace capture::judge {
namespace {

TEST(PackedTexts, EveryTextComesBackAsItWas) {
  PackedTexts texts;
  const std::vector<std::string> samples = {"0",
                                            "00",
                                            "007",
                                            "7",
                                            "20210010",
                                            "99999999999999999",   // 17 digits
                                            "123456789012345678",  // 18 digits: too long to pack as a number
                                            "",
                                            "A10",
                                            "张*明",
                                            "12 34",
                                            std::string(70000, 'x'),
                                            "0000000000000000001"};
  std::vector<PackedText> packed;
  for (const std::string& s : samples) packed.push_back(texts.Add(s));
  for (size_t i = 0; i < samples.size(); ++i) EXPECT_EQ(texts.Text(packed[i]), samples[i]) << i;
  EXPECT_TRUE(PackedTexts::IsNumber(texts.Add("20210010")));
  EXPECT_FALSE(PackedTexts::IsNumber(texts.Add("123456789012345678")));
  EXPECT_FALSE(PackedTexts::IsNumber(texts.Add("A10")));
}

TEST(PackedTexts, LeadingZerosMakeADifferentText) {
  PackedTexts texts;
  const PackedText seven = texts.Add("7"), padded = texts.Add("007");
  EXPECT_NE(seven, padded);
  EXPECT_TRUE(texts.Matches(padded, KeyOf("007")));
  EXPECT_FALSE(texts.Matches(padded, KeyOf("7")));
  EXPECT_FALSE(texts.Matches(seven, KeyOf("07")));
  const PackedText word = texts.Add("A10");
  EXPECT_TRUE(texts.Matches(word, KeyOf("A10")));
  EXPECT_FALSE(texts.Matches(word, KeyOf("A1")));
  EXPECT_EQ(KeyOf("007").hash, KeyOf("007").hash);
}

TEST(IdIndex, FindsEveryIdAddedAndNoOther) {
  // Keys that collide in their low bits, to exercise probing and growth.
  std::vector<uint64_t> keys;
  for (uint64_t i = 0; i < 20000; ++i) keys.push_back(i * 1'000'003);
  IdIndex index;
  auto hash = [](uint64_t key) { return MixBits(key); };
  for (uint32_t id = 0; id < keys.size(); ++id) {
    uint32_t* slot = index.Find(hash(keys[id]), [&](uint32_t other) { return keys[other] == keys[id]; });
    ASSERT_EQ(*slot, IdIndex::kNoId);
    index.Add(slot, id);
  }
  for (uint32_t id = 0; id < keys.size(); ++id) {
    EXPECT_EQ(index.Lookup(hash(keys[id]), [&](uint32_t other) { return keys[other] == keys[id]; }), id);
  }
  const uint64_t absent = 7;
  EXPECT_EQ(index.Lookup(hash(absent), [&](uint32_t other) { return keys[other] == absent; }), IdIndex::kNoId);
  // Re-pointing a key: the slot Find gives for it is the one to overwrite.
  uint32_t* slot = index.Find(hash(keys[5]), [&](uint32_t other) { return keys[other] == keys[5]; });
  ASSERT_EQ(*slot, 5u);
  *slot = 6;
  EXPECT_EQ(index.Lookup(hash(keys[5]), [&](uint32_t other) { return other == 6; }), 6u);
}

Roster MixedRoster() {
  const std::vector<std::string> numbers = {"10",
                                            "9",
                                            "009",
                                            "9a",
                                            "1a",
                                            "0",
                                            "00",
                                            "A9",
                                            "A10",
                                            "100",
                                            "0100",
                                            "99",
                                            "123456789012345678901",
                                            "123456789012345678900"};
  Roster roster;
  for (size_t i = 0; i < numbers.size(); ++i) {
    roster.students.push_back({numbers[i], "R" + std::to_string(i), "C", i % 2 ? "odd" : "even", "name", "*"});
  }
  return roster;
}

TEST(RosterIndex, ComparesPackedStudentNumbersAsCompareStudentNoDoes) {
  const Roster roster = MixedRoster();
  const RosterIndex index(Schedule{}, roster);
  for (size_t x = 0; x < roster.students.size(); ++x) {
    EXPECT_EQ(index.ByStudentNo(roster.students[x].student_no), static_cast<StudentId>(x));
  }
  EXPECT_EQ(index.ByStudentNo("1"), kNone);
  EXPECT_EQ(index.ByStudentNo("000"), kNone);
  EXPECT_EQ(index.ByStudentNo("A1"), kNone);
  for (size_t x = 0; x < roster.students.size(); ++x) {
    for (size_t y = 0; y < roster.students.size(); ++y) {
      EXPECT_EQ(index.CompareStudents(static_cast<StudentId>(x), static_cast<StudentId>(y)),
                CompareStudentNo(roster.students[x].student_no, roster.students[y].student_no))
          << roster.students[x].student_no << " vs " << roster.students[y].student_no;
    }
  }
}

TEST(RosterIndex, KeepsWhatTheRulesNeedAndFindsStudentsByExactNumber) {
  Roster roster;
  roster.students.push_back({"2021001", "0012345", "文学院", "汉语言2101", "张三", "张*"});
  roster.students.push_back({"2021002", "12345", "文学院", "汉语言2101", "李四", "李*"});
  roster.students.push_back({"X-1", "R-9", "历史学院", "历史2101", "王五", "王*"});
  const RosterIndex index(Schedule{}, roster);
  EXPECT_EQ(index.ByRegistryNo("0012345"), 0);
  EXPECT_EQ(index.ByRegistryNo("12345"), 1);
  EXPECT_EQ(index.ByRegistryNo("012345"), kNone);
  EXPECT_EQ(index.ByRegistryNo("R-9"), 2);
  EXPECT_EQ(index.ByStudentNo("X-1"), 2);
  EXPECT_EQ(index.ByStudentNo("2021002"), 1);
  EXPECT_EQ(index.ByStudentNo("02021002"), kNone);
  EXPECT_EQ(index.RegistryNo(0), "0012345");
  EXPECT_EQ(index.StudentNo(2), "X-1");
  EXPECT_EQ(index.MaskedName(1), "李*");
  EXPECT_EQ(index.klass(index.ClassOf(2)).name, "历史2101");
  ASSERT_EQ(index.Members(index.ClassOf(0)).size(), 2u);
  EXPECT_EQ(index.Members(index.ClassOf(0))[1], 1);
}

TEST(CameraClock, MomentUsesTheMedianOffsetOfTheLastNineImages) {
  std::mt19937_64 random(7);
  CameraClock clock;
  std::vector<int64_t> offsets;
  for (int i = 0; i < 500; ++i) {
    const int64_t arrival = 1'000'000'000 + i * 10'000'000LL;
    // Offsets spread wide, with repeats of earlier ones.
    const int64_t offset = !offsets.empty() && random() % 4 == 0
                               ? offsets[random() % offsets.size()]
                               : static_cast<int64_t>(random() % 5'000'000) - 2'500'000;
    offsets.push_back(offset);
    const size_t n = std::min<size_t>(offsets.size(), CameraClock::kWindow);
    std::vector<int64_t> window(offsets.end() - static_cast<std::ptrdiff_t>(n), offsets.end());
    std::sort(window.begin(), window.end());
    const int64_t expected = std::min(arrival, arrival + offset - window[n / 2]);
    ASSERT_EQ(clock.Moment(arrival + offset, arrival), expected) << "image " << i;
  }
  EXPECT_EQ(clock.Moment(0, 42), 42);
}

// Bytes the heap holds (glibc's count, mmapped blocks included).
int64_t HeapInUse() {
  const struct mallinfo2 m = mallinfo2();
  return static_cast<int64_t>(m.uordblks + m.hblkhd);
}

constexpr int kStations = 3;
constexpr size_t kClassSize = 40;

// A registrar's roster of `n` students: 13-digit student numbers, 11-digit registry numbers,
// classes of 40 spread over 3 stations, a few hundred distinct masked names.
std::pair<Schedule, Roster> LargeDay(size_t n) {
  Schedule schedule;
  Roster roster;
  roster.students.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t klass = i / kClassSize;
    const std::string class_name = "计算机科学与技术" + std::to_string(klass);
    if (i % kClassSize == 0) {
      schedule.classes.push_back({static_cast<int>(klass % kStations) + 1, "信息学院", class_name,
                                  static_cast<int>(kClassSize), 8 * 60, 20 * 60});
    }
    roster.students.push_back({std::to_string(2021000000000 + i), std::to_string(90000000000 + i), "信息学院",
                               class_name, "张三明", "张*" + std::to_string(i % 300)});
  }
  return {std::move(schedule), std::move(roster)};
}

TEST(JudgeFootprint, KeepsUnder80BytesPerRosterStudentOnceBuilt) {
  constexpr size_t kStudents = 100'000;
  auto [schedule, roster] = LargeDay(kStudents);
  const int64_t with_roster = HeapInUse();
  int64_t roster_bytes = 0;
  {
    const Roster copy = roster;
    roster_bytes = HeapInUse() - with_roster;
  }
  const int64_t base = HeapInUse() - roster_bytes;  // without the roster the Judge takes and lets go
  Judge judge(schedule, std::move(roster), DefaultJudgeConfig(0, 0));
  roster = Roster();
  const double per_student = static_cast<double>(HeapInUse() - base) / kStudents;
  EXPECT_LE(per_student, 80.0);
  EXPECT_GT(per_student, 8.0) << "the measurement measures nothing";
}

TEST(JudgeFootprint, GrowsUnder75BytesPerEventOfAPlainDay) {
  constexpr size_t kStudents = 50'000;
  auto [schedule, roster] = LargeDay(kStudents);
  Judge judge(schedule, std::move(roster), DefaultJudgeConfig(0, 0));
  // Each student: a code read, then a shot 4 s later, station by station in turn.
  std::vector<wire::RecordItem> items;
  std::vector<uint64_t> seqs(kStations + 1, 0);
  for (size_t i = 0; i < kStudents; ++i) {
    const uint32_t station = static_cast<uint32_t>((i / kClassSize) % kStations) + 1;
    const int64_t time = 8LL * 3600 * 1'000'000 + static_cast<int64_t>(i) * 1'000'000;
    wire::CaptureEvent read;
    read.set_station(station);
    read.set_seq(++seqs[station]);
    read.set_kind(wire::CODE_READ);
    read.set_station_time_us(time);
    read.mutable_code()->set_registry_no(std::to_string(90000000000 + i));
    read.mutable_code()->set_masked_name("张*" + std::to_string(i % 300));
    wire::CaptureEvent shot;
    shot.set_station(station);
    shot.set_seq(++seqs[station]);
    shot.set_kind(wire::SHOT_TAKEN);
    shot.set_station_time_us(time + 4'000'000);
    const uint32_t number = static_cast<uint32_t>(seqs[station] / 2 % 9999) + 1;
    shot.mutable_shot()->set_file_name("IMG_" + std::to_string(1000 + number % 9000) + ".JPG");
    shot.mutable_shot()->set_shot_number(number);
    shot.mutable_shot()->set_sha256(std::string(24, 's') + std::to_string(10'000'000 + i));
    for (const wire::CaptureEvent* e : {&read, &shot}) {
      wire::RecordItem& item = items.emplace_back();
      item.set_commit_index(items.size());
      item.set_event(e->SerializeAsString());
    }
  }
  const int64_t before = HeapInUse();
  for (const wire::RecordItem& item : items) judge.Apply(item);
  const double per_event = static_cast<double>(HeapInUse() - before) / static_cast<double>(items.size());
  EXPECT_LE(per_event, 75.0);
  EXPECT_EQ(judge.Assignment()[kStudents - 1].status, "photographed");
}

}  // namespace
}  // namespace capture::judge
