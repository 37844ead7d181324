#include "station-agent/agent.h"

#include <fcntl.h>
#include <signal.h>
#include <poll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <set>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "common/collection_code.h"
#include "common/chain_head.h"
#include "common/frame.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/transport.h"
#include "common/utf8.h"
#include "station-agent/camera_watch.h"
#include "station-agent/console_terminal.h"
#include "station-agent/image_shipper.h"
#include "common/image_store.h"
#include "station-agent/input_reader.h"
#include "station-agent/journal.h"
#include "station-agent/lines.h"
#include "station-agent/shot_name.h"
#include "station-agent/station.h"
#include "station-agent/station_clock.h"
#include "station-agent/witness.h"

namespace capture::agent {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A mistyped --camera-dir would be watched empty all day while the camera fills another folder.
Status CheckCameraFolder(const std::string& dir, bool create) {
  struct stat st{};
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    return Status::InvalidArgument("--camera-dir " + dir + " is not a folder: give the folder the camera writes into");
  }
  if (errno != ENOENT) return Status::IoError("cannot inspect --camera-dir " + dir + ": " + std::strerror(errno));
  if (create) return MakeDirs(dir);
  return Status::InvalidArgument("the camera folder " + dir +
                                 " does not exist: check --camera-dir (the folder the tethered camera writes into), "
                                 "or give --create-camera-dir to make it");
}

constexpr std::string_view kLog = "agent";
constexpr std::string_view kAgentVersion = "station-agent 1";
constexpr auto kHelloSilence = 2s;   // the coordinator counts as absent after this much silence
constexpr auto kHelloInterval = 1s;  // and is greeted this often while absent
constexpr size_t kMaxInputLine = 64 * 1024;
// Normally the coordinator answers a hello within 3 s of the last thing it sent, even when idle.
constexpr auto kSilenceShown = 5s;

Status Errno(const std::string& what) { return Status::IoError(what + ": " + std::strerror(errno)); }

bool ConsoleWanted(AgentOptions::Console mode) {
  if (mode != AgentOptions::Console::kAuto) return mode == AgentOptions::Console::kOn;
  const char* term = std::getenv("TERM");
  return ::isatty(STDOUT_FILENO) && !(term != nullptr && std::string_view(term) == "dumb");
}

// With the test hook `hold_ms`, SIGUSR1 too.
Result<int> BlockTerminationSignals(int hold_ms) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  if (hold_ms > 0) sigaddset(&set, SIGUSR1);
  if (pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) return Errno("cannot block SIGTERM/SIGINT");
  // A reader of stdout that went away must not kill the station: the journal still has everything.
  ::signal(SIGPIPE, SIG_IGN);
  const int fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) return Errno("cannot create signalfd");
  return fd;
}

// A named pipe is opened read-write so that writers may come and go without an end of file.
Result<int> OpenInput(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Errno("cannot open input " + path);
  const int flags = S_ISFIFO(st.st_mode) ? O_RDWR | O_NONBLOCK : O_RDONLY;
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Errno("cannot open input " + path);
  return fd;
}

template <typename List>
std::string JoinComma(const List& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ",") + v;
  return out;
}

// `anomaly station=N id=A3 severity=BLOCKER kind=SHOT_WITHOUT_CODE shots=IMG_0413.JPG
//  registry_nos=1042…,… message="…"`: the operator's news from the judge.
std::string FormatAnomalyLine(const wire::Anomaly& a) {
  std::vector<std::string> registry_nos;
  for (const wire::StudentRef& s : a.students()) registry_nos.push_back(s.registry_no());
  return "anomaly station=" + std::to_string(a.station()) + " id=" + QuoteValue(a.id()) +
         " severity=" + wire::Severity_Name(a.severity()) + " kind=" + wire::Anomaly::Kind_Name(a.kind()) +
         " shots=" + QuoteValue(JoinComma(a.shots())) + " registry_nos=" + QuoteValue(JoinComma(registry_nos)) +
         " message=" + QuoteValue(a.message());
}

// `resolved station=N id=A3 by=judge reason="…"`
std::string FormatResolvedLine(const wire::Resolution& r) {
  return "resolved station=" + std::to_string(r.station()) + " id=" + QuoteValue(r.anomaly_id()) +
         " by=" + QuoteValue(r.by()) + " reason=" + QuoteValue(r.reason());
}

}  // namespace

class Agent::Impl final : public StationOutput {
 public:
  Impl(AgentOptions options, int signal_fd)
      : options_(std::move(options)), signal_fd_(signal_fd), clock_(options_.sim_time) {}

  ~Impl() override {
    reader_.reset();  // it reads the input
    if (input_fd_ >= 0 && input_fd_ != STDIN_FILENO) ::close(input_fd_);
    ::close(signal_fd_);
  }

  Status Open();
  Status Run();

