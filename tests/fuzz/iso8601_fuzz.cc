// ParseIso8601 (common/time_format.h): the times in !time marks, exports and command-line flags.
#include "common/time_format.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = capture::ParseIso8601(capture::fuzz::Bytes(data, size));
  if (!parsed.ok()) return 0;
  // Formatted (to the millisecond) and parsed again, an instant of years 1-9999 comes back floored
  // to its millisecond.
  static const capture::MicrosSinceEpoch first = *capture::ParseIso8601("0001-01-02T00:00:00Z");
  static const capture::MicrosSinceEpoch last = *capture::ParseIso8601("9999-12-30T00:00:00Z");
  const capture::MicrosSinceEpoch t = *parsed;
  if (t < first || t > last) return 0;
  for (int offset_minutes : {0, 480, -330}) {
    auto again = capture::ParseIso8601(capture::FormatIso8601(t, offset_minutes));
    FUZZ_CHECK(again.ok() && *again == t - ((t % 1000 + 1000) % 1000));
  }
  return 0;
}
