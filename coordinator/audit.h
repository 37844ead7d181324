// Judging a stored record again, as the live coordinator did: with the judge's inputs stored with
// it and nothing else. Used by the coordinator at start (to rebuild its judge), by `capturectl
// export --store` and by `capturectl verify`, which also checks the images the record names.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "capture.pb.h"
#include "common/image_store.h"
#include "common/status.h"
#include "coordinator/judge/judge.h"
#include "coordinator/record_store.h"
#include "coordinator/security/enrolment.h"

namespace capture::coord {

// A fresh Judge for these inputs. Corruption when the stored schedule or roster does not parse.
Result<std::unique_ptr<judge::Judge>> MakeJudge(const JudgeInputs& inputs);

// Feeds every stored item to `judge` in commit order; `each` (if set) sees each item with its
// verdict, both valid during the call only; `stored` (if set) sees each item's bytes and stored
// verdict's bytes first (the coordinator rebuilds its tree in the same pass). Allocates nothing per
// item for the verdict.
Status Replay(const RecordStore& store, judge::Judge& judge,
              const std::function<void(const wire::RecordItem&, const wire::Verdict&)>& each = nullptr,
              const StoredItemSink& stored = nullptr);

// A Judge that has judged the whole stored record. NotFound when the store holds no judge inputs.
Result<std::unique_ptr<judge::Judge>> JudgeStoredRecord(const RecordStore& store);

// An Observation COORDINATOR_KEY_ROTATED: the heads of trees that hold its item are signed by `key`.
struct CoordinatorKeyRotation {
  uint64_t commit_index = 0;
  std::string previous_key;  // as recorded: 32 bytes, unless the item is malformed
  std::string key;
};

struct VerifyOutcome {
  uint64_t items = 0;             // record items re-judged
  std::vector<CoordinatorKeyRotation> key_rotations;  // in commit order
  bool equal = true;              // every stored verdict equals the re-judged one, byte for byte
  uint64_t first_difference = 0;  // commit index, when !equal
  std::string difference;         // what differs there, one line
};

// Re-judges the record from scratch and compares every stored Verdict with the new one, byte for
// byte, in one pass over the store: a missing or different verdict is a difference. `stored` (if
// set) sees each item's bytes and stored verdict's bytes in that pass (`capturectl verify` grows the
// record's tree with them). Errors only when the store cannot be read.
Result<VerifyOutcome> VerifyVerdicts(const RecordStore& store, const StoredItemSink& stored = nullptr);

struct ImageAudit {
  uint64_t images = 0;               // distinct images the record's SHOT_TAKEN events name
  std::vector<std::string> missing;  // one line each: "station=1 seq=5 file=IMG_0005.JPG sha256=…"
  std::vector<std::string> altered;  // the same, for images whose bytes no longer hash to their name
};

// Checks that every image the record names is in `images` and still hashes to its name (each
// distinct image is read once). Errors only when the store or an image cannot be read.
Result<ImageAudit> AuditImages(const RecordStore& store, const ImageStore& images);

// The record's enrolment: the stored enrolment file with every key change of the record applied.
Result<Enrolment> StoredEnrolment(const RecordStore& store);

// What differs between two verdicts of one commit index, in one line; empty when the bytes are equal.
std::string DescribeVerdictDifference(const std::string& stored_bytes, const wire::Verdict& rejudged);

}  // namespace capture::coord
