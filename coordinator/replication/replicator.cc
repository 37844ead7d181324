#include "coordinator/replication/replicator.h"

#include "common/log.h"
#include "common/sha256.h"
#include "coordinator/replication/replica_messages.h"

namespace capture::replication {
namespace {

constexpr char kLog[] = "replication";
using SteadyClock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kRetryWait{250};
constexpr std::chrono::milliseconds kLagResolution{100};
constexpr std::chrono::milliseconds kConnectTimeout{2000};
// Room left in a message for its headers (message id, expected sequence) beside the items.
constexpr int64_t kHeaderRoom = 1024;

}  // namespace

std::unique_ptr<Replicator> Replicator::Start(ReplicationOptions options, coord::RecordStore& store) {
  std::unique_ptr<Replicator> replicator(new Replicator(std::move(options), store));
  replicator->thread_ = std::thread([r = replicator.get()] { r->Run(); });
  return replicator;
}

Replicator::Replicator(ReplicationOptions options, coord::RecordStore& store)
    : options_(std::move(options)),
      store_(store),
      subject_(RecordSubject(options_.campus)) {
  state_.committed_index = store.commit_index();
  state_.replicated_index = std::min(store.replicated_index(), store.commit_index());
  if (state_.committed_index > state_.replicated_index) {
    unreplicated_.emplace_back(state_.committed_index, SteadyClock::now());
  }
}

Replicator::~Replicator() { Stop(std::chrono::milliseconds(0)); }

void Replicator::Committed(uint64_t commit_index) {
  const auto now = SteadyClock::now();
  std::lock_guard lock(mutex_);
  state_.committed_index = commit_index;
  if (unreplicated_.empty() || now - unreplicated_.back().second >= kLagResolution) {
    unreplicated_.emplace_back(commit_index, now);
  } else {
    unreplicated_.back().first = commit_index;
  }
  changed_.notify_all();
}

ReplicationState Replicator::state() const {
  std::lock_guard lock(mutex_);
  ReplicationState state = state_;
  if (!unreplicated_.empty()) {
    state.lag = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - unreplicated_.front().second);
  }
  return state;
}

Status Replicator::AwaitClaim(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [this] { return claim_decided_; });
  if (state_.fenced) return Status::FailedPrecondition(state_.problem);
  return Status::Ok();
}

void Replicator::Stop(std::chrono::milliseconds drain) {
  {
    std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
    drain_until_ = SteadyClock::now() + drain;
    changed_.notify_all();
  }
  thread_.join();
}

bool Replicator::Done() const {
  std::lock_guard lock(mutex_);
  if (!stopping_) return false;
  const bool drained = claimed_ && !pending_ && next_index_ > state_.committed_index;
  return drained || state_.fenced || SteadyClock::now() >= drain_until_;
}

void Replicator::Run() {
  while (!Done()) {
    const Progress progress = Step();
    if (progress == Progress::kMoved) continue;
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, kRetryWait, [this, progress] {
      return stopping_ || (progress == Progress::kIdle && next_index_ <= state_.committed_index);
    });
  }
}

Replicator::Progress Replicator::Step() {
  if (!stream_) {
    if (Status s = Connect(); !s.ok()) {
      SetProblem(s.message());
      return Progress::kFailed;
    }
  }
  {
    std::lock_guard lock(mutex_);
    state_.connected = stream_->connected();
    if (state_.fenced) return Progress::kFailed;
  }
  if (!claimed_) {
    Status claim = Claim();
    if (claim.code() == Status::Code::kFailedPrecondition) {
      LogError(kLog, claim.message());
      std::lock_guard lock(mutex_);
      state_.fenced = true;
      state_.problem = claim.message();
      claim_decided_ = true;
      changed_.notify_all();
      return Progress::kFailed;
    }
    if (!claim.ok()) {
      SetProblem(claim.message());
      return Progress::kFailed;
    }
    std::lock_guard lock(mutex_);
    claimed_ = true;
    claim_decided_ = true;
    changed_.notify_all();
  }
  if (!pending_) {
    uint64_t through = 0;
    auto next = NextMessage(&through);
    if (!next.ok()) {
      SetProblem(next.status().message());
      return Progress::kFailed;
    }
    if (!next->has_value()) return Progress::kIdle;
    pending_.emplace(std::move(**next), through);
  }
  pending_->first.expected_last_subject_sequence = expected_subject_sequence_;
  auto published = stream_->Publish(pending_->first, options_.publish_timeout);
  if (published.ok()) {
    Acknowledged(pending_->second, *published);
    pending_.reset();
    return Progress::kMoved;
  }
  SetProblem(published.status().message());
  if (published.status().code() == Status::Code::kFailedPrecondition) {
    // Someone published on the subject since we looked (or our own unacknowledged message landed
    // after the duplicate window): the stream's last message decides.
    pending_.reset();
    std::lock_guard lock(mutex_);
    claimed_ = false;
    return Progress::kMoved;
  }
  return Progress::kFailed;
}