  void EventJournaled(const wire::CaptureEvent& event, std::string_view bytes) override {
    if (console_) {
      console_->state().Event(event);
    } else {
      PrintLine(FormatEventLine(event));
    }
    if (!Publish(EncodeEventFrame(bytes))) {
      LogWarn(kLog, "event " + std::to_string(event.seq()) + " not published now; the coordinator will ask for it");
    }
    if (event.kind() == wire::SHOT_TAKEN) shipper_->Journaled(ImageOf(event));
  }

  bool refused() const { return !refused_.ok(); }

  // The console says it in its language; the alert line of the line protocol stays English.
  void Alert(const Bilingual& sentence) override {
    if (console_) {
      console_->state().Alert(sentence.In(options_.language));
    } else {
      PrintLine(FormatAlertLine(options_.station, sentence.en));
    }
  }

 private:
  static void PrintLine(const std::string& line) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }

  static wire::ImageRef ImageOf(const wire::CaptureEvent& shot) {
    wire::ImageRef image;
    image.set_sha256(shot.shot().sha256());
    image.set_size_bytes(shot.shot().size_bytes());
    image.set_seq(shot.seq());
    return image;
  }
  // The images of the journal's SHOT_TAKEN events, in seq order, each in the image store: one that
  // a power cut took from the store (ImageStore::PutRestorable) is copied again from the camera
  // folder, where its bytes must still hash the same; one found nowhere is alerted.
  Result<std::vector<wire::ImageRef>> JournaledImages();
  // An error only when the store cannot take the restored copy (a full or failing disk).
  Status RestoreImage(const ImageStore& store, const wire::Shot& shot);
  // The camera's new files and the input that came before them: after each look at the camera the
  // reader is caught up with, so that no file overtakes a line typed before it landed, and a file
  // that landed meanwhile brings another look.
  Result<InputReader::Taken> TakeIn();
  Status HandleInput(InputReader::Taken taken);
  Status HandleInputLines(const Stamp& arrival);
  // One line, come at `arrival` (by the reader's stamp).
  Status HandleLine(std::string_view line, const Stamp& arrival);
  // Takes the camera's changed files in, to wait for the end of this wake-up (or its lines).
  Status ReadCamera();
  // Journals the waiting files taken before `taken_before` (all of them: nullopt), in the order
  // taken when that is known, else in the order they landed (untimed ones last).
  Status FlushFiles(std::optional<MicrosSinceEpoch> taken_before);
  // The stamp of a waiting file taken at `taken`, journaled now (`before_a_line`: ahead of a line).
  Stamp FileStamp(const std::optional<MicrosSinceEpoch>& taken, bool before_a_line) const;
  void ReadControl();
  void OnAck(const wire::Ack& ack);
  void OnRefusal(const wire::HelloRefusal& refusal);
  // A key that the coordinator's ZAP handler refuses fails the CURVE handshake, which libzmq only
  // reports on a monitor: the operator is told once per process.
  Status WatchHandshakes();
  void ReadHandshakes();
  void OnResend(const wire::ResendRequest& resend);
  void OnVerdict(const wire::Verdict& verdict);
  void OnProgress(const wire::StationProgress& progress);
  void RefreshConsole();
  // `goodbye`: the last one, as the agent stops cleanly.
  void SendHeartbeat(bool goodbye = false);
  // The station's chain head now: its last journaled event, signed with its key.
  wire::ChainHead SignedHead() const;
  void SendHello();
  Clock::time_point HelloDue() const;
  bool IsOurs(uint32_t station, uint64_t epoch, std::string_view what) const;

  AgentOptions options_;
  int signal_fd_;
  int input_fd_ = -1;
  std::unique_ptr<InputReader> reader_;
  bool input_ended_ = false;
  std::string input_buffer_;
  bool discarding_long_line_ = false;
  struct WaitingFile {
    std::string relative;                  // to the camera folder
    std::optional<MicrosSinceEpoch> taken;  // its capture time, once looked up (timed)
    bool timed = false;
  };
  std::vector<WaitingFile> waiting_files_;  // changed camera files, until the wake-up's end
  // A wake-up this much later than the poll's timeout means the loop was held up.
  static constexpr std::chrono::milliseconds kStallGap{1000};
  void NoteWakeUp(std::chrono::milliseconds timeout);
  std::optional<Clock::time_point> woke_at_;  // the last wake-up
  // In real time, this wake-up came late: the camera files that landed meanwhile are placed by
  // when they were taken, not by when the loop got to them.
  bool loop_held_ = false;
  // The input reader was held up too (the whole process was) since this station time: the lines
  // of this wake-up came at unknown moments after it. 0: not this wake-up.
  MicrosSinceEpoch held_since_us_ = 0;

  std::unique_ptr<Journal> journal_;
  StationClock clock_;
  std::unique_ptr<Station> station_;
  std::unique_ptr<CameraWatch> camera_;
  std::unique_ptr<ImageShipper> shipper_;
  std::optional<CheckpointWitness> witness_;  // keeps the coordinator's newest signed head

  // A live frame on the PUB socket; false when it could not be sent now.
  bool Publish(const std::string& frame) {
    if (drop_ && drop_->Drop()) return true;  // lost on the way, as far as anyone can tell
    return TrySend(pub_, frame);
  }

  zmq::context_t context_{1};
  std::optional<SendFaults> drop_;  // the test hook, when asked for
  std::shared_ptr<const Identity> identity_;  // the station's key: it signs the chain heads
  zmq::socket_t pub_;
  zmq::socket_t dealer_;
  zmq::socket_t handshakes_;  // the dealer's monitor (CURVE only)
  bool key_refusal_told_ = false;

  Clock::time_point next_heartbeat_;
  Clock::time_point last_heard_;
  Clock::time_point last_hello_;
  bool greeted_ = false;  // a hello went out since the start
  bool acked_ = false;    // the coordinator answered a hello of this process with an ack
  // Set when the coordinator's first answer refused the station: the agent stops with it.
  Status refused_;

  std::unique_ptr<ConsoleTerminal> console_;  // null: stdout carries the line protocol
  std::string current_class_;                 // as the coordinator last reported it
  std::set<std::string> printed_anomalies_;   // ids of the anomaly lines printed
};

