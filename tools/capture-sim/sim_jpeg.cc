#include "tools/capture-sim/sim_jpeg.h"

#include <cassert>
#include <cstdio>

#include "common/time_format.h"
#include "tools/capture-sim/random.h"

namespace capture::sim {

namespace {

constexpr size_t kExifDateTimeChars = 19;

void PutU16Be(std::string& out, size_t v) {
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
  out.push_back(static_cast<char>(v & 0xFF));
}
void PutU16Le(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
}
void PutU32Le(std::string& out, uint32_t v) {
  PutU16Le(out, v & 0xFFFF);
  PutU16Le(out, v >> 16);
}

// One 12-byte IFD entry.
void PutEntry(std::string& out, uint16_t tag, uint16_t type, uint32_t count, uint32_t value) {
  PutU16Le(out, tag);
  PutU16Le(out, type);
  PutU32Le(out, count);
  PutU32Le(out, value);
}

constexpr uint16_t kTypeAscii = 2;
constexpr uint16_t kTypeLong = 4;
constexpr uint16_t kTagExifIfd = 0x8769;
constexpr uint16_t kTagDateTimeOriginal = 0x9003;

std::string ExifTiff(std::string_view date_time_original) {
  // Offsets are from the start of the TIFF header: header 8, IFD0 at 8 (2 + 12 + 4 = 18 bytes),
  // Exif IFD at 26 (18 bytes), the date string at 44.
  constexpr uint32_t kIfd0 = 8, kExifIfd = kIfd0 + 18, kDate = kExifIfd + 18;
  std::string tiff = "II";
  PutU16Le(tiff, 42);
  PutU32Le(tiff, kIfd0);
  PutU16Le(tiff, 1);
  PutEntry(tiff, kTagExifIfd, kTypeLong, 1, kExifIfd);
  PutU32Le(tiff, 0);
  PutU16Le(tiff, 1);
  PutEntry(tiff, kTagDateTimeOriginal, kTypeAscii, kExifDateTimeChars + 1, kDate);
  PutU32Le(tiff, 0);
  assert(tiff.size() == kDate);
  tiff.append(date_time_original);
  tiff.push_back('\0');
  return tiff;
}

void PutSegment(std::string& out, unsigned char marker, std::string_view payload) {
  out.push_back(static_cast<char>(0xFF));
  out.push_back(static_cast<char>(marker));
  PutU16Be(out, payload.size() + 2);  // the length field counts itself
  out.append(payload);
}

}  // namespace

std::string MakeSimJpeg(std::string_view date_time_original, std::string_view comment) {
  assert(date_time_original.size() == kExifDateTimeChars);
  assert(comment.size() <= 0xFFFF - 2);
  std::string app1("Exif\0\0", 6);
  app1 += ExifTiff(date_time_original);

  std::string jpeg("\xFF\xD8", 2);
  PutSegment(jpeg, 0xE1, app1);
  PutSegment(jpeg, 0xFE, comment);
  // DQT, SOF0, DHT, SOS, the scan and EOI of a 6x8 light-blue baseline JPEG: pixels a browser shows.
  static const std::string kScan("\xff\xdb\x00\x43\x00\x10\x0b\x0c\x0e\x0c\x0a\x10\x0e\x0d\x0e\x12\x11\x10\x13\x18\x28\x1a\x18\x16\x16\x18\x31\x23\x25\x1d\x28\x3a\x33\x3d\x3c\x39\x33\x38\x37\x40\x48\x5c\x4e\x40\x44\x57\x45\x37\x38\x50\x6d\x51\x57\x5f\x62\x67\x68\x67\x3e\x4d\x71\x79\x70\x64\x78\x5c\x65\x67\x63\xff\xdb\x00\x43\x01\x11\x12\x12\x18\x15\x18\x2f\x1a\x1a\x2f\x63\x42\x38\x42\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\x63\xff\xc0\x00\x11\x08\x00\x08\x00\x06\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01\xff\xc4\x00\x15\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x06\xff\xc4\x00\x14\x10\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xc4\x00\x14\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\xff\xc4\x00\x14\x11\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xda\x00\x0c\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00\xb0\x00\xc2\x7f\xff\xd9", 266);
  jpeg.append(kScan);
  return jpeg;
}

std::string PaddedJpeg(std::string_view comment, size_t min_bytes) {
  std::string jpeg("\xFF\xD8", 2);
  PutSegment(jpeg, 0xFE, comment);
  for (char fill = 'a'; jpeg.size() + 2 < min_bytes; fill = fill == 'z' ? 'a' : static_cast<char>(fill + 1)) {
    PutSegment(jpeg, 0xFE, std::string(std::min<size_t>(0xFFFF - 2, min_bytes - jpeg.size()), fill));
  }
  return jpeg + "\xFF\xD9";
}

std::string SimJpegComment(uint64_t seed, int station, uint64_t shot_counter) {
  SeededRandom rng(seed ^ (static_cast<uint64_t>(station) << 48) ^ (shot_counter * 0x9E3779B97F4A7C15ull));
  std::string bytes(kMinCommentBytes + rng.Below(kMaxCommentBytes - kMinCommentBytes + 1), '\0');
  for (char& b : bytes) b = static_cast<char>(rng.Next() & 0xFF);
  return bytes;
}

std::string ExifDateTime(int64_t micros_since_epoch, int utc_offset_minutes) {
  // FormatIso8601 gives "YYYY-MM-DDTHH:MM:SS.mmm+hh:mm" in the offset: reshape its first 19 chars.
  std::string iso = FormatIso8601(micros_since_epoch, utc_offset_minutes).substr(0, kExifDateTimeChars);
  iso[4] = ':';
  iso[7] = ':';
  iso[10] = ' ';
  return iso;
}

}  // namespace capture::sim
