// What the agent needs to know about a camera JPEG, read from its bytes. Pure: no I/O, no clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace capture::agent {

enum class JpegState {
  kComplete,    // starts with SOI (FF D8) and ends with EOI (FF D9)
  kIncomplete,  // empty, or SOI without EOI yet: the camera is still writing it
  kNotJpeg,     // does not start with SOI: complete as far as we can tell, but no JPEG
};
JpegState CheckJpeg(std::string_view bytes);

// A wall-clock reading with no zone, as EXIF stores it.
struct CivilTime {
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
};

// EXIF DateTimeOriginal ("YYYY:MM:DD HH:MM:SS", tag 0x9003 in the Exif IFD that IFD0's tag 0x8769
// points to, inside the APP1 "Exif" segment). Empty when absent, damaged or out of range; never
// reads outside `jpeg`.
std::optional<CivilTime> ReadDateTimeOriginal(std::string_view jpeg);

// The instant of a civil time read in a fixed UTC offset, in microseconds since the Unix epoch.
int64_t CivilToMicros(const CivilTime& t, int utc_offset_minutes);

}  // namespace capture::agent