Result<Identity> LoadStationIdentity(const AgentOptions& options) {
  const std::string path = options.identity_path.empty() ? options.journal_dir + "/station.key" : options.identity_path;
  bool created = false;
  auto identity = Identity::LoadOrCreate(path, &created);
  if (!identity.ok()) return Status(identity.status());
  if (created) LogInfo(kLog, "made the station's key " + path + ": enrol its public key " + KeyHex(identity->public_key()));
  return identity;
}

Status Agent::Impl::Open() {
  auto key = LoadSiteKey(options_.site_key_path);
  if (!key.ok()) return key.status();
  auto namer = options_.shot_pattern.empty() ? ShotNamer::Make() : ShotNamer::Make(options_.shot_pattern);
  if (!namer.ok()) return namer.status();

  if (options_.input_path.empty()) {
    input_fd_ = STDIN_FILENO;
  } else {
    auto fd = OpenInput(options_.input_path);
    if (!fd.ok()) return fd.status();
    input_fd_ = *fd;
  }

  auto reader = InputReader::Start(input_fd_);
  if (!reader.ok()) return reader.status();
  reader_ = std::move(*reader);

  auto journal = Journal::Open(options_.journal_dir, false);
  if (!journal.ok()) return journal.status();
  journal_ = std::move(*journal);
  LogInfo(kLog, "journal " + options_.journal_dir + " epoch " + EpochHex(journal_->epoch()) + " last_seq " +
                    std::to_string(journal_->last_seq()) + " acked " + std::to_string(journal_->acked_seq()));
  if (ConsoleWanted(options_.console)) {
    auto console = ConsoleTerminal::Open(STDOUT_FILENO, input_fd_ == STDIN_FILENO ? STDIN_FILENO : -1,
                                         options_.station, kMaxInputLine);
    if (!console.ok()) return console.status();
    console_ = std::move(*console);
    console_->state().last_seq = journal_->last_seq();
    console_->state().language = options_.language;
  }

  station_ = std::make_unique<Station>(
      StationConfig{options_.station, options_.operator_name, options_.camera_dir}, journal_.get(),
      ImageStore(options_.journal_dir), std::move(*namer), MakeDemoCodeDecoder(std::move(*key)), &clock_, this);
  if (Status st = station_->RebuildHistory(); !st.ok()) return st;

  if (Status st = CheckCameraFolder(options_.camera_dir, options_.create_camera_dir); !st.ok()) return st;
  auto camera = CameraWatch::Open(options_.camera_dir);
  if (!camera.ok()) return camera.status();
  camera_ = std::move(*camera);

  auto journaled = JournaledImages();
  if (!journaled.ok()) return journaled.status();
  auto identity = LoadStationIdentity(options_);
  if (!identity.ok()) return identity.status();
  identity_ = std::make_shared<const Identity>(*identity);
  ClientSecurity security;
  if (!options_.insecure) {
    auto coordinator_key = ReadPublicKey(options_.coordinator_key_path);
    if (!coordinator_key.ok()) {
      return Status::InvalidArgument("the coordinator's public key (--coordinator-key " + options_.coordinator_key_path +
                                     "): " + coordinator_key.status().message() +
                                     "; copy <store>/coordinator.pub from the coordinator");
    }
    security = {std::make_shared<const Identity>(*identity), *coordinator_key};
  }
  auto witness = CheckpointWitness::Open(
      journal_.get(), security.insecure() ? std::nullopt : std::optional<PublicKey>(security.server_key));
  if (!witness.ok()) return witness.status();
  witness_.emplace(std::move(*witness));
  auto shipper = ImageShipper::Start({options_.station, journal_->epoch(), options_.journal_dir, security},
                                     std::move(*journaled), journal_->acked_seq());
  if (!shipper.ok()) return shipper.status();
  shipper_ = std::move(*shipper);

  auto pub = OpenSocket(context_, zmq::socket_type::pub);
  if (!pub.ok()) return pub.status();
  pub_ = std::move(*pub);
  if (Status st = Secure(pub_, security); !st.ok()) return st;
  if (options_.test_drop_share > 0) drop_.emplace(options_.test_drop_share, options_.test_drop_seed);
  if (Status st = Connect(pub_, options_.events_endpoint); !st.ok()) return st;
  auto dealer = OpenSocket(context_, zmq::socket_type::dealer);
  if (!dealer.ok()) return dealer.status();
  dealer_ = std::move(*dealer);
  if (Status st = Secure(dealer_, security); !st.ok()) return st;
  if (Status st = QueueOnlyWhenConnected(dealer_); !st.ok()) return st;
  if (!options_.insecure) {
    if (Status st = WatchHandshakes(); !st.ok()) return st;
  }
  if (Status st = Connect(dealer_, options_.control_endpoint); !st.ok()) return st;

  // Images that landed while the agent was not running: the watch is already up, so nothing that
  // lands from now on is missed either. With --sim-time they wait for the first `!time`, which
  // says when (and in which zone) they were taken.
  auto existing = camera_->Scan();
  if (!existing.ok()) return existing.status();
  for (const std::string& file : *existing) {
    if (clock_.awaiting_time()) {
      waiting_files_.push_back({file, std::nullopt, false});
    } else if (Status st = station_->HandleFile(file); !st.ok()) {
      return st;
    }
  }

  if (!console_) {
    PrintLine(FormatReadyLine(options_.station, journal_->epoch(), journal_->last_seq(), identity->public_key()));
  }
  const auto now = Clock::now();
  last_heard_ = now;
  next_heartbeat_ = now;
  SendHello();
  return Status::Ok();
}

