// The simulated camera's image: a small JPEG with a capture time that a browser shows (a 6x8
// light-blue picture), for the agent's checks and the dashboard's thumbnails. Pure: no clock, no files.
//
// Layout (all segments standard JPEG/Exif 2.3; 1.3-3.3 KB):
//   FF D8                          SOI
//   FF E1 len "Exif\0\0" TIFF      APP1: little-endian TIFF, IFD0 holding only the Exif IFD
//                                  pointer (0x8769), whose IFD holds only DateTimeOriginal
//                                  (0x9003, ASCII "YYYY:MM:DD HH:MM:SS\0", station-local time)
//   FF FE len <comment bytes>      COM: seeded random bytes, so every image hashes differently
//   FF DB, FF DB, FF C0, FF C4 x4  DQT, DQT, SOF0 (baseline, 6x8, 3 components), DHT x4
//   FF DA len <scan>               SOS and the entropy-coded scan: the same picture in every image
//   FF D9                          EOI
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace capture::sim {

inline constexpr size_t kMinCommentBytes = 1000;
inline constexpr size_t kMaxCommentBytes = 2900;

// `date_time_original` must be exactly "YYYY:MM:DD HH:MM:SS" (19 characters); `comment` at most
// 65533 bytes.
std::string MakeSimJpeg(std::string_view date_time_original, std::string_view comment);

// A JPEG the station agent takes in but with no picture, of at least `min_bytes` (for tests and
// benchmarks of large images): SOI, `comment` (at most 65533 bytes; what makes it unique) in a
// comment segment, filler comment segments, EOI.
std::string PaddedJpeg(std::string_view comment, size_t min_bytes);

// Seeded comment bytes of kMinCommentBytes..kMaxCommentBytes: the same (seed, station, shot)
// always gives the same image.
std::string SimJpegComment(uint64_t seed, int station, uint64_t shot_counter);

// "YYYY:MM:DD HH:MM:SS" of a UTC instant shifted by a UTC offset: the EXIF form of local time.
std::string ExifDateTime(int64_t micros_since_epoch, int utc_offset_minutes);

}  // namespace capture::sim
