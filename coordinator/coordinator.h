// Coordinator: receives every station's events, stores them once and in order in the RecordStore,
// judges each stored item at once (judge::Judge) and stores its verdict with it, tells each station
// of its own anomalies, acknowledges events, and asks the agents to resend what went missing.
//
// One thread runs Run(): a zmq::poll loop over
//   SUB    bound to events_endpoint, subscribed to everything: Frame{event} live, Frame{heartbeat};
//   ROUTER bound to control_endpoint (router_mandatory + handover): Frame{hello}, Frame{event}
//          (resends), Frame{status_request}, Frame{resolve_request}, Frame{export_request},
//          Frame{dashboard_request}; it sends Frame{ack}, Frame{resend}, Frame{verdict},
//          Frame{status_reply}, Frame{resolve_reply}, Frame{export_reply}, Frame{dashboard_reply}.
// Each turn drains up to max_burst frames, adds its own observations (StationWatch: CLOCK_OFFSET,
// STATION_SILENT, STATION_BACK; REGISTRAR_RESOLVE for resolve requests), then commits everything
// in ONE synced write (group commit) in which the judge's verdict on every item lies beside the
// item, and only then answers: Frame{verdict} to each station's agent (its latest epoch) whose
// anomalies were raised or resolved, acks to the agent's connection (its route) for every stream
// that advanced, acks to hellos, status, resolve and export replies, and resend requests for gaps.
// An ack thus never covers an event that is not durably stored, and a station never hears of a
// verdict that is not stored. The verdicts and each station's progress go out through the station's
// outbox (station_outbox.h), which keeps what an agent cannot take now; after them, the answer to
// each hello brings the station's open anomalies (a Verdict with commit index 0), so that an agent
// that restarted shows them again. A coordinator that dies between a commit and the send loses
// them: the record and the exports still have every verdict.
//
// The stations' chains are checked before an event is stored, and their signed heads as they come
// (security/station_chains.h); who may send what is the security layer's (security/senders.h,
// security/gatekeeper.h). The registrar's requests are answered in control_service.cc.
//
// At start the judge is rebuilt by replaying the whole record; a record of store format 1 gets
// its missing verdicts then. The judge never runs ahead of the record: when a commit fails the
// loop stops with the error and the process exits, and a restart re-judges from the store.
//
// Bad input (undecodable, oversized, unknown version, bad event, unknown station, extra parts,
// a message not meant for that socket) is never stored: it is logged and counted in
// frames_rejected{reason="…"}, and the loop goes on. The same (station, epoch, seq) with other
// bytes is never stored either: it is counted (seq_conflicts) and recorded once per distinct hash
// as an Observation SEQ_CONFLICT.
//
// The record's tree (proof/tree_heads.h): rebuilt from the store at start in the replay's pass, and
// a start is refused when the store no longer leads to its newest signed head; each committed item's
// leaf is appended as it is written, and after a turn's commit a head is signed (at most every
// 200 ms, and once more on a clean stop) and stored beside the record. Every Ack and StatusReply
// carries the newest head's checkpoint line.
//
// Replication (replication/replicator.h): after each commit the replicator is told the commit index,
// and nothing else; it reads the committed items from the store on its own thread. Its state is in
// every StatusReply (replication_* counters). A clean stop gives it a few seconds to send the rest.
//
// Images: an ImageIntake (images/image_intake.h) runs beside this loop, on its own thread and
// socket, and its counters are in every StatusReply too. The answer to an agent's hello names its port.
//
// Counters (in every StatusReply): commits, events_received{station="N"} (every event frame that
// parses and names a schedule station, before any other check), events_stored{station="N"}, duplicates_ignored,
// seq_conflicts, resend_requests{station="N"}, events_dropped_buffer_full{station="N"},
// heartbeats{station="N"}, verdicts_sent{station="N"} and verdicts_dropped{station="N"} (frames),
// verdicts_waiting{station="N"} (frames now), anomalies_raised, anomalies_open, observations{kind="K"} (the coordinator's own, K an
// Observation kind), frames_received{socket="sub|router"}, frames_rejected{reason="R"} with R one of oversized,
// malformed, unknown_version, no_body, bad_event (common/frame.h), unknown_station, extra_parts,
// unexpected_message.
//
// The registrar's dashboard (coordinator/dashboard/) gets its views from this loop: the HTTP
// server's threads send Frame{dashboard_request} like any control client and never touch the judge.
// Every group commit is timed (commit batch size and latency histograms, for /metrics).
//
// Not thread-safe: construct, Start and Run on one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "common/schedule.h"
#include "common/status.h"
#include "common/transport.h"
#include "coordinator/dashboard/directory.h"
#include "coordinator/dashboard/loop_views.h"
#include "coordinator/dashboard/metrics.h"
#include "coordinator/images/image_intake.h"
#include "coordinator/judge/judge.h"
#include "coordinator/proof/tree_heads.h"
#include "coordinator/record_store.h"
#include "coordinator/replication/replicator.h"
#include "coordinator/security/enrolment.h"
#include "coordinator/security/gatekeeper.h"
#include "coordinator/security/senders.h"
#include "coordinator/security/station_chains.h"
#include "coordinator/sequence_tracker.h"
#include "coordinator/station_outbox.h"
#include "coordinator/day_end.h"
#include "coordinator/station_watch.h"

