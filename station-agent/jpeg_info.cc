#include "station-agent/jpeg_info.h"

#include "common/time_format.h"

namespace capture::agent {

namespace {

constexpr unsigned char kMarker = 0xFF;
constexpr unsigned char kSoi = 0xD8;
constexpr unsigned char kEoi = 0xD9;
constexpr unsigned char kSos = 0xDA;
constexpr unsigned char kApp1 = 0xE1;
constexpr uint16_t kTagExifIfd = 0x8769;
constexpr uint16_t kTagDateTimeOriginal = 0x9003;
constexpr uint16_t kTypeAscii = 2;
constexpr uint16_t kTypeLong = 4;
constexpr size_t kIfdEntryBytes = 12;
constexpr size_t kDateTimeChars = 19;  // "YYYY:MM:DD HH:MM:SS", then a NUL

unsigned char Byte(std::string_view s, size_t i) { return static_cast<unsigned char>(s[i]); }

// A bounds-checked view of the TIFF structure inside the Exif segment.
class Tiff {
 public:
  explicit Tiff(std::string_view data) : data_(data) {}

  bool ReadHeader(uint32_t& ifd0) {
    if (data_.size() < 8) return false;
    if (data_.substr(0, 2) == "II") {
      little_ = true;
    } else if (data_.substr(0, 2) != "MM") {
      return false;
    }
    uint16_t magic = 0;
    return U16(2, magic) && magic == 42 && U32(4, ifd0);
  }

  bool U16(size_t at, uint16_t& out) const {
    if (at + 2 > data_.size()) return false;
    out = little_ ? static_cast<uint16_t>(Byte(data_, at) | Byte(data_, at + 1) << 8)
                  : static_cast<uint16_t>(Byte(data_, at) << 8 | Byte(data_, at + 1));
    return true;
  }

  bool U32(size_t at, uint32_t& out) const {
    uint16_t a = 0, b = 0;
    if (!U16(at, a) || !U16(at + 2, b)) return false;
    out = little_ ? (uint32_t{b} << 16 | a) : (uint32_t{a} << 16 | b);
    return true;
  }

  // Finds `tag` in the IFD at `ifd`; `entry` is the offset of its 12-byte entry.
  bool FindTag(uint32_t ifd, uint16_t tag, size_t& entry) const {
    uint16_t count = 0;
    if (!U16(ifd, count)) return false;
    for (size_t i = 0; i < count; ++i) {
      const size_t at = size_t{ifd} + 2 + i * kIfdEntryBytes;
      uint16_t t = 0;
      if (!U16(at, t) || at + kIfdEntryBytes > data_.size()) return false;
      if (t == tag) {
        entry = at;
        return true;
      }
    }
    return false;
  }

  std::string_view data() const { return data_; }

 private:
  std::string_view data_;
  bool little_ = false;
};

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::optional<CivilTime> ParseExifDateTime(std::string_view s) {
  if (s.size() < kDateTimeChars || s[4] != ':' || s[7] != ':' || s[10] != ' ' || s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  CivilTime t;
  if (!Digits(s, 0, 4, t.year) || !Digits(s, 5, 2, t.month) || !Digits(s, 8, 2, t.day) ||
      !Digits(s, 11, 2, t.hour) || !Digits(s, 14, 2, t.minute) || !Digits(s, 17, 2, t.second)) {
    return std::nullopt;
  }
  // Cameras without a set clock write "0000:00:00 00:00:00".
  if (t.year < 1970 || t.month < 1 || t.month > 12 || t.day < 1 || t.day > 31 || t.hour > 23 || t.minute > 59 ||
      t.second > 60) {
    return std::nullopt;
  }
  return t;
}

std::optional<CivilTime> FromExifPayload(std::string_view tiff_bytes) {
  Tiff tiff(tiff_bytes);
  uint32_t ifd0 = 0;
  size_t entry = 0;
  uint32_t exif_ifd = 0;
  if (!tiff.ReadHeader(ifd0) || !tiff.FindTag(ifd0, kTagExifIfd, entry)) return std::nullopt;
  uint16_t type = 0;
  if (!tiff.U16(entry + 2, type) || type != kTypeLong || !tiff.U32(entry + 8, exif_ifd)) return std::nullopt;
  if (!tiff.FindTag(exif_ifd, kTagDateTimeOriginal, entry)) return std::nullopt;
  uint32_t count = 0;
  uint32_t offset = 0;
  if (!tiff.U16(entry + 2, type) || type != kTypeAscii || !tiff.U32(entry + 4, count) || count < kDateTimeChars ||
      !tiff.U32(entry + 8, offset)) {
    return std::nullopt;
  }
  // A 20-byte value never fits the entry's 4 inline bytes: it lives at `offset`.
  if (size_t{offset} + kDateTimeChars > tiff.data().size()) return std::nullopt;
  return ParseExifDateTime(tiff.data().substr(offset, kDateTimeChars));
}

}  // namespace

JpegState CheckJpeg(std::string_view bytes) {
  if (bytes.empty()) return JpegState::kIncomplete;
  if (bytes.size() < 2 || Byte(bytes, 0) != kMarker || Byte(bytes, 1) != kSoi) return JpegState::kNotJpeg;
  const size_t n = bytes.size();
  if (n < 4 || Byte(bytes, n - 2) != kMarker || Byte(bytes, n - 1) != kEoi) return JpegState::kIncomplete;
  return JpegState::kComplete;
}

std::optional<CivilTime> ReadDateTimeOriginal(std::string_view jpeg) {
  if (jpeg.size() < 4 || Byte(jpeg, 0) != kMarker || Byte(jpeg, 1) != kSoi) return std::nullopt;
  size_t at = 2;
  // Marker segments: FF <type> <16-bit big-endian length including itself> <payload>.
  while (at + 4 <= jpeg.size()) {
    if (Byte(jpeg, at) != kMarker) return std::nullopt;
    const unsigned char type = Byte(jpeg, at + 1);
    if (type == kMarker) {  // fill byte before a marker
      ++at;
      continue;
    }
    if (type == kSos || type == kEoi) return std::nullopt;  // metadata comes before the image data
    const size_t length = size_t{Byte(jpeg, at + 2)} << 8 | Byte(jpeg, at + 3);
    if (length < 2 || at + 2 + length > jpeg.size()) return std::nullopt;
    const std::string_view payload = jpeg.substr(at + 4, length - 2);
    constexpr std::string_view kExifHeader("Exif\0\0", 6);
    if (type == kApp1 && payload.substr(0, kExifHeader.size()) == kExifHeader) {
      return FromExifPayload(payload.substr(kExifHeader.size()));
    }
    at += 2 + length;
  }
  return std::nullopt;
}

int64_t CivilToMicros(const CivilTime& t, int utc_offset_minutes) {
  const int64_t days = DaysFromCivil(t.year, static_cast<unsigned>(t.month), static_cast<unsigned>(t.day));
  const int64_t secs = days * 86400 + t.hour * 3600 + t.minute * 60 + t.second - int64_t{utc_offset_minutes} * 60;
  return secs * 1'000'000;
}

}  // namespace capture::agent
