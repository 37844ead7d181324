// A strict reader of the Prometheus text exposition format 0.0.4, for tests: every line must be a
// HELP, a TYPE or a sample; every sample must belong to a family whose TYPE came before it, with
// its lines together; histograms must have cumulative buckets ending in le="+Inf" equal to _count.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace capture::dashboard::testing {

struct Sample {
  std::string name;                           // with any _bucket/_sum/_count suffix
  std::map<std::string, std::string> labels;  // unescaped values
  double value = 0;
};

struct Exposition {
  std::map<std::string, std::string> types;  // family -> counter, gauge, histogram, untyped, summary
  std::vector<Sample> samples;

  // The value of the sample with exactly these labels; nullopt when there is none.
  std::optional<double> Value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
  // The sum over every sample of that name.
  double Sum(const std::string& name) const;
};

// InvalidArgument naming the line and what is wrong with it.
Result<Exposition> ParseExposition(const std::string& text);

}  // namespace capture::dashboard::testing