Result<std::vector<wire::ImageRef>> Agent::Impl::JournaledImages() {
  std::vector<wire::ImageRef> images;
  const ImageStore store(options_.journal_dir);
  Status restored;
  wire::CaptureEvent event;
  Status st = journal_->ForEachEvent(1, [&](uint64_t seq, std::string_view bytes) {
    if (!event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      LogWarn(kLog, "journal event " + std::to_string(seq) + " does not parse; its image, if any, is not shipped");
    } else if (event.kind() == wire::SHOT_TAKEN) {
      restored = RestoreImage(store, event.shot());
      images.push_back(ImageOf(event));
    }
    return restored.ok();
  });
  if (!st.ok()) return st;
  if (!restored.ok()) return restored;
  return images;
}

Status Agent::Impl::RestoreImage(const ImageStore& store, const wire::Shot& shot) {
  const std::optional<Sha256> sha = Sha256FromBytes(shot.sha256());
  if (!sha || store.Intact(*sha, shot.size_bytes())) return Status::Ok();
  const std::string original = options_.camera_dir + "/" + shot.file_name();
  auto bytes = ReadFile(original);
  if (bytes.ok() && ComputeSha256(*bytes) == *sha) {
    std::remove(store.PathFor(*sha).c_str());  // what the power cut left of it
    if (Status st = store.Put(*bytes, *sha); !st.ok()) return st;
    LogWarn(kLog, "image " + ToHex(*sha) + " of shot " + shot.file_name() +
                      " was missing from the image store (a power cut?); restored from " + original);
    return Status::Ok();
  }
  Alert({"the image of shot " + shot.file_name() + " (" + ToHex(*sha) +
             ") is lost: the station's image store no longer has it whole, and " + original +
             (bytes.ok() ? " holds other bytes" : " is gone") +
             ". Put the camera's original back in the camera folder under that name and start this agent again.",
         "照片 " + shot.file_name() + " 的图像（" + ToHex(*sha) + "）丢失了：本机位的图像库里没有完整的它，而 " + original +
             (bytes.ok() ? " 的内容不一样" : " 也不见了") +
             "。请把相机里的原始文件以这个名字放回相机文件夹，然后重新启动本代理程序。"});
  return Status::Ok();
}