namespace capture::coord {

struct CoordinatorOptions {
  std::vector<int> stations;  // the schedule's stations: frames of any other station are rejected
  // The judge's inputs: the ones stored with the record (judge_inputs.h). The judge takes the
  // schedule and the roster; a Coordinator keeps no copy of them.
  Schedule schedule;
  Roster roster;
  wire::JudgeConfig judge_config;
  std::string events_endpoint = "tcp://127.0.0.1:5701";
  std::string control_endpoint = "tcp://127.0.0.1:5702";
  // The image socket (images/image_intake.h); its port goes to the agents in every Ack.
  std::string images_endpoint = "tcp://127.0.0.1:*";
  std::string store_dir;  // the store's folder: images are filed in store_dir/images
  // CURVE on every socket with the coordinator's identity; a null identity is plain text (--insecure).
  // The same identity signs the record's tree heads; in plain text none are signed.
  ServerSecurity security;
  // Admitted besides the stations' keys: the registrar's (capturectl, the dashboard).
  std::optional<PublicKey> registrar_key;
  // The stations' keys from the enrolment file; the record's key changes are replayed onto it.
  Enrolment enrolment;
  // New (station, epoch) streams a station may open; what is beyond is refused (epoch_limit).
  size_t max_epochs_per_station = 32;
  // received_time_us is the highest station_time_us of the events seen instead of the system clock,
  // so a simulated day has a consistent record. Not hellos' or heartbeats' times: an agent sends
  // those from its system clock until the simulator first sets its station clock.
  bool sim_time = false;
  // What a ResolveRequest must carry (<store>/registrar.token); empty: every resolve is refused.
  std::string registrar_token;
  size_t max_burst = 10'000;                        // frames drained before one commit
  std::chrono::milliseconds tick{100};              // longest wait between resend and silence checks
  std::chrono::milliseconds silent_after{3000};     // STATION_SILENT after this long without a heartbeat
  std::chrono::milliseconds clock_confirm{1000};    // a clock crossing the tolerance must stay across this long
  SequenceTracker::Options tracker;
  // Replicates the record to NATS JetStream as it is committed (replication/replicator.h); none
  // when unset.
  std::optional<replication::ReplicationOptions> replication;
  // The dashboard's digest of the schedule and roster (names), built before the judge takes them;
  // null when the dashboard is off: then only the metrics view is answered.
  std::shared_ptr<const dashboard::Directory> dashboard;
};

class Coordinator {
 public:
  // Restores the per-stream state from `store`, rebuilds the judge by replaying the record, opens
  // and binds both sockets, and starts the image intake.
  static Result<std::unique_ptr<Coordinator>> Start(CoordinatorOptions options, std::unique_ptr<RecordStore> store);
  ~Coordinator();

