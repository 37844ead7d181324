#include "coordinator/replication/nats_stream.h"

#include <nats/nats.h>

#include <algorithm>
#include <set>

namespace capture::replication {
namespace {

constexpr char kExpectedLastSubjectSequence[] = "Nats-Expected-Last-Subject-Sequence";
constexpr char kMessageId[] = "Nats-Msg-Id";

// Owns one libnats object of type T, destroyed with `destroy`.
template <typename T, void (*destroy)(T*)>
struct Owned {
  T* ptr = nullptr;
  Owned() = default;
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  ~Owned() {
    if (ptr != nullptr) destroy(ptr);
  }
};
using OwnedOptions = Owned<natsOptions, natsOptions_Destroy>;
using OwnedMessage = Owned<natsMsg, natsMsg_Destroy>;
using OwnedStreamInfo = Owned<jsStreamInfo, jsStreamInfo_Destroy>;
using OwnedPubAck = Owned<jsPubAck, jsPubAck_Destroy>;
using OwnedSubscription = Owned<natsSubscription, natsSubscription_Destroy>;
using OwnedMetaData = Owned<jsMsgMetaData, jsMsgMetaData_Destroy>;

std::string Describe(natsStatus status) {
  const char* last = nats_GetLastError(nullptr);
  std::string text = natsStatus_GetText(status);
  if (last != nullptr && *last != '\0' && text != last) text += " (" + std::string(last) + ")";
  return text;
}

// A failure of a call to the cluster: whether a retry may help decides the code.
Status Failure(const std::string& what, natsStatus status, jsErrCode code = static_cast<jsErrCode>(0)) {
  std::string message = what + ": " + Describe(status);
  if (code != 0) message += ", JetStream error " + std::to_string(code);
  if (code == JSStreamWrongLastSequenceErr) return Status::FailedPrecondition(message);
  if (status == NATS_TIMEOUT || status == NATS_NO_SERVER || status == NATS_CONNECTION_CLOSED ||
      status == NATS_NO_RESPONDERS || status == NATS_CONNECTION_DISCONNECTED || status == NATS_STALE_CONNECTION ||
      status == NATS_IO_ERROR || code == JSClusterNoPeersErr || code == 10008 /* cluster not available */) {
    return Status::Unavailable(message);
  }
  return Status::InvalidArgument(message);
}

StoredMessage Stored(natsMsg* message, uint64_t sequence) {
  StoredMessage stored;
  stored.sequence = sequence;
  stored.data.assign(natsMsg_GetData(message), static_cast<size_t>(natsMsg_GetDataLength(message)));
  const char** keys = nullptr;
  int count = 0;
  if (natsMsgHeader_Keys(message, &keys, &count) == NATS_OK) {
    for (int i = 0; i < count; ++i) {
      const char* value = nullptr;
      if (natsMsgHeader_Get(message, keys[i], &value) == NATS_OK && value != nullptr) {
        stored.headers.emplace_back(keys[i], value);
      }
    }
    free(keys);
  }
  return stored;
}

}  // namespace

std::string RecordSubject(std::string_view campus) { return "capture." + std::string(campus) + ".record"; }
std::string ImagesSubject(std::string_view campus) { return "capture." + std::string(campus) + ".images"; }

Status CheckCampusId(std::string_view campus) {
  const bool well_formed = !campus.empty() && campus.size() <= 64 && std::all_of(campus.begin(), campus.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
  if (well_formed) return Status::Ok();
  return Status::InvalidArgument("campus id '" + std::string(campus) +
                                 "' is not 1 to 64 letters, digits, '-' or '_' (it names a NATS subject)");
}

Result<std::vector<std::string>> ParseNatsUrls(std::string_view list) {
  std::vector<std::string> urls;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string url(list.substr(start, comma - start));
    const bool scheme = url.rfind("nats://", 0) == 0 || url.rfind("tls://", 0) == 0;
    if (!scheme || url.find(':', url.find("://") + 3) == std::string::npos) {
      return Status::InvalidArgument("'" + url + "' in '" + std::string(list) +
                                     "' is not a NATS server URL like nats://HOST:PORT");
    }
    urls.push_back(std::move(url));
    start = comma + 1;
  }
  return urls;
}

Result<std::unique_ptr<NatsStream>> NatsStream::Connect(const NatsOptions& options, std::chrono::milliseconds timeout) {
  std::unique_ptr<NatsStream> stream(new NatsStream());
  for (const std::string& url : options.urls) stream->servers_ += (stream->servers_.empty() ? "" : ",") + url;
  OwnedOptions opts;
  std::vector<const char*> urls;
  for (const std::string& url : options.urls) urls.push_back(url.c_str());
  natsStatus s = natsOptions_Create(&opts.ptr);
  if (s == NATS_OK) s = natsOptions_SetServers(opts.ptr, urls.data(), static_cast<int>(urls.size()));
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts.ptr, timeout.count());
  // Reconnects forever: a cut of any length ends when a server is back.
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts.ptr, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts.ptr, 250);
  if (s == NATS_OK) s = natsOptions_SetReconnectBufSize(opts.ptr, 0);  // a publish while cut fails now
  if (s == NATS_OK && !options.client_name.empty()) s = natsOptions_SetName(opts.ptr, options.client_name.c_str());
  if (s == NATS_OK && !options.creds_file.empty()) {
    s = natsOptions_SetUserCredentialsFromFiles(opts.ptr, options.creds_file.c_str(), nullptr);
    if (s != NATS_OK) return Failure("NATS credentials " + options.creds_file, s);
  }
  if (s == NATS_OK && !options.tls_ca_file.empty()) {
    s = natsOptions_SetSecure(opts.ptr, true);
    if (s == NATS_OK) s = natsOptions_LoadCATrustedCertificates(opts.ptr, options.tls_ca_file.c_str());
    if (s != NATS_OK) return Failure("NATS TLS CA file " + options.tls_ca_file, s);
  }
  if (s != NATS_OK) return Failure("NATS options for " + stream->servers_, s);
  s = natsConnection_Connect(&stream->connection_, opts.ptr);
  if (s != NATS_OK) return Failure("cannot connect to NATS at " + stream->servers_, s);
  jsOptions js;
  jsOptions_Init(&js);
  js.Wait = timeout.count();
  s = natsConnection_JetStream(&stream->jetstream_, stream->connection_, &js);
  if (s != NATS_OK) return Failure("no JetStream at " + stream->servers_, s);
  return stream;
}

