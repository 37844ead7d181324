// VerifyChainHead (common/chain_head.h): a station's signed chain head (proto/capture.proto,
// ChainHead) as the coordinator receives it in heartbeats and hellos and keeps it beside the
// record, checked against the station's key.
#include <google/protobuf/stubs/logging.h>

#include "common/chain_head.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);  // protobuf logs every string that is not UTF-8
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  capture::wire::ChainHead head;
  if (!head.ParseFromArray(data, static_cast<int>(size))) return 0;
  const capture::Status verified = capture::VerifyChainHead(head, capture::fuzz::FuzzSigningKey().public_key);
  if (!verified.ok()) {
    FUZZ_CHECK(verified.code() == capture::Status::Code::kInvalidArgument);
    return 0;
  }
  FUZZ_CHECK(head.seq() != 0 && head.sha256().size() == 32 && head.signature().size() == 64);
  // What is signed is the fields, not the encoding: the head serialized again verifies again.
  capture::wire::ChainHead again;
  FUZZ_CHECK(again.ParseFromString(head.SerializeAsString()));
  FUZZ_CHECK(capture::VerifyChainHead(again, capture::fuzz::FuzzSigningKey().public_key).ok());
  return 0;
}
