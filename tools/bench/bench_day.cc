#include "tools/bench/bench_day.h"

#include <algorithm>
#include <cstdio>

namespace capture::bench {
namespace {

constexpr int64_t kDayStartUs = 8LL * 3600 * 1'000'000;  // 08:00 local
constexpr int64_t kDaySpanUs = 12LL * 3600 * 1'000'000;  // until 20:00
constexpr int kDayStartMinute = 8 * 60;
constexpr int kDaySpanMinutes = 12 * 60;

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string HhMm(int minute) {
  char text[32];
  std::snprintf(text, sizeof text, "%02d:%02d", minute / 60, minute % 60);
  return text;
}

}  // namespace

BenchDay::BenchDay(DayShape shape)
    : shape_(shape), students_per_station_((shape.events_per_station + 1) / 2) {}

uint64_t BenchDay::classes_per_station() const {
  return std::max<uint64_t>(1, (students_per_station_ + shape_.class_size - 1) / shape_.class_size);
}

std::string BenchDay::StudentNo(uint32_t station, uint64_t student) const {
  char text[48];
  std::snprintf(text, sizeof text, "21%04u%07llu", station, static_cast<unsigned long long>(student + 1));
  return text;
}

std::string BenchDay::RegistryNo(uint32_t station, uint64_t student) const {
  char text[48];
  std::snprintf(text, sizeof text, "9%03u%07llu", station % 1000, static_cast<unsigned long long>(student + 1));
  return text;
}

std::string BenchDay::ClassName(uint32_t station, uint64_t klass) const {
  return "S" + std::to_string(station) + "C" + std::to_string(klass + 1);
}

std::string BenchDay::ScheduleCsv() const {
  std::string csv = "station,college,class,headcount,start,end\n";
  const uint64_t classes = classes_per_station();
  for (int s = 1; s <= shape_.stations; ++s) {
    uint64_t left = students_per_station_;
    for (uint64_t k = 0; k < classes; ++k) {
      const uint64_t headcount = std::min<uint64_t>(left, shape_.class_size);
      left -= headcount;
      const int start = kDayStartMinute + static_cast<int>(k * kDaySpanMinutes / classes);
      const int end = std::max(start + 1, kDayStartMinute + static_cast<int>((k + 1) * kDaySpanMinutes / classes));
      csv += std::to_string(s) + ",学院" + std::to_string(s) + "," + ClassName(s, k) + "," + std::to_string(headcount) +
             "," + HhMm(start) + "," + HhMm(end) + "\n";
    }
  }
  return csv;
}

std::string BenchDay::RosterCsv() const {
  std::string csv = "student_no,registry_no,college,class,name,masked_name\n";
  csv.reserve(csv.size() + roster_students() * 64);
  for (int s = 1; s <= shape_.stations; ++s) {
    for (uint64_t j = 0; j < students_per_station_; ++j) {
      csv += StudentNo(s, j) + "," + RegistryNo(s, j) + ",学院" + std::to_string(s) + "," +
             ClassName(s, j / shape_.class_size) + ",张三明,张*明\n";
    }
  }
  return csv;
}

int64_t BenchDay::EventTimeUs(uint64_t seq) const {
  const int64_t step = kDaySpanUs / static_cast<int64_t>(std::max<uint64_t>(1, shape_.events_per_station));
  return kLocalMidnightUs + kDayStartUs + static_cast<int64_t>(seq - 1) * step;
}

std::string BenchDay::EventBytes(uint32_t station, uint64_t epoch, uint64_t seq, std::string_view prev_sha256) const {
  const uint64_t student = (seq - 1) / 2;
  wire::CaptureEvent event;
  event.set_station(station);
  event.set_epoch(epoch);
  event.set_seq(seq);
  event.set_station_time_us(EventTimeUs(seq));
  if (!prev_sha256.empty()) event.set_prev_sha256(std::string(prev_sha256));
  if (seq % 2 == 1) {
    event.set_kind(wire::CODE_READ);
    event.mutable_code()->set_registry_no(RegistryNo(station, student));
    event.mutable_code()->set_masked_name("张*明");
  } else {
    // The camera's counter runs 1..9999 and wraps, as real cameras do.
    const uint32_t number = static_cast<uint32_t>(student % 9999) + 1;
    char file[32];
    std::snprintf(file, sizeof file, "IMG_%04u.JPG", number);
    wire::Shot* shot = event.mutable_shot();
    event.set_kind(wire::SHOT_TAKEN);
    shot->set_file_name(file);
    shot->set_shot_number(number);
    std::string hash(32, '\0');
    uint64_t state = SplitMix(epoch ^ (static_cast<uint64_t>(station) << 40) ^ seq);
    for (size_t i = 0; i < hash.size(); i += 8) {
      state = SplitMix(state);
      for (size_t b = 0; b < 8; ++b) hash[i + b] = static_cast<char>(state >> (8 * b));
    }
    shot->set_sha256(std::move(hash));
    shot->set_size_bytes(4'000'000 + state % 2'000'000);
    // EXIF time is station-local: UTC+8 on the benchmark's day, half a second before the file landed.
    shot->set_capture_time_us(EventTimeUs(seq) + 8LL * 3600 * 1'000'000 - 500'000);
  }
  return event.SerializeAsString();
}

}  // namespace capture::bench
