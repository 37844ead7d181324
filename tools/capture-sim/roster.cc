#include "tools/capture-sim/roster.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <string>

#include "tools/capture-sim/random.h"

namespace capture::sim {

namespace {

// Common surnames and given-name characters; combinations are random, so names are made up.
constexpr std::array<const char*, 40> kSurnames = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
    "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯",
    "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡"};
constexpr std::array<const char*, 48> kGivenChars = {
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "燕", "文", "辉", "建", "宁",
    "晨", "欣", "雨", "佳", "思", "梦", "嘉", "怡", "浩", "宇", "轩", "子", "涵", "博", "雪", "琳"};

constexpr uint64_t kRegistrySerials = 10'000'000;  // 7 digits

int DigitsFor(size_t n) { return n < 10 ? 1 : 1 + DigitsFor(n / 10); }

std::string Padded(size_t value, int width) {
  std::string digits = std::to_string(value);
  if (static_cast<int>(digits.size()) < width) digits.insert(0, static_cast<size_t>(width) - digits.size(), '0');
  return digits;
}

}  // namespace

Roster SyntheticRoster::ToRoster() const {
  Roster roster;
  roster.students.reserve(students.size());
  for (const SimStudent& s : students) roster.students.push_back(s.student);
  return roster;
}

Result<SyntheticRoster> MakeSyntheticRoster(const Schedule& schedule, uint64_t seed, double absent_share) {
  if (!(absent_share >= 0.0 && absent_share <= 1.0)) {
    return Status::InvalidArgument("absent share must be between 0 and 1");
  }
  size_t total = 0;
  int max_headcount = 0;
  for (const ScheduledClass& c : schedule.classes) {
    total += static_cast<size_t>(c.headcount);
    max_headcount = std::max(max_headcount, c.headcount);
  }
  // Half the serial space at most, so drawing unused serials stays quick.
  if (total > kRegistrySerials / 2) {
    return Status::InvalidArgument("schedule has " + std::to_string(total) + " students, more than a roster can hold");
  }
  const int class_width = std::max(3, DigitsFor(schedule.classes.size()));
  const int position_width = std::max(2, DigitsFor(static_cast<size_t>(max_headcount)));

  SeededRandom rng(seed);
  std::set<uint64_t> used_serials;
  SyntheticRoster out;
  out.students.reserve(total);
  for (size_t ci = 0; ci < schedule.classes.size(); ++ci) {
    const ScheduledClass& c = schedule.classes[ci];
    for (int pos = 1; pos <= c.headcount; ++pos) {
      uint64_t serial = rng.Below(kRegistrySerials);
      while (!used_serials.insert(serial).second) serial = rng.Below(kRegistrySerials);

      const std::string surname = kSurnames[rng.Below(kSurnames.size())];
      const bool two_given = rng.Below(3) != 0;  // most names have three characters
      const std::string last = kGivenChars[rng.Below(kGivenChars.size())];
      const std::string middle = two_given ? kGivenChars[rng.Below(kGivenChars.size())] : "";

      SimStudent s;
      s.class_index = ci;
      s.student.student_no = "2021" + Padded(ci + 1, class_width) + Padded(static_cast<size_t>(pos), position_width);
      s.student.registry_no = "104212021" + Padded(serial, 7);
      s.student.college = c.college;
      s.student.class_name = c.class_name;
      s.student.name = surname + middle + last;
      s.student.masked_name = two_given ? surname + "*" + last : surname + "*";
      out.students.push_back(std::move(s));
    }
  }

  const auto absent_count = static_cast<size_t>(std::llround(absent_share * static_cast<double>(total)));
  // A partial Fisher-Yates shuffle of the indices picks distinct absentees.
  std::vector<size_t> order(total);
  for (size_t i = 0; i < total; ++i) order[i] = i;
  for (size_t i = 0; i < absent_count; ++i) {
    std::swap(order[i], order[i + rng.Below(total - i)]);
    out.students[order[i]].absent = true;
  }
  return out;
}

}  // namespace capture::sim