NatsStream::~NatsStream() {
  if (jetstream_ != nullptr) jsCtx_Destroy(jetstream_);
  if (connection_ != nullptr) natsConnection_Destroy(connection_);
}

Status NatsStream::JetStreamReady() {
  Owned<jsAccountInfo, jsAccountInfo_Destroy> info;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetAccountInfo(&info.ptr, jetstream_, nullptr, &code);
  if (s != NATS_OK) return Failure("JetStream at " + servers_ + " does not answer", s, code);
  return Status::Ok();
}

Status NatsStream::EnsureStream(std::chrono::milliseconds duplicate_window) {
  OwnedStreamInfo info;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info.ptr, jetstream_, kStreamName, nullptr, &code);
  if (s == NATS_OK) return Status::Ok();
  if (s != NATS_NOT_FOUND && code != JSStreamNotFoundErr) {
    return Failure("cannot look up stream " + std::string(kStreamName) + " at " + servers_, s, code);
  }
  // Every server of the cluster that the client learnt of (the seed URLs and those the cluster
  // announced); a cluster announces its members, so the same server is not counted twice.
  char** known = nullptr;
  int count = 0;
  std::set<std::string> servers;
  if (natsConnection_GetServers(connection_, &known, &count) == NATS_OK) {
    for (int i = 0; i < count; ++i) {
      servers.insert(known[i]);
      free(known[i]);
    }
    free(known);
  }
  const char* subjects[] = {"capture.*.record", "capture.*.images"};
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = kStreamName;
  config.Subjects = subjects;
  config.SubjectsLen = 2;
  config.Storage = js_FileStorage;
  config.Replicas = std::clamp<int64_t>(static_cast<int64_t>(servers.size()), 1, 3);
  config.Duplicates = std::chrono::duration_cast<std::chrono::nanoseconds>(duplicate_window).count();
  config.DenyDelete = true;
  config.DenyPurge = true;
  OwnedStreamInfo created;
  s = js_AddStream(&created.ptr, jetstream_, &config, nullptr, &code);
  if (s == NATS_OK || code == JSStreamNameExistErr) return Status::Ok();  // or another side made it first
  return Failure("cannot create stream " + std::string(kStreamName) + " (" + std::to_string(config.Replicas) +
                     " replicas) at " + servers_,
                 s, code);
}

