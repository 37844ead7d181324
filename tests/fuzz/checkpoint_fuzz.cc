// ParseCheckpoint (common/checkpoint.h): a signed tree head line as a station's agent keeps it, as
// `capturectl verify --checkpoint` reads it and as a proof file carries it; then its signature, as
// the verifiers check it.
#include "common/checkpoint.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view line = capture::fuzz::Bytes(data, size);
  auto parsed = capture::ParseCheckpoint(line);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == capture::Status::Code::kInvalidArgument);
    return 0;
  }
  // One form per checkpoint: the line accepted is the line FormatCheckpoint writes, one '\n' aside.
  if (line.ends_with('\n')) line.remove_suffix(1);
  FUZZ_CHECK(capture::FormatCheckpoint(*parsed) == line);

  const capture::Status any_key = capture::VerifyCheckpointSignature(*parsed);
  FUZZ_CHECK(any_key.ok() || any_key.code() == capture::Status::Code::kCorruption);
  const capture::Status fuzz_key = capture::VerifyCheckpointSignature(*parsed, capture::fuzz::FuzzSigningKey().public_key);
  FUZZ_CHECK(fuzz_key.ok() || fuzz_key.code() == capture::Status::Code::kCorruption);
  FUZZ_CHECK(fuzz_key.ok() == (any_key.ok() && parsed->key == capture::fuzz::FuzzSigningKey().public_key));
  return 0;
}