Status Agent::Impl::Run() {
  for (;;) {
    if (console_) RefreshConsole();
    std::vector<zmq::pollitem_t> items = {
        {nullptr, signal_fd_, ZMQ_POLLIN, 0},
        {nullptr, camera_->fd(), ZMQ_POLLIN, 0},
        {dealer_.handle(), 0, ZMQ_POLLIN, 0},
    };
    if (!input_ended_) items.push_back({nullptr, reader_->fd(), ZMQ_POLLIN, 0});
    const size_t handshakes = items.size();
    if (handshakes_) items.push_back({handshakes_.handle(), 0, ZMQ_POLLIN, 0});

    const auto wake = std::min(next_heartbeat_, HelloDue());
    const auto timeout = std::max(0ms, std::chrono::ceil<std::chrono::milliseconds>(wake - Clock::now()));
    if (auto ready = Poll(items, timeout); !ready.ok()) return ready.status();
    NoteWakeUp(timeout);

    if (items[0].revents & ZMQ_POLLIN) {
      signalfd_siginfo info{};
      if (::read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info) && info.ssi_signo == SIGUSR1) {
        LogInfo(kLog, "test hook: the loop holds still for " + std::to_string(options_.test_hold_ms) + " ms");
        std::this_thread::sleep_for(std::chrono::milliseconds(options_.test_hold_ms));
        continue;
      }
      if (info.ssi_signo != 0) {
        LogInfo(kLog, std::string("received ") + strsignal(static_cast<int>(info.ssi_signo)) + "; stopping");
        // The last signed head goes out at stop, given a moment to leave (the sockets linger 0).
        pub_.set(zmq::sockopt::linger, 200);
        SendHeartbeat(/*goodbye=*/true);
        return Status::Ok();
      }
    }
    // The camera's new files wait while the input taken in the same wake-up is handled: a line typed
    // before an image landed (a code, a `!time`) takes effect before that image is journaled. With
    // --sim-time, or after the loop was held up, an image taken before a line's time goes in before
    // that line (FlushFiles); an image taken while the whole process was held up comes after its lines.
    // The poll's news may be old by now (the process may have been stopped since): the camera and
    // the input are taken in whatever it said.
    auto taken = TakeIn();
    if (!taken.ok()) return taken.status();
    if (Status st = HandleInput(std::move(*taken)); !st.ok()) return st;
    if (Status st = FlushFiles(std::nullopt); !st.ok()) return st;
    if (items[2].revents & ZMQ_POLLIN) ReadControl();
    if (handshakes_ && (items[handshakes].revents & ZMQ_POLLIN)) ReadHandshakes();
    if (!refused_.ok()) return refused_;

    const auto now = Clock::now();
    if (now >= next_heartbeat_) {
      SendHeartbeat();
      next_heartbeat_ = now + std::chrono::milliseconds(options_.heartbeat_ms);
    }
    if (now >= HelloDue()) SendHello();
  }
}

Result<InputReader::Taken> Agent::Impl::TakeIn() {
  InputReader::Taken taken;
  if (Status st = ReadCamera(); !st.ok()) return st;
  if (input_ended_) return taken;
  bool sync = !waiting_files_.empty() || loop_held_;
  for (;;) {
    if (sync) reader_->Sync();
    InputReader::Taken more = reader_->Take();
    std::move(more.pieces.begin(), more.pieces.end(), std::back_inserter(taken.pieces));
    taken.ended = more.ended;
    if (!more.error.empty()) taken.error = std::move(more.error);
    // A file that landed while the lines were taken may have followed lines not taken yet.
    const size_t files = waiting_files_.size();
    if (Status st = ReadCamera(); !st.ok()) return st;
    if (waiting_files_.size() == files || taken.ended) return taken;
    sync = true;
  }
}

Status Agent::Impl::HandleInput(InputReader::Taken taken) {
  Stamp last;
  for (InputReader::Piece& piece : taken.pieces) {
    if (console_ && console_->typing_here()) {
      input_buffer_ += console_->Typed(piece.bytes);
    } else {
      input_buffer_ += piece.bytes;
    }
    last = {piece.at_us, piece.held_since_us};
    if (piece.held_since_us != 0 && !clock_.sim_time()) {
      held_since_us_ = held_since_us_ == 0 ? piece.held_since_us : std::min(held_since_us_, piece.held_since_us);
      LogWarn(kLog, "the agent was held up: the input read at its return came at some moment since then");
    }
    if (Status st = HandleInputLines(last); !st.ok()) return st;
  }
  if (!taken.ended) return Status::Ok();
  if (!taken.error.empty()) LogWarn(kLog, taken.error);
  LogInfo(kLog, "input ended; still watching the camera folder");
  input_ended_ = true;
  // A last line without a newline still counts.
  const std::string rest = std::exchange(input_buffer_, {});
  if (discarding_long_line_) return Status::Ok();
  return HandleLine(rest, last);
}

Status Agent::Impl::HandleInputLines(const Stamp& arrival) {
  size_t start = 0;
  for (size_t end; (end = input_buffer_.find('\n', start)) != std::string::npos; start = end + 1) {
    if (discarding_long_line_) {
      discarding_long_line_ = false;
      continue;
    }
    if (Status st = HandleLine(std::string_view(input_buffer_).substr(start, end - start), arrival); !st.ok()) {
      return st;
    }
  }
  input_buffer_.erase(0, start);
  if (input_buffer_.size() > kMaxInputLine) {
    // Nothing this long is a code or a mark; its text is not shown, as it may be a code.
    Alert({"an input line longer than " + std::to_string(kMaxInputLine) + " bytes was discarded",
           "一行输入超过 " + std::to_string(kMaxInputLine) + " 字节，已丢弃"});
    input_buffer_.clear();
    discarding_long_line_ = true;
  }
  return Status::Ok();
}

