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

Result<SyntheticRoster> MakeSyntheticRoster(const Schedule& schedule, uint64_t seed, double absent_share,
                                            double earlier_cohort_share) {
  if (!(absent_share >= 0.0 && absent_share <= 1.0)) {
    return Status::InvalidArgument("absent share must be between 0 and 1");
  }
  if (!(earlier_cohort_share >= 0.0 && earlier_cohort_share <= 1.0)) {
    return Status::InvalidArgument("earlier cohort share must be between 0 and 1");
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
  auto make_student = [&](SeededRandom& r, size_t ci, std::string student_no) {
    uint64_t serial = r.Below(kRegistrySerials);
    while (!used_serials.insert(serial).second) serial = r.Below(kRegistrySerials);

    const std::string surname = kSurnames[r.Below(kSurnames.size())];
    const bool two_given = r.Below(3) != 0;  // most names have three characters
    const std::string last = kGivenChars[r.Below(kGivenChars.size())];
    const std::string middle = two_given ? kGivenChars[r.Below(kGivenChars.size())] : "";

    const ScheduledClass& c = schedule.classes[ci];
    SimStudent s;
    s.class_index = ci;
    s.student.student_no = std::move(student_no);
    s.student.registry_no = "104212021" + Padded(serial, 7);
    s.student.college = c.college;
    s.student.class_name = c.class_name;
    s.student.name = surname + middle + last;
    s.student.masked_name = two_given ? surname + "*" + last : surname + "*";
    return s;
  };
  for (size_t ci = 0; ci < schedule.classes.size(); ++ci) {
    for (int pos = 1; pos <= schedule.classes[ci].headcount; ++pos) {
      const std::string student_no =
          "2021" + Padded(ci + 1, class_width) + Padded(static_cast<size_t>(pos), position_width);
      out.students.push_back(make_student(rng, ci, student_no));
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

  const auto cohort_count = static_cast<size_t>(std::llround(earlier_cohort_share * static_cast<double>(total)));
  if (cohort_count == 0 || schedule.classes.empty()) return out;
  SeededRandom cohort_rng(seed ^ 0xC0407C0407ull);
  std::vector<std::vector<SimStudent>> joining(schedule.classes.size());
  for (size_t i = 0; i < cohort_count; ++i) {
    const size_t ci = cohort_rng.Below(schedule.classes.size());
    const size_t pos = joining[ci].size() + 1;
    SimStudent s = make_student(cohort_rng, ci,
                                "2020" + Padded(ci + 1, class_width) + "9" + Padded(pos, position_width));
    s.earlier_cohort = true;
    joining[ci].push_back(std::move(s));
  }
  // Queue order: a class's earlier-cohort students first, then its own.
  std::vector<SimStudent> merged;
  merged.reserve(out.students.size() + cohort_count);
  size_t next = 0;
  for (size_t ci = 0; ci < schedule.classes.size(); ++ci) {
    for (SimStudent& s : joining[ci]) merged.push_back(std::move(s));
    while (next < out.students.size() && out.students[next].class_index == ci) {
      merged.push_back(std::move(out.students[next++]));
    }
  }
  out.students = std::move(merged);
  return out;
}

}  // namespace capture::sim
