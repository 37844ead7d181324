#include "coordinator/proof/record_tree.h"

#include <algorithm>

#include "coordinator/proof/record_leaves.h"

namespace capture::coord {

RecordTree::RecordTree(const StoredJudgeInputs& inputs, std::vector<uint64_t> watched) : watched_(std::move(watched)) {
  std::sort(watched_.begin(), watched_.end());
  watched_.erase(std::unique(watched_.begin(), watched_.end()), watched_.end());
  roots_.reserve(watched_.size());  // so that no append allocates
  if (!watched_.empty() && watched_.front() == 0) {
    roots_.emplace_back(0, frontier_.Root());
    next_watched_ = 1;
  }
  for (const std::string& leaf : InputLeaves(inputs)) Append(LeafHash(leaf));
}

void RecordTree::AppendItem(std::string_view item_bytes, std::string_view verdict_bytes) {
  Append(ItemLeafHash(item_bytes, verdict_bytes));
}

void RecordTree::Append(const Sha256& leaf_hash) {
  frontier_.Append(leaf_hash);
  if (next_watched_ < watched_.size() && watched_[next_watched_] == frontier_.size()) {
    roots_.emplace_back(frontier_.size(), frontier_.Root());
    ++next_watched_;
  }
}

std::optional<Sha256> RecordTree::RootAt(uint64_t size) const {
  const auto it = std::lower_bound(roots_.begin(), roots_.end(), size,
                                   [](const auto& root, uint64_t s) { return root.first < s; });
  if (it == roots_.end() || it->first != size) return std::nullopt;
  return it->second;
}

}  // namespace capture::coord