Status Agent::Impl::ReadCamera() {
  auto changed = camera_->ReadChanges();
  if (!changed.ok()) return changed.status();
  for (std::string& file : *changed) waiting_files_.push_back({std::move(file), std::nullopt, false});
  return Status::Ok();
}

void Agent::Impl::NoteWakeUp(std::chrono::milliseconds timeout) {
  const auto now = Clock::now();
  // Far later than the last turn and the poll's timeout allow: the loop (a slow disk) or the whole
  // process (a frozen laptop, SIGSTOP) was held up, and the camera's files landed meanwhile. With
  // --sim-time the `!time` lines order everything anyway.
  loop_held_ = !clock_.sim_time() && woke_at_ && now - *woke_at_ > timeout + kStallGap;
  held_since_us_ = 0;
  if (loop_held_) {
    LogWarn(kLog, "the agent's loop was held up for " +
                      std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(now - *woke_at_ - timeout)
                                         .count()) +
                      " ms: the camera files that landed meanwhile go in by when they were taken");
  }
  woke_at_ = now;
}

Status Agent::Impl::HandleLine(std::string_view typed, const Stamp& arrival) {
  // A reader or keyboard in another encoding: what it typed is kept, its stray bytes as U+FFFD, so
  // that the event stays a record a protobuf string can carry (a code then reads as unreadable).
  std::string repaired;
  if (!IsValidUtf8(typed)) {
    Alert({"an input line had bytes that are not UTF-8; they are taken as \xEF\xBF\xBD (set the code reader to UTF-8)",
           "一行输入含有不是 UTF-8 的字节，已按 \xEF\xBF\xBD 处理（请把读码器设为 UTF-8）"});
    repaired = ValidUtf8(typed);
  }
  const std::string_view line = repaired.empty() ? typed : repaired;
  // With --sim-time the `!time` before a line is its time; the reader's stamp says nothing.
  const Stamp stamp = clock_.sim_time() ? Stamp{} : arrival;
  if (!waiting_files_.empty() && !StationRules::MakesNoEvent(line)) {
    if (clock_.sim_time()) {
      if (Status st = FlushFiles(clock_.Now()); !st.ok()) return st;
    } else if (loop_held_) {
      // Lines of a held-up process came after their hold began: only images taken before it are before them.
      if (Status st = FlushFiles(stamp.arrived_after_us != 0 ? stamp.arrived_after_us : stamp.at_us); !st.ok()) {
        return st;
      }
    }
  }
  return station_->HandleLine(line, stamp);
}

Status Agent::Impl::FlushFiles(std::optional<MicrosSinceEpoch> taken_before) {
  if (clock_.awaiting_time()) return Status::Ok();
  const bool by_time = taken_before.has_value() || loop_held_;
  if (by_time) {
    for (WaitingFile& file : waiting_files_) {
      if (!file.timed) file.taken = station_->ImageTime(file.relative);
      file.timed = true;
    }
    std::stable_sort(waiting_files_.begin(), waiting_files_.end(), [](const WaitingFile& a, const WaitingFile& b) {
      return a.taken.has_value() && (!b.taken.has_value() || *a.taken < *b.taken);
    });
  }
  size_t due = waiting_files_.size();
  if (taken_before) {
    due = 0;
    while (due < waiting_files_.size() && waiting_files_[due].taken && *waiting_files_[due].taken < *taken_before) ++due;
  }
  std::vector<WaitingFile> flushed(std::make_move_iterator(waiting_files_.begin()),
                                   std::make_move_iterator(waiting_files_.begin() + static_cast<std::ptrdiff_t>(due)));
  waiting_files_.erase(waiting_files_.begin(), waiting_files_.begin() + static_cast<std::ptrdiff_t>(due));
  for (const WaitingFile& file : flushed) {
    if (Status st = station_->HandleFile(file.relative, FileStamp(file.taken, taken_before.has_value())); !st.ok()) {
      return st;
    }
  }
  return Status::Ok();
}

Stamp Agent::Impl::FileStamp(const std::optional<MicrosSinceEpoch>& taken, bool before_a_line) const {
  // With --sim-time an image put before a line of a backlog has its own time, not that line's.
  if (clock_.sim_time()) return before_a_line ? Stamp{taken.value_or(0), 0} : Stamp{};
  if (!loop_held_) return {};  // landed just now
  Stamp stamp;
  stamp.at_us = taken.value_or(0);
  // Taken while the reader was held up too: no time orders it with the lines read at its return.
  if (held_since_us_ != 0 && (!taken || *taken >= held_since_us_)) stamp.arrived_after_us = held_since_us_;
  return stamp;
}

