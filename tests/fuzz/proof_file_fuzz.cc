// CheckStudentProof (coordinator/proof/record_proof.h): a proof file of a student's photo
// (docs/record-proofs.md, "Proof files") as `capturectl check-proof` reads it, from whoever hands
// it over, checked against the coordinator key the seeds' checkpoints are signed with.
#include <google/protobuf/stubs/logging.h>

#include "common/checkpoint.h"
#include "coordinator/proof/record_proof.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);  // protobuf logs every string that is not UTF-8
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view proof = capture::fuzz::Bytes(data, size);
  const capture::PublicKey& key = capture::fuzz::FuzzSigningKey().public_key;
  auto checked = capture::coord::CheckStudentProof(proof, key, std::nullopt);
  if (!checked.ok()) {
    FUZZ_CHECK(checked.status().code() == capture::Status::Code::kCorruption);
    return 0;
  }
  const capture::coord::ProvenPhoto& photo = checked->photo;
  FUZZ_CHECK(!photo.student_no.empty() && !photo.registry_no.empty());
  FUZZ_CHECK(photo.image_sha256.size() == 64 && photo.commit_index > 0);
  FUZZ_CHECK(checked->leaves >= 2 && checked->leaves <= checked->head.size);
  FUZZ_CHECK(capture::VerifyCheckpointSignature(checked->head, key).ok());
  // Checked as the proof of the student it names, it is the same proof; of another, none.
  auto again = capture::coord::CheckStudentProof(proof, key, photo.student_no);
  FUZZ_CHECK(again.ok() && again->photo.registry_no == photo.registry_no &&
             again->photo.image_sha256 == photo.image_sha256 && again->head == checked->head);
  FUZZ_CHECK(!capture::coord::CheckStudentProof(proof, key, photo.student_no + "0").ok());
  return 0;
}
