#include "station-agent/camera_watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/log.h"

namespace capture::agent {

namespace {

namespace fs = std::filesystem;

// IN_CREATE is for new subfolders only: a created file is not complete until it is closed.
constexpr uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ONLYDIR;

std::string Join(const std::string& folder, const std::string& name) {
  return folder.empty() ? name : folder + "/" + name;
}

}  // namespace

Result<std::unique_ptr<CameraWatch>> CameraWatch::Open(const std::string& camera_dir) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return Status::IoError(std::string("cannot start inotify: ") + std::strerror(errno));
  std::unique_ptr<CameraWatch> watch(new CameraWatch(camera_dir, fd));
  if (Status st = watch->WatchTree(""); !st.ok()) return st;
  return watch;
}

CameraWatch::~CameraWatch() { ::close(fd_); }

Status CameraWatch::WatchTree(const std::string& relative) {
  const std::string path = relative.empty() ? dir_ : dir_ + "/" + relative;
  // Adding a folder that is already watched returns its existing descriptor.
  const int wd = ::inotify_add_watch(fd_, path.c_str(), kMask);
  if (wd < 0) return Status::IoError("cannot watch folder " + path + ": " + std::strerror(errno));
  folders_[wd] = relative;
  std::error_code ec;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      if (Status st = WatchTree(Join(relative, it->path().filename().string())); !st.ok()) return st;
    }
  }
  if (ec) return Status::IoError("cannot list folder " + path + ": " + ec.message());
  return Status::Ok();
}

Result<std::vector<std::string>> CameraWatch::Scan() const { return ScanUnder(""); }

Result<std::vector<std::string>> CameraWatch::ScanUnder(const std::string& relative) const {
  const std::string root = relative.empty() ? dir_ : dir_ + "/" + relative;
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && !it->is_symlink(ec)) files.push_back(fs::relative(it->path(), dir_).string());
  }
  if (ec) return Status::IoError("cannot scan camera folder " + root + ": " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

Result<std::vector<std::string>> CameraWatch::ReadChanges() {
  std::vector<std::string> changed;
  alignas(inotify_event) char buf[64 * 1024];
  for (;;) {
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    if (n <= 0) return Status::IoError(std::string("cannot read inotify events: ") + std::strerror(errno));
    for (ssize_t at = 0; at < n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buf + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      if (ev->mask & IN_Q_OVERFLOW) {
        // Notifications were lost: look at everything again (taking in is idempotent).
        LogWarn("camera", "inotify queue overflowed; rescanning the camera folder");
        if (Status st = WatchTree(""); !st.ok()) return st;
        auto all = Scan();
        if (!all.ok()) return all.status();
        changed.insert(changed.end(), all->begin(), all->end());
        continue;
      }
      if (ev->mask & IN_IGNORED) {
        folders_.erase(ev->wd);
        continue;
      }
      const auto folder = folders_.find(ev->wd);
      if (folder == folders_.end() || ev->len == 0) continue;
      const std::string relative = Join(folder->second, ev->name);
      if (ev->mask & IN_ISDIR) {
        if (ev->mask & (IN_CREATE | IN_MOVED_TO)) {
          if (Status st = WatchTree(relative); !st.ok()) return st;
          auto inside = ScanUnder(relative);
          if (!inside.ok()) return inside.status();
          changed.insert(changed.end(), inside->begin(), inside->end());
        }
        continue;
      }
      if (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) changed.push_back(relative);
    }
  }
  return changed;
}

}  // namespace capture::agent
