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
std::string WhyNot(const Checkpoint& head, const RecordTree& tree, const KeySchedule& keys, uint64_t holds_below) {
  const PublicKey& key = keys.For(head.size);
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

const PublicKey& KeySchedule::For(uint64_t size) const {
  const PublicKey* key = &keys.front().second;
  for (const auto& [from, next] : keys) {
    if (size >= from) key = &next;
  }
  return *key;
}

KeySchedule KeySchedule::Of(const PublicKey& given, const std::vector<CoordinatorKeyRotation>& rotations,
                            std::vector<std::string>* findings) {
  KeySchedule schedule;
  if (rotations.empty()) {
    schedule.keys.push_back({0, given});
    return schedule;
  }
  const auto as_key = [&](const std::string& bytes, const CoordinatorKeyRotation& r) {
    auto key = PublicKeyFromBytes(bytes, "its key");
    if (!key.ok()) {
      findings->push_back("differs rotation commit_index=" + std::to_string(r.commit_index) + ": " +
                          key.status().message());
      return PublicKey{};
    }
    return *key;
  };
  schedule.keys.push_back({0, as_key(rotations.front().previous_key, rotations.front())});
  for (const CoordinatorKeyRotation& r : rotations) {
    const PublicKey previous = as_key(r.previous_key, r);
    if (previous != schedule.keys.back().second) {
      findings->push_back("differs rotation commit_index=" + std::to_string(r.commit_index) + ": it rotates from key " +
                          KeyHex(previous) + ", but the heads before it are " + KeyHex(schedule.keys.back().second) +
                          "'s");
    }
    // A head holds the rotation's item, and is signed by the new key, from this size on.
    schedule.keys.push_back({ItemLeafIndex(r.commit_index) + 1, as_key(r.key, r)});
  }
  const bool known = std::any_of(schedule.keys.begin(), schedule.keys.end(),
                                 [&](const auto& entry) { return entry.second == given; });
  if (!known) {
    findings->push_back("differs key: the coordinator key " + KeyHex(given) +
                        " is none of the keys this record's heads were signed with");
  }
  return schedule;
}

Result<TreeAudit> AuditTree(const RecordStore& store, const PublicKey& coordinator_key,
                            const std::vector<KeptHead>& kept) {
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
  for (const KeptHead& k : kept) watched.push_back(k.head.size);

  RecordTree tree(*inputs, std::move(watched));
  auto verdicts = VerifyVerdicts(store, [&](std::string_view item, std::string_view verdict) {
    tree.AppendItem(item, verdict);
  });
  if (!verdicts.ok()) return verdicts.status();
  audit.verdicts = std::move(*verdicts);
  const KeySchedule keys = KeySchedule::Of(coordinator_key, audit.verdicts.key_rotations, &audit.findings);
  audit.leaves = tree.size();
  audit.root = tree.Root();
  if (!stored.empty()) audit.newest = stored.back();

  uint64_t holds_below = 0;
  for (const Checkpoint& head : stored) {
    const std::string why = WhyNot(head, tree, keys, holds_below);
    if (why.empty()) {
      holds_below = head.size;
    } else {
      audit.findings.push_back("differs head " + Label(head) + ": " + why);
    }
  }
  // A kept head is evidence against the stored ones, not bounded by them (they may be signed
  // again), only by kept heads that hold: so the kept heads are judged in order of size.
  std::vector<size_t> by_size(kept.size());
  for (size_t i = 0; i < kept.size(); ++i) by_size[i] = i;
  std::stable_sort(by_size.begin(), by_size.end(), [&](size_t a, size_t b) { return kept[a].head.size < kept[b].head.size; });
  audit.kept_holds.assign(kept.size(), false);
  std::vector<std::string> kept_findings(kept.size());
  holds_below = 0;
  for (size_t i : by_size) {
    const Checkpoint& head = kept[i].head;
    std::string why = WhyNot(head, tree, keys, holds_below);
    if (why.empty()) {
      holds_below = head.size;
      audit.kept_holds[i] = true;
      continue;
    }
    const auto same_size =
        std::find_if(stored.begin(), stored.end(), [&](const Checkpoint& s) { return s.size == head.size; });
    if (same_size != stored.end() && same_size->root != head.root && same_size->key == head.key &&
        VerifyCheckpointSignature(*same_size).ok()) {
      why += "; the store's own head of this size, signed at " + FormatIso8601UtcMicros(same_size->time_us) +
             ", has root " + ToHex(same_size->root) +
             ": the coordinator's key signed two trees of one size, so the record was rewritten and its heads "
             "signed again";
    }
    kept_findings[i] = "differs checkpoint " + Label(head) + " (" + kept[i].origin + "): " + why;
  }
  for (std::string& finding : kept_findings) {
    if (!finding.empty()) audit.findings.push_back(std::move(finding));
  }
  return audit;
}

}  // namespace capture::coord
