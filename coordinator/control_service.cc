// The control service: the registrar's requests on the control socket (resolve, close-day, enrol, keys,
// exports, dashboard views) and the status every control client may ask for. Requests that change
// the record become observations in the turn's batch and are answered once it is committed
// (Coordinator::Answer); the rest are answered from the judge and the store as they are.
#include "coordinator/coordinator.h"

#include <algorithm>

#include "common/frame.h"
#include "common/log.h"
#include "common/time_format.h"
#include "coordinator/judge/export.h"

namespace capture::coord {

namespace {

constexpr char kLog[] = "coordinator";

std::string StationLabel(uint32_t station) { return "{station=\"" + std::to_string(station) + "\"}"; }

// Tells `peer` that its request changed nothing, and why; `reply` picks the frame's reply body.
template <typename Reply>
void RefuseRequest(zmq::socket_t& router, const std::string& peer, Reply* (wire::Frame::*reply)(),
                   const std::string& why, bool token_refused = false) {
  wire::Frame frame;
  Reply* body = (frame.*reply)();
  body->set_ok(false);
  body->set_token_refused(token_refused);
  body->set_message(why + "; nothing was recorded");
  TrySendTo(router, peer, EncodeFrame(std::move(frame)));
}

constexpr const char* kWrongToken =
    "the registrar token is wrong: give --token-file the coordinator's <store>/registrar.token";

}  // namespace

void Coordinator::HandleResolveRequest(const std::string& peer, const wire::ResolveRequest& request) {
  auto refuse = [&](const std::string& why) { RefuseRequest(router_, peer, &wire::Frame::mutable_resolve_reply, why); };
  const std::string& token = options_.registrar_token;
  if (!SecretsEqual(request.token(), token)) {
    Count("resolve_requests_refused");
    LogWarn(kLog, "refused a resolve request without the registrar token from " + Origin(peer));
    return RefuseRequest(router_, peer, &wire::Frame::mutable_resolve_reply, kWrongToken, /*token_refused=*/true);
  }
  if (request.anomaly_id().empty() || request.reason().empty()) {
    return refuse("a resolution needs an anomaly id and a reason");
  }
  // A second resolution would only raise an INFO that says so; the first one stands.
  if (Result<std::string> done = AlreadyResolved(request.anomaly_id()); done.ok()) return refuse(*done);
  for (const PendingResolve& pending : resolves_) {
    if (pending.anomaly_id == request.anomaly_id()) {
      return refuse(request.anomaly_id() + " is being resolved by another request just now");
    }
  }
  wire::Observation obs;
  obs.set_kind(wire::Observation::REGISTRAR_RESOLVE);
  obs.set_anomaly_id(request.anomaly_id());
  obs.set_detail(request.reason());
  obs.set_by(request.by().empty() ? "registrar" : request.by());
  resolves_.push_back({peer, request.anomaly_id(), batch_.size()});
  Observe(std::move(obs));
}

Result<std::string> Coordinator::AlreadyResolved(const std::string& anomaly_id) const {
  for (const judge::AnomalyState& state : judge_->anomalies()) {
    if (state.anomaly.id() != anomaly_id) continue;
    if (state.open()) break;
    const wire::Resolution& r = *state.resolution;
    std::string when = "record item " + std::to_string(r.commit_index());
    if (auto item = store_->ItemAt(r.commit_index()); item.ok()) {
      const wire::JudgeConfig& config = options_.judge_config;
      when = FormatIso8601(item->received_time_us(), config.utc_offset_minutes()).substr(11, 8) + " (" + when + ")";
    }
    return anomaly_id + " is already resolved by " + r.by() + " at " + when + ": " + r.reason();
  }
  return Status::NotFound(anomaly_id + " is not resolved");
}

void Coordinator::HandleCloseDayRequest(const std::string& peer, const wire::CloseDayRequest& request) {
  auto refuse = [&](const std::string& why) { RefuseRequest(router_, peer, &wire::Frame::mutable_close_day_reply, why); };
  if (!SecretsEqual(request.token(), options_.registrar_token)) {
    Count("close_day_requests_refused");
    LogWarn(kLog, "refused a close-day request without the registrar token from " + Origin(peer));
    return RefuseRequest(router_, peer, &wire::Frame::mutable_close_day_reply, kWrongToken, /*token_refused=*/true);
  }
  if (request.station() != 0 && !KnownStation(request.station())) {
    return refuse("station " + std::to_string(request.station()) + " is not in the schedule");
  }
  wire::Observation obs;
  obs.set_kind(wire::Observation::DAY_CLOSED);
  obs.set_station(request.station());
  obs.set_by(request.by().empty() ? "registrar" : request.by());
  close_days_.push_back({peer, request.station(), batch_.size()});
  Observe(std::move(obs));
}

void Coordinator::HandleEnrolRequest(const std::string& peer, const wire::EnrolRequest& request) {
  auto refuse = [&](const std::string& why) { RefuseRequest(router_, peer, &wire::Frame::mutable_enrol_reply, why); };
  if (!SecretsEqual(request.token(), options_.registrar_token)) {
    Count("enrol_requests_refused");
    LogWarn(kLog, "refused an enrolment request without the registrar token from " + Origin(peer));
    return RefuseRequest(router_, peer, &wire::Frame::mutable_enrol_reply, kWrongToken, /*token_refused=*/true);
  }
  if (!KnownStation(request.station())) {
    return refuse("station " + std::to_string(request.station()) + " is not in the schedule");
  }
  std::optional<PublicKey> key;
  if (!request.revoke()) {
    if (request.public_key().size() != 32) return refuse("an enrolment needs a 32-byte public key");
    key.emplace();
    std::copy(request.public_key().begin(), request.public_key().end(), key->begin());
  }
  wire::Observation change = KeyObservation(request.station(), key, request.by().empty() ? "registrar" : request.by());
  // Checked against the enrolment as it will be once this turn's other changes are applied.
  Enrolment after = enrolment_;
  for (const PendingEnrolment& pending : enrolments_) after.Apply(pending.change, 0, 0).IgnoreError();
  if (Status s = after.Check(change); !s.ok()) return refuse(s.message());
  LogInfo(kLog, (key ? "enrolling key " + KeyHex(*key) + " for" : "revoking the key of") + std::string(" station ") +
                    std::to_string(request.station()) + " as requested by " + change.by());
  enrolments_.push_back({peer, change, batch_.size()});
  Observe(std::move(change));
}

void Coordinator::AnswerEnrolments() {
  if (enrolments_.empty()) return;
  for (const PendingEnrolment& pending : enrolments_) {
    const wire::Verdict& verdict = verdicts_.at(pending.position);
    wire::Frame frame;
    wire::EnrolReply* reply = frame.mutable_enrol_reply();
    reply->set_commit_index(verdict.commit_index());
    const Status applied = enrolment_.Apply(pending.change, verdict.commit_index(), store_->last_received_time_us());
    reply->set_ok(applied.ok());
    const std::string station = "station " + std::to_string(pending.change.station());
    reply->set_message(!applied.ok() ? applied.message()
                       : pending.change.kind() == wire::Observation::KEY_REVOKED
                           ? station + "'s key is revoked (record item " + std::to_string(verdict.commit_index()) + ")"
                           : station + "'s key is enrolled; its earlier key is withdrawn (record item " +
                                 std::to_string(verdict.commit_index()) + ")");
    TrySendTo(router_, pending.peer, EncodeFrame(std::move(frame)));
  }
  senders_.Forget();
  if (gatekeeper_) gatekeeper_->Admit(AdmissionNow());
}

void Coordinator::AnswerKeys(const std::string& peer) {
  wire::Frame frame;
  *frame.mutable_keys_reply() = KeysReplyOf(enrolment_);
  TrySendTo(router_, peer, EncodeFrame(std::move(frame)));
}

void Coordinator::AnswerResolves() {
  for (const PendingResolve& pending : resolves_) {
    const wire::Verdict& verdict = verdicts_.at(pending.position);
    wire::Frame frame;
    wire::ResolveReply* reply = frame.mutable_resolve_reply();
    reply->set_commit_index(verdict.commit_index());
    for (const wire::Resolution& r : verdict.resolved()) {
      if (r.anomaly_id() == pending.anomaly_id) reply->set_ok(true);
    }
    if (reply->ok()) {
      reply->set_message(pending.anomaly_id + " is resolved (record item " + std::to_string(verdict.commit_index()) +
                         ")");
    } else {
      std::string raised;
      for (const wire::Anomaly& a : verdict.raised()) raised += " " + a.id() + " " + wire::Anomaly::Kind_Name(a.kind());
      reply->set_message(pending.anomaly_id + " is not an open anomaly; the request is recorded (record item " +
                         std::to_string(verdict.commit_index()) + ")" + (raised.empty() ? "" : " and raised" + raised));
    }
    TrySendTo(router_, pending.peer, EncodeFrame(std::move(frame)));
  }
}

void Coordinator::AnswerCloseDays() {
  for (const PendingCloseDay& pending : close_days_) {
    const wire::Verdict& verdict = verdicts_.at(pending.position);
    wire::Frame frame;
    wire::CloseDayReply* reply = frame.mutable_close_day_reply();
    reply->set_ok(true);
    reply->set_commit_index(verdict.commit_index());
    reply->set_raised(static_cast<uint32_t>(verdict.raised_size()));
    // The first ones named, so that the reply stays one line on a day with many students missing.
    constexpr int kNamed = 20;
    std::string raised;
    for (int i = 0; i < std::min(verdict.raised_size(), kNamed); ++i) {
      raised += " " + verdict.raised(i).id() + " " + wire::Anomaly::Kind_Name(verdict.raised(i).kind());
    }
    if (verdict.raised_size() > kNamed) {
      raised += " and " + std::to_string(verdict.raised_size() - kNamed) + " more (capturectl anomalies --open)";
    }
    reply->set_message(
        "the day is closed at " +
        (pending.station == 0 ? std::string("every station") : "station " + std::to_string(pending.station)) +
        " (record item " + std::to_string(verdict.commit_index()) + "); " +
        (raised.empty() ? "every student of its classes has a photo or is marked absent, or is named already"
                        : "raised" + raised));
    TrySendTo(router_, pending.peer, EncodeFrame(std::move(frame)));
  }
}

void Coordinator::AnswerExports() {
  for (const auto& [peer, request] : exports_) {
    wire::Frame frame;
    wire::ExportReply* reply = frame.mutable_export_reply();
    reply->set_commit_index(store_->commit_index());
    reply->set_ok(true);
    switch (request.what()) {
      case wire::ExportRequest::ANOMALIES:
        reply->set_text(judge::AnomaliesJsonLines(*judge_, {request.open_only(), request.station()}));
        break;
      case wire::ExportRequest::ASSIGNMENT: reply->set_text(judge::AssignmentCsv(*judge_)); break;
      case wire::ExportRequest::UNASSIGNED: reply->set_text(judge::UnassignedCsv(*judge_)); break;
      case wire::ExportRequest::ROSTER:
      case wire::ExportRequest::SCHEDULE: {
        auto inputs = store_->ReadJudgeInputs();
        reply->set_ok(inputs.ok());
        reply->set_text(!inputs.ok() ? inputs.status().message()
                        : request.what() == wire::ExportRequest::ROSTER ? inputs->roster_csv
                                                                         : inputs->schedule_csv);
        break;
      }
      case wire::ExportRequest::DAY: {
        const wire::JudgeConfig& config = options_.judge_config;
        reply->set_text(FormatIso8601(config.local_midnight_us(), config.utc_offset_minutes()).substr(0, 10));
        break;
      }
      default:
        reply->set_ok(false);
        reply->set_text("say what to export: ANOMALIES, ASSIGNMENT, UNASSIGNED, ROSTER, SCHEDULE or DAY");
        break;
    }
    TrySendTo(router_, peer, EncodeFrame(std::move(frame)));
  }
}

void Coordinator::AnswerDashboards() {
  for (const auto& [peer, request] : dashboards_) {
    wire::Frame frame;
    wire::DashboardReply* reply = frame.mutable_dashboard_reply();
    reply->set_commit_index(store_->commit_index());
    reply->set_ok(true);
    if (request.view() == wire::DashboardRequest::METRICS) {
      reply->set_content(dashboard::MetricsText(BuildStatusReply(), judge_->anomalies(), commit_metrics_));
    } else if (!dashboard_) {
      reply->set_ok(false);
      reply->set_content("the dashboard is off");
    } else if (request.view() == wire::DashboardRequest::SUMMARY) {
      reply->set_content(dashboard_->Summary(*judge_, store_->commit_index(), RecordNow()));
    } else if (request.view() == wire::DashboardRequest::CLASS) {
      std::optional<std::string> view =
          dashboard_->Class(*judge_, request.class_name(), store_->commit_index(), RecordNow());
      reply->set_ok(view.has_value());
      reply->set_not_found(!view);
      reply->set_content(view ? std::move(*view) : "no class named \"" + request.class_name() + "\"");
    } else {
      reply->set_ok(false);
      reply->set_content("say which view: SUMMARY, CLASS or METRICS");
    }
    TrySendTo(router_, peer, EncodeFrame(std::move(frame)));
  }
}

wire::StatusReply Coordinator::BuildStatusReply() const {
  wire::StatusReply reply;
  for (const auto& state : tracker_.Streams()) {
    wire::StationStatus* s = reply.add_stations();
    s->set_station(state.id.station);
    s->set_epoch(state.id.epoch);
    s->set_stored_seq(state.stored);
    s->set_announced_seq(state.announced);
  }
  auto add = [&reply](const std::string& name, uint64_t value) {
    wire::Counter* c = reply.add_counters();
    c->set_name(name);
    c->set_value(value);
  };
  for (const auto& [name, value] : counters_) add(name, value);
  add("frames_received{socket=\"sub\"}", frames_received_sub_);
  add("frames_received{socket=\"router\"}", frames_received_router_);
  add("duplicates_ignored", duplicates_ignored_);
  if (replicator_) {
    const replication::ReplicationState r = replicator_->state();
    add("replication_connected", r.connected ? 1 : 0);
    add("replication_fenced", r.fenced ? 1 : 0);
    add("replication_replicated_index", r.replicated_index);
    add("replication_lag_items", r.lag_items());
    add("replication_lag_milliseconds", static_cast<uint64_t>(r.lag.count()));
    add("replication_messages_published", r.messages_published);
    add("replication_duplicates", r.duplicates);
  }
  for (const auto& [station, c] : station_counters_) {
    const std::string label = StationLabel(station);
    add("events_received" + label, c.events_received);
    add("events_stored" + label, c.events_stored);
    add("resend_requests" + label, c.resend_requests);
    add("events_dropped_buffer_full" + label, c.events_dropped_buffer_full);
    add("heartbeats" + label, c.heartbeats);
    add("hellos" + label, c.hellos);
    add("verdicts_sent" + label, outbox_.verdicts_sent(station));
    add("verdicts_dropped" + label, outbox_.verdicts_dropped(station));
  }
  const auto& anomalies = judge_->anomalies();
  add("anomalies_raised", anomalies.size());
  add("anomalies_open", std::count_if(anomalies.begin(), anomalies.end(), [](const auto& a) { return a.open(); }));
  for (const auto& [station, waiting] : outbox_.waiting()) add("verdicts_waiting" + StationLabel(station), waiting);
  for (const auto& [name, value] : intake_->counters()) add(name, value);
  if (gatekeeper_) {
    for (const auto& [name, value] : gatekeeper_->counters()) add(name, value);
  }
  reply.set_commit_index(store_->commit_index());
  reply.set_checkpoint(heads_->newest());
  return reply;
}

}  // namespace capture::coord
