#include "tools/bench/figures.h"

#include <algorithm>
#include <cmath>

namespace capture::bench {

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

int64_t NearestRank(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

double Figure::Median() const { return bench::Median(trials); }

Figure& Figures::Add(Figure figure) {
  for (Figure& existing : figures_) {
    if (existing.key == figure.key) {
      existing.trials.insert(existing.trials.end(), figure.trials.begin(), figure.trials.end());
      return existing;
    }
  }
  figures_.push_back(std::move(figure));
  return figures_.back();
}

const Figure* Figures::Find(const std::string& key) const {
  for (const Figure& figure : figures_) {
    if (figure.key == key) return &figure;
  }
  return nullptr;
}

std::optional<double> Figures::Ratio(const Figure& figure) const {
  if (figure.limit_key.empty() || figure.trials.empty()) return std::nullopt;
  const Figure* limit = Find(figure.limit_key);
  if (limit == nullptr || limit->trials.empty() || limit->Median() == 0) return std::nullopt;
  return figure.Median() / limit->Median();
}

bool Figures::IsInsecureTwin(const std::string& key) const {
  return std::any_of(pairs_.begin(), pairs_.end(), [&](const SecurityPair& p) { return p.insecure_key == key; });
}

std::optional<double> Figures::PairRatio(const SecurityPair& pair) const {
  const Figure* secure = Find(pair.secure_key);
  const Figure* insecure = Find(pair.insecure_key);
  if (secure == nullptr || insecure == nullptr || secure->trials.empty() || insecure->trials.empty() ||
      insecure->Median() == 0) {
    return std::nullopt;
  }
  return secure->Median() / insecure->Median();
}

}  // namespace capture::bench