  // The bound addresses with `*` ports resolved.
  const std::string& events_endpoint() const { return events_endpoint_; }
  const std::string& control_endpoint() const { return control_endpoint_; }
  const std::string& images_endpoint() const { return intake_->endpoint(); }
  uint64_t commit_index() const { return store_->commit_index(); }
  // Null without CoordinatorOptions::replication.
  const replication::Replicator* replicator() const { return replicator_.get(); }

  // Runs until `stop_fd` (e.g. a signalfd) is readable: OK. An error only when the store or the
  // sockets fail; the caller exits and a restart recovers from the store.
  Status Run(int stop_fd);

 private:
  // Answers the tracker's duplicate-or-conflict question from the batch being built, then the store.
  class Lookup : public StoredEventLookup {
   public:
    explicit Lookup(const Coordinator* owner) : owner_(owner) {}
    Result<std::string> StoredBytes(const StreamId& stream, uint64_t seq) const override;

   private:
    const Coordinator* owner_;
  };

  // A resolve request whose observation is in the batch at `position`.
  struct PendingResolve {
    std::string peer;
    std::string anomaly_id;
    size_t position = 0;
  };
  // A close-day request whose observation is in the batch at `position`.
  struct PendingCloseDay {
    std::string peer;
    uint32_t station = 0;
    size_t position = 0;
  };
  // An enrolment request whose key change is in the batch at `position`.
  struct PendingEnrolment {
    std::string peer;
    wire::Observation change;
    size_t position = 0;
  };

  Coordinator(CoordinatorOptions options, std::unique_ptr<RecordStore> store);

  Status Restore();
  Status Bind();
  // One turn: drain, commit, answer.
  Status Turn();
  // The frame in `message`, or nullopt after counting and logging why it was rejected. `peer` is
  // the ROUTER peer, empty for the SUB socket: it names the sender in log lines.
  std::optional<wire::Frame> Decode(const Received& message);
  Status HandleSub(const Received& message);
  Status HandleRouter(const Received& message);
  Status HandleEvent(std::string&& event_bytes, const std::string& peer, const Sender& sender);
  void HandleHeartbeat(const wire::Heartbeat& heartbeat, const Sender& sender);
  void HandleHello(const Received& message, const wire::Hello& hello, const Sender& sender);
  // Whether `sender` may speak for `station` about `stream` (its own station, a stream within the
  // epoch limit); else the frame is rejected, counted and logged, and false.
  bool Vouches(const Sender& sender, const StreamId& stream, const std::string& peer, const std::string& what);
  // The admission the Gatekeeper needs for the enrolment now.
  Admission AdmissionNow() const;
  void Observe(wire::Observation observation);
  // Checks a station's signed head (from a heartbeat or hello) against its key and the record.
  void CheckHead(const wire::ChainHead& head, const StreamId& stream);
  // The head's hash against the stored (or batched) event it names; keeps it if it is the newest.
  Status CompareHead(const StreamId& stream, const wire::ChainHead& head);
  Status HandleConflict(const StreamId& stream, uint64_t seq, const std::string& bytes);
  // `parsed` is event.bytes parsed, or nullopt when not parsed yet.
  void Apply(const StreamId& stream, InOrderEvent event, std::optional<wire::CaptureEvent> parsed);
  Status Commit();
  // Commit() timed: the commit histograms and the dashboard's timeline learn of each group commit.
  Status TimedCommit();
  // Queues this turn's verdicts for the stations concerned, and each greeting agent its station's
  // open anomalies, and sends every station what it can take, and its progress where it changed.
  void PublishVerdicts();
  // The station's open anomalies now, as a Verdict with commit index 0.
  wire::Verdict OpenAnomalies(uint32_t station) const;
  void Answer();
  // The control service (control_service.cc): the registrar's requests, and the status.
  void HandleResolveRequest(const std::string& peer, const wire::ResolveRequest& request);
  void HandleEnrolRequest(const std::string& peer, const wire::EnrolRequest& request);
  void HandleCloseDayRequest(const std::string& peer, const wire::CloseDayRequest& request);
  void AnswerKeys(const std::string& peer);
  void AnswerResolves();
  void AnswerEnrolments();
  void AnswerCloseDays();
  void AnswerExports();
  void AnswerDashboards();
  wire::StatusReply BuildStatusReply() const;
  // The record's clock now: the system clock, or with sim_time the last stored item's time (the
  // day's midnight before the first).
  int64_t RecordNow() const;
  void SendResendRequests();
  void Reject(const std::string& reason, const std::string& peer, const std::string& detail);
  // Who sent a frame, for log lines: `peer` is the ROUTER peer, empty for the SUB socket.
  static std::string Origin(const std::string& peer);
  bool KnownStation(uint32_t station) const { return stations_.count(station) > 0; }
  // Tells the agent at `peer` that its station is not in the schedule, and what to do.
  void RefuseHello(const std::string& peer, uint32_t station);
  // "A3 is already resolved by NAME at 09:12:05 (record item K): REASON"; NotFound while it is
  // open or unknown.
  Result<std::string> AlreadyResolved(const std::string& anomaly_id) const;
  void SeeStationTime(int64_t station_time_us);
  void Count(const std::string& name, uint64_t n = 1) { counters_[name] += n; }
  // The counters of a schedule station (KnownStation).
  struct StationCounters {
    uint64_t events_received = 0;
    uint64_t events_stored = 0;
    uint64_t resend_requests = 0;
    uint64_t events_dropped_buffer_full = 0;
    uint64_t heartbeats = 0;
    uint64_t hellos = 0;  // accepted: each is a connection (re)made by the station's agent
  };
  StationCounters& CountersOf(uint32_t station) { return station_counters_[station]; }

