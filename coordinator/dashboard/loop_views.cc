#include "coordinator/dashboard/loop_views.h"

#include <algorithm>

#include "coordinator/dashboard/views.h"

namespace capture::dashboard {

namespace {

constexpr std::chrono::milliseconds kMinRefresh{100};
constexpr int kDutyFactor = 10;  // refresh at most once per 10 refresh durations

}  // namespace

LoopViews::LoopViews(std::shared_ptr<const Directory> directory, SteadyNow steady_now)
    : directory_(std::move(directory)),
      steady_now_(std::move(steady_now)),
      timeline_(directory_->local_midnight_us()) {}

void LoopViews::Replayed(const wire::RecordItem& item, const judge::Judge& judge) {
  const int64_t t = item.received_time_us();
  timeline_.Committed(item.commit_index(), item.commit_index(), t, item.has_event() ? 1 : 0);
  if (timeline_.WantsSample(t)) timeline_.Sample(t, judge.Progress());
}

void LoopViews::Committed(uint64_t first, uint64_t last, int64_t time_us, uint64_t events, double seconds,
                          const judge::Judge& judge) {
  timeline_.Committed(first, last, time_us, events);
  timeline_.CommitTimed(time_us, seconds);
  if (timeline_.WantsSample(time_us)) timeline_.Sample(time_us, judge.Progress());
}

const std::vector<judge::AssignmentRow>& LoopViews::Assignment(const judge::Judge& judge, uint64_t commit_index) {
  const auto start = steady_now_();
  if (assignment_commit_ != commit_index && start >= next_refresh_) {
    assignment_ = judge.Assignment();
    assignment_commit_ = commit_index;
    const auto took = steady_now_() - start;
    next_refresh_ = start + std::max<std::chrono::steady_clock::duration>(kMinRefresh, kDutyFactor * took);
  }
  return assignment_;
}

std::string LoopViews::Summary(const judge::Judge& judge, uint64_t commit_index, int64_t now_us) {
  const std::vector<judge::AssignmentRow>& assignment = Assignment(judge, commit_index);
  const auto key = std::make_tuple(commit_index, *assignment_commit_, now_us / 1'000'000);
  if (!summary_.empty() && key == summary_key_) return summary_;
  const std::vector<judge::StationProgress> progress = judge.Progress();
  if (commit_index > 0) timeline_.Sample(now_us, progress);  // the plot's last point is now
  const ViewInputs in{directory_.get(),   &timeline_,   &assignment,         &progress,
                      &judge.anomalies(), commit_index, *assignment_commit_, now_us};
  summary_key_ = key;
  summary_ = SummaryJson(in);
  return summary_;
}

std::optional<std::string> LoopViews::Class(const judge::Judge& judge, std::string_view name, uint64_t commit_index,
                                            int64_t now_us) {
  const std::vector<judge::StationProgress> progress = judge.Progress();
  const std::vector<judge::AssignmentRow>& assignment = Assignment(judge, commit_index);
  const ViewInputs in{directory_.get(),   &timeline_,   &assignment,         &progress,
                      &judge.anomalies(), commit_index, *assignment_commit_, now_us};
  return ClassJson(in, name);
}

}  // namespace capture::dashboard
