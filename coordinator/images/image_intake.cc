#include "coordinator/images/image_intake.h"

#include "coordinator/security/enrolment.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <variant>

#include "common/frame.h"
#include "common/fs.h"
#include "common/image_store.h"
#include "common/log.h"
#include "common/sha256.h"
#include "common/transport.h"

namespace capture::coord {

namespace {

using Clock = std::chrono::steady_clock;
constexpr char kLog[] = "images";
constexpr std::chrono::milliseconds kTick{100};
// An agent not heard from for this many stall periods is taken as gone.
constexpr int kGoneAfterStalls = 3;

// An owned file descriptor.
class File {
 public:
  File() = default;
  explicit File(int fd) : fd_(fd) {}
  File(File&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  File& operator=(File&& other) noexcept {
    if (this != &other) {
      Close();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~File() { Close(); }
  int fd() const { return fd_; }
  void Close() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }

 private:
  int fd_ = -1;
};

struct Wanted {
  Sha256 sha256;
  uint64_t size = 0;
};

// The image being pulled from one agent.
struct Transfer {
  Wanted image;
  File incoming;
  uint64_t received = 0;   // bytes in the incoming file: the next chunk must start here
  uint64_t requested = 0;  // bytes asked for so far
  size_t in_flight = 0;
  Clock::time_point last_progress;
  int hash_failures = 0;
};

struct Agent {
  std::deque<Wanted> queue;  // offered, not held, not being pulled; in offer order
  std::optional<Transfer> current;
  Clock::time_point last_heard = Clock::now();
};

}  // namespace

class ImageIntake::Loop {
 public:
  Loop(ImageIntakeOptions options, zmq::socket_t router, zmq::socket_t stop, Counters* counters)
      : options_(std::move(options)),
        store_(options_.store_dir),
        router_(std::move(router)),
        stop_(std::move(stop)),
        counters_(counters) {}

  void Run() {
    std::vector<zmq::pollitem_t> items = {{router_.handle(), 0, ZMQ_POLLIN, 0}, {stop_.handle(), 0, ZMQ_POLLIN, 0}};
    while (true) {
      auto ready = Poll(items, kTick);
      if (!ready.ok()) {
        LogError(kLog, "image intake stops: " + ready.status().message());
        return;
      }
      if (items[1].revents & ZMQ_POLLIN) return;
      while (auto message = TryRecv(router_, true)) Handle(*message);
      ResumeStalled();
    }
  }

 private:
  void Handle(const Received& message) {
    if (auto it = agents_.find(message.peer); it != agents_.end()) it->second.last_heard = Clock::now();
    auto decoded = DecodeFrame(message.bytes);
    if (auto* error = std::get_if<FrameError>(&decoded); error != nullptr || message.extra_parts > 0) {
      ++counters_->image_frames_rejected;
      LogWarn(kLog, "frame from " + PeerName(message.peer) + " rejected: " +
                        (error ? std::string(RejectionName(error->reason)) + ": " + error->detail : "extra parts"));
      return;
    }
    const wire::Frame& frame = std::get<wire::Frame>(decoded);
    switch (frame.body_case()) {
      case wire::Frame::kImageOffer:
        if (!message.user_id.empty() && StationOfUserId(message.user_id) != frame.image_offer().station()) {
          ++counters_->image_frames_rejected;
          LogWarn(kLog, "offer of station " + std::to_string(frame.image_offer().station()) + " from '" +
                            message.user_id + "' rejected: a connection offers its own station's images only");
          break;
        }
        HandleOffer(message.peer, frame.image_offer());
        break;
      case wire::Frame::kImageChunk: HandleChunk(message.peer, frame.image_chunk()); break;
      default:
        ++counters_->image_frames_rejected;
        LogWarn(kLog, "frame from " + PeerName(message.peer) + " rejected: body " + std::to_string(frame.body_case()) +
                          " is not sent on the image socket");
    }
  }

