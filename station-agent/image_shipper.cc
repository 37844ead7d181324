#include "station-agent/image_shipper.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <variant>

#include "common/frame.h"
#include "common/image_store.h"
#include "common/log.h"
#include "common/sha256.h"
#include "common/transport.h"
#include "station-agent/journal.h"

namespace capture::agent {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr char kLog[] = "images";
constexpr auto kTick = 250ms;
// Unconfirmed offers are made again after the coordinator has been this silent.
constexpr auto kOfferAgainAfter = 2s;
constexpr size_t kOfferBatch = 64;     // images per ImageOffer frame (about 3 KiB)
constexpr size_t kMaxOffered = 256;    // offered and not yet confirmed

// Bytes [offset, offset + length) of `path`, fewer at its end.
Result<std::string> ReadRange(const std::string& path, uint64_t offset, size_t length) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return Status::NotFound(path + " is not in the station's image store");
  if (fd < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  std::string out(length, '\0');
  size_t done = 0;
  while (done < length) {
    const ssize_t n = ::pread(fd, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const Status st = Status::IoError("cannot read " + path + ": " + std::strerror(errno));
      ::close(fd);
      return st;
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(done);
  return out;
}

}  // namespace

class ImageShipper::Loop {
 public:
  Loop(ImageShipperOptions options, zmq::context_t* context, zmq::socket_t wake, Inbox* inbox,
       std::vector<wire::ImageRef> journaled, uint64_t acked_seq)
      : options_(std::move(options)),
        store_(options_.store_dir),
        context_(context),
        wake_(std::move(wake)),
        inbox_(inbox),
        acked_seq_(acked_seq) {
    for (wire::ImageRef& image : journaled) pending_.emplace(image.seq(), std::move(image));
  }

  void Run() {
    while (true) {
      std::vector<zmq::pollitem_t> items = {{wake_.handle(), 0, ZMQ_POLLIN, 0}};
      // An offer the socket refused (not connected yet) goes as soon as it can, not at the next tick.
      const short dealer_events = ZMQ_POLLIN | (offer_blocked_ ? ZMQ_POLLOUT : 0);
      if (dealer_) items.push_back({dealer_->handle(), 0, dealer_events, 0});
      if (auto ready = Poll(items, std::chrono::duration_cast<std::chrono::milliseconds>(kTick)); !ready.ok()) {
        LogError(kLog, "image shipping stops: " + ready.status().message());
        return;
      }
      if (items[0].revents & ZMQ_POLLIN) {
        bool stop = false;
        while (auto message = TryRecv(wake_, false)) stop = stop || message->bytes == "stop";
        if (stop) return;
        TakeInbox();
      }
      if (dealer_) {
        while (auto message = TryRecv(*dealer_, false)) Handle(message->bytes);
      }
      if (!offered_.empty() && Clock::now() - last_heard_ >= kOfferAgainAfter &&
          Clock::now() - last_offer_ >= kOfferAgainAfter) {
        offered_.clear();  // unanswered: the coordinator restarted or the frames were lost
      }
      Offer();
    }
  }

 private:
  void TakeInbox() {
    std::string endpoint;
    {
      std::lock_guard lock(inbox_->mutex);
      for (wire::ImageRef& image : inbox_->journaled) pending_.emplace(image.seq(), std::move(image));
      inbox_->journaled.clear();
      acked_seq_ = std::max(acked_seq_, inbox_->acked_seq);
      endpoint = inbox_->endpoint;
    }
    if (!endpoint.empty() && endpoint != endpoint_) Connect(endpoint);
  }

  void Connect(const std::string& endpoint) {
    dealer_.reset();
    offered_.clear();
    endpoint_ = endpoint;
    auto dealer = OpenSocket(*context_, zmq::socket_type::dealer);
    Status st = dealer.ok() ? Status::Ok() : dealer.status();
    if (st.ok()) st = Secure(*dealer, options_.security);
    if (st.ok()) st = QueueOnlyWhenConnected(*dealer);
    if (st.ok()) st = capture::Connect(*dealer, endpoint);
    if (!st.ok()) {
      LogError(kLog, "cannot connect to the coordinator's image socket " + endpoint + ": " + st.message());
      return;
    }
    dealer_ = std::move(*dealer);
    last_heard_ = Clock::now();
    LogInfo(kLog, "shipping images to " + endpoint + " (" + std::to_string(pending_.size()) + " not yet confirmed)");
  }

  void Offer() {
    if (!dealer_) return;
    wire::Frame frame;
    wire::ImageOffer* offer = frame.mutable_image_offer();
    offer->set_station(options_.station);
    offer->set_epoch(options_.epoch);
    std::vector<std::string> batch;
    for (const auto& [seq, image] : pending_) {
      if (seq > acked_seq_ || offered_.size() + batch.size() >= kMaxOffered || batch.size() >= kOfferBatch) break;
      if (offered_.count(image.sha256()) || std::count(batch.begin(), batch.end(), image.sha256())) continue;
      *offer->add_images() = image;
      batch.push_back(image.sha256());
    }
    offer_blocked_ = false;
    if (batch.empty()) return;
    if (!TrySend(*dealer_, EncodeFrame(std::move(frame)))) {
      offer_blocked_ = true;  // not connected yet
      return;
    }
    offered_.insert(batch.begin(), batch.end());
    last_offer_ = Clock::now();
  }

  void Handle(const std::string& bytes) {
    last_heard_ = Clock::now();
    auto decoded = DecodeFrame(bytes);
    if (auto* error = std::get_if<FrameError>(&decoded)) {
      LogWarn(kLog, std::string("frame from the coordinator's image socket rejected (") +
                        RejectionName(error->reason) + "): " + error->detail);
      return;
    }
    const wire::Frame& frame = std::get<wire::Frame>(decoded);
    switch (frame.body_case()) {
      case wire::Frame::kImageChunkRequest: Serve(frame.image_chunk_request()); break;
      case wire::Frame::kImageReceipt: Confirmed(frame.image_receipt()); break;
      default:
        LogWarn(kLog, "unexpected frame on the image socket (body " + std::to_string(frame.body_case()) + ")");
    }
  }

  void Serve(const wire::ImageChunkRequest& request) {
    wire::Frame frame;
    wire::ImageChunk* chunk = frame.mutable_image_chunk();
    chunk->set_sha256(request.sha256());
    chunk->set_offset(request.offset());
    const auto sha = Sha256FromBytes(request.sha256());
    if (!sha) {
      chunk->set_unavailable("a SHA-256 has 32 bytes, not " + std::to_string(request.sha256().size()));
    } else {
      auto bytes = ReadRange(store_.PathFor(*sha), request.offset(), std::min<size_t>(request.length(), kImageChunkBytes));
      if (!bytes.ok() && bytes.status().code() != Status::Code::kNotFound) {
        // Perhaps passing (EMFILE, EIO): no answer, and the coordinator asks again.
        LogError(kLog, "cannot send image " + ToHex(*sha) + " now: " + bytes.status().message());
        return;
      }
      if (!bytes.ok()) {
        chunk->set_unavailable(bytes.status().message());
        LogError(kLog, "cannot send image " + ToHex(*sha) + ": " + bytes.status().message());
      } else if (bytes->empty()) {
        chunk->set_unavailable("offset " + std::to_string(request.offset()) + " is past the image's end");
      } else {
        chunk->set_data(std::move(*bytes));
      }
    }
    // A chunk that cannot go now is asked for again by the coordinator.
    TrySend(*dealer_, EncodeFrame(std::move(frame)));
  }

  void Confirmed(const wire::ImageReceipt& receipt) {
    std::set<std::string> done(receipt.stored().begin(), receipt.stored().end());
    for (const std::string& sha : receipt.refused()) {
      LogWarn(kLog, "the coordinator refused image " + ToHex(sha) + ": " + receipt.detail());
      done.insert(sha);
    }
    std::erase_if(pending_, [&](const auto& entry) { return done.count(entry.second.sha256()) > 0; });
    for (const std::string& sha : done) offered_.erase(sha);
  }

  ImageShipperOptions options_;
  ImageStore store_;
  zmq::context_t* context_;
  zmq::socket_t wake_;
  Inbox* inbox_;
  std::optional<zmq::socket_t> dealer_;
  std::string endpoint_;
  std::map<uint64_t, wire::ImageRef> pending_;  // by seq: journaled, not confirmed by the coordinator
  uint64_t acked_seq_ = 0;
  std::set<std::string> offered_;  // SHA-256s offered and not yet confirmed
  bool offer_blocked_ = false;     // the last offer could not be sent
  Clock::time_point last_heard_ = Clock::now();
  Clock::time_point last_offer_{};
};

Result<std::unique_ptr<ImageShipper>> ImageShipper::Start(ImageShipperOptions options,
                                                          std::vector<wire::ImageRef> journaled, uint64_t acked_seq) {
  std::unique_ptr<ImageShipper> shipper(new ImageShipper());
  auto wake = OpenInprocPipe(shipper->context_, "image-shipper-wake");
  if (!wake.ok()) return wake.status();
  shipper->wake_ = std::move(wake->owner_end);
  shipper->loop_ = std::make_unique<Loop>(std::move(options), &shipper->context_, std::move(wake->loop_end),
                                          &shipper->inbox_, std::move(journaled), acked_seq);
  shipper->thread_ = std::thread([loop = shipper->loop_.get()] { loop->Run(); });
  return shipper;
}

ImageShipper::~ImageShipper() {
  if (thread_.joinable()) {
    TrySend(wake_, "stop");
    thread_.join();
  }
}

void ImageShipper::Wake() { TrySend(wake_, "wake"); }  // a full pipe has a wake-up in it already

void ImageShipper::Journaled(wire::ImageRef image) {
  {
    std::lock_guard lock(inbox_.mutex);
    inbox_.journaled.push_back(std::move(image));
  }
  Wake();
}

void ImageShipper::Acked(uint64_t seq) {
  {
    std::lock_guard lock(inbox_.mutex);
    if (seq <= inbox_.acked_seq) return;
    inbox_.acked_seq = seq;
  }
  Wake();
}

void ImageShipper::ConnectTo(const std::string& endpoint) {
  {
    std::lock_guard lock(inbox_.mutex);
    if (inbox_.endpoint == endpoint) return;
    inbox_.endpoint = endpoint;
  }
  Wake();
}

}  // namespace capture::agent
