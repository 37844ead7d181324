// ParseInputLine (station-agent/input.h): what the code reader and the operator type.
#include "station-agent/input.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto line = capture::agent::ParseInputLine(capture::fuzz::Bytes(data, size), 1);
  if (!line.ok()) return 0;
  if (const auto* code = std::get_if<capture::agent::CodeLine>(&*line)) FUZZ_CHECK(!code->code.empty());
  if (const auto* resolve = std::get_if<capture::agent::ResolveMark>(&*line)) {
    FUZZ_CHECK(!resolve->anomaly_id.empty() && !resolve->reason.empty());
  }
  return 0;
}
