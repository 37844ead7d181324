// A content-addressed folder of camera images, the same at a station and at the coordinator:
//   DIR/images/<first 2 hex digits>/<64 hex digits of the SHA-256>.jpg
//   DIR/images/incoming/<64 hex digits>.part   an image being received, not yet checked
// Cameras reuse file names (counter reset, swapped card) and overwrite their own files; the store
// keeps every distinct image regardless. A file under its hash name is always whole and checked:
// it gets there only by a durable rename (common/fs.h), so an image is on disk before the event
// that names it is journaled, and a received image only once its bytes hash to its name.
//
// Thread safety: the object holds only the folder name; files under their hash name never change,
// so any thread may read them while another files new ones.
#pragma once

#include <string>
#include <string_view>

#include "common/sha256.h"
#include "common/status.h"

namespace capture {

class ImageStore {
 public:
  explicit ImageStore(std::string dir) : dir_(std::move(dir)) {}

  // Where the image with this hash lives.
  std::string PathFor(const Sha256& sha256) const;
  // Where a transfer of this image collects its bytes until they are complete, in IncomingDir().
  std::string IncomingPathFor(const Sha256& sha256) const;
  std::string IncomingDir() const { return dir_ + "/images/incoming"; }
  bool Has(const Sha256& sha256) const;

  // Stores `bytes` (whose hash is `sha256`) unless an image with that hash is already there.
  Status Put(std::string_view bytes, const Sha256& sha256) const;
  // Like Put, without waiting for the disk: after a power cut the image may be short or absent
  // (see Intact), so its owner must be able to put it again (the station, from the camera folder).
  Status PutRestorable(std::string_view bytes, const Sha256& sha256) const;
  // Whether the stored image has `size_bytes` bytes: what a power cut after PutRestorable breaks.
  bool Intact(const Sha256& sha256, uint64_t size_bytes) const;

  // Files the complete incoming file of this image under its hash once its bytes hash to `sha256`;
  // otherwise removes it and returns Corruption naming both hashes.
  Status FileIncoming(const Sha256& sha256) const;

  // The image's bytes: NotFound when the store lacks it, Corruption when they no longer hash to
  // `sha256` (the file was altered after it was filed).
  Result<std::string> ReadChecked(const Sha256& sha256) const;

 private:
  // Creates the folder `path` lives in, durably, if it is missing.
  Status EnsureFolderOf(const std::string& path) const;

  std::string dir_;
};

}  // namespace capture
