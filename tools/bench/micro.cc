#include "tools/bench/micro.h"

#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

#include "common/frame.h"
#include "coordinator/judge/judge.h"
#include "coordinator/judge_inputs.h"
#include "coordinator/sequence_tracker.h"
#include "tools/bench/bench_day.h"

namespace capture::bench {
namespace {

constexpr uint64_t kEpoch = 0x00b0b0b0b0b0b0b1ULL;

// Collects each repetition's items_per_second by benchmark name; prints nothing.
class Collector : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      auto it = run.counters.find("items_per_second");
      if (it != run.counters.end()) rates[run.run_name.function_name].push_back(it->second.value);
    }
  }
  std::map<std::string, std::vector<double>> rates;
};

// Never called on an in-order stream: the tracker asks only about duplicates.
class NoLookup : public coord::StoredEventLookup {
 public:
  Result<std::string> StoredBytes(const coord::StreamId&, uint64_t) const override {
    return Status::NotFound("the benchmark stores nothing");
  }
};

std::vector<std::string> DayEvents(const BenchDay& day) {
  std::vector<std::string> events;
  events.reserve(day.total_events());
  for (uint64_t seq = 1; seq <= day.shape().events_per_station; ++seq) {
    for (int s = 1; s <= day.shape().stations; ++s) events.push_back(day.EventBytes(s, kEpoch, seq));
  }
  return events;
}

}  // namespace

Status RunMicro(const MicroOptions& options, Figures& figures) {
  const BenchDay day({options.stations, (options.judge_events + options.stations - 1) / options.stations});
  const std::vector<std::string> events = DayEvents(day);
  std::vector<std::string> frames;
  frames.reserve(events.size());
  for (const std::string& e : events) frames.push_back(EncodeEventFrame(e));
  std::vector<wire::RecordItem> items(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    items[i].set_commit_index(i + 1);
    items[i].set_received_time_us(day.EventTimeUs(i / options.stations + 1));
    items[i].set_event(events[i]);
  }
  auto schedule = ParseSchedule(day.ScheduleCsv(), "bench schedule");
  auto roster = ParseRoster(day.RosterCsv(), "bench roster");
  auto config = coord::MakeJudgeConfig(coord::kDefaultDay, coord::kDefaultTimeZone, std::nullopt, std::nullopt);
  if (!schedule.ok() || !roster.ok() || !config.ok()) {
    return Status::InvalidArgument("the benchmark's day does not parse: " + schedule.status().message() +
                                   roster.status().message() + config.status().message());
  }
  const auto per_item = [](benchmark::State& state, size_t n) {
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
  };

  benchmark::RegisterBenchmark("micro/decode", [&](benchmark::State& state) {
    size_t i = 0;
    for (auto _ : state) {
      auto frame = DecodeFrame(frames[i]);
      auto event = ParseEvent(std::get<wire::Frame>(frame).event());
      benchmark::DoNotOptimize(event);
      if (++i == frames.size()) i = 0;
    }
    per_item(state, 1);
  });
  benchmark::RegisterBenchmark("limit/decode", [&](benchmark::State& state) {
    size_t i = 0;
    wire::Frame frame;
    wire::CaptureEvent event;
    for (auto _ : state) {
      frame.ParseFromString(frames[i]);
      event.ParseFromString(frame.event());
      benchmark::DoNotOptimize(event);
      if (++i == frames.size()) i = 0;
    }
    per_item(state, 1);
  });
  benchmark::RegisterBenchmark("micro/judge", [&](benchmark::State& state) {
    for (auto _ : state) {
      state.PauseTiming();
      auto judge = std::make_unique<judge::Judge>(*schedule, *roster, *config);
      state.ResumeTiming();
      for (const wire::RecordItem& item : items) benchmark::DoNotOptimize(judge->Apply(item));
      state.PauseTiming();
      judge.reset();
      state.ResumeTiming();
    }
    per_item(state, items.size());
  })->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("micro/tracker", [&](benchmark::State& state) {
    NoLookup lookup;
    for (auto _ : state) {
      coord::SequenceTracker tracker(&lookup);
      const int stations = options.stations;
      for (size_t i = 0; i < events.size(); ++i) {
        const coord::StreamId stream{static_cast<uint32_t>(i % stations + 1), kEpoch};
        auto offered = tracker.Offer(stream, i / stations + 1, std::string(events[i]));
        benchmark::DoNotOptimize(offered);
      }
    }
    per_item(state, events.size());
  })->Unit(benchmark::kMillisecond);

  std::string repetitions = "--benchmark_repetitions=" + std::to_string(options.trials);
  std::string min_time = "--benchmark_min_time=" + std::to_string(options.min_seconds);
  std::vector<char*> argv = {const_cast<char*>("bench"), repetitions.data(), min_time.data()};
  int argc = static_cast<int>(argv.size());
  benchmark::Initialize(&argc, argv.data());
  Collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  benchmark::ClearRegisteredBenchmarks();

  const std::string day_size = std::to_string(items.size()) + " events, " + std::to_string(options.stations) + " stations";
  figures.Add({"limit/decode", "Limit: protobuf decode alone (Frame + CaptureEvent)", "events/s",
               collector.rates["limit/decode"], "", "", true});
  figures.Add({"micro/decode", "Decode + check an event Frame (DecodeFrame + ParseEvent)", "events/s",
               collector.rates["micro/decode"], "limit/decode", "", true});
  figures.Add({"micro/judge", "Judge::Apply, one core (" + day_size + ")", "events/s", collector.rates["micro/judge"],
               "", ">= 1,000,000", true});
  figures.Add({"micro/tracker", "SequenceTracker::Offer in order (" + day_size + ")", "events/s",
               collector.rates["micro/tracker"], "", "", true});
  return Status::Ok();
}

}  // namespace capture::bench
