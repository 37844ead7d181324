// The small preview a camera embeds in its JPEGs (EXIF IFD1), for the dashboard's thumbnails: a
// class table of 40 full camera images would be hundreds of megabytes, their previews a few KB each.
// Pure: no I/O. Never reads outside the bytes it is given, whatever they hold.
//
// Where it is (Exif 2.3, sections 4.5 and 4.6): the first APP1 segment whose payload starts with
// "Exif\0\0" holds a TIFF structure ("II" or "MM", 42, offset of IFD0). IFD0's next-IFD offset
// leads to IFD1, whose tags 0x0201 (JPEGInterchangeFormat) and 0x0202 (JPEGInterchangeFormatLength)
// give the preview's offset and length from the TIFF header. IFD0's tag 0x0112 (Orientation, 1-8)
// says how the image is to be turned for display.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace capture::dashboard {

// The preview as a JPEG of its own, or nullopt when `jpeg` embeds none (no Exif segment, no IFD1,
// an uncompressed preview, offsets outside the segment, or bytes there that are no JPEG).
// A camera stores the preview as its sensor saw it and turns the image only by its Orientation tag;
// so when that tag says anything but 1 (upright), the preview gets a minimal Exif segment of its own
// carrying the same Orientation, right after its SOI, and a browser turns both alike.
std::optional<std::string> ExifThumbnail(std::string_view jpeg);

}  // namespace capture::dashboard
