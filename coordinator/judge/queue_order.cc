#include "coordinator/judge/queue_order.h"

#include <algorithm>

namespace capture::judge {

QueueTracker::QueueTracker(const RosterIndex& roster, uint32_t moved_on_after)
    : roster_(roster), moved_on_after_(std::max<uint32_t>(moved_on_after, 1)), history_(moved_on_after_ + 1, kNone) {}

int QueueTracker::Compare(const QueueEntry& x, const QueueEntry& y) const {
  return roster_.CompareStudents(x.student, y.student);
}

// Online, one anomaly per displaced student. With a < b the last two in order and s the new one:
// s > b is in order; a < s < b means b jumped ahead; s < a means s came late; with no a, s < b
// means b went first. A student seated before b whose file landed after b's is placed before b.
void QueueTracker::CheckOrder(const QueueEntry& s, QueueFindings& findings) {
  if (!roster_.FollowsClassPattern(s.student)) return;
  if (!run_.b) {
    run_.b = s;
    return;
  }
  if (s.seated < run_.b->seated) {
    if (Compare(s, *run_.b) < 0 && (!run_.a || Compare(s, *run_.a) > 0)) {
      run_.a = s;
    } else {
      findings.out_of_order.push_back(s);
    }
    return;
  }
  if (Compare(s, *run_.b) > 0) {
    run_.a = run_.b;
    run_.b = s;
  } else if (!run_.a || Compare(s, *run_.a) > 0) {
    findings.out_of_order.push_back(*run_.b);
    run_.b = s;
  } else {
    findings.out_of_order.push_back(s);
  }
}

QueueFindings QueueTracker::OnFirstBinding(const QueueEntry& entry) {
  QueueFindings findings;
  const ClassId klass = roster_.ClassOf(entry.student);
  const uint64_t index = count_++;
  const size_t ring = history_.size();
  int64_t& last = last_index_.try_emplace(klass, -1).first->second;
  const int64_t previous_last = last;
  last = static_cast<int64_t>(index);
  history_[index % ring] = klass;

  if (run_.klass == kNone) {
    run_.klass = klass;
    findings.run_started = entry;
    CheckOrder(entry, findings);
  } else if (klass == run_.klass) {
    if (!stretch_.empty()) {
      // Fewer than moved_on_after_ others, then the class again: they were in its middle, and do
      // not count as a run of their own classes either.
      findings.resumed_class = klass;
      for (auto it = stretch_.rbegin(); it != stretch_.rend(); ++it) {
        last_index_[it->klass] = it->previous_last;
        history_[it->index % ring] = kNone;
      }
      for (const Stretched& s : stretch_) findings.interleaved.push_back(s.entry);
      stretch_.clear();
    }
    CheckOrder(entry, findings);
  } else {
    stretch_.push_back(Stretched{entry, klass, previous_last, index});
    if (stretch_.size() >= moved_on_after_) {
      // The run's class has moved on: a new run of this class begins with its students so far.
      run_ = Run{klass, std::nullopt, std::nullopt};
      for (const Stretched& s : stretch_) {
        if (s.klass != klass) continue;
        if (!findings.run_started) findings.run_started = s.entry;
        CheckOrder(s.entry, findings);
      }
      stretch_.clear();
    }
  }

  if (index >= moved_on_after_) {
    const uint64_t j = index - moved_on_after_;
    const ClassId c = history_[j % ring];
    if (c != kNone && last_index_.at(c) == static_cast<int64_t>(j)) findings.moved_on.push_back(c);
  }
  return findings;
}

}  // namespace capture::judge
