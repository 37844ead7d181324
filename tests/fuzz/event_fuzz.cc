// ParseEvent (common/frame.h): a CaptureEvent's bytes as an agent's journal and the coordinator's
// record store them, and as the coordinator receives them.
#include <google/protobuf/stubs/logging.h>

#include <variant>

#include "common/frame.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);  // protobuf logs every string that is not UTF-8
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = capture::ParseEvent(capture::fuzz::Bytes(data, size));
  if (std::holds_alternative<capture::FrameError>(parsed)) return 0;
  const capture::wire::CaptureEvent& event = std::get<capture::wire::CaptureEvent>(parsed);
  FUZZ_CHECK(!capture::CheckEvent(event).has_value());
  (void)capture::KindName(event.kind());
  // An accepted event, serialized again, is accepted again.
  FUZZ_CHECK(std::holds_alternative<capture::wire::CaptureEvent>(capture::ParseEvent(event.SerializeAsString())));
  return 0;
}
