// CheckJpeg and ReadDateTimeOriginal (station-agent/jpeg_info.h): every file that lands in the camera
// folder.
#include "station-agent/jpeg_info.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view jpeg = capture::fuzz::Bytes(data, size);
  (void)capture::agent::CheckJpeg(jpeg);
  const auto taken = capture::agent::ReadDateTimeOriginal(jpeg);
  if (!taken) return 0;
  FUZZ_CHECK(taken->year >= 1970 && taken->month >= 1 && taken->month <= 12 && taken->day >= 1 && taken->day <= 31);
  (void)capture::agent::CivilToMicros(*taken, 480);
  return 0;
}
