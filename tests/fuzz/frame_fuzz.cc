// DecodeFrame (common/frame.h): any message on the coordinator's and the agents' sockets; and, as the
// coordinator does next, ParseEvent of the event a frame carries.
#include <google/protobuf/stubs/logging.h>

#include <limits>
#include <variant>

#include "common/frame.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);  // protobuf logs every string that is not UTF-8
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto decoded = capture::DecodeFrame(capture::fuzz::Bytes(data, size));
  if (const auto* error = std::get_if<capture::FrameError>(&decoded)) {
    FUZZ_CHECK(capture::RejectionName(error->reason) != std::string_view("unknown"));
    return 0;
  }
  const capture::wire::Frame& frame = std::get<capture::wire::Frame>(decoded);
  if (frame.body_case() == capture::wire::Frame::kEvent) (void)capture::ParseEvent(frame.event());
  // A frame accepted once is accepted again as its sender would encode it (re-encoding may change
  // its size, so the cap is not the point here).
  const std::string again = capture::EncodeFrame(frame);
  FUZZ_CHECK(std::holds_alternative<capture::wire::Frame>(
      capture::DecodeFrame(again, std::numeric_limits<size_t>::max())));
  return 0;
}