bool Agent::Impl::IsOurs(uint32_t station, uint64_t epoch, std::string_view what) const {
  if (station == options_.station && epoch == journal_->epoch()) return true;
  LogWarn(kLog, std::string(what) + " for station " + std::to_string(station) + " epoch " + EpochHex(epoch) +
                    " ignored: this is station " + std::to_string(options_.station) + " epoch " +
                    EpochHex(journal_->epoch()));
  return false;
}

void Agent::Impl::ReadControl() {
  while (auto received = TryRecv(dealer_, false)) {
    last_heard_ = Clock::now();
    auto decoded = DecodeFrame(received->bytes);
    if (auto* error = std::get_if<FrameError>(&decoded)) {
      LogWarn(kLog, std::string("frame from the coordinator rejected (") + RejectionName(error->reason) +
                        "): " + error->detail);
      continue;
    }
    const wire::Frame& frame = std::get<wire::Frame>(decoded);
    switch (frame.body_case()) {
      case wire::Frame::kAck:
        OnAck(frame.ack());
        break;
      case wire::Frame::kResend:
        OnResend(frame.resend());
        break;
      case wire::Frame::kVerdict:
        OnVerdict(frame.verdict());
        break;
      case wire::Frame::kStationProgress:
        OnProgress(frame.station_progress());
        break;
      case wire::Frame::kHelloRefusal:
        OnRefusal(frame.hello_refusal());
        break;
      default:
        LogWarn(kLog, "unexpected frame from the coordinator (body " + std::to_string(frame.body_case()) + ")");
        break;
    }
  }
}

void Agent::Impl::OnAck(const wire::Ack& ack) {
  if (!IsOurs(ack.station(), ack.epoch(), "ack")) return;
  acked_ = true;
  const uint64_t stored = std::min(ack.stored_seq(), journal_->last_seq());
  if (Status st = journal_->SetAcked(stored); !st.ok()) {
    LogWarn(kLog, st.message());  // only costs resends after a restart
  }
  shipper_->Acked(stored);
  // A refused head is news for the registrar: the coordinator's record went back or was rewritten.
  if (Status st = witness_->Offer(ack.checkpoint()); !st.ok()) {
    Alert({st.message(), "协调器签名的记录与本机位见过的不符，请告知登记员（" + st.message() + "）"});
  }
  if (ack.images_port() != 0) shipper_->ConnectTo(WithPort(options_.control_endpoint, std::to_string(ack.images_port())));
}

Status Agent::Impl::WatchHandshakes() {
  static constexpr const char* kEndpoint = "inproc://control-handshakes";
  if (zmq_socket_monitor(dealer_.handle(), kEndpoint, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) != 0) {
    return Status::IoError(std::string("cannot watch the control socket's handshakes: ") + zmq_strerror(zmq_errno()));
  }
  auto monitor = OpenSocket(context_, zmq::socket_type::pair);
  if (!monitor.ok()) return monitor.status();
  handshakes_ = std::move(*monitor);
  return Connect(handshakes_, kEndpoint);
}

void Agent::Impl::ReadHandshakes() {
  // Each event is two parts: the event number and a value (6 bytes), then the peer's address.
  while (auto event = TryRecv(handshakes_, false)) {
    (void)TryRecv(handshakes_, false);  // the coordinator's address: there is one
    if (event->bytes.size() < 6 || key_refusal_told_) continue;
    uint16_t kind = 0;
    std::memcpy(&kind, event->bytes.data(), sizeof kind);
    if (kind != ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) continue;
    key_refusal_told_ = true;
    const std::string key = KeyHex(identity_->public_key());
    const std::string station = std::to_string(options_.station);
    const std::string enrol = "capturectl enroll --station " + station + " --key " + key;
    Alert({"the coordinator refused this station's key " + key + ": it is not enrolled for station " + station +
               ". The registrar enrols it: " + enrol +
               "; then start this agent again (it journals meanwhile, and sends everything once it connects)",
           "协调器拒绝了本机位的密钥 " + key + "：它没有登记为机位 " + station + " 的密钥。请登记员登记：" + enrol +
               "；然后重新启动本代理程序（在此期间它照常记入日志，连上后会发送全部内容）"});
  }
}

void Agent::Impl::OnRefusal(const wire::HelloRefusal& refusal) {
  const std::string station = std::to_string(refusal.station());
  const Bilingual sentence{"the coordinator refused station " + station + ": " + refusal.message(),
                           "协调器拒绝了机位 " + station + "：" + Bilingual{refusal.message(), refusal.message_zh()}.In(Language::kZh)};
  Alert(sentence);
  // At start nothing is lost by stopping, and a wrong --station is best fixed before the first
  // student. Later (the coordinator restarted on another schedule) the station keeps journaling.
  if (!acked_) refused_ = Status::InvalidArgument(sentence.en);
}

