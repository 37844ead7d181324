#include "tools/capture-sim/sim_jpeg.h"

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <vector>

#include "common/time_format.h"

namespace capture::sim {
namespace {

uint32_t U16Le(const std::string& s, size_t p) {
  return static_cast<unsigned char>(s[p]) | static_cast<unsigned char>(s[p + 1]) << 8;
}
uint32_t U32Le(const std::string& s, size_t p) { return U16Le(s, p) | U16Le(s, p + 2) << 16; }

// The value offset of `tag` in the IFD at `ifd` of a little-endian TIFF, as a reader walks it.
std::optional<uint32_t> FindTag(const std::string& tiff, uint32_t ifd, uint16_t tag) {
  const uint32_t count = U16Le(tiff, ifd);
  for (uint32_t i = 0; i < count; ++i) {
    const size_t entry = ifd + 2 + 12 * i;
    if (U16Le(tiff, entry) == tag) return U32Le(tiff, entry + 8);
  }
  return std::nullopt;
}

// DateTimeOriginal as a generic EXIF reader finds it: segments by length, IFD0 → 0x8769 → 0x9003.
std::optional<std::string> ReadDateTimeOriginal(const std::string& jpeg) {
  size_t p = 2;
  while (p + 4 <= jpeg.size() && static_cast<unsigned char>(jpeg[p]) == 0xFF) {
    const unsigned char marker = static_cast<unsigned char>(jpeg[p + 1]);
    const size_t len = static_cast<unsigned char>(jpeg[p + 2]) << 8 | static_cast<unsigned char>(jpeg[p + 3]);
    if (marker == 0xE1 && jpeg.compare(p + 4, 6, std::string("Exif\0\0", 6)) == 0) {
      const std::string tiff = jpeg.substr(p + 10, len - 8);
      if (tiff.substr(0, 2) != "II" || U16Le(tiff, 2) != 42) return std::nullopt;
      auto exif_ifd = FindTag(tiff, U32Le(tiff, 4), 0x8769);
      if (!exif_ifd) return std::nullopt;
      auto date = FindTag(tiff, *exif_ifd, 0x9003);
      if (!date) return std::nullopt;
      return tiff.substr(*date, 19);
    }
    p += 2 + len;
  }
  return std::nullopt;
}

TEST(SimJpeg, IsAJpegFromSoiToEoiWithTheExifCaptureTime) {
  const std::string jpeg = MakeSimJpeg("2024:04:22 08:30:04", SimJpegComment(1, 1, 1));
  ASSERT_GE(jpeg.size(), 4u);
  EXPECT_EQ(jpeg.substr(0, 2), "\xFF\xD8");
  EXPECT_EQ(jpeg.substr(jpeg.size() - 2), "\xFF\xD9");
  EXPECT_EQ(ReadDateTimeOriginal(jpeg), "2024:04:22 08:30:04");
}

TEST(SimJpeg, SegmentLengthsLeadExactlyToTheScanAndItsEoi) {
  const std::string jpeg = MakeSimJpeg("2024:04:22 08:30:04", SimJpegComment(1, 2, 3));
  size_t p = 2;
  std::vector<int> markers;
  while (markers.empty() || markers.back() != 0xDA) {
    ASSERT_LT(p + 4, jpeg.size());
    ASSERT_EQ(static_cast<unsigned char>(jpeg[p]), 0xFF);
    markers.push_back(static_cast<unsigned char>(jpeg[p + 1]));
    p += 2 + (static_cast<unsigned char>(jpeg[p + 2]) << 8 | static_cast<unsigned char>(jpeg[p + 3]));
  }
  EXPECT_EQ(markers, (std::vector<int>{0xE1, 0xFE, 0xDB, 0xDB, 0xC0, 0xC4, 0xC4, 0xC4, 0xC4, 0xDA}));
  const std::string scan = jpeg.substr(p, jpeg.size() - 2 - p);
  EXPECT_FALSE(scan.empty());
  EXPECT_EQ(scan.find("\xFF\xD9"), std::string::npos) << "the EOI ends the file and only there";
}

TEST(SimJpeg, EveryShotDiffersAndWeighsOneToFourKilobytes) {
  std::set<std::string> seen;
  for (int station = 1; station <= 3; ++station) {
    for (uint64_t shot = 1; shot <= 50; ++shot) {
      const std::string jpeg = MakeSimJpeg("2024:04:22 08:30:04", SimJpegComment(7, station, shot));
      EXPECT_GE(jpeg.size(), 1000u);
      EXPECT_LE(jpeg.size(), 3500u);
      EXPECT_TRUE(seen.insert(jpeg).second);
    }
  }
  EXPECT_EQ(SimJpegComment(7, 1, 1), SimJpegComment(7, 1, 1));
}

TEST(SimJpeg, ExifDateTimeIsStationLocalTime) {
  auto t = ParseIso8601("2024-04-22T00:30:04Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(ExifDateTime(*t, 480), "2024:04:22 08:30:04");
  EXPECT_EQ(ExifDateTime(*t, -60), "2024:04:21 23:30:04");
}

}  // namespace
}  // namespace capture::sim
