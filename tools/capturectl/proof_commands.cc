// prove and check-proof: a student's photo shown from the record, and checked without it.
#include <cstdio>

#include "common/fs.h"
#include "common/identity.h"
#include "coordinator/proof/record_proof.h"
#include "tools/capturectl/commands.h"

namespace capture::ctl {

int RunProve(const ProveArgs& args) {
  auto store = coord::RecordStore::Open(args.store_dir, /*read_only=*/true);
  if (!store.ok()) return Fail(store.status().message());
  auto proof = coord::ProveStudent(**store, args.student_no);
  if (!proof.ok()) {
    // No photo, no head that covers it, a store that no longer leads to its head: findings.
    if (proof.status().code() == Status::Code::kIoError) return Fail(proof.status().message());
    std::fprintf(stderr, "capturectl: prove: %s\n", proof.status().message().c_str());
    return kExitFound;
  }
  if (int written = Emit(*proof, args.out); written != kExitOk) return written;
  std::fprintf(stderr, "capturectl: the proof of student %s's photo is in %s\n", args.student_no.c_str(),
               args.out.empty() ? "stdout" : args.out.c_str());
  return kExitOk;
}

int RunCheckProof(const CheckProofArgs& args) {
  auto key = ReadPublicKey(args.coordinator_key);
  if (!key.ok()) return Fail("--coordinator-key: " + key.status().message());
  auto text = ReadFile(args.file);
  if (!text.ok()) return Fail(text.status().message());
  auto checked = coord::CheckStudentProof(
      *text, *key, args.student_no.empty() ? std::nullopt : std::optional<std::string>(args.student_no));
  if (!checked.ok()) {
    std::printf("invalid proof %s: %s\n", args.file.c_str(), checked.status().message().c_str());
    return kExitFound;
  }
  const coord::ProvenPhoto& photo = checked->photo;
  std::printf("proven student_no=%s registry_no=%s station=%u shot=%u image_file=%s image_sha256=%s commit_index=%llu\n",
              photo.student_no.c_str(), photo.registry_no.c_str(), photo.station, photo.shot_number,
              photo.image_file.c_str(), photo.image_sha256.c_str(), static_cast<unsigned long long>(photo.commit_index));
  std::printf("by %zu leaves of the record signed in checkpoint size=%llu time=%s by the coordinator's key %s\n",
              checked->leaves, static_cast<unsigned long long>(checked->head.size),
              FormatIso8601UtcMicros(checked->head.time_us).c_str(), KeyHex(checked->head.key).c_str());
  return kExitOk;
}

}  // namespace capture::ctl