void Agent::Impl::OnResend(const wire::ResendRequest& resend) {
  if (!IsOurs(resend.station(), resend.epoch(), "resend request")) return;
  const uint64_t first = std::max<uint64_t>(resend.first_seq(), 1);
  const uint64_t last = std::min(resend.last_seq(), journal_->last_seq());
  uint64_t sent = 0;
  bool blocked = false;
  Status st = journal_->ForEachEvent(first, [&](uint64_t seq, std::string_view bytes) {
    if (seq > last) return false;
    if (!TrySend(dealer_, EncodeEventFrame(bytes))) {
      blocked = true;
      return false;
    }
    ++sent;
    return true;
  });
  if (!st.ok()) LogError(kLog, "resend failed: " + st.message());
  LogInfo(kLog, "resent " + std::to_string(sent) + " events from seq " + std::to_string(first) +
                    (blocked ? " (stopped: the connection is full)" : ""));
}

void Agent::Impl::OnVerdict(const wire::Verdict& verdict) {
  // The coordinator sends a station only its own; anything else is not this operator's to see.
  if (console_) {
    console_->state().Verdict(verdict);
    return;
  }
  for (const wire::Anomaly& a : verdict.raised()) {
    // Open anomalies come again after each hello: each is printed once by this process.
    if (a.station() == options_.station && printed_anomalies_.insert(a.id()).second) PrintLine(FormatAnomalyLine(a));
  }
  for (const wire::Resolution& r : verdict.resolved()) {
    if (r.station() == options_.station) PrintLine(FormatResolvedLine(r));
  }
}

void Agent::Impl::OnProgress(const wire::StationProgress& progress) {
  if (progress.station() != options_.station) {
    LogWarn(kLog, "progress of station " + std::to_string(progress.station()) + " ignored: this is station " +
                      std::to_string(options_.station));
    return;
  }
  if (progress.current_class() != current_class_) {
    current_class_ = progress.current_class();
    LogInfo(kLog, "the coordinator counts class '" + current_class_ + "' as this station's current class");
  }
  if (console_) console_->state().Progress(progress);
}

void Agent::Impl::RefreshConsole() {
  const auto silent = std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - last_heard_);
  console_->state().coordinator_silent_s =
      silent >= kSilenceShown ? std::optional<int64_t>(silent.count()) : std::nullopt;
  console_->Refresh();
}

void Agent::Impl::SendHeartbeat(bool goodbye) {
  wire::Frame frame;
  wire::Heartbeat* hb = frame.mutable_heartbeat();
  hb->set_station(options_.station);
  hb->set_epoch(journal_->epoch());
  hb->set_last_seq(journal_->last_seq());
  hb->set_station_time_us(clock_.Now());
  hb->set_goodbye(goodbye);
  if (journal_->last_seq() > 0) *hb->mutable_head() = SignedHead();
  Publish(EncodeFrame(std::move(frame)));  // a lost heartbeat is replaced by the next
}

wire::ChainHead Agent::Impl::SignedHead() const {
  return SignChainHead(*identity_, options_.station, journal_->epoch(), journal_->last_seq(), journal_->last_hash(),
                       clock_.Now());
}

void Agent::Impl::SendHello() {
  wire::Frame frame;
  wire::Hello* hello = frame.mutable_hello();
  hello->set_station(options_.station);
  hello->set_epoch(journal_->epoch());
  hello->set_last_seq(journal_->last_seq());
  hello->set_station_time_us(clock_.Now());
  hello->set_agent_version(std::string(kAgentVersion));
  if (journal_->last_seq() > 0) *hello->mutable_head() = SignedHead();
  // Refused while the connection is down; unanswered, it is sent again.
  if (TrySend(dealer_, EncodeFrame(std::move(frame)))) greeted_ = true;
  last_hello_ = Clock::now();
}

Clock::time_point Agent::Impl::HelloDue() const {
  // The first hello is retried at the heartbeat pace until the connection takes it, so a running
  // coordinator hears of a (re)started agent at once.
  if (!greeted_) return last_hello_ + std::chrono::milliseconds(options_.heartbeat_ms);
  return std::max(last_heard_ + kHelloSilence, last_hello_ + kHelloInterval);
}

Agent::Agent(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Agent::~Agent() = default;

Result<std::unique_ptr<Agent>> Agent::Start(const AgentOptions& options) {
  auto signal_fd = BlockTerminationSignals(options.test_hold_ms);
  if (!signal_fd.ok()) return signal_fd.status();
  auto impl = std::make_unique<Impl>(options, *signal_fd);
  if (Status st = impl->Open(); !st.ok()) return st;
  return std::unique_ptr<Agent>(new Agent(std::move(impl)));
}

Status Agent::Run() { return impl_->Run(); }
bool Agent::refused() const { return impl_->refused(); }

}  // namespace capture::agent
