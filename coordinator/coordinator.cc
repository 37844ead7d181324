#include "coordinator/coordinator.h"

#include <algorithm>
#include <chrono>
#include <variant>

#include "common/frame.h"
#include "common/log.h"
#include "common/sha256.h"
#include "coordinator/audit.h"
#include "coordinator/verdict_feed.h"

namespace capture::coord {

namespace {

constexpr char kLog[] = "coordinator";
// What a clean stop gives the replicator to send the rest of the record.
constexpr std::chrono::seconds kReplicationDrain{5};

std::string EventWhere(const wire::CaptureEvent& ev) {
  return Describe({ev.station(), ev.epoch()}) + " seq " + std::to_string(ev.seq());
}

// "ack", "status_reply", …: the frame's body field, for log lines.
std::string BodyName(const wire::Frame& frame) {
  const auto* field = wire::Frame::descriptor()->FindFieldByNumber(frame.body_case());
  return field ? field->name() : std::to_string(frame.body_case());
}

std::string KindLabel(wire::Observation::Kind kind) {
  return "{kind=\"" + wire::Observation::Kind_Name(kind) + "\"}";
}

int64_t SystemNowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string Coordinator::Origin(const std::string& peer) {
  return peer.empty() ? "the events socket" : "peer " + PeerName(peer) + " on the control socket";
}

Result<std::string> Coordinator::Lookup::StoredBytes(const StreamId& stream, uint64_t seq) const {
  if (const std::string* pending = owner_->batch_.FindEvent(stream, seq)) return *pending;
  return owner_->store_->EventBytes(stream, seq);
}

Coordinator::Coordinator(CoordinatorOptions options, std::unique_ptr<RecordStore> store)
    : options_(std::move(options)),
      day_end_(options_.schedule, options_.judge_config),
      store_(std::move(store)),
      tracker_(&lookup_, options_.tracker),
      judge_(std::make_unique<judge::Judge>(std::move(options_.schedule), std::move(options_.roster),
                                            options_.judge_config)),
      watch_({options_.judge_config.clock_skew_tolerance_us(), options_.silent_after, options_.clock_confirm,
              options_.sim_time}) {
  enrolment_ = std::move(options_.enrolment);
  for (int station : options_.stations) {
    stations_.insert(static_cast<uint32_t>(station));
    station_counters_[static_cast<uint32_t>(station)] = {};
  }
  for (const char* name : {"commits", "seq_conflicts"}) counters_[name] = 0;
  for (const auto& [stream, stored] : store_->streams()) tracker_.Restore(stream, stored);
  max_station_time_us_ = store_->last_received_time_us();
  if (options_.dashboard) {
    dashboard_ = std::make_unique<dashboard::LoopViews>(options_.dashboard,
                                                        [] { return std::chrono::steady_clock::now(); });
  }
}

Coordinator::~Coordinator() = default;

Result<std::unique_ptr<Coordinator>> Coordinator::Start(CoordinatorOptions options,
                                                        std::unique_ptr<RecordStore> store) {
  std::unique_ptr<Coordinator> c(new Coordinator(std::move(options), std::move(store)));
  if (Status s = c->Restore(); !s.ok()) return s;
  if (c->options_.replication) c->replicator_ = replication::Replicator::Start(*c->options_.replication, *c->store_);
  const ServerSecurity& security = c->options_.security;
  if (!security.insecure()) {
    // Bound before any CURVE socket: without a ZAP handler libzmq would admit every key.
    auto gatekeeper = Gatekeeper::Open(&c->context_, c->AdmissionNow());
    if (!gatekeeper.ok()) return gatekeeper.status();
    c->gatekeeper_ = std::move(*gatekeeper);
  }
  if (Status s = c->Bind(); !s.ok()) return s;
  Coordinator* owner = c.get();
  auto intake = ImageIntake::Start({.endpoint = c->options_.images_endpoint,
                                    .store_dir = c->options_.store_dir,
                                    .context = &c->context_,
                                    .prepare = [owner](zmq::socket_t& socket) -> Status {
                                      if (Status s = Secure(socket, owner->options_.security); !s.ok()) return s;
                                      return owner->gatekeeper_ ? owner->gatekeeper_->Watch(socket, "images") : Status::Ok();
                                    }});
  if (!intake.ok()) return intake.status();
  c->intake_ = std::move(*intake);
  if (c->gatekeeper_) {
    if (Status s = c->gatekeeper_->Start(); !s.ok()) return s;
    if (Status s = c->gatekeeper_->SelfTest(c->control_endpoint_, security.identity->public_key()); !s.ok()) return s;
  }
  return c;
}

Admission Coordinator::AdmissionNow() const {
  Admission admission;
  auto admit = [&](const PublicKey& key, std::string user_id) {
    if (auto curve = CurvePublicOf(key); curve.ok()) admission.admitted[*curve] = std::move(user_id);
  };
  for (const auto& [station, key] : enrolment_.admitted()) admit(key, StationUserId(station, key));
  if (options_.registrar_key) admit(*options_.registrar_key, kRegistrarUserId);
  for (const KeyChange& change : enrolment_.history()) {
    if (!enrolment_.Withdrawn(change.key)) continue;
    if (auto curve = CurvePublicOf(change.key); curve.ok()) admission.withdrawn.insert(*curve);
  }
  return admission;
}

Status Coordinator::Restore() {
  auto heads = TreeHeads::Open(*store_, options_.security.identity);
  if (!heads.ok()) return heads.status();
  heads_ = std::move(*heads);
  const auto replay_each = [&](const wire::RecordItem& item, const wire::Verdict&) {
    watch_.Restore(item);
    day_end_.Restore(item);
    if (item.has_observation()) {
      // A key change the live coordinator recorded was checked then; one that fails now was refused then too.
      enrolment_.Apply(item.observation(), item.commit_index(), item.received_time_us()).IgnoreError();
    }
    if (dashboard_) dashboard_->Replayed(item, *judge_);
    if (item.has_event()) {
      wire::CaptureEvent event;
      if (event.ParseFromString(item.event())) latest_epoch_[event.station()] = event.epoch();
    }
  };
  if (Status replayed = Replay(*store_, *judge_, replay_each, heads_->Sink()); !replayed.ok()) return replayed;
  if (Status s = heads_->CheckRestored(store_->commit_index()); !s.ok()) return s;
  for (const auto& [stream, stored] : store_->streams()) {
    auto last = store_->EventBytes(stream, stored);
    if (!last.ok()) return last.status();
    chains_.Restore(stream, *last);
  }
  watch_.StartWatching(std::chrono::steady_clock::now());
  const auto& anomalies = judge_->anomalies();
  const auto open = std::count_if(anomalies.begin(), anomalies.end(), [](const auto& a) { return a.open(); });
  LogInfo(kLog, "judged the record again: " + std::to_string(store_->commit_index()) + " item(s), " +
                    std::to_string(anomalies.size()) + " anomalies raised, " + std::to_string(open) + " open");
  return Status::Ok();
}

Status Coordinator::Bind() {
  auto sub = OpenSocket(context_, zmq::socket_type::sub);
  if (!sub.ok()) return sub.status();
  sub_ = std::move(*sub);
  auto router = OpenSocket(context_, zmq::socket_type::router);
  if (!router.ok()) return router.status();
  router_ = std::move(*router);
  if (Status s = SubscribeAll(sub_); !s.ok()) return s;
  if (Status s = MakeRouterStrict(router_); !s.ok()) return s;
  for (auto [socket, name] : {std::pair{&sub_, "events"}, std::pair{&router_, "control"}}) {
    if (Status s = Secure(*socket, options_.security); !s.ok()) return s;
    if (gatekeeper_) {
      if (Status s = gatekeeper_->Watch(*socket, name); !s.ok()) return s;
    }
  }
  if (Status s = capture::Bind(sub_, options_.events_endpoint); !s.ok()) return s;
  if (Status s = capture::Bind(router_, options_.control_endpoint); !s.ok()) return s;
  auto events = LastEndpoint(sub_);
  if (!events.ok()) return events.status();
  auto control = LastEndpoint(router_);
  if (!control.ok()) return control.status();
  events_endpoint_ = *events;
  control_endpoint_ = *control;
  return Status::Ok();
}

Status Coordinator::Run(int stop_fd) {
  std::vector<zmq::pollitem_t> items = {
      {sub_.handle(), 0, ZMQ_POLLIN, 0},
      {router_.handle(), 0, ZMQ_POLLIN, 0},
      {nullptr, stop_fd, ZMQ_POLLIN, 0},
  };
  while (true) {
    auto ready = Poll(items, options_.tick);
    if (!ready.ok()) return ready.status();
    // A clean stop signs what the last turns committed, so that the head covers the whole record.
    if (items[2].revents & ZMQ_POLLIN) {
      Status signed_head =
          heads_->SignIfDue(*store_, std::chrono::steady_clock::now(), SystemNowMicros(), /*force=*/true).status();
      if (replicator_) replicator_->Stop(kReplicationDrain);
      return signed_head;
    }
    if (Status s = Turn(); !s.ok()) return s;
  }
}

Status Coordinator::Turn() {
  size_t drained = 0;
  bool more = true;
  // Alternate between the sockets so that neither starves the other within the bound.
  while (more && drained < options_.max_burst) {
    more = false;
    if (auto message = TryRecv(sub_, false)) {
      more = true;
      ++drained;
      if (Status s = HandleSub(*message); !s.ok()) return s;
    }
    if (auto message = TryRecv(router_, true)) {
      more = true;
      ++drained;
      if (Status s = HandleRouter(*message); !s.ok()) return s;
    }
  }
  for (wire::Observation& silent : watch_.Tick(std::chrono::steady_clock::now())) Observe(std::move(silent));
  for (wire::Observation& over : day_end_.Tick(RecordNow())) Observe(std::move(over));
  if (Status s = TimedCommit(); !s.ok()) return s;
  auto signed_head = heads_->SignIfDue(*store_, std::chrono::steady_clock::now(), SystemNowMicros());
  if (!signed_head.ok()) return signed_head.status();
  head_signed_ = *signed_head;
  PublishVerdicts();
  Answer();
  SendResendRequests();
  return Status::Ok();
}

std::optional<wire::Frame> Coordinator::Decode(const Received& message) {
  if (message.extra_parts > 0) {
    Reject("extra_parts", message.peer, std::to_string(message.extra_parts + 1) + " parts; a frame is one part");
    return std::nullopt;
  }
  auto decoded = DecodeFrame(message.bytes);
  if (auto* error = std::get_if<FrameError>(&decoded)) {
    Reject(RejectionName(error->reason), message.peer, error->detail);
    return std::nullopt;
  }
  return std::move(std::get<wire::Frame>(decoded));
}

Status Coordinator::HandleSub(const Received& message) {
  ++frames_received_sub_;
  std::optional<wire::Frame> decoded = Decode(message);
  if (!decoded) return Status::Ok();
  wire::Frame& frame = *decoded;
  const Sender& sender = senders_.Of(message.user_id, enrolment_);
  switch (frame.body_case()) {
    case wire::Frame::kEvent: return HandleEvent(std::move(*frame.mutable_event()), message.peer, sender);
    case wire::Frame::kHeartbeat: HandleHeartbeat(frame.heartbeat(), sender); return Status::Ok();
    default:
      Reject("unexpected_message", message.peer,
             "a Frame{" + BodyName(frame) + "} is not sent on the events socket");
      return Status::Ok();
  }
}

Status Coordinator::HandleRouter(const Received& message) {
  ++frames_received_router_;
  std::optional<wire::Frame> decoded = Decode(message);
  if (!decoded) return Status::Ok();
  wire::Frame& frame = *decoded;
  const Sender sender = senders_.Of(message.user_id, enrolment_);
  switch (frame.body_case()) {
    case wire::Frame::kEvent: return HandleEvent(std::move(*frame.mutable_event()), message.peer, sender);
    case wire::Frame::kHello: HandleHello(message, frame.hello(), sender); return Status::Ok();
    case wire::Frame::kStatusRequest: status_requesters_.push_back(message.peer); return Status::Ok();
    case wire::Frame::kKeysRequest: AnswerKeys(message.peer); return Status::Ok();
    case wire::Frame::kEnrolRequest:
    case wire::Frame::kResolveRequest:
    case wire::Frame::kCloseDayRequest:
    case wire::Frame::kExportRequest:
    case wire::Frame::kDashboardRequest: break;
    default:
      Reject("unexpected_message", message.peer,
             "a Frame{" + BodyName(frame) + "} is not sent on the control socket");
      return Status::Ok();
  }
  // The rest reads the roster's data or changes the record: the registrar's alone.
  if (!sender.registrar()) {
    Reject("not_registrar", message.peer,
           DescribeSender(sender) + " sent a Frame{" + BodyName(frame) + "}, which only the registrar may send");
    return Status::Ok();
  }
  switch (frame.body_case()) {
    case wire::Frame::kEnrolRequest: HandleEnrolRequest(message.peer, frame.enrol_request()); return Status::Ok();
    case wire::Frame::kResolveRequest: HandleResolveRequest(message.peer, frame.resolve_request()); return Status::Ok();
    case wire::Frame::kCloseDayRequest:
      HandleCloseDayRequest(message.peer, frame.close_day_request());
      return Status::Ok();
    case wire::Frame::kExportRequest: exports_.emplace_back(message.peer, frame.export_request()); return Status::Ok();
    case wire::Frame::kDashboardRequest:
      dashboards_.emplace_back(message.peer, std::move(*frame.mutable_dashboard_request()));
      return Status::Ok();
    default:
      Reject("unexpected_message", message.peer,
             "a Frame{" + BodyName(frame) + "} is not sent on the control socket");
      return Status::Ok();
  }
}

bool Coordinator::Vouches(const Sender& sender, const StreamId& stream, const std::string& peer,
                          const std::string& what) {
  if (!sender.speaks_for(stream.station)) {
    Reject(sender.role == Sender::Role::kWithdrawn ? "key_withdrawn" : "station_mismatch", peer,
           what + " of " + Describe(stream) + " came from " + DescribeSender(sender));
    return false;
  }
  if (!tracker_.Knows(stream)) {
    const auto streams = tracker_.Streams();
    const auto of_station = std::count_if(streams.begin(), streams.end(),
                                          [&](const auto& s) { return s.id.station == stream.station; });
    if (static_cast<size_t>(of_station) >= options_.max_epochs_per_station) {
      Reject("epoch_limit", peer, what + " of " + Describe(stream) + ": station " + std::to_string(stream.station) +
                                      " has " + std::to_string(of_station) + " epochs already, the most it may open");
      return false;
    }
  }
  return true;
}

Status Coordinator::HandleEvent(std::string&& event_bytes, const std::string& peer, const Sender& sender) {
  wire::CaptureEvent ev;
  if (!ev.ParseFromString(event_bytes)) {
    Reject(RejectionName(FrameRejection::kBadEvent), peer, "event does not parse");
    return Status::Ok();
  }
  // Counted before any check, once it says which station sent it.
  if (KnownStation(ev.station())) ++CountersOf(ev.station()).events_received;
  if (std::optional<FrameError> error = CheckEvent(ev)) {
    Reject(RejectionName(error->reason), peer, error->detail);
    return Status::Ok();
  }
  if (!KnownStation(ev.station())) {
    Reject("unknown_station", peer, "event of " + EventWhere(ev) + ": station is not in the schedule");
    return Status::Ok();
  }
  const StreamId stream{ev.station(), ev.epoch()};
  if (!Vouches(sender, stream, peer, "event seq " + std::to_string(ev.seq()))) return Status::Ok();
  SeeStationTime(ev.station_time_us());
  const uint64_t seq = ev.seq();
  latest_epoch_[stream.station] = stream.epoch;  // an agent of this epoch is running: it sent this
  auto offered = tracker_.Offer(stream, seq, std::move(event_bytes));
  if (!offered.ok()) return offered.status();
  switch (offered->outcome) {
    case OfferOutcome::kApplied: {
      // The offered event comes first, already parsed; the ones it released were parsed when they came.
      std::optional<wire::CaptureEvent> parsed(std::move(ev));
      for (InOrderEvent& ready : offered->applied) {
        if (!parsed) parsed = std::get<wire::CaptureEvent>(ParseEvent(ready.bytes));
        // Each event must link to the one stored before it: a stranger's copy breaks the station's chain.
        if (!chains_.Links(stream, *parsed)) {
          Reject("bad_link", peer,
                 "event " + EventWhere(*parsed) + " does not link to the event stored before it; asked for again");
          tracker_.Rewind(stream, ready.seq - 1);
          break;
        }
        chains_.Advance(stream, ready.bytes);
        Apply(stream, std::move(ready), std::exchange(parsed, std::nullopt));
      }
      if (auto head = chains_.TakeDue(stream, tracker_.stored(stream))) {
        if (Status s = CompareHead(stream, *head); !s.ok()) return s;
      }
      break;
    }
    case OfferOutcome::kDuplicate: ++duplicates_ignored_; break;
    case OfferOutcome::kConflict: return HandleConflict(stream, seq, event_bytes);
    case OfferOutcome::kBuffered: break;
    case OfferOutcome::kDropped:  // counted, not logged: a full buffer drops many; the resend path refills
      ++CountersOf(stream.station).events_dropped_buffer_full;
      break;
  }
  return Status::Ok();
}

void Coordinator::Apply(const StreamId& stream, InOrderEvent event, std::optional<wire::CaptureEvent> parsed) {
  if (event.seq == 1) {
    for (const auto& other : tracker_.Streams()) {
      if (other.id.station != stream.station || other.id.epoch == stream.epoch || other.stored == 0) continue;
      LogWarn(kLog, "station " + std::to_string(stream.station) + " started a new journal epoch " +
                        EpochHex(stream.epoch) + " after epoch " + EpochHex(other.id.epoch) + " (replaced laptop?)");
      wire::Observation obs;
      obs.set_kind(wire::Observation::EPOCH_STARTED);
      obs.set_station(stream.station);
      obs.set_epoch(stream.epoch);
      obs.set_detail("new journal epoch after epoch " + EpochHex(other.id.epoch));
      batch_.AddObservation(std::move(obs));
      break;
    }
  }
  if (!parsed) parsed = std::get<wire::CaptureEvent>(ParseEvent(event.bytes));  // it parsed when it came
  // An event well behind what the agent announced comes from its backlog: its time is not now.
  constexpr uint64_t kBacklog = 16;
  const bool live = event.seq + kBacklog >= tracker_.announced(stream);
  std::vector<wire::Observation> clock = watch_.Event(stream.station, stream.epoch, parsed->station_time_us(), live);
  batch_.AddEvent(stream, event.seq, std::move(event.bytes), std::move(*parsed));
  for (wire::Observation& o : clock) Observe(std::move(o));
  advanced_.insert(stream);
  ++CountersOf(stream.station).events_stored;
}

void Coordinator::CheckHead(const wire::ChainHead& head, const StreamId& stream) {
  const std::optional<PublicKey> key = enrolment_.KeyOf(stream.station);
  if (!key) return;  // plain text with no enrolment: there is no key to check it against
  if (Status s = StationChains::CheckSigned(head, stream, *key); !s.ok()) {
    Reject("bad_head", "", s.message());
    return;
  }
  if (head.seq() > tracker_.stored(stream)) {
    chains_.Hold(head);  // checked once the record has that seq
    return;
  }
  if (Status s = CompareHead(stream, head); !s.ok()) LogError(kLog, s.message());
}

Status Coordinator::CompareHead(const StreamId& stream, const wire::ChainHead& head) {
  auto bytes = lookup_.StoredBytes(stream, head.seq());
  if (!bytes.ok()) return bytes.status();
  switch (chains_.Compare(stream, head, *bytes)) {
    case StationChains::Compared::kHolds: return Status::Ok();
    case StationChains::Compared::kKeep: batch_.AddStationHead(head); return Status::Ok();
    case StationChains::Compared::kContradicts: break;
  }
  Count("chain_heads_contradicted");
  LogError(kLog, Describe(stream) + " signed seq " + std::to_string(head.seq()) + " with sha256 " +
                     ToHex(head.sha256()) + ", and the record holds other bytes there");
  wire::Observation obs;
  obs.set_kind(wire::Observation::HEAD_CONFLICT);
  obs.set_station(stream.station);
  obs.set_epoch(stream.epoch);
  obs.set_seq(head.seq());
  obs.set_sha256(head.sha256());
  obs.set_detail("the station's signed head contradicts the stored event");
  Observe(std::move(obs));
  return Status::Ok();
}

Status Coordinator::HandleConflict(const StreamId& stream, uint64_t seq, const std::string& bytes) {
  Count("seq_conflicts");
  const Sha256 hash = ComputeSha256(bytes);
  if (batch_.HasConflict(stream, seq, hash)) return Status::Ok();
  auto recorded = store_->HasConflict(stream, seq, hash);
  if (!recorded.ok()) return recorded.status();
  if (*recorded) return Status::Ok();
  LogError(kLog, Describe(stream) + " seq " + std::to_string(seq) + " arrived again with different content (sha256 " +
                     ToHex(hash) + "); the first version stays, this one is recorded as a conflict");
  wire::Observation obs;
  obs.set_kind(wire::Observation::SEQ_CONFLICT);
  obs.set_station(stream.station);
  obs.set_epoch(stream.epoch);
  obs.set_seq(seq);
  obs.set_sha256(AsBytes(hash));
  obs.set_detail("same sequence number, different bytes; not stored");
  // Both copies linking to the stored event before them: the chain cannot say which is the station's.
  wire::CaptureEvent copy;
  if (copy.ParseFromString(bytes)) {
    std::string expected;
    if (seq > 1) {
      auto before = lookup_.StoredBytes(stream, seq - 1);
      if (!before.ok()) return before.status();
      expected = AsBytes(ComputeSha256(*before));
    }
    obs.set_chain_undecided(copy.prev_sha256() == expected);
  }
  batch_.AddObservation(std::move(obs));
  return Status::Ok();
}

void Coordinator::HandleHeartbeat(const wire::Heartbeat& heartbeat, const Sender& sender) {
  if (!KnownStation(heartbeat.station())) {
    Reject("unknown_station", "",
           "heartbeat of " + Describe({heartbeat.station(), heartbeat.epoch()}) + ": station is not in the schedule");
    return;
  }
  if (!Vouches(sender, {heartbeat.station(), heartbeat.epoch()}, "", "heartbeat")) return;
  if (heartbeat.has_head()) CheckHead(heartbeat.head(), {heartbeat.station(), heartbeat.epoch()});
  ++CountersOf(heartbeat.station()).heartbeats;
  tracker_.Announce({heartbeat.station(), heartbeat.epoch()}, heartbeat.last_seq());
  latest_epoch_[heartbeat.station()] = heartbeat.epoch();
  for (wire::Observation& o : watch_.Heartbeat(heartbeat, SystemNowMicros(), std::chrono::steady_clock::now())) {
    Observe(std::move(o));
  }
}

void Coordinator::Observe(wire::Observation observation) {
  Count("observations" + KindLabel(observation.kind()));
  LogInfo(kLog, "station " + std::to_string(observation.station()) + ": " +
                    wire::Observation::Kind_Name(observation.kind()) +
                    (observation.kind() == wire::Observation::CLOCK_OFFSET
                         ? " " + std::to_string(observation.offset_us()) + " us"
                         : "") +
                    " (" + observation.detail() + ")");
  batch_.AddObservation(std::move(observation));
}

void Coordinator::HandleHello(const Received& message, const wire::Hello& hello, const Sender& sender) {
  const std::string& peer = message.peer;
  const StreamId stream{hello.station(), hello.epoch()};
  if (!KnownStation(hello.station())) {
    Reject("unknown_station", peer, "hello of " + Describe(stream) + ": station is not in the schedule");
    RefuseHello(peer, hello.station());
    return;
  }
  if (!Vouches(sender, stream, peer, "hello")) return;
  if (hello.has_head()) CheckHead(hello.head(), stream);
  const StationOutbox::Route* route = outbox_.RouteOf(stream.station);
  if (route && route->peer != peer && IdentifySender(route->user_id, enrolment_).role != Sender::Role::kWithdrawn) {
    // The station's connection still up (a send to it goes through) keeps the station: a second
    // process with the same key, or one that names itself like the agent, takes nothing of it.
    wire::Frame probe;
    wire::Ack* ack = probe.mutable_ack();
    ack->set_station(stream.station);
    ack->set_epoch(route->epoch);
    ack->set_stored_seq(tracker_.stored({stream.station, route->epoch}));
    ack->set_images_port(intake_->port());
    if (TrySendTo(router_, route->peer, EncodeFrame(std::move(probe)))) {
      Count("hellos_refused{reason=\"station_connected\"}");
      LogWarn(kLog, "refused a hello of " + Describe(stream) + " on a second connection: station " +
                        std::to_string(stream.station) + "'s agent is connected already");
      return;
    }
  }
  outbox_.Greet(stream.station, {peer, stream.epoch, message.user_id});
  ++CountersOf(stream.station).hellos;
  LogInfo(kLog, "hello from " + Describe(stream) + " (last seq " + std::to_string(hello.last_seq()) +
                    ", agent version '" + hello.agent_version() + "')");
  tracker_.Announce(stream, hello.last_seq());
  // The agent may have restarted and lost what we asked for before.
  tracker_.ForgetResendRequest(stream);
  hellos_.emplace_back(peer, stream);
  latest_epoch_[hello.station()] = hello.epoch();
}

void Coordinator::RefuseHello(const std::string& peer, uint32_t station) {
  std::string known;
  for (const uint32_t number : stations_) known += (known.empty() ? "" : ", ") + std::to_string(number);
  wire::Frame frame;
  wire::HelloRefusal* refusal = frame.mutable_hello_refusal();
  refusal->set_station(station);
  refusal->set_reason("unknown_station");
  const std::string number = std::to_string(station);
  refusal->set_message("the coordinator's schedule has no station " + number + " (it has " + known +
                       "): start the agent again with --station set to this camera's station number");
  refusal->set_message_zh("协调器的时间表里没有机位 " + number + "（只有 " + known +
                          "）：请用本相机的机位号作为 --station 重新启动代理程序");
  // Best effort: an agent that missed it says hello again and is told again.
  TrySendTo(router_, peer, EncodeFrame(std::move(frame)));
}

void Coordinator::SeeStationTime(int64_t station_time_us) {
  max_station_time_us_ = std::max(max_station_time_us_, station_time_us);
}

Status Coordinator::Commit() {
  if (batch_.empty()) return Status::Ok();
  const bool has_items = batch_.size() > 0;  // else only stations' heads, kept beside the record
  const int64_t received = options_.sim_time ? max_station_time_us_ : SystemNowMicros();
  const ItemJudge judge = [this](const wire::RecordItem& item,
                                 const wire::CaptureEvent* event) -> const wire::Verdict& {
    wire::Verdict& verdict = verdicts_.emplace_back();
    judge_->Apply(item, event, &verdict);
    return verdict;
  };
  if (Status s = store_->Commit(std::move(batch_), received, judge, heads_->Sink()); !s.ok()) {
    LogError(kLog, "commit failed, stopping so that a restart recovers from the store: " + s.message());
    return s;
  }
  if (has_items) Count("commits");
  batch_ = RecordStore::Batch();
  return Status::Ok();
}

wire::Verdict Coordinator::OpenAnomalies(uint32_t station) const {
  wire::Verdict open;
  for (const judge::AnomalyState& a : judge_->anomalies()) {
    if (a.open() && a.anomaly.station() == station) *open.add_raised() = a.anomaly;
  }
  return open;
}

void Coordinator::PublishVerdicts() {
  for (const wire::Verdict& verdict : verdicts_) {
    for (uint32_t station : ConcernedStations(verdict)) {
      if (KnownStation(station)) outbox_.Queue(station, verdict);
    }
  }
  for (const auto& [peer, stream] : hellos_) {
    if (KnownStation(stream.station) && latest_epoch_[stream.station] == stream.epoch) {
      outbox_.Queue(stream.station, OpenAnomalies(stream.station));
    }
  }
  outbox_.FlushVerdicts();
  outbox_.PublishProgress(!verdicts_.empty(), std::chrono::steady_clock::now(), stations_,
                          [this] { return judge_->Progress(); });
}

Status Coordinator::TimedCommit() {
  const size_t items = batch_.size();
  const size_t events = batch_.events();
  const uint64_t first = store_->commit_index() + 1;
  const auto started = std::chrono::steady_clock::now();
  if (Status s = Commit(); !s.ok()) return s;
  if (items == 0) return Status::Ok();
  if (replicator_) replicator_->Committed(store_->commit_index());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  commit_metrics_.Observe(items, seconds);
  if (dashboard_) {
    dashboard_->Committed(first, store_->commit_index(), store_->last_received_time_us(), events, seconds, *judge_);
  }
  return Status::Ok();
}

int64_t Coordinator::RecordNow() const {
  if (!options_.sim_time) return SystemNowMicros();
  // Before the first item a simulated day has not begun: its midnight stands for "before it".
  const int64_t last = store_->last_received_time_us();
  return last != 0 ? last : options_.judge_config.local_midnight_us();
}

void Coordinator::Answer() {
  // Every ack names the image port: an agent that missed a restart of this coordinator learns the
  // new one without waiting to say hello.
  auto ack = [this](const std::string& peer, const StreamId& stream) {
    wire::Frame frame;
    wire::Ack* a = frame.mutable_ack();
    a->set_station(stream.station);
    a->set_epoch(stream.epoch);
    a->set_stored_seq(tracker_.stored(stream));
    a->set_images_port(intake_->port());
    a->set_checkpoint(heads_->newest());
    TrySendTo(router_, peer, EncodeFrame(std::move(frame)));  // an absent agent hears at its next hello
  };
  for (const StreamId& stream : advanced_) {
    if (const std::string* peer = outbox_.AgentPeer(stream)) ack(*peer, stream);
  }
  for (const auto& [peer, stream] : hellos_) {
    const std::string* agent = outbox_.AgentPeer(stream);
    if (!advanced_.count(stream) || !agent || *agent != peer) ack(peer, stream);
  }
  // A new head goes to every agent now, not with its station's next event: an idle station
  // witnesses the record as it is, too.
  if (head_signed_) {
    for (const auto& [station, route] : outbox_.routes()) {
      if (!advanced_.count({station, route.epoch})) ack(route.peer, {station, route.epoch});
    }
  }
  if (!status_requesters_.empty()) {
    wire::Frame frame;
    *frame.mutable_status_reply() = BuildStatusReply();
    const std::string bytes = EncodeFrame(std::move(frame));
    for (const std::string& peer : status_requesters_) TrySendTo(router_, peer, bytes);
  }
  AnswerResolves();
  AnswerCloseDays();
  AnswerEnrolments();
  AnswerExports();
  AnswerDashboards();
  advanced_.clear();
  hellos_.clear();
  status_requesters_.clear();
  resolves_.clear();
  close_days_.clear();
  enrolments_.clear();
  exports_.clear();
  dashboards_.clear();
  verdicts_.clear();
}

void Coordinator::SendResendRequests() {
  const SteadyTime now = std::chrono::steady_clock::now();
  for (const auto& state : tracker_.Streams()) {
    auto range = tracker_.NextResend(state.id, now);
    if (!range) continue;
    wire::Frame frame;
    wire::ResendRequest* r = frame.mutable_resend();
    r->set_station(state.id.station);
    r->set_epoch(state.id.epoch);
    r->set_first_seq(range->first);
    r->set_last_seq(range->last);
    const std::string* peer = outbox_.AgentPeer(state.id);
    if (peer && TrySendTo(router_, *peer, EncodeFrame(std::move(frame)))) {
      ++CountersOf(state.id.station).resend_requests;
      LogInfo(kLog, "asked " + Describe(state.id) + " to resend seq " + std::to_string(range->first) + ".." +
                        std::to_string(range->last));
    }
  }
}

void Coordinator::Reject(const std::string& reason, const std::string& peer, const std::string& detail) {
  Count("frames_rejected{reason=\"" + reason + "\"}");
  LogWarn(kLog, "rejected a frame from " + Origin(peer) + " (" + reason + "): " + detail);
}

}  // namespace capture::coord
