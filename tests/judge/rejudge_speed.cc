// rejudge_speed: how fast a stopped store is judged again (coordinator/audit.h), on the benchmark's
// synthetic day (tools/bench/bench_day.h). Writes --events events into a fresh store under
// $TMPDIR (removed at the end), as the coordinator would (judged, verdicts stored), then prints,
// one line each, the median events/s of --trials runs of:
//   rejudge_speed read events=N rate=R            the store's read loop alone (RecordStore::ForEachItem)
//   rejudge_speed make_judge students=N seconds=S  MakeJudge: parse the stored roster, build the Judge
//   rejudge_speed replay events=N rate=R          Replay: read and judge every item (judge made before)
//   rejudge_speed verify events=N rate=R          VerifyVerdicts: make a judge, re-judge and compare
//                                                 every stored verdict
// Not a test: a tool for the performance notes; ctest runs it at a tiny size so that it never rots.
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/frame.h"
#include "common/schedule.h"
#include "coordinator/audit.h"
#include "coordinator/judge/judge.h"
#include "coordinator/record_store.h"
#include "tools/bench/bench_day.h"

namespace capture::coord {
namespace {

constexpr uint64_t kEpoch = 0x00b0b0b0b0b0b0b1ULL;
constexpr size_t kBatch = 10'000;  // the coordinator's group-commit cap

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "rejudge_speed: %s\n", what.c_str());
  std::exit(1);
}

void Check(const Status& s) {
  if (!s.ok()) Die(s.message());
}

void WriteStore(const std::string& dir, int stations, uint64_t events) {
  const bench::BenchDay day({stations, (events + stations - 1) / stations});
  auto store = RecordStore::Open(dir, /*read_only=*/false);
  if (!store.ok()) Die(store.status().message());
  const JudgeInputs inputs{judge::DefaultJudgeConfig(bench::kLocalMidnightUs, 8 * 60), day.ScheduleCsv(),
                           day.RosterCsv(), ""};
  Check((*store)->SaveJudgeInputs(inputs));
  auto judge = MakeJudge(inputs);
  if (!judge.ok()) Die(judge.status().message());
  wire::Verdict verdict;
  const ItemJudge judge_item = [&](const wire::RecordItem& item,
                                   const wire::CaptureEvent* event) -> const wire::Verdict& {
    verdict = (*judge)->Apply(item, event);
    return verdict;
  };
  RecordStore::Batch batch;
  for (uint64_t seq = 1; seq <= day.shape().events_per_station; ++seq) {
    for (int s = 1; s <= stations; ++s) {
      std::string bytes = day.EventBytes(static_cast<uint32_t>(s), kEpoch, seq);
      auto event = ParseEvent(bytes);
      batch.AddEvent({static_cast<uint32_t>(s), kEpoch}, seq, std::move(bytes),
                     std::move(std::get<wire::CaptureEvent>(event)));
      if (batch.size() == kBatch) {
        Check((*store)->Commit(std::move(batch), day.EventTimeUs(seq), judge_item));
        batch = RecordStore::Batch();
      }
    }
  }
  Check((*store)->Commit(std::move(batch), day.EventTimeUs(day.shape().events_per_station), judge_item));
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Events/s of `timed` (which returns the items it saw), the median of `trials` runs, each after an
// untimed `setup`.
double Rate(int trials, const std::function<void()>& setup, const std::function<uint64_t()>& timed) {
  std::vector<double> rates;
  for (int t = 0; t < trials; ++t) {
    setup();
    const auto start = std::chrono::steady_clock::now();
    const uint64_t items = timed();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    rates.push_back(static_cast<double>(items) / took.count());
  }
  return Median(rates);
}

uint64_t Flag(int argc, char** argv, const char* name, uint64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return std::strtoull(argv[i + 1], nullptr, 10);
  }
  return fallback;
}

int Run(int argc, char** argv) {
  const uint64_t events = Flag(argc, argv, "--events", 1'000'000);
  const int stations = static_cast<int>(Flag(argc, argv, "--stations", 3));
  const int trials = static_cast<int>(Flag(argc, argv, "--trials", 3));
  const char* tmp = std::getenv("TMPDIR");
  std::string dir = std::string(tmp != nullptr ? tmp : "/tmp") + "/rejudge-speed-XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) Die("cannot make a folder under " + dir);
  WriteStore(dir + "/store", stations, events);
  auto store = RecordStore::Open(dir + "/store", /*read_only=*/true);
  if (!store.ok()) Die(store.status().message());
  const RecordStore& s = **store;

  const auto events_seen = static_cast<unsigned long long>(s.commit_index());
  const double read = Rate(
      trials, [] {},
      [&] {
        uint64_t items = 0;
        Check(s.ForEachItem([&](const wire::RecordItem&) {
          ++items;
          return true;
        }));
        return items;
      });
  std::printf("rejudge_speed read events=%llu rate=%.0f\n", events_seen, read);

  std::unique_ptr<judge::Judge> judge;
  const auto making = std::chrono::steady_clock::now();
  auto inputs = s.ReadJudgeInputs();
  if (!inputs.ok()) Die(inputs.status().message());
  auto made = MakeJudge(*inputs);
  if (!made.ok()) Die(made.status().message());
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - making;
  std::printf("rejudge_speed make_judge students=%zu seconds=%.3f\n",
              static_cast<size_t>(
                  std::count(inputs->roster_csv.begin(), inputs->roster_csv.end(), '\n') - 1),
              took.count());
  const double replay = Rate(
      trials,
      [&] {
        judge.reset();
        auto fresh = MakeJudge(*inputs);
        if (!fresh.ok()) Die(fresh.status().message());
        judge = std::move(*fresh);
      },
      [&] {
        uint64_t items = 0;
        Check(Replay(s, *judge, [&](const wire::RecordItem&, const wire::Verdict&) { ++items; }));
        return items;
      });
  std::printf("rejudge_speed replay events=%llu rate=%.0f\n", events_seen, replay);
  judge.reset();
  // VerifyVerdicts makes its own judge: the rate counts making it, as a `capturectl verify` does.
  const double verify = Rate(
      trials, [] {},
      [&] {
        auto outcome = VerifyVerdicts(s);
        if (!outcome.ok()) Die(outcome.status().message());
        if (!outcome->equal) Die("verify found a difference: " + outcome->difference);
        return outcome->items;
      });
  std::printf("rejudge_speed verify events=%llu rate=%.0f\n", events_seen, verify);
  store->reset();
  std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace capture::coord

int main(int argc, char** argv) { return capture::coord::Run(argc, argv); }
