// Ships the station's camera images to the coordinator, on a thread and a socket of their own, so
// that an image of several megabytes never delays an event (protocol: proto/capture.proto, "Images").
//
// It offers the image of every SHOT_TAKEN event in the journal once the coordinator has
// acknowledged that event, so the record already names each image it receives; and it serves the
// coordinator's chunk requests from the station's ImageStore. It offers again what the coordinator
// has not confirmed (ImageReceipt) whenever the coordinator has been silent for a while, connects
// again when the coordinator names another image port, and starts from the journal after a restart:
// an image reaches the coordinator however often either side stops on the way. Nothing here is
// stored: the coordinator's receipts are the only record of what arrived.
//
//   DEALER (CURVE with the station's key, unless ImageShipperOptions::security is plain text)
//   connects to the endpoint given by ConnectTo (the --control host at the port the coordinator
//   names in every Ack).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "capture.pb.h"
#include "common/status.h"
#include "common/transport.h"

namespace capture::agent {

struct ImageShipperOptions {
  uint32_t station = 0;
  uint64_t epoch = 0;
  std::string store_dir;  // the ImageStore's folder (the journal's)
  ClientSecurity security;
};

class ImageShipper {
 public:
  // `journaled`: the images of the journal's SHOT_TAKEN events so far, in seq order; `acked_seq`:
  // the journal's acked mark. Nothing is sent before ConnectTo.
  static Result<std::unique_ptr<ImageShipper>> Start(ImageShipperOptions options,
                                                     std::vector<wire::ImageRef> journaled, uint64_t acked_seq);
  // Stops and joins the thread.
  ~ImageShipper();
  ImageShipper(const ImageShipper&) = delete;
  ImageShipper& operator=(const ImageShipper&) = delete;

  // Called from the agent's loop (one thread): a SHOT_TAKEN was journaled, the coordinator stored
  // events up to `seq`, the coordinator's image socket is at `endpoint`.
  void Journaled(wire::ImageRef image);
  void Acked(uint64_t seq);
  void ConnectTo(const std::string& endpoint);

 private:
  class Loop;
  // What the agent's loop hands over, taken by the shipper's thread when woken.
  struct Inbox {
    std::mutex mutex;
    std::vector<wire::ImageRef> journaled;
    uint64_t acked_seq = 0;
    std::string endpoint;
  };

  ImageShipper() = default;
  void Wake();

  zmq::context_t context_{1};
  zmq::socket_t wake_;  // PAIR: the agent loop's end of the wake-up pipe; "stop" ends the thread
  Inbox inbox_;
  std::unique_ptr<Loop> loop_;
  std::thread thread_;
};

}  // namespace capture::agent
