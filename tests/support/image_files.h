// The image files of a content-addressed ImageStore folder (common/image_store.h), as tests compare
// a station's store with the coordinator's.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "common/fs.h"
#include "common/status.h"

namespace capture::testing {

// Every filed image under `dir`/images (incoming ones aside): its path relative to `dir` -> its bytes.
inline std::map<std::string, std::string> ImageFilesUnder(const std::string& dir) {
  std::map<std::string, std::string> images;
  const std::filesystem::path root = std::filesystem::path(dir) / "images";
  std::error_code ec;
  if (!std::filesystem::exists(root, ec)) return images;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".jpg") continue;
    auto bytes = ReadFile(entry.path().string());
    images[std::filesystem::relative(entry.path(), dir).string()] = bytes.ok() ? *bytes : "";
  }
  return images;
}

// Waits until every image filed under each of `station_dirs` (the agents' journal folders) is
// filed, with the same bytes, under `store_dir` (the coordinator's store folder).
inline Status AwaitImagesFiled(const std::vector<std::string>& station_dirs, const std::string& store_dir,
                               std::chrono::milliseconds timeout) {
  std::map<std::string, std::string> expected;
  for (const std::string& dir : station_dirs) expected.merge(ImageFilesUnder(dir));
  if (expected.empty()) return Status::NotFound("no station holds any image");
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const auto& [path, bytes] : expected) {
    const std::string filed = store_dir + "/" + path;
    for (;;) {
      auto read = ReadFile(filed);
      if (read.ok() && *read == bytes) break;
      if (std::chrono::steady_clock::now() >= deadline) {
        return Status::Unavailable(filed + (read.ok() ? " differs from the station's" : " never arrived") + " (" +
                                   std::to_string(expected.size()) + " images expected)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a condition with a deadline
    }
  }
  return Status::Ok();
}

}  // namespace capture::testing
