#include "station-agent/input_reader.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "station-agent/station_clock.h"

namespace capture::agent {

namespace {

using Clock = std::chrono::steady_clock;

void Signal(int event_fd) {
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(event_fd, &one, sizeof one);  // only fails when already signalled
}

bool Waiting(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

Result<int> NewEventFd() {
  const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) return Status::IoError(std::string("cannot create an eventfd for the input: ") + std::strerror(errno));
  return fd;
}

}  // namespace

Result<std::unique_ptr<InputReader>> InputReader::Start(int fd) {
  auto ready_fd = NewEventFd();
  if (!ready_fd.ok()) return ready_fd.status();
  auto stop_fd = NewEventFd();
  if (!stop_fd.ok()) {
    ::close(*ready_fd);
    return stop_fd.status();
  }
  std::unique_ptr<InputReader> reader(new InputReader(fd, *ready_fd, *stop_fd));
  reader->thread_ = std::thread([r = reader.get()] {
    r->Read();
    std::lock_guard lock(r->mutex_);
    r->done_ = true;
    r->delivered_.notify_all();
  });
  return reader;
}

InputReader::~InputReader() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  room_.notify_all();
  Signal(stop_fd_);
  thread_.join();
  ::close(stop_fd_);
  ::close(ready_fd_);
}

InputReader::Taken InputReader::Take() {
  std::lock_guard lock(mutex_);
  uint64_t count = 0;
  [[maybe_unused]] const ssize_t n = ::read(ready_fd_, &count, sizeof count);  // clears it
  Taken taken = std::move(queued_);
  queued_ = {};
  queued_bytes_ = 0;
  room_.notify_all();
  return taken;
}

void InputReader::Sync() {
  std::unique_lock lock(mutex_);
  // A regular file is always readable; it is read to its end at once, and then the reader is done.
  delivered_.wait_for(lock, kTick, [&] { return done_ || (!reading_ && !Waiting(fd_)); });
}

void InputReader::Read() {
  auto last_turn = Clock::now();
  MicrosSinceEpoch last_turn_us = SystemClockNow();
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, 2, static_cast<int>(kTick.count()));
    const auto turn = Clock::now();
    const MicrosSinceEpoch turn_us = SystemClockNow();
    const MicrosSinceEpoch held_since = turn - last_turn > kTick + kHoldGap ? last_turn_us : 0;
    last_turn = turn;
    last_turn_us = turn_us;
    if (ready < 0) {
      if (errno == EINTR) continue;
      Deliver({}, true, std::string("cannot poll the input: ") + std::strerror(errno));
      return;
    }
    if (fds[1].revents != 0) return;
    if (fds[0].revents == 0) continue;

    {
      std::lock_guard lock(mutex_);
      reading_ = true;
    }
    std::string bytes;
    std::string error;
    const bool open = ReadWaiting(bytes, error);
    Deliver({std::move(bytes), turn_us, held_since}, !open, std::move(error));
    if (!open) return;

    std::unique_lock lock(mutex_);
    if (queued_bytes_ >= kMaxQueued) {
      room_.wait(lock, [&] { return stopping_ || queued_bytes_ < kMaxQueued; });
      if (stopping_) return;
      // Waiting for room is no hold-up: the stamps from here are late, but by a backlog of its own making.
      last_turn = Clock::now();
      last_turn_us = SystemClockNow();
    }
  }
}

bool InputReader::ReadWaiting(std::string& bytes, std::string& error) {
  size_t room;
  {
    std::lock_guard lock(mutex_);
    room = queued_bytes_ < kMaxQueued ? kMaxQueued - queued_bytes_ : 0;
  }
  char buf[64 * 1024];
  do {
    const ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) {
      if (n < 0) error = std::string("cannot read the input: ") + std::strerror(errno);
      return false;
    }
    bytes.append(buf, static_cast<size_t>(n));
  } while (bytes.size() < room && Waiting(fd_));
  return true;
}

void InputReader::Deliver(Piece piece, bool ended, std::string error) {
  const bool news = !piece.bytes.empty() || ended;
  {
    std::lock_guard lock(mutex_);
    reading_ = false;
    queued_bytes_ += piece.bytes.size();
    if (!piece.bytes.empty()) queued_.pieces.push_back(std::move(piece));
    queued_.ended = queued_.ended || ended;
    if (!error.empty()) queued_.error = std::move(error);
  }
  delivered_.notify_all();
  if (news) Signal(ready_fd_);
}

}  // namespace capture::agent
