// NatsStream: one connection to a NATS JetStream cluster and the stream CAPTURE on it, where every
// campus's record is replicated (docs/replication.md). Wraps the C client (libnats) so that nothing
// else sees its handles: the connection, its JetStream context and every message are owned here.
//
// The stream: name CAPTURE, subjects capture.*.record and capture.*.images, file storage, replicas
// min(3, servers in the cluster), a duplicate window given by its creator (default 2 minutes), and
// direct gets on, so readers fetch one subject's messages in order without a consumer.
//
// Errors: Unavailable when the cluster cannot be reached or does not answer in time (retry the same
// call later); FailedPrecondition when a publish's expected last subject sequence is not the
// stream's (another writer has published on the subject: retrying cannot help); InvalidArgument
// for a bad URL or option. Each message names the servers and the subject.
//
// Thread safety: one thread uses an instance; libnats runs its own threads inside, which reconnect
// to any server of the cluster for as long as the instance lives.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct __natsConnection;
struct __jsCtx;

namespace capture::replication {

inline constexpr char kStreamName[] = "CAPTURE";
inline constexpr std::chrono::seconds kDefaultDuplicateWindow{120};

// capture.<campus>.record and capture.<campus>.images.
std::string RecordSubject(std::string_view campus);
std::string ImagesSubject(std::string_view campus);
// A campus id names a subject token: letters, digits, '-' and '_', 1 to 64 of them.
Status CheckCampusId(std::string_view campus);

struct NatsOptions {
  std::vector<std::string> urls;  // nats://HOST:PORT, any server of the cluster
  std::string creds_file;         // a NATS credentials file; empty: none
  std::string tls_ca_file;        // CA certificates to trust for TLS; empty: no TLS
  std::string client_name;        // shown by the server's monitoring
};

// "nats://a:4222,nats://b:4222" as a list; InvalidArgument naming a part that is not a nats:// URL.
Result<std::vector<std::string>> ParseNatsUrls(std::string_view list);

// One message as the stream holds it.
struct StoredMessage {
  uint64_t sequence = 0;  // the stream's sequence
  std::string data;
  std::vector<std::pair<std::string, std::string>> headers;  // as sent, without the server's own
};

// A message to publish.
struct OutgoingMessage {
  std::string subject;
  std::string data;
  std::string id;  // Nats-Msg-Id: a second publish of it within the duplicate window is dropped
  // The subject's last sequence the stream must be at (0: the subject must hold no message yet).
  uint64_t expected_last_subject_sequence = 0;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct Published {
  uint64_t sequence = 0;   // the stream's sequence of the message
  bool duplicate = false;  // the stream had it already (same id within the duplicate window)
};

class NatsStream {
 public:
  // Connects to any of the servers; Unavailable when none answers within `timeout`.
  static Result<std::unique_ptr<NatsStream>> Connect(const NatsOptions& options, std::chrono::milliseconds timeout);
  ~NatsStream();
  NatsStream(const NatsStream&) = delete;
  NatsStream& operator=(const NatsStream&) = delete;

  // OK once JetStream answers: the cluster has elected its meta leader.
  Status JetStreamReady();
  // Creates the stream unless it exists, with `duplicate_window` (an existing stream keeps its own).
  Status EnsureStream(std::chrono::milliseconds duplicate_window);
  // The largest message the servers take, in bytes, headers included.
  int64_t max_payload() const;
  // Whether the client is connected now (it reconnects by itself).
  bool connected() const;

  Result<Published> Publish(const OutgoingMessage& message, std::chrono::milliseconds timeout);
  // The subject's last message; nullopt when it has none.
  Result<std::optional<StoredMessage>> LastOn(const std::string& subject);
  // Every message on the subject from stream sequence `from` on, in order, up to the subject's
  // last message when the call began, until `fn` returns false. Unavailable when the stream stops
  // delivering for `timeout`.
  Status ReadOn(const std::string& subject, uint64_t from, const std::function<bool(const StoredMessage&)>& fn,
                std::chrono::milliseconds timeout);

  const std::string& servers() const { return servers_; }

 private:
  NatsStream() = default;

  std::string servers_;  // for messages: "nats://a:4222,nats://b:4222"
  __natsConnection* connection_ = nullptr;
  __jsCtx* jetstream_ = nullptr;
};

}  // namespace capture::replication