  void HandleOffer(const std::string& peer, const wire::ImageOffer& offer) {
    auto [it, first] = agents_.try_emplace(peer);
    if (first) {
      LogInfo(kLog, "station " + std::to_string(offer.station()) + " (" + PeerName(peer) + ") offers " +
                        std::to_string(offer.images_size()) + " image(s)");
    }
    Agent& agent = it->second;
    wire::ImageReceipt receipt;
    bool offered_again = false;
    for (const wire::ImageRef& ref : offer.images()) {
      const auto sha = Sha256FromBytes(ref.sha256());
      if (!sha || ref.size_bytes() == 0 || ref.size_bytes() > kMaxImageBytes) {
        receipt.add_refused(ref.sha256());
        receipt.set_detail("an image is named by 32 bytes of SHA-256 and has 1 to " + std::to_string(kMaxImageBytes) +
                           " bytes");
        ++counters_->images_refused;
        continue;
      }
      if (store_.Has(*sha)) {
        receipt.add_stored(ref.sha256());
        ++counters_->images_already_held;
        continue;
      }
      offered_again = offered_again || (agent.current && agent.current->image.sha256 == *sha);
      if (!Knows(agent, *sha)) agent.queue.push_back({*sha, ref.size_bytes()});
    }
    // The image being pulled offered again: the agent restarted or heard nothing for a while, so
    // whatever it was asked for may never come; ask again from where the incoming file ends.
    if (offered_again) Rewind(*agent.current);
    SendReceipt(peer, std::move(receipt));
    Pump(peer, agent);
    CountWaiting();
  }

  static bool Knows(const Agent& agent, const Sha256& sha) {
    if (agent.current && agent.current->image.sha256 == sha) return true;
    for (const Wanted& w : agent.queue) {
      if (w.sha256 == sha) return true;
    }
    return false;
  }

  void HandleChunk(const std::string& peer, const wire::ImageChunk& chunk) {
    auto it = agents_.find(peer);
    if (it == agents_.end() || !it->second.current || AsBytes(it->second.current->image.sha256) != chunk.sha256()) {
      ++counters_->image_chunks_stale;
      return;
    }
    Agent& agent = it->second;
    Transfer& t = *agent.current;
    if (!chunk.unavailable().empty()) {
      Refuse(peer, agent, "station cannot send it: " + chunk.unavailable());
      return;
    }
    if (chunk.offset() != t.received) {
      // A duplicate of a chunk already written, or one after a lost chunk: in the second case
      // everything after the gap is asked for again.
      ++counters_->image_chunks_stale;
      if (chunk.offset() > t.received) Rewind(t);
      Pump(peer, agent);
      return;
    }
    if (chunk.data().empty() || chunk.data().size() > t.image.size - t.received) {
      Refuse(peer, agent, "a chunk of " + std::to_string(chunk.data().size()) + " bytes at offset " +
                              std::to_string(chunk.offset()) + " does not fit an image of " +
                              std::to_string(t.image.size) + " bytes");
      return;
    }
    if (Status st = WriteAt(t, chunk.data()); !st.ok()) {
      LogError(kLog, st.message() + "; asking again later");
      Rewind(t);
      return;
    }
    ++counters_->image_chunks_received;
    counters_->image_bytes_received += chunk.data().size();
    t.received += chunk.data().size();
    t.in_flight = t.in_flight > 0 ? t.in_flight - 1 : 0;
    t.last_progress = Clock::now();
    if (t.received == t.image.size) {
      Finish(peer, agent);
    } else {
      Pump(peer, agent);
    }
    CountWaiting();
  }

