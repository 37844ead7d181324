// Queue discipline at one station: class runs, student-number order within a run, students of
// another class slipped into a run, and when a class has moved on. Fed each roster student's
// first binding only (a retake or a repeated photo says nothing about the queue). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "coordinator/judge/binding.h"
#include "coordinator/judge/roster_index.h"

namespace capture::judge {

struct QueueEntry {
  StudentId student = kNone;
  ShotId shot = kNoShot;
  // Where their code read stands in the station's record order: files may land in another order
  // than people sat, and a station clock set back gives later reads earlier times.
  uint64_t seated = 0;
  int64_t moment_us = 0;  // when their shot was taken
};

struct QueueFindings {
  std::vector<QueueEntry> out_of_order;  // one per displaced student
  std::vector<QueueEntry> interleaved;   // students of other classes in the middle of resumed_class
  ClassId resumed_class = kNone;
  std::optional<QueueEntry> run_started;  // the first student of a new class run
  std::vector<ClassId> moved_on;          // classes that have just moved on from this station
};

class QueueTracker {
 public:
  // `moved_on_after`: a class has moved on once this many students of other classes follow its
  // last student (at least 1). Fewer, and then the class again: they were in its middle.
  QueueTracker(const RosterIndex& roster, uint32_t moved_on_after);

  QueueFindings OnFirstBinding(const QueueEntry& entry);

 private:
  struct Run {
    ClassId klass = kNone;
    // The last two students in order (a before b); a displaced student never becomes either.
    std::optional<QueueEntry> a, b;
  };
  struct Stretched {
    QueueEntry entry;
    ClassId klass = kNone;
    int64_t previous_last = -1;  // the class's last_index_ before this student
    uint64_t index = 0;
  };

  void CheckOrder(const QueueEntry& entry, QueueFindings& findings);
  int Compare(const QueueEntry& x, const QueueEntry& y) const;

  const RosterIndex& roster_;
  uint32_t moved_on_after_;
  Run run_;
  std::vector<Stretched> stretch_;  // students of other classes since the run's last student
  uint64_t count_ = 0;              // first bindings so far at this station
  std::vector<ClassId> history_;    // the class of the last moved_on_after_+1 first bindings (ring)
  // Per class seen here: index of its last first binding here (-1: none). Sparse, because a
  // station sees few of a large roster's classes.
  std::unordered_map<ClassId, int64_t> last_index_;
};

}  // namespace capture::judge
