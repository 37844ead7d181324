#include "coordinator/proof/tree_audit.h"

#include <algorithm>

#include "coordinator/proof/record_leaves.h"
#include "coordinator/proof/record_tree.h"

namespace capture::coord {

namespace {

// Leaves [lo, hi) in the record's terms: which inputs, which commit indexes.
std::string DescribeLeaves(uint64_t lo, uint64_t hi) {
  std::string inputs;
  for (uint64_t leaf = lo; leaf < std::min(hi, kInputLeaves); ++leaf) {
    inputs += (inputs.empty() ? "" : ", ") + std::string(InputLeafName(static_cast<InputLeaf>(leaf)));
  }
  std::string out = "leaves " + std::to_string(lo) + ".." + std::to_string(hi - 1) + " (";
  if (!inputs.empty()) out += "the judge's inputs: " + inputs;
  if (hi > kInputLeaves) {
    const uint64_t first = std::max(lo, kInputLeaves) - (kInputLeaves - 1);
    out += std::string(inputs.empty() ? "" : "; ") + "commit indexes " + std::to_string(first) + ".." +
           std::to_string(hi - kInputLeaves);
  }
  return out + ")";
}

std::string Label(const Checkpoint& head) {
  return "size=" + std::to_string(head.size) + " time=" + FormatIso8601UtcMicros(head.time_us);
}

// Why `head` does not hold for the record in `tree`; empty when it does. `holds_below`: the size of
// the largest head below it known to hold (0: none), which bounds where a change can be.
std::string WhyNot(const Checkpoint& head, const RecordTree& tree, const PublicKey& key, uint64_t holds_below) {
  if (head.key != key) return "signed by key " + KeyHex(head.key) + ", not by the coordinator's key " + KeyHex(key);
  if (!VerifyCheckpointSignature(head).ok()) return "its signature does not verify under the coordinator's key";
  if (head.size > tree.size()) {
    return "it covers " + std::to_string(head.size) + " leaves but the record has " + std::to_string(tree.size()) +
           " (commit indexes up to " + std::to_string(tree.size() - kInputLeaves) +
           "): items were removed from the record or it was cut short";
  }
  const std::optional<Sha256> root = tree.RootAt(head.size);
  if (root == head.root) return "";
  return "the record's first " + std::to_string(head.size) + " leaves lead to root " + (root ? ToHex(*root) : "?") +
         ", not to the head's " + ToHex(head.root) + ": a leaf among " + DescribeLeaves(holds_below, head.size) +
         " changed";
}

}  // namespace

Result<TreeAudit> AuditTree(const RecordStore& store, const PublicKey& coordinator_key,
                            const std::optional<KeptHead>& kept) {
  auto inputs = store.ReadStoredJudgeInputs();
  if (!inputs.ok()) return inputs.status();
  TreeAudit audit;
  std::vector<Checkpoint> stored;
  Status read = store.ForEachCheckpoint([&](uint64_t size, std::string_view line) {
    ++audit.stored_heads;
    auto head = ParseCheckpoint(line);
    if (!head.ok()) {
      audit.findings.push_back("differs head size=" + std::to_string(size) +
                               ": the stored line does not parse: " + head.status().message());
    } else if (head->size != size) {
      audit.findings.push_back("differs head " + Label(*head) + ": it is stored as the head of size " +
                               std::to_string(size));
    } else {
      stored.push_back(*head);
    }
    return true;
  });
  if (!read.ok()) return read;
  std::vector<uint64_t> watched;
  for (const Checkpoint& head : stored) watched.push_back(head.size);
  if (kept) watched.push_back(kept->head.size);

  RecordTree tree(*inputs, std::move(watched));
  auto verdicts = VerifyVerdicts(store, [&](std::string_view item, std::string_view verdict) {
    tree.AppendItem(item, verdict);
  });
  if (!verdicts.ok()) return verdicts.status();
  audit.verdicts = std::move(*verdicts);
  audit.leaves = tree.size();
  audit.root = tree.Root();
  if (!stored.empty()) audit.newest = stored.back();

  uint64_t holds_below = 0;
  for (const Checkpoint& head : stored) {
    const std::string why = WhyNot(head, tree, coordinator_key, holds_below);
    if (why.empty()) {
      holds_below = head.size;
    } else {
      audit.findings.push_back("differs head " + Label(head) + ": " + why);
    }
  }
  if (kept) {
    // A kept head is evidence against the stored ones, not bounded by them: they may be re-signed.
    std::string why = WhyNot(kept->head, tree, coordinator_key, 0);
    const auto same_size = std::find_if(stored.begin(), stored.end(),
                                        [&](const Checkpoint& head) { return head.size == kept->head.size; });
    if (!why.empty() && same_size != stored.end() && same_size->root != kept->head.root &&
        same_size->key == kept->head.key && VerifyCheckpointSignature(*same_size).ok()) {
      why += "; the store's own head of this size, signed at " + FormatIso8601UtcMicros(same_size->time_us) +
             ", has root " + ToHex(same_size->root) +
             ": the coordinator's key signed two trees of one size, so the record was rewritten and its heads "
             "signed again";
    }
    audit.kept_head_holds = why.empty();
    if (!why.empty()) audit.findings.push_back("differs checkpoint " + Label(kept->head) + " (" + kept->origin + "): " + why);
  }
  return audit;
}

}  // namespace capture::coord