  Status WriteAt(Transfer& t, const std::string& data) {
    const std::string path = store_.IncomingPathFor(t.image.sha256);
    size_t done = 0;
    while (done < data.size()) {
      const ssize_t n = ::pwrite(t.incoming.fd(), data.data() + done, data.size() - done,
                                 static_cast<off_t>(t.received + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const Status st = Status::IoError("cannot write " + path + ": " + std::strerror(errno));
        // Whatever part was written is beyond `received` and is overwritten by the next try.
        return st;
      }
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  }

  void Finish(const std::string& peer, Agent& agent) {
    Transfer& t = *agent.current;
    t.incoming.Close();
    Status filed = store_.FileIncoming(t.image.sha256);
    if (filed.ok()) {
      ++counters_->images_stored;
      wire::ImageReceipt receipt;
      receipt.add_stored(AsBytes(t.image.sha256));
      agent.current.reset();
      SendReceipt(peer, std::move(receipt));
      Pump(peer, agent);
      return;
    }
    if (filed.code() != Status::Code::kCorruption) {
      LogError(kLog, filed.message() + "; asking again later");
      Reopen(t);
      return;
    }
    ++counters_->image_hash_mismatches;
    LogWarn(kLog, "from " + PeerName(peer) + ": " + filed.message());
    if (++t.hash_failures >= options_.max_hash_failures) {
      Refuse(peer, agent, std::to_string(t.hash_failures) + " transfers of it did not hash to its name");
      return;
    }
    Reopen(t);
    Pump(peer, agent);
  }

  void Refuse(const std::string& peer, Agent& agent, const std::string& why) {
    const Sha256 sha = agent.current->image.sha256;
    agent.current.reset();
    std::remove(store_.IncomingPathFor(sha).c_str());
    ++counters_->images_refused;
    LogWarn(kLog, "image " + ToHex(sha) + " from " + PeerName(peer) + " refused: " + why);
    wire::ImageReceipt receipt;
    receipt.add_refused(AsBytes(sha));
    receipt.set_detail(why);
    SendReceipt(peer, std::move(receipt));
    Pump(peer, agent);
    CountWaiting();
  }

  // Starts the agent's next image if it has none under way, and asks for as many chunks as the
  // window allows. An image another agent is pulling waits in the queue, and the next one goes first.
  void Pump(const std::string& peer, Agent& agent) {
    wire::ImageReceipt held;
    for (auto it = agent.queue.begin(); !agent.current && it != agent.queue.end();) {
      const Wanted next = *it;
      if (store_.Has(next.sha256)) {  // another agent's transfer of the same image ended meanwhile
        it = agent.queue.erase(it);
        held.add_stored(AsBytes(next.sha256));
        continue;
      }
      if (PulledByAnother(peer, next.sha256)) {
        ++it;  // ResumeStalled looks again
        continue;
      }
      agent.queue.erase(it);
      agent.current.emplace();
      agent.current->image = next;
      Reopen(*agent.current);
    }
    SendReceipt(peer, std::move(held));
    if (!agent.current) return;
    Transfer& t = *agent.current;
    if (t.incoming.fd() < 0) return;  // ResumeStalled opens it again
    if (t.received == t.image.size && t.in_flight == 0) {
      Finish(peer, agent);  // complete already in its incoming file (the coordinator restarted)
      return;
    }
    while (t.in_flight < options_.window && t.requested < t.image.size) {
      const uint64_t length = std::min<uint64_t>(kImageChunkBytes, t.image.size - t.requested);
      wire::Frame frame;
      wire::ImageChunkRequest* request = frame.mutable_image_chunk_request();
      request->set_sha256(AsBytes(t.image.sha256));
      request->set_offset(t.requested);
      request->set_length(static_cast<uint32_t>(length));
      if (!TrySendTo(router_, peer, EncodeFrame(std::move(frame)))) break;  // gone: asked again once stalled
      t.requested += length;
      ++t.in_flight;
    }
  }

  bool PulledByAnother(const std::string& peer, const Sha256& sha) const {
    for (const auto& [other, agent] : agents_) {
      if (other != peer && agent.current && agent.current->image.sha256 == sha) return true;
    }
    return false;
  }

  // Opens the transfer's incoming file and continues from its length.
  void Reopen(Transfer& t) {
    const std::string path = store_.IncomingPathFor(t.image.sha256);
    t.incoming = File();
    t.received = 0;
    if (Status st = MakeDirs(std::filesystem::path(path).parent_path().string()); !st.ok()) {
      LogError(kLog, st.message());
    }
    t.incoming = File(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
    struct stat st {};
    if (t.incoming.fd() < 0 || ::fstat(t.incoming.fd(), &st) != 0) {
      LogError(kLog, "cannot open " + path + ": " + std::strerror(errno) + "; asking again later");
    } else if (static_cast<uint64_t>(st.st_size) > t.image.size) {
      if (::ftruncate(t.incoming.fd(), 0) != 0) LogError(kLog, "cannot truncate " + path + ": " + std::strerror(errno));
    } else {
      t.received = static_cast<uint64_t>(st.st_size);
    }
    Rewind(t);
  }

  static void Rewind(Transfer& t) {
    t.requested = t.received;
    t.in_flight = 0;
    t.last_progress = Clock::now();
  }

  void ResumeStalled() {
    const auto now = Clock::now();
    for (auto& [peer, agent] : agents_) {
      if (now - agent.last_heard >= options_.stall_after * kGoneAfterStalls) {
        // Gone (or never meant to send): its image goes back to its queue, so that another agent
        // offering the same bytes can pull them; it starts again once this agent is heard from.
        if (agent.current) {
          agent.queue.push_front(agent.current->image);
          agent.current.reset();
        }
        continue;
      }
      if (agent.current && agent.current->incoming.fd() < 0) {
        Reopen(*agent.current);  // it could not be opened before: a full disk, say
      } else if (agent.current && now - agent.current->last_progress >= options_.stall_after) {
        Rewind(*agent.current);
      } else if (agent.current) {
        continue;
      }
      Pump(peer, agent);
    }
    CountWaiting();
  }

  void SendReceipt(const std::string& peer, wire::ImageReceipt receipt) {
    if (receipt.stored().empty() && receipt.refused().empty()) return;
    wire::Frame frame;
    *frame.mutable_image_receipt() = std::move(receipt);
    TrySendTo(router_, peer, EncodeFrame(std::move(frame)));  // an agent that missed it offers again
  }

  void CountWaiting() {
    uint64_t waiting = 0;
    for (const auto& [peer, agent] : agents_) waiting += agent.queue.size() + (agent.current ? 1 : 0);
    counters_->images_waiting = waiting;
  }

  ImageIntakeOptions options_;
  ImageStore store_;
  zmq::socket_t router_;
  zmq::socket_t stop_;
  Counters* counters_;
  std::map<std::string, Agent> agents_;  // by routing id
};

namespace {

// Transfers nobody resumed for this long are given up: their bytes would only fill the disk.
constexpr auto kAbandonedAfter = std::chrono::hours(24);

void RemoveAbandonedTransfers(const std::string& incoming_dir) {
  std::error_code ec;
  if (!std::filesystem::exists(incoming_dir, ec)) return;
  const auto now = std::filesystem::file_time_type::clock::now();
  size_t removed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(incoming_dir, ec)) {
    const auto written = entry.last_write_time(ec);
    if (!ec && now - written > kAbandonedAfter && std::filesystem::remove(entry.path(), ec)) ++removed;
  }
  if (removed > 0) {
    LogInfo(kLog, "removed " + std::to_string(removed) + " incoming image file(s) untouched for a day from " + incoming_dir);
  }
}

}  // namespace

Result<std::unique_ptr<ImageIntake>> ImageIntake::Start(ImageIntakeOptions options) {
  if (options.store_dir.empty()) return Status::InvalidArgument("the image intake needs the store's folder");
  RemoveAbandonedTransfers(ImageStore(options.store_dir).IncomingDir());
  std::unique_ptr<ImageIntake> intake(new ImageIntake());
  zmq::context_t& context = options.context ? *options.context : intake->context_;
  auto router = OpenSocket(context, zmq::socket_type::router);
  if (!router.ok()) return router.status();
  if (Status s = MakeRouterStrict(*router); !s.ok()) return s;
  if (options.prepare) {
    if (Status s = options.prepare(*router); !s.ok()) return s;
  }
  if (Status s = Bind(*router, options.endpoint); !s.ok()) return s;
  auto endpoint = LastEndpoint(*router);
  if (!endpoint.ok()) return endpoint.status();
  intake->endpoint_ = *endpoint;
  intake->port_ = static_cast<uint32_t>(std::stoul(intake->endpoint_.substr(intake->endpoint_.rfind(':') + 1)));

  auto stop = OpenInprocPipe(context, "image-intake-stop");
  if (!stop.ok()) return stop.status();
  intake->stop_ = std::move(stop->owner_end);

  intake->loop_ = std::make_unique<Loop>(std::move(options), std::move(*router), std::move(stop->loop_end),
                                         &intake->counters_);
  intake->thread_ = std::thread([loop = intake->loop_.get()] { loop->Run(); });
  return intake;
}

ImageIntake::~ImageIntake() {
  if (thread_.joinable()) {
    TrySend(stop_, "stop");
    thread_.join();
  }
}

std::vector<std::pair<std::string, uint64_t>> ImageIntake::counters() const {
  return {
      {"images_stored", counters_.images_stored},
      {"images_already_held", counters_.images_already_held},
      {"image_bytes_received", counters_.image_bytes_received},
      {"image_chunks_received", counters_.image_chunks_received},
      {"image_chunks_stale", counters_.image_chunks_stale},
      {"image_hash_mismatches", counters_.image_hash_mismatches},
      {"images_refused", counters_.images_refused},
      {"image_frames_rejected", counters_.image_frames_rejected},
      {"images_waiting", counters_.images_waiting},
  };
}

}  // namespace capture::coord
