// The coordinator's metrics in the Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/), for GET /metrics.
//
// Families (all prefixed capture_; every counter of the StatusReply is exported):
//   counters  events_received_total{station}, events_stored_total{station}, resend_requests_total{station},
//             duplicates_ignored_total, seq_conflicts_total, frames_rejected_total{reason},
//             frames_received_total{socket}, heartbeats_total{station}, events_dropped_buffer_full_total{station},
//             verdicts_sent_total{station}, verdicts_dropped_total{station}, observations_total{kind},
//             commits_total, anomalies_raised_total, images_stored_total, images_already_held_total,
//             image_bytes_received_total, image_chunks_received_total, image_chunks_stale_total,
//             image_hash_mismatches_total, images_refused_total, image_frames_rejected_total
//   gauges    commit_index, anomalies_open{kind,severity}, station_lag_events{station} (announced − stored,
//             summed over the station's journal epochs), verdicts_waiting{station}, images_waiting
//   histograms commit_batch_items, commit_seconds (_bucket{le}, _sum, _count)
// A StatusReply counter of a family not listed here is exported as `untyped`, so a counter added
// to the coordinator is never silently left out.
//
// Pure; a Histogram is not thread-safe (the loop's thread records and formats it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture.pb.h"
#include "coordinator/judge/judge.h"

namespace capture::dashboard {

class Histogram {
 public:
  // `bounds`: the buckets' upper bounds, ascending; +Inf is implied.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double value);

  const std::vector<double>& bounds() const { return bounds_; }
  // Per bound, observations <= it (cumulative); the last entry is +Inf, i.e. count().
  std::vector<uint64_t> Cumulative() const;
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // per bucket, not cumulative; one more than bounds_ (+Inf)
  uint64_t count_ = 0;
  double sum_ = 0;
};

// What the coordinator's loop measures of its group commits.
struct CommitMetrics {
  Histogram batch_items{{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000}};
  Histogram seconds{{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5}};

  void Observe(size_t items, double seconds_taken) {
    batch_items.Observe(static_cast<double>(items));
    seconds.Observe(seconds_taken);
  }
};

// The exposition text: every StatusReply counter, the stations' lag, the open anomalies by kind
// and severity (every kind raised so far, 0 once all are resolved), and the commit histograms.
std::string MetricsText(const wire::StatusReply& status, const std::vector<judge::AnomalyState>& anomalies,
                        const CommitMetrics& commits);

}  // namespace capture::dashboard
