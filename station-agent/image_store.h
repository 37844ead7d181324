// A content-addressed copy of every camera image the station took in:
//   DIR/images/<first 2 hex digits>/<64 hex digits of the SHA-256>.jpg
// Cameras reuse file names (counter reset, swapped card) and overwrite their own files; the store
// keeps every distinct image regardless. Each copy is written durably (common/fs.h) so that an
// image is on disk before the event that names it is journaled.
#pragma once

#include <string>
#include <string_view>

#include "common/sha256.h"
#include "common/status.h"

namespace capture::agent {

class ImageStore {
 public:
  explicit ImageStore(std::string dir) : dir_(std::move(dir)) {}

  // Where the image with this hash lives.
  std::string PathFor(const Sha256& sha256) const;

  // Stores `bytes` (whose hash is `sha256`) unless an image with that hash is already there.
  Status Put(std::string_view bytes, const Sha256& sha256) const;

 private:
  std::string dir_;
};

}  // namespace capture::agent
