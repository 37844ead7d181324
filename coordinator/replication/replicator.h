// Replicator: copies a campus's record, as it is committed, to the NATS JetStream stream CAPTURE on
// the subject capture.<campus>.record (docs/replication.md), on a thread of its own beside the
// coordinator's loop: the loop only tells it the commit index (Committed), so replication never
// slows ingest or verdicts, whatever NATS does.
//
// The thread reads the committed items from the store itself, packs them with their verdicts into
// messages that fit the servers' payload limit and publishes one at a time, each with its message id
// (replica_messages.h) and the subject's last sequence it expects. Before the first publish, and
// whenever that expectation fails, it reads the subject's last message: the stream, not this
// process, says where to go on, so a restart, a NATS outage or a network cut of any length (also
// one longer than the duplicate window) resumes after the last item the stream holds, never
// sending one twice. A last message of another record (another coordinator claiming the campus)
// fences this one off: it publishes nothing more and says so in its state, loudly.
//
// Thread safety: Committed, state and Stop from the loop's thread; the rest is the replicator's.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <optional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/identity.h"
#include "common/status.h"
#include "coordinator/record_store.h"
#include "coordinator/replication/nats_stream.h"

namespace capture::replication {

struct ReplicationOptions {
  NatsOptions nats;
  std::string campus;
  PublicKey auditor_key{};      // the judge's roster is sealed to it
  PublicKey coordinator_key{};  // signs the record's tree heads
  std::chrono::milliseconds duplicate_window = kDefaultDuplicateWindow;  // for a stream it creates
  std::chrono::milliseconds publish_timeout{2000};
};

// What the replicator has done, for /metrics, capturectl status and the dashboard.
struct ReplicationState {
  bool connected = false;
  bool fenced = false;           // another record holds the campus: nothing more is published
  std::string problem;           // the last error, empty when none
  uint64_t committed_index = 0;  // as the loop last said
  uint64_t replicated_index = 0; // the last commit index the stream holds
  uint64_t messages_published = 0;
  uint64_t duplicates = 0;       // publishes the stream already had (a re-send)
  std::chrono::milliseconds lag{0};  // age of the oldest committed item the stream lacks
  uint64_t lag_items() const { return committed_index - replicated_index; }
};

class Replicator {
 public:
  // Starts the thread on `store`, which must outlive it; `coordinator_key` signs the record's heads.
  static std::unique_ptr<Replicator> Start(ReplicationOptions options, coord::RecordStore& store);
  ~Replicator();  // stops the thread (Stop with no time to drain)
  Replicator(const Replicator&) = delete;
  Replicator& operator=(const Replicator&) = delete;

  // Everything up to `commit_index` is durably stored.
  void Committed(uint64_t commit_index);
  ReplicationState state() const;
  // Waits until the stream said whether this record may publish on its campus: OK (it may, or NATS
  // did not answer within `timeout`: the thread goes on trying) or FailedPrecondition (fenced).
  Status AwaitClaim(std::chrono::milliseconds timeout) const;
  // Publishes what is committed for up to `drain`, then ends the thread.
  void Stop(std::chrono::milliseconds drain);

 private:
  Replicator(ReplicationOptions options, coord::RecordStore& store);
  void Run();
  enum class Progress { kMoved, kIdle, kFailed };
  // One step of the thread: it moved (go on), has nothing to send (wait for a commit), or failed
  // (wait a little and retry).
  Progress Step();
  // Connects and makes sure the stream exists.
  Status Connect();
  // Reads the subject's last message and decides where to go on from; FailedPrecondition: fenced.
  Status Claim();
  // Whether Run may end: stopping, and drained or out of time.
  bool Done() const;
  // The next message to publish, from next_index_ on; nullopt when there is nothing to send.
  Result<std::optional<OutgoingMessage>> NextMessage(uint64_t* through_index);
  void Acknowledged(uint64_t through_index, const Published& published);
  void SetProblem(const std::string& problem);

  const ReplicationOptions options_;
  coord::RecordStore& store_;
  const std::string subject_;

  // The thread's own.
  std::unique_ptr<NatsStream> stream_;
  bool claimed_ = false;
  uint64_t next_index_ = 0;  // 0: the inputs are to be sent first
  uint64_t expected_subject_sequence_ = 0;
  std::optional<std::pair<OutgoingMessage, uint64_t>> pending_;  // built, not yet acknowledged; its last index

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point drain_until_{};
  bool claim_decided_ = false;
  ReplicationState state_;
  // Commits the stream lacks, oldest first: (last index of the commit, when it was committed),
  // one entry per 100 ms at most, so a long outage keeps the list short.
  std::deque<std::pair<uint64_t, std::chrono::steady_clock::time_point>> unreplicated_;
  std::thread thread_;
};

}  // namespace capture::replication
