// ExifThumbnail (coordinator/dashboard/exif_thumbnail.h): the preview the dashboard cuts out of any
// image a station sent.
#include "coordinator/dashboard/exif_thumbnail.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto preview = capture::dashboard::ExifThumbnail(capture::fuzz::Bytes(data, size));
  if (!preview) return 0;
  FUZZ_CHECK(preview->size() >= 4 && preview->substr(0, 2) == "\xFF\xD8");
  return 0;
}
