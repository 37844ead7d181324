// The coordinator's intake of camera images: the stations' agents ship the bytes of every image
// their record names, on a socket of their own, and this files them in the coordinator's
// content-addressed ImageStore (common/image_store.h) once their SHA-256 checks.
//
// One thread of its own, so that receiving and hashing images never delays the event loop. It owns
//   ROUTER bound to ImageIntakeOptions::endpoint (router_mandatory); agents connect DEALERs
//          (protocol: proto/capture.proto, "Images"), each known by the routing id ZeroMQ gives it.
// Per agent it keeps the images offered and not yet held, in offer order, and pulls one image at a
// time with up to `window` chunk requests in flight, so the receiver sets the pace and a large
// image never floods the socket. Chunks are appended to the image's incoming file; a transfer
// resumes from that file's length, after an outage of the agent or a restart of the coordinator
// alike. A chunk that is not the next one expected is dropped (counted as stale); a transfer that
// has not advanced for `stall_after` asks again from where its file ends. A whole image whose bytes
// do not hash to its name is removed and fetched again, at most max_hash_failures times, then
// refused. Two agents offering the same image fetch it once: the second pulls its other images
// meanwhile. An agent not heard from for 3 x `stall_after` is taken as gone: its image goes back to
// its queue, free for another agent to pull, until it is heard from again. At start, incoming
// files untouched for a day are removed: no agent resumed them.
//
// Trust: with CURVE on, only admitted keys reach the socket (security/gatekeeper.h), and an offer is
// taken only from a connection of the station it names (image_frames_rejected otherwise); an
// image is filed only under the hash of its own bytes, at most kMaxImageBytes, so nothing offered can pass for another
// image. Only images an export or the dashboard asks for by their record's hash are ever read.
//
// Counters (ImageIntake::counters(), names as in the coordinator's StatusReply):
//   images_stored, images_already_held, image_bytes_received, image_chunks_received,
//   image_chunks_stale, image_hash_mismatches, images_refused, image_frames_rejected, images_waiting
//   (a gauge: offered, not yet held).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <zmq.hpp>

#include "common/status.h"

namespace capture::coord {

// No camera image comes near this; a larger offer is refused unread.
inline constexpr uint64_t kMaxImageBytes = 256ull << 20;

struct ImageIntakeOptions {
  std::string endpoint = "tcp://127.0.0.1:*";
  std::string store_dir;  // images go to store_dir/images (ImageStore)
  size_t window = 8;      // chunk requests in flight per agent
  std::chrono::milliseconds stall_after{2000};
  int max_hash_failures = 3;
  // The context to open the socket in (borrowed: it must outlive the intake), so that its ZAP
  // handler answers for this socket too; null: a context of the intake's own.
  zmq::context_t* context = nullptr;
  // Called on the socket before it binds (CURVE, monitoring); null: nothing.
  std::function<Status(zmq::socket_t&)> prepare;
};

class ImageIntake {
 public:
  // Binds the socket and starts the thread.
  static Result<std::unique_ptr<ImageIntake>> Start(ImageIntakeOptions options);
  // Stops and joins the thread. A transfer under way stays in its incoming file, to be resumed.
  ~ImageIntake();
  ImageIntake(const ImageIntake&) = delete;
  ImageIntake& operator=(const ImageIntake&) = delete;

  // The bound address, its port resolved, and that port.
  const std::string& endpoint() const { return endpoint_; }
  uint32_t port() const { return port_; }

  // The counters above, by name; safe from any thread.
  std::vector<std::pair<std::string, uint64_t>> counters() const;

 private:
  class Loop;
  struct Counters {
    std::atomic<uint64_t> images_stored{0};
    std::atomic<uint64_t> images_already_held{0};
    std::atomic<uint64_t> image_bytes_received{0};
    std::atomic<uint64_t> image_chunks_received{0};
    std::atomic<uint64_t> image_chunks_stale{0};
    std::atomic<uint64_t> image_hash_mismatches{0};
    std::atomic<uint64_t> images_refused{0};
    std::atomic<uint64_t> image_frames_rejected{0};
    std::atomic<uint64_t> images_waiting{0};
  };

  ImageIntake() = default;

  zmq::context_t context_{1};
  zmq::socket_t stop_;  // PAIR: the owner's end of the stop pipe
  std::string endpoint_;
  uint32_t port_ = 0;
  Counters counters_;
  std::unique_ptr<Loop> loop_;
  std::thread thread_;
};

}  // namespace capture::coord