Status Replicator::Connect() {
  NatsOptions nats = options_.nats;
  nats.client_name = "coordinator " + options_.campus;
  auto stream = NatsStream::Connect(nats, kConnectTimeout);
  if (!stream.ok()) return stream.status();
  if (Status s = (*stream)->EnsureStream(options_.duplicate_window); !s.ok()) return s;
  LogInfo(kLog, "connected to " + (*stream)->servers() + "; replicating campus " + options_.campus + " on " + subject_);
  stream_ = std::move(*stream);
  return Status::Ok();
}

Status Replicator::Claim() {
  auto last = stream_->LastOn(subject_);
  if (!last.ok()) return last.status();
  const std::string ours = ToHex(store_.record_id());
  if (!last->has_value()) {
    next_index_ = 0;
    expected_subject_sequence_ = 0;
    if (store_.replicated_index() > 0) {
      LogWarn(kLog, "the stream holds nothing of campus " + options_.campus + " although it acknowledged commit index " +
                        std::to_string(store_.replicated_index()) + " before: sending the whole record again");
    }
    return Status::Ok();
  }
  auto message = ParseReplicaMessage((*last)->data, "the last message on " + subject_);
  if (!message.ok()) {
    return Status::FailedPrecondition(message.status().message() + ": campus " + options_.campus +
                                      " is not this coordinator's to write; nothing more is published");
  }
  if (message->record_id() != store_.record_id() || message->campus() != options_.campus) {
    return Status::FailedPrecondition(
        "campus " + options_.campus + " on the stream belongs to record " + ToHex(message->record_id()) +
        ", not to this store's record " + ours +
        ": another coordinator claims the campus (or this store is not the campus's); nothing is published. Give "
        "this room its own --campus, or restore the campus's store with coordinator --restore-from");
  }
  const uint64_t next = NextCommitIndexAfter(*message);
  const uint64_t committed = state().committed_index;
  if (next > committed + 1) {
    return Status::FailedPrecondition("the stream holds campus " + options_.campus + " up to commit index " +
                                      std::to_string(next - 1) + ", beyond this store's " + std::to_string(committed) +
                                      ": this store is behind its own replica; nothing is published");
  }
  next_index_ = next;
  expected_subject_sequence_ = (*last)->sequence;
  std::lock_guard lock(mutex_);
  state_.replicated_index = next - 1;
  while (!unreplicated_.empty() && unreplicated_.front().first <= state_.replicated_index) unreplicated_.pop_front();
  return Status::Ok();
}

Result<std::optional<OutgoingMessage>> Replicator::NextMessage(uint64_t* through_index) {
  OutgoingMessage out;
  out.subject = subject_;
  if (next_index_ == 0) {
    auto inputs = store_.ReadStoredJudgeInputs();
    if (!inputs.ok()) return inputs.status();
    auto message = InputsMessage(options_.campus, store_.record_id(), *inputs, options_.auditor_key, options_.coordinator_key);
    if (!message.ok()) return message.status();
    out.id = MessageId(options_.campus, store_.record_id(), 0);
    out.data = message->SerializeAsString();
    *through_index = 0;
    return std::optional<OutgoingMessage>(std::move(out));
  }
  const uint64_t committed = state().committed_index;
  if (next_index_ > committed) return std::optional<OutgoingMessage>();
  const auto max_bytes = static_cast<size_t>(std::max<int64_t>(stream_->max_payload() - kHeaderRoom, 4096));
  BatchBuilder batch(options_.campus, store_.record_id(), next_index_, max_bytes);
  auto cursor = store_.ReadItems(next_index_);
  while (next_index_ + batch.items() <= committed) {
    auto more = cursor->Next();
    if (!more.ok()) return more.status();
    if (!*more || !batch.Add(cursor->item_bytes(), cursor->verdict_bytes())) break;
  }
  if (batch.items() == 0) return std::optional<OutgoingMessage>();
  auto checkpoint = store_.NewestCheckpoint();
  *through_index = next_index_ + batch.items() - 1;
  out.id = MessageId(options_.campus, store_.record_id(), next_index_);
  out.data = batch.Finish(checkpoint.ok() ? *checkpoint : std::string()).SerializeAsString();
  return std::optional<OutgoingMessage>(std::move(out));
}

void Replicator::Acknowledged(uint64_t through_index, const Published& published) {
  expected_subject_sequence_ = published.sequence;
  next_index_ = through_index + 1;
  if (through_index > 0) {
    if (Status s = store_.SaveReplicatedIndex(through_index); !s.ok()) LogWarn(kLog, s.message());
  }
  std::lock_guard lock(mutex_);
  state_.replicated_index = through_index;
  ++(published.duplicate ? state_.duplicates : state_.messages_published);
  if (!state_.problem.empty()) LogInfo(kLog, "replicating again, at commit index " + std::to_string(through_index));
  state_.problem.clear();
  while (!unreplicated_.empty() && unreplicated_.front().first <= through_index) unreplicated_.pop_front();
}

void Replicator::SetProblem(const std::string& problem) {
  std::lock_guard lock(mutex_);
  if (stream_) state_.connected = stream_->connected();
  if (problem != state_.problem) LogWarn(kLog, problem + " (capture goes on; replication retries)");
  state_.problem = problem;
}

}  // namespace capture::replication
