// The leaves of the record's Merkle tree (docs/record-proofs.md, "Leaves of the record"): which
// bytes each leaf is, so that the coordinator, `capturectl verify`, `prove` and `check-proof` hash
// the same bytes. Every leaf begins with a tag naming its kind and the layout's version, so no
// leaf of one kind can be read as another, and a later layout gets another tag.
//
// Leaves 0 to 3 are the judge's inputs, in this order, as stored with the record:
//   0  "capture-input-v1\0schedule\0"      || the schedule file's bytes
//   1  "capture-input-v1\0roster\0"        || records u64 || MTH of the roster's records (below)
//   2  "capture-input-v1\0config\0"        || the JudgeConfig's bytes
//   3  "capture-input-v1\0station-keys\0"  || the enrolment file's bytes (none: nothing)
// Leaf 3 + k is the record item of commit index k together with its verdict:
//   "capture-item-v1\0" || item length u64 || RecordItem bytes || verdict length u64 || Verdict bytes
// (integers unsigned, big-endian), the bytes exactly as the store holds them. Changing an input
// and judging the record again therefore changes leaf 0 to 3 and the item leaves whose verdicts
// change; changing an item or its verdict changes its leaf.
//
// The roster is a tree of its own, so that one student's row can be shown without the others'
// (the roster is the registrar's personal data): its leaves are the file's CSV records, each the
// bytes up to and including the line feed that ends it outside double quotes (the last one may
// end with the file instead), so that the records together are the file byte for byte. Record i's
// leaf is "capture-roster-record-v1\0" || its bytes; the file's header is record 0 (with a byte-
// order mark, if any), a blank line a record of its own.
//
// Pure and thread-safe: no store, no files.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/sha256.h"
#include "common/status.h"
#include "coordinator/record_store.h"

namespace capture::coord {

enum class InputLeaf : uint64_t { kSchedule = 0, kRoster = 1, kConfig = 2, kStationKeys = 3 };
inline constexpr uint64_t kInputLeaves = 4;

// "schedule", "roster", "config", "station-keys": as in the tags.
std::string_view InputLeafName(InputLeaf kind);
// The tree's leaf index of the record item with this commit index (1, 2, …).
inline uint64_t ItemLeafIndex(uint64_t commit_index) { return kInputLeaves - 1 + commit_index; }

// The four input leaves' bytes, in leaf order. Reads the roster once, record by record.
std::array<std::string, kInputLeaves> InputLeaves(const StoredJudgeInputs& inputs);

// An input leaf read back: its kind and what follows its tag (for the roster: records || root).
struct ParsedInputLeaf {
  InputLeaf kind;
  std::string_view content;
};
// InvalidArgument unless `leaf` starts with one of the four input tags.
Result<ParsedInputLeaf> ParseInputLeaf(std::string_view leaf);

// The roster's commitment in leaf 1: how many records, and the root of their tree.
struct RosterCommitment {
  uint64_t records = 0;
  Sha256 root{};
};
// InvalidArgument unless `content` (a roster leaf's) is 8 + 32 bytes.
Result<RosterCommitment> ParseRosterCommitment(std::string_view content);

// The CSV record of `csv` (see the top of this file) that starts at `*pos`, which moves past it;
// nullopt at the end. Start at 0. The view points into `csv`.
std::optional<std::string_view> NextCsvRecord(std::string_view csv, size_t* pos);
// The leaf hash of a roster record in the roster's tree.
Sha256 RosterRecordHash(std::string_view record);

// The leaf hash of an item with its verdict: streamed, with no copy and no allocation (it runs once
// per committed item).
Sha256 ItemLeafHash(std::string_view item_bytes, std::string_view verdict_bytes);
// The same leaf's bytes, for a proof file.
std::string ItemLeafBytes(std::string_view item_bytes, std::string_view verdict_bytes);

// An item leaf read back: views into the leaf.
struct ParsedItemLeaf {
  std::string_view item;
  std::string_view verdict;
};
// InvalidArgument unless `leaf` has the item tag and two length-prefixed parts that fill it exactly.
Result<ParsedItemLeaf> ParseItemLeaf(std::string_view leaf);

}  // namespace capture::coord
