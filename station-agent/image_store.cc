#include "station-agent/image_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/fs.h"

namespace capture::agent {

namespace {

// A new folder is durable only once its parent's entry for it is synced.
Status SyncFolder(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open folder " + dir + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Status::IoError("cannot fsync folder " + dir + ": " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace

std::string ImageStore::PathFor(const Sha256& sha256) const {
  const std::string hex = ToHex(sha256);
  return dir_ + "/images/" + hex.substr(0, 2) + "/" + hex + ".jpg";
}

Status ImageStore::Put(std::string_view bytes, const Sha256& sha256) const {
  const std::filesystem::path path = PathFor(sha256);
  // The durable write renames a complete file into place, so a file under its hash name is whole.
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return Status::Ok();
  const std::filesystem::path folder = path.parent_path();
  if (!std::filesystem::exists(folder, ec)) {
    if (Status st = MakeDirs(folder.string()); !st.ok()) return st;
    if (Status st = SyncFolder(folder.parent_path().string()); !st.ok()) return st;
  }
  return WriteFileDurably(path.string(), bytes);
}

}  // namespace capture::agent
