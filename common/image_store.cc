#include "common/image_store.h"

#include <cstdio>
#include <filesystem>
#include <vector>

#include "common/fs.h"

namespace capture {

std::string ImageStore::PathFor(const Sha256& sha256) const {
  const std::string hex = ToHex(sha256);
  return dir_ + "/images/" + hex.substr(0, 2) + "/" + hex + ".jpg";
}

std::string ImageStore::IncomingPathFor(const Sha256& sha256) const {
  return IncomingDir() + "/" + ToHex(sha256) + ".part";
}

bool ImageStore::Has(const Sha256& sha256) const {
  std::error_code ec;
  return std::filesystem::exists(PathFor(sha256), ec);
}

Status ImageStore::EnsureFolderOf(const std::string& path) const {
  std::vector<std::filesystem::path> missing;  // deepest first
  std::error_code ec;
  for (auto folder = std::filesystem::path(path).parent_path(); !folder.empty() && !std::filesystem::exists(folder, ec);
       folder = folder.parent_path()) {
    missing.push_back(folder);
  }
  if (missing.empty()) return Status::Ok();
  if (Status st = MakeDirs(missing.front().string()); !st.ok()) return st;
  // A new folder is durable only once its parent's entry for it is synced: every level made here.
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (Status st = SyncFolder(it->parent_path().string()); !st.ok()) return st;
  }
  return Status::Ok();
}

Status ImageStore::Put(std::string_view bytes, const Sha256& sha256) const {
  const std::string path = PathFor(sha256);
  if (Has(sha256)) return Status::Ok();
  if (Status st = EnsureFolderOf(path); !st.ok()) return st;
  return WriteFileDurably(path, bytes);
}

Status ImageStore::PutRestorable(std::string_view bytes, const Sha256& sha256) const {
  const std::string path = PathFor(sha256);
  if (Has(sha256)) return Status::Ok();
  if (Status st = MakeDirs(std::filesystem::path(path).parent_path().string()); !st.ok()) return st;
  return WriteFileAtomically(path, bytes);
}

bool ImageStore::Intact(const Sha256& sha256, uint64_t size_bytes) const {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(PathFor(sha256), ec);
  return !ec && size == size_bytes;
}

Status ImageStore::FileIncoming(const Sha256& sha256) const {
  const std::string incoming = IncomingPathFor(sha256);
  auto actual = HashFile(incoming);
  if (!actual.ok()) return actual.status();
  if (actual->sha256 != sha256) {
    std::remove(incoming.c_str());
    return Status::Corruption("image " + ToHex(sha256) + " arrived as " + std::to_string(actual->size) +
                              " bytes that hash to " + ToHex(actual->sha256));
  }
  const std::string path = PathFor(sha256);
  if (Status st = EnsureFolderOf(path); !st.ok()) return st;
  return RenameDurably(incoming, path);
}

Result<std::string> ImageStore::ReadChecked(const Sha256& sha256) const {
  const std::string path = PathFor(sha256);
  if (!Has(sha256)) return Status::NotFound("image " + ToHex(sha256) + " is not in " + dir_ + "/images");
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  if (ComputeSha256(*bytes) != sha256) {
    return Status::Corruption(path + " was altered: its bytes no longer hash to its name");
  }
  return bytes;
}

}  // namespace capture
