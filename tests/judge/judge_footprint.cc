// judge_footprint: what a Judge costs, measured on the benchmark's synthetic day
// (tools/bench/bench_day.h), one line per figure on stdout:
//   judge_footprint students=N bytes_per_student=B        the Judge built for an N-student roster
//   judge_footprint events=N bytes_per_event=B            its growth while judging N events
//   judge_footprint apply events=N item=R parsed=R into=R Judge::Apply events/s (median of --trials):
//                                                         from the item's bytes, given the parsed event,
//                                                         and from the item's bytes into a reused Verdict
// Memory is glibc's count of bytes in use (mallinfo2: arena + mmapped), so it is the heap the
// judge holds, not RSS. Not a test: a tool for the performance notes; ctest runs it at tiny sizes
// so that it never rots.
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/schedule.h"
#include "coordinator/judge/judge.h"
#include "tools/bench/bench_day.h"

namespace capture::judge {
namespace {

constexpr uint64_t kEpoch = 0x00b0b0b0b0b0b0b1ULL;

int64_t HeapInUse() {
  const struct mallinfo2 m = mallinfo2();
  return static_cast<int64_t>(m.uordblks + m.hblkhd);
}

wire::JudgeConfig Config() { return DefaultJudgeConfig(bench::kLocalMidnightUs, 8 * 60); }

// A day of `events` events over `stations` stations, in the order the micro benchmark judges them.
struct Day {
  Day(int stations, uint64_t events) : day({stations, (events + stations - 1) / stations}) {
    for (uint64_t seq = 1; seq <= day.shape().events_per_station; ++seq) {
      for (int s = 1; s <= stations; ++s) {
        wire::RecordItem& item = items.emplace_back();
        item.set_commit_index(items.size());
        item.set_received_time_us(day.EventTimeUs(seq));
        item.set_event(day.EventBytes(static_cast<uint32_t>(s), kEpoch, seq));
      }
    }
    auto parsed_schedule = ParseSchedule(day.ScheduleCsv(), "bench schedule");
    if (!parsed_schedule.ok()) {
      std::fprintf(stderr, "judge_footprint: %s\n", parsed_schedule.status().message().c_str());
      std::exit(1);
    }
    schedule = std::move(*parsed_schedule);
  }
  Roster MakeRoster() const {
    auto roster = ParseRoster(day.RosterCsv(), "bench roster");
    if (!roster.ok()) {
      std::fprintf(stderr, "judge_footprint: %s\n", roster.status().message().c_str());
      std::exit(1);
    }
    return std::move(*roster);
  }

  bench::BenchDay day;
  Schedule schedule;
  std::vector<wire::RecordItem> items;
};

// Bytes a Judge holds once built for a roster of about `students` students (the roster it was
// given is gone by then: it takes it by value).
void MeasureStudents(uint64_t students, int stations) {
  const Day d(stations, 2 * students);
  std::optional<Roster> roster;
  int64_t roster_bytes = 0;
  {
    const int64_t before = HeapInUse();
    roster = d.MakeRoster();
    roster_bytes = HeapInUse() - before;
  }
  const size_t n = roster->students.size();
  const int64_t base = HeapInUse() - roster_bytes;
  auto judge = std::make_unique<Judge>(d.schedule, std::move(*roster), Config());
  roster.reset();
  const int64_t held = HeapInUse() - base;
  std::printf("judge_footprint students=%zu bytes_per_student=%.1f roster_bytes_per_student=%.1f\n", n,
              static_cast<double>(held) / static_cast<double>(n),
              static_cast<double>(roster_bytes) / static_cast<double>(n));
}

// How much the Judge grows while judging `events` events of the day.
void MeasureEvents(uint64_t events, int stations) {
  const Day d(stations, events);
  auto judge = std::make_unique<Judge>(d.schedule, d.MakeRoster(), Config());
  const int64_t before = HeapInUse();
  for (const wire::RecordItem& item : d.items) judge->Apply(item);
  const int64_t grown = HeapInUse() - before;
  std::printf("judge_footprint events=%zu bytes_per_event=%.1f anomalies=%zu\n", d.items.size(),
              static_cast<double>(grown) / static_cast<double>(d.items.size()), judge->anomalies().size());
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void MeasureApply(uint64_t events, int stations, int trials) {
  const Day d(stations, events);
  std::vector<wire::CaptureEvent> parsed(d.items.size());
  for (size_t i = 0; i < d.items.size(); ++i) parsed[i].ParseFromString(d.items[i].event());
  enum Way { kItem, kParsed, kInto, kWays };
  std::vector<double> rates[kWays];
  for (int t = 0; t < trials; ++t) {
    for (int way = kItem; way < kWays; ++way) {
      auto judge = std::make_unique<Judge>(d.schedule, d.MakeRoster(), Config());
      wire::Verdict into;
      size_t bytes = 0;
      const auto start = std::chrono::steady_clock::now();
      for (size_t i = 0; i < d.items.size(); ++i) {
        if (way == kInto) {
          judge->Apply(d.items[i], nullptr, &into);
          bytes += into.ByteSizeLong();
        } else {
          bytes += (way == kParsed ? judge->Apply(d.items[i], &parsed[i]) : judge->Apply(d.items[i])).ByteSizeLong();
        }
      }
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      rates[way].push_back(static_cast<double>(d.items.size()) / took.count());
      if (bytes == 0) std::printf("judge_footprint: no verdict bytes\n");
    }
  }
  std::printf("judge_footprint apply events=%zu item=%.0f parsed=%.0f into=%.0f\n", d.items.size(),
              Median(rates[kItem]), Median(rates[kParsed]), Median(rates[kInto]));
}

uint64_t Flag(int argc, char** argv, const char* name, uint64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::strtoull(argv[i + 1], nullptr, 10);
  }
  return fallback;
}

}  // namespace
}  // namespace capture::judge

int main(int argc, char** argv) {
  using namespace capture::judge;
  const int stations = static_cast<int>(Flag(argc, argv, "--stations", 3));
  MeasureStudents(Flag(argc, argv, "--students", 1'000'000), stations);
  MeasureEvents(Flag(argc, argv, "--events", 1'000'000), stations);
  MeasureApply(Flag(argc, argv, "--apply-events", 100'002), stations,
               static_cast<int>(Flag(argc, argv, "--trials", 3)));
  return 0;
}
