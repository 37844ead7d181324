#include "common/fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace capture {

namespace {

Status Errno(const std::string& what, const std::string& path) {
  return Status::IoError(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

Result<std::string> ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", path);
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = Errno("cannot read", path);
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

namespace {

// Opens `path` with `flags`, writes `bytes` and, if `sync`, fsyncs it.
Status Write(const std::string& path, int flags, std::string_view bytes, int mode, bool sync) {
  const int fd = ::open(path.c_str(), flags | O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0) return Errno("cannot create", path);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status st = Errno("cannot write", path);
      ::close(fd);
      return st;
    }
    done += static_cast<size_t>(n);
  }
  if (sync && ::fsync(fd) != 0) {
    Status st = Errno("cannot fsync", path);
    ::close(fd);
    return st;
  }
  if (::close(fd) != 0) return Errno("cannot close", path);
  return Status::Ok();
}

}  // namespace

Status WriteNewFile(const std::string& path, std::string_view bytes, int mode) {
  return Write(path, O_CREAT | O_EXCL, bytes, mode, /*sync=*/true);
}

Status WriteFileDurably(const std::string& path, std::string_view bytes, int mode) {
  const std::string tmp = path + ".tmp";
  if (Status st = Write(tmp, O_CREAT | O_TRUNC, bytes, mode, /*sync=*/true); !st.ok()) return st;
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Errno("cannot rename into", path);
  return SyncFolder(std::filesystem::path(path).parent_path().string());
}

Status WriteFileAtomically(const std::string& path, std::string_view bytes, int mode) {
  const std::string tmp = path + ".tmp";
  if (Status st = Write(tmp, O_CREAT | O_TRUNC, bytes, mode, /*sync=*/false); !st.ok()) return st;
  if (::rename(tmp.c_str(), path.c_str()) != 0) return Errno("cannot rename into", path);
  return Status::Ok();
}

Status SyncFolder(const std::string& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open folder", dir);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("cannot fsync folder", dir);
  return Status::Ok();
}

Status RenameDurably(const std::string& from, const std::string& to) {
  const int fd = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open", from);
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("cannot fsync", from);
  if (::rename(from.c_str(), to.c_str()) != 0) return Errno("cannot rename " + from + " to", to);
  return SyncFolder(std::filesystem::path(to).parent_path().string());
}

Status MakeDirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::IoError("cannot create folder " + path + ": " + ec.message());
  return Status::Ok();
}

Status MakePrivateDirs(const std::string& path) {
  std::error_code ec;
  const bool existed = std::filesystem::exists(path, ec);
  if (Status s = MakeDirs(path); !s.ok()) return s;
  if (!existed && ::chmod(path.c_str(), 0700) != 0) return Errno("cannot make private the folder", path);
  return Status::Ok();
}

}  // namespace capture
