#include "coordinator/dashboard/exif_thumbnail.h"

#include <cstdint>

namespace capture::dashboard {

namespace {

constexpr unsigned char kMarkerApp1 = 0xE1;
constexpr unsigned char kMarkerSos = 0xDA;
constexpr unsigned char kMarkerEoi = 0xD9;
constexpr std::string_view kExifHeader{"Exif\0\0", 6};
constexpr uint16_t kTagOrientation = 0x0112;
constexpr uint16_t kTagThumbnailOffset = 0x0201;
constexpr uint16_t kTagThumbnailLength = 0x0202;
constexpr uint16_t kTypeShort = 3;
constexpr uint16_t kTypeLong = 4;
constexpr size_t kEntryBytes = 12;

uint8_t Byte(std::string_view s, size_t at) { return static_cast<uint8_t>(s[at]); }

// The TIFF structure inside an Exif segment; every read is bounds-checked.
class Tiff {
 public:
  static std::optional<Tiff> Open(std::string_view bytes) {
    if (bytes.size() < 8) return std::nullopt;
    bool big_endian;
    if (bytes.substr(0, 2) == "MM") {
      big_endian = true;
    } else if (bytes.substr(0, 2) == "II") {
      big_endian = false;
    } else {
      return std::nullopt;
    }
    Tiff tiff(bytes, big_endian);
    if (tiff.U16(2) != 42) return std::nullopt;
    return tiff;
  }

  std::optional<uint32_t> U16(size_t at) const {
    if (at > bytes_.size() || bytes_.size() - at < 2) return std::nullopt;
    const uint32_t a = Byte(bytes_, at), b = Byte(bytes_, at + 1);
    return big_endian_ ? a << 8 | b : b << 8 | a;
  }
  std::optional<uint32_t> U32(size_t at) const {
    const auto high = U16(big_endian_ ? at : at + 2), low = U16(big_endian_ ? at + 2 : at);
    if (!high || !low) return std::nullopt;
    return *high << 16 | *low;
  }

  // The offset of the IFD after the one at `ifd` (0: none), or nullopt when `ifd` is damaged.
  std::optional<uint32_t> NextIfd(uint32_t ifd) const {
    const auto count = U16(ifd);
    if (!count) return std::nullopt;
    return U32(size_t{ifd} + 2 + *count * kEntryBytes);
  }

  // The value of a SHORT or LONG tag with one value in the IFD at `ifd`.
  std::optional<uint32_t> Tag(uint32_t ifd, uint16_t tag) const {
    const auto count = U16(ifd);
    if (!count) return std::nullopt;
    for (uint32_t i = 0; i < *count; ++i) {
      const size_t entry = size_t{ifd} + 2 + i * kEntryBytes;
      const auto id = U16(entry), type = U16(entry + 2), n = U32(entry + 4);
      if (!id || !type || !n) return std::nullopt;
      if (*id != tag || *n != 1) continue;
      // A value that fits in four bytes sits left-justified in the entry's value field.
      if (*type == kTypeShort) return U16(entry + 8);
      if (*type == kTypeLong) return U32(entry + 8);
    }
    return std::nullopt;
  }

  std::string_view bytes() const { return bytes_; }

 private:
  Tiff(std::string_view bytes, bool big_endian) : bytes_(bytes), big_endian_(big_endian) {}
  std::string_view bytes_;
  bool big_endian_;
};

// The payload of the first APP1 Exif segment before the scan, without its "Exif\0\0".
std::optional<std::string_view> ExifPayload(std::string_view jpeg) {
  if (jpeg.size() < 4 || Byte(jpeg, 0) != 0xFF || Byte(jpeg, 1) != 0xD8) return std::nullopt;
  size_t at = 2;
  while (at + 4 <= jpeg.size()) {
    if (Byte(jpeg, at) != 0xFF) return std::nullopt;
    const uint8_t marker = Byte(jpeg, at + 1);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == kMarkerSos || marker == kMarkerEoi) return std::nullopt;
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length field
      at += 2;
      continue;
    }
    const size_t length = size_t{Byte(jpeg, at + 2)} << 8 | Byte(jpeg, at + 3);  // counts itself
    if (length < 2 || jpeg.size() - (at + 2) < length) return std::nullopt;
    const std::string_view payload = jpeg.substr(at + 4, length - 2);
    if (marker == kMarkerApp1 && payload.substr(0, kExifHeader.size()) == kExifHeader) {
      return payload.substr(kExifHeader.size());
    }
    at += 2 + length;
  }
  return std::nullopt;
}

// A JPEG APP1 segment holding only IFD0 with one Orientation tag (big-endian TIFF).
std::string OrientationSegment(uint32_t orientation) {
  std::string tiff("MM\0\x2a\0\0\0\x08", 8);           // byte order, 42, IFD0 at 8
  tiff += std::string("\0\x01", 2);                    // one entry
  tiff += std::string("\x01\x12\0\x03\0\0\0\x01", 8);  // Orientation, SHORT, one value
  tiff += static_cast<char>(0);
  tiff += static_cast<char>(orientation);
  tiff += std::string(2, '\0');  // the value field's unused half
  tiff += std::string(4, '\0');  // no next IFD
  const std::string payload = std::string(kExifHeader) + tiff;
  const size_t length = payload.size() + 2;
  std::string segment = {static_cast<char>(0xFF), static_cast<char>(kMarkerApp1), static_cast<char>(length >> 8),
                         static_cast<char>(length & 0xFF)};
  return segment + payload;
}

}  // namespace

std::optional<std::string> ExifThumbnail(std::string_view jpeg) {
  const auto payload = ExifPayload(jpeg);
  if (!payload) return std::nullopt;
  const auto tiff = Tiff::Open(*payload);
  if (!tiff) return std::nullopt;
  const auto ifd0 = tiff->U32(4);
  if (!ifd0) return std::nullopt;
  const auto ifd1 = tiff->NextIfd(*ifd0);
  if (!ifd1 || *ifd1 == 0) return std::nullopt;
  const auto offset = tiff->Tag(*ifd1, kTagThumbnailOffset);
  const auto length = tiff->Tag(*ifd1, kTagThumbnailLength);
  if (!offset || !length || *offset > tiff->bytes().size() || tiff->bytes().size() - *offset < *length) {
    return std::nullopt;
  }
  const std::string_view thumbnail = tiff->bytes().substr(*offset, *length);
  if (thumbnail.size() < 4 || Byte(thumbnail, 0) != 0xFF || Byte(thumbnail, 1) != 0xD8) return std::nullopt;

  const auto orientation = tiff->Tag(*ifd0, kTagOrientation);
  if (!orientation || *orientation < 2 || *orientation > 8) return std::string(thumbnail);
  return std::string(thumbnail.substr(0, 2)) + OrientationSegment(*orientation) + std::string(thumbnail.substr(2));
}

}  // namespace capture::dashboard
