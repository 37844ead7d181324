// Watches the camera folder (and every subfolder, also ones the camera makes later, e.g. 101CANON)
// with inotify, and reports files that may have just become complete: closed after writing
// (IN_CLOSE_WRITE) or moved into place (IN_MOVED_TO). Whether a file really is complete is the
// caller's judgement (see jpeg_info.h); a file may be reported more than once.
//
// One thread uses a CameraWatch. fd() is for the caller's poll loop.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace capture::agent {

class CameraWatch {
 public:
  // Starts watching `camera_dir` and its whole tree. Watch first, then scan: a file that lands
  // in between is reported by both, never by neither.
  static Result<std::unique_ptr<CameraWatch>> Open(const std::string& camera_dir);
  ~CameraWatch();
  CameraWatch(const CameraWatch&) = delete;
  CameraWatch& operator=(const CameraWatch&) = delete;

  int fd() const { return fd_; }
  const std::string& dir() const { return dir_; }

  // Every regular file of the tree, relative to the camera folder, in name order.
  Result<std::vector<std::string>> Scan() const;

  // Drains the pending notifications (never blocks). Returns the relative paths of files to look
  // at, in arrival order; a new subfolder is watched and its files already there are included.
  Result<std::vector<std::string>> ReadChanges();

 private:
  CameraWatch(std::string dir, int fd) : dir_(std::move(dir)), fd_(fd) {}
  // Watches `relative` (a folder; "" is the camera folder) and every folder below it.
  Status WatchTree(const std::string& relative);
  Result<std::vector<std::string>> ScanUnder(const std::string& relative) const;

  std::string dir_;
  int fd_;
  std::map<int, std::string> folders_;  // watch descriptor -> folder relative to dir_ ("" for dir_)
};

}  // namespace capture::agent
