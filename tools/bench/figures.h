// One measured figure of a benchmark run: its trials, their median, and where it stands against a
// limit measured in the same run. Shared by the micro benchmarks, the limits, the end-to-end
// drivers and the report.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace capture::bench {

struct Figure {
  std::string key;     // stable id, e.g. "ingest/30": limits and ratios refer to figures by it
  std::string label;   // what the table prints
  std::string unit;    // "events/s", "ms", "MB", "bytes/event"
  std::vector<double> trials;
  std::string limit_key;  // the figure this one is a ratio of; empty when it has no limit
  std::string target;     // the target, as text; empty when none
  bool higher_is_better = true;

  double Median() const;
};

double Median(std::vector<double> values);

// The nearest-rank percentile of ascending `sorted` (0 < p <= 1): the smallest sample with at least
// a fraction p of the samples at or below it; 0 when there are none.
int64_t NearestRank(const std::vector<int64_t>& sorted, double p);

// One figure measured twice in the same run, with CURVE on every socket (the default, as a capture
// day runs) and with --insecure on every program: the report shows the two side by side with the
// ratio CURVE / insecure.
struct SecurityPair {
  std::string label;  // what the figures measure, without the mode
  std::string secure_key;
  std::string insecure_key;
  std::string target;  // the pair's target as text ("CURVE / insecure >= 0.70"); empty when none
};

// The figures of one run, in the order measured.
class Figures {
 public:
  Figure& Add(Figure figure);
  const Figure* Find(const std::string& key) const;
  const std::vector<Figure>& all() const { return figures_; }
  // median / limit median, when both exist and the limit is not zero.
  std::optional<double> Ratio(const Figure& figure) const;

  void AddPair(SecurityPair pair) { pairs_.push_back(std::move(pair)); }
  const std::vector<SecurityPair>& pairs() const { return pairs_; }
  // Whether `key` is the --insecure side of a pair (the main table leaves those to the pairs' table).
  bool IsInsecureTwin(const std::string& key) const;
  // CURVE median / insecure median, when both were measured and the insecure one is not zero.
  std::optional<double> PairRatio(const SecurityPair& pair) const;

 private:
  std::vector<Figure> figures_;
  std::vector<SecurityPair> pairs_;
};

}  // namespace capture::bench
