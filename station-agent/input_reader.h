// The station's input (code reader and operator marks) read on a thread of its own, so that each
// piece is stamped with the moment it arrived even while the event loop is held up (a long fsync on
// a slow disk): the loop takes the pieces when it can and journals each line at its own time.
//
// A process held up whole (a frozen laptop, SIGSTOP) holds this thread too, and nothing can tell
// when the bytes waiting at its return came. It notices by its own turns: a turn more than
// kHoldGap later than its poll allowed takes in everything waiting as one piece, marked
// held_since_us (the last moment it was running).
//
// Stamps are read on the system clock: with --sim-time the `!time` lines give the times instead.
// At most kMaxQueued bytes wait for the loop; beyond them the thread stops reading until the loop
// catches up, so only a bulk file of input, never a person, can outrun it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "common/time_format.h"

namespace capture::agent {

class InputReader {
 public:
  static constexpr std::chrono::milliseconds kTick{200};
  static constexpr std::chrono::milliseconds kHoldGap{1000};
  static constexpr size_t kMaxQueued = 8 << 20;

  struct Piece {
    std::string bytes;
    MicrosSinceEpoch at_us = 0;          // when it was read
    MicrosSinceEpoch held_since_us = 0;  // non-zero: it came at some moment after this
  };
  struct Taken {
    std::vector<Piece> pieces;
    bool ended = false;  // the input reached its end (or failed: then `error` says why)
    std::string error;
  };

  // Reads `fd` (not owned; a named pipe opened read-write never ends) until its end or until
  // destroyed.
  static Result<std::unique_ptr<InputReader>> Start(int fd);
  ~InputReader();  // stops the thread and waits for it
  InputReader(const InputReader&) = delete;
  InputReader& operator=(const InputReader&) = delete;

  // Readable while pieces or the end wait to be taken (an eventfd, for the loop's poll).
  int fd() const { return ready_fd_; }
  // Everything read since the last call.
  Taken Take();
  // Waits (at most kTick) until nothing typed so far waits unread on the input: a camera file the
  // loop sees now must not overtake a line typed before it that the reader has not got round to
  // (both threads just continued after a stop, say).
  void Sync();

 private:
  InputReader(int fd, int ready_fd, int stop_fd) : fd_(fd), ready_fd_(ready_fd), stop_fd_(stop_fd) {}
  void Read();
  // Reads what waits now, up to the queue's room; false at the end of the input.
  bool ReadWaiting(std::string& bytes, std::string& error);
  void Deliver(Piece piece, bool ended, std::string error);

  const int fd_;
  const int ready_fd_;
  const int stop_fd_;
  std::mutex mutex_;
  std::condition_variable room_;       // the loop took pieces, or the reader is stopping
  std::condition_variable delivered_;  // a read ended, or the reader did
  Taken queued_;
  size_t queued_bytes_ = 0;
  bool reading_ = false;  // bytes may be on their way from the input to the queue
  bool stopping_ = false;
  bool done_ = false;  // the thread has returned
  std::thread thread_;
};

}  // namespace capture::agent
