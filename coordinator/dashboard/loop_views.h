// The dashboard's state inside the coordinator's loop: the Directory, the Timeline fed from the
// replayed record and from every commit, and the judge's assignment as last copied. The loop asks
// it for the views (views.h) when the HTTP server sends a DashboardRequest.
//
// Judge::Assignment() costs O(roster), so the copy is refreshed only when the record has grown and
// at most once per max(100 ms, 10 × the last refresh's duration): the views may lag the record by
// that much (a view says so: "assignment_commit_index" below "commit_index"), and a dashboard left
// open costs the loop at most about a tenth of its time however large the roster.
//
// A summary is built again only when the record, the assignment copy or the second of the record's
// clock changed: however many clients ask, the loop builds at most one a second while nothing happens.
//
// Not thread-safe: the loop's thread only. The clock is injected (tests step it).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "capture.pb.h"
#include "coordinator/dashboard/directory.h"
#include "coordinator/dashboard/timeline.h"
#include "coordinator/judge/judge.h"

namespace capture::dashboard {

class LoopViews {
 public:
  using SteadyNow = std::function<std::chrono::steady_clock::time_point()>;

  LoopViews(std::shared_ptr<const Directory> directory, SteadyNow steady_now);

  // One stored item replayed at start, after `judge` has judged it.
  void Replayed(const wire::RecordItem& item, const judge::Judge& judge);
  // A live commit of items first..last, `events` of them events, stored at `time_us` (the record's
  // clock) in `seconds`, after `judge` has judged them.
  void Committed(uint64_t first, uint64_t last, int64_t time_us, uint64_t events, double seconds,
                 const judge::Judge& judge);

  // views.h's summary and class views; `now_us` is the record's clock now. Class: nullopt when no
  // class has that name.
  std::string Summary(const judge::Judge& judge, uint64_t commit_index, int64_t now_us);
  std::optional<std::string> Class(const judge::Judge& judge, std::string_view name, uint64_t commit_index,
                                   int64_t now_us);

 private:
  const std::vector<judge::AssignmentRow>& Assignment(const judge::Judge& judge, uint64_t commit_index);

  std::shared_ptr<const Directory> directory_;
  SteadyNow steady_now_;
  Timeline timeline_;
  std::vector<judge::AssignmentRow> assignment_;
  std::optional<uint64_t> assignment_commit_;
  std::chrono::steady_clock::time_point next_refresh_{};
  // The last summary and what it was built from: (commit index, assignment commit index, second).
  std::tuple<uint64_t, uint64_t, int64_t> summary_key_{};
  std::string summary_;
};

}  // namespace capture::dashboard
