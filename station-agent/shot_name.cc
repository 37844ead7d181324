#include "station-agent/shot_name.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace capture::agent {

namespace {

std::string LowerExtension(std::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return {};
  std::string ext(name.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

// RAW formats of the camera makers seen at photo services; a RAW+JPEG camera writes one per shot.
constexpr std::array<std::string_view, 14> kRawExtensions = {"cr2", "cr3", "crw", "nef", "nrw", "arw", "srf",
                                                             "sr2", "raf", "orf", "rw2", "pef", "dng", "3fr"};

}  // namespace

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

Result<ShotNamer> ShotNamer::Make(std::string_view pattern) {
  std::shared_ptr<const std::regex> re;
  try {
    re = std::make_shared<const std::regex>(pattern.begin(), pattern.end(),
                                            std::regex::ECMAScript | std::regex::icase);
  } catch (const std::regex_error& e) {
    return Status::InvalidArgument("shot pattern '" + std::string(pattern) + "' is not a valid regex: " + e.what());
  }
  if (re->mark_count() != 1) {
    return Status::InvalidArgument("shot pattern '" + std::string(pattern) +
                                   "' must have exactly one capture group (the shot number), it has " +
                                   std::to_string(re->mark_count()));
  }
  return ShotNamer(std::move(re));
}

FileClass ShotNamer::Classify(std::string_view path) const {
  const std::string_view name = BaseName(path);
  // Tethering software and editors write hidden temporaries and rename them into place.
  if (name.empty() || name.front() == '.') return {};
  const std::string ext = LowerExtension(name);
  if (std::find(kRawExtensions.begin(), kRawExtensions.end(), ext) != kRawExtensions.end()) {
    return {FileKind::kRawTwin, 0};
  }
  if (ext != "jpg" && ext != "jpeg") return {};
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_search(name.begin(), name.end(), m, *re_) || !m[1].matched) return {FileKind::kUnnumbered, 0};
  uint32_t number = 0;
  const std::string_view digits = name.substr(static_cast<size_t>(m.position(1)), static_cast<size_t>(m.length(1)));
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (ec != std::errc() || end != digits.data() + digits.size() || number == 0) return {FileKind::kUnnumbered, 0};
  return {FileKind::kShot, number};
}

}  // namespace capture::agent
