// A student's photo, proven from the record without the record: `capturectl prove` writes the
// leaves that decide which image is the student's photo, each with its inclusion path to the
// coordinator's newest signed head, and `capturectl check-proof` checks them offline against the
// coordinator's key. The proof file's format is in docs/record-proofs.md ("Proof files").
//
// What decides, and so what a proof holds:
//   - the roster leaf, and the student's own row in the roster's tree (student number to registry
//     number; no other student's row is shown);
//   - every item whose verdict binds an image the student was ever bound to (the binding's story;
//     the last such binding of each image is its state), among them the one that binds the photo;
//   - the SHOT_TAKEN event(s) of the photo, the student's last code read at that station before it,
//     and the marks naming the student or the photo (retake, absent, void).
// The photo is the image whose last binding in the proof assigns it to the student's registry
// number; exactly one must. A proof shows that these leaves are in the signed record; it cannot show
// that no other leaf exists (inclusion is not absence): that every verdict is the judge's is what
// `capturectl verify` shows over the whole record.
//
// Pure but for ProveStudent, which reads a store. Errors say what and where.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/checkpoint.h"
#include "common/identity.h"
#include "common/status.h"
#include "coordinator/record_store.h"

namespace capture::coord {

// The photo a proof shows for one student.
struct ProvenPhoto {
  std::string student_no;
  std::string registry_no;
  uint32_t station = 0;
  uint32_t shot_number = 0;
  std::string image_file;
  std::string image_sha256;    // 64 hex digits
  uint64_t commit_index = 0;   // of the item whose verdict binds it last
};

// The proof file (JSON) of `student_no`'s photo from a stopped store, against its newest signed
// head. NotFound when the student is on no roster or the record gives them no photo;
// InvalidArgument when no head is signed or the newest one does not cover the photo's items yet;
// Corruption when the store no longer leads to its newest head. Reads the record three times
// (the binding's story, the events, the inclusion paths), never all of it into memory.
Result<std::string> ProveStudent(const RecordStore& store, std::string_view student_no);

struct CheckedProof {
  ProvenPhoto photo;
  Checkpoint head;
  size_t leaves = 0;  // of the record's tree, in the proof
};

// Checks a proof file offline: the head is signed by `coordinator_key`, every leaf's path leads to
// its root at its index, every leaf is what its index says (an input of its kind, the item of its
// commit index), the roster row is the student's (`student_no` when given, else the one the proof
// names), and the leaves assign exactly the photo the proof states. Corruption naming the first
// thing that fails.
Result<CheckedProof> CheckStudentProof(std::string_view proof_json, const PublicKey& coordinator_key,
                                       const std::optional<std::string>& student_no);

}  // namespace capture::coord
