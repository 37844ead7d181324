// The dashboard page's files, embedded in the binary at build time (embed_assets.cmake) from
// coordinator/dashboard/assets/: the coordinator serves them from memory and never opens a file,
// so no request path can reach the file system, and the page needs no network (no CDN).
#pragma once

#include <string_view>
#include <vector>

namespace capture::dashboard {

struct Asset {
  std::string_view path;  // "/", "/app.js", "/style.css"
  std::string_view content_type;
  std::string_view body;
};

const std::vector<Asset>& EmbeddedAssets();

}  // namespace capture::dashboard
