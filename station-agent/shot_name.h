// Shot numbers (拍摄号) from camera file names. Pure: no I/O.
//
// Cameras name files <prefix><counter>.<ext>: IMG_0412.JPG, DSC_0412.JPG, _DSC0412.JPG, DSCF0412.jpg.
// Only JPEGs are shots; a RAW twin of the same number (IMG_0412.CR2) is recognised so the caller can
// ignore it quietly instead of raising an alert.
#pragma once

#include <cstdint>
#include <memory>
#include <regex>
#include <string>
#include <string_view>

#include "common/status.h"

namespace capture::agent {

enum class FileKind {
  kShot,          // a JPEG with a shot number
  kUnnumbered,    // a JPEG whose name carries no shot number: the operator must look at it
  kRawTwin,       // a camera RAW file: its JPEG twin is the shot
  kIgnored,       // anything else (sidecars, hidden or temporary files)
};

struct FileClass {
  FileKind kind = FileKind::kIgnored;
  uint32_t shot_number = 0;  // kShot only, >= 1
};

// The default pattern: a 1-8 letter/underscore prefix, 4-5 digits, .jpg or .jpeg (any case).
inline constexpr std::string_view kDefaultShotPattern = R"(^[A-Za-z_]{1,8}(\d{4,5})\.jpe?g$)";

class ShotNamer {
 public:
  // `pattern` is an ECMAScript regex, matched case-insensitively against the file's base name,
  // with exactly one capture group holding the shot number.
  static Result<ShotNamer> Make(std::string_view pattern = kDefaultShotPattern);

  // `path` may include camera subfolders ("101CANON/IMG_0412.JPG"); only the base name counts.
  FileClass Classify(std::string_view path) const;

 private:
  explicit ShotNamer(std::shared_ptr<const std::regex> re) : re_(std::move(re)) {}
  std::shared_ptr<const std::regex> re_;  // shared: std::regex is costly to copy, and immutable here
};

// The last component of a path relative to the camera folder ("101CANON/IMG_0412.JPG" -> "IMG_0412.JPG").
std::string_view BaseName(std::string_view path);

}  // namespace capture::agent