int64_t NatsStream::max_payload() const { return natsConnection_GetMaxPayload(connection_); }

bool NatsStream::connected() const { return natsConnection_Status(connection_) == NATS_CONN_STATUS_CONNECTED; }

Result<Published> NatsStream::Publish(const OutgoingMessage& message, std::chrono::milliseconds timeout) {
  OwnedMessage msg;
  natsStatus s = natsMsg_Create(&msg.ptr, message.subject.c_str(), nullptr, message.data.data(),
                                static_cast<int>(message.data.size()));
  // Set by hand: the client library leaves an expected sequence of 0 out, which here means "none yet".
  if (s == NATS_OK) s = natsMsgHeader_Set(msg.ptr, kMessageId, message.id.c_str());
  if (s == NATS_OK) {
    s = natsMsgHeader_Set(msg.ptr, kExpectedLastSubjectSequence,
                          std::to_string(message.expected_last_subject_sequence).c_str());
  }
  for (const auto& [key, value] : message.headers) {
    if (s == NATS_OK) s = natsMsgHeader_Set(msg.ptr, key.c_str(), value.c_str());
  }
  const std::string what = "cannot publish " + message.id + " on " + message.subject + " at " + servers_;
  if (s != NATS_OK) return Failure(what, s);
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = timeout.count();
  OwnedPubAck ack;
  jsErrCode code = static_cast<jsErrCode>(0);
  s = js_PublishMsg(&ack.ptr, jetstream_, msg.ptr, &options, &code);
  if (s != NATS_OK) return Failure(what, s, code);
  return Published{ack.ptr->Sequence, ack.ptr->Duplicate};
}

Result<std::optional<StoredMessage>> NatsStream::LastOn(const std::string& subject) {
  OwnedMessage msg;
  jsErrCode code = static_cast<jsErrCode>(0);
  // Through the stream's leader, not a replica's copy: what the next publish will be checked against.
  natsStatus s = js_GetLastMsg(&msg.ptr, jetstream_, kStreamName, subject.c_str(), nullptr, &code);
  if (s == NATS_NOT_FOUND || code == JSNoMessageFoundErr) return std::optional<StoredMessage>();
  if (s != NATS_OK) return Failure("cannot read the last message on " + subject + " at " + servers_, s, code);
  return std::optional<StoredMessage>(Stored(msg.ptr, natsMsg_GetSequence(msg.ptr)));
}

Status NatsStream::ReadOn(const std::string& subject, uint64_t from,
                          const std::function<bool(const StoredMessage&)>& fn, std::chrono::milliseconds timeout) {
  auto last = LastOn(subject);
  if (!last.ok()) return last.status();
  if (!last->has_value() || (*last)->sequence < from) return Status::Ok();
  const uint64_t end = (*last)->sequence;
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = kStreamName;
  options.Ordered = true;  // the client restarts it where it was if a message is lost on the way
  options.Config.DeliverPolicy = js_DeliverByStartSequence;
  options.Config.OptStartSeq = std::max<uint64_t>(from, 1);
  OwnedSubscription subscription;
  jsErrCode code = static_cast<jsErrCode>(0);
  const std::string what = "cannot read " + subject + " from sequence " + std::to_string(from) + " at " + servers_;
  natsStatus s = js_SubscribeSync(&subscription.ptr, jetstream_, subject.c_str(), nullptr, &options, &code);
  if (s != NATS_OK) return Failure(what, s, code);
  while (true) {
    OwnedMessage msg;
    s = natsSubscription_NextMsg(&msg.ptr, subscription.ptr, timeout.count());
    if (s != NATS_OK) return Failure(what, s);
    OwnedMetaData meta;
    s = natsMsg_GetMetaData(&meta.ptr, msg.ptr);
    if (s != NATS_OK) return Failure(what, s);
    const uint64_t sequence = meta.ptr->Sequence.Stream;
    if (!fn(Stored(msg.ptr, sequence)) || sequence >= end) return Status::Ok();
  }
}

}  // namespace capture::replication