  CoordinatorOptions options_;
  DayEnd day_end_;  // before judge_, which takes the schedule
  std::set<uint32_t> stations_;
  std::unique_ptr<RecordStore> store_;
  std::unique_ptr<replication::Replicator> replicator_;  // reads store_: declared after it, so stopped first
  Lookup lookup_{this};

  SequenceTracker tracker_;
  std::unique_ptr<judge::Judge> judge_;
  std::unique_ptr<TreeHeads> heads_;  // the record's tree and its signed heads; set by Restore
  bool head_signed_ = false;          // this turn signed a head: every agent is sent it
  StationWatch watch_;
  std::map<uint32_t, uint64_t> latest_epoch_;  // per station: the epoch heard last
  // Per station: its agent's connection, once it said hello; the verdicts and progress it is sent.
  StationOutbox outbox_{[this](const std::string& peer, const std::string& bytes) {
    return TrySendTo(router_, peer, bytes);
  }};
  Enrolment enrolment_;
  SenderNames senders_;
  StationChains chains_;

  zmq::context_t context_;
  zmq::socket_t sub_;
  zmq::socket_t router_;
  std::string events_endpoint_;
  std::string control_endpoint_;

  // The current turn.
  RecordStore::Batch batch_;
  std::set<StreamId> advanced_;
  std::vector<std::pair<std::string, StreamId>> hellos_;  // peer, its stream
  std::vector<std::string> status_requesters_;
  std::vector<PendingResolve> resolves_;
  std::vector<PendingCloseDay> close_days_;
  std::vector<PendingEnrolment> enrolments_;
  std::vector<std::pair<std::string, wire::ExportRequest>> exports_;  // peer, its request
  std::vector<std::pair<std::string, wire::DashboardRequest>> dashboards_;  // peer, its request
  std::vector<wire::Verdict> verdicts_;  // of the items committed this turn, in commit order

  int64_t max_station_time_us_ = 0;
  // The counters bumped per event are plain fields, named only in BuildStatusReply; the rarer ones
  // are keyed by their exported name.
  std::map<uint32_t, StationCounters> station_counters_;
  uint64_t frames_received_sub_ = 0;
  uint64_t frames_received_router_ = 0;
  uint64_t duplicates_ignored_ = 0;
  std::map<std::string, uint64_t> counters_;

  std::unique_ptr<Gatekeeper> gatekeeper_;  // null in plain text; declared after context_: closed before it
  std::unique_ptr<ImageIntake> intake_;  // its own thread: images never wait on this loop, nor it on them

  dashboard::CommitMetrics commit_metrics_;
  std::unique_ptr<dashboard::LoopViews> dashboard_;  // null when the dashboard is off
};

}  // namespace capture::coord
