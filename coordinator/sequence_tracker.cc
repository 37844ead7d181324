#include "coordinator/sequence_tracker.h"

#include <algorithm>

namespace capture::coord {

const char* OutcomeName(OfferOutcome outcome) {
  switch (outcome) {
    case OfferOutcome::kApplied: return "applied";
    case OfferOutcome::kDuplicate: return "duplicate";
    case OfferOutcome::kConflict: return "conflict";
    case OfferOutcome::kBuffered: return "buffered";
    case OfferOutcome::kDropped: return "dropped";
  }
  return "unknown";
}

SequenceTracker::SequenceTracker(const StoredEventLookup* lookup, Options options)
    : lookup_(lookup), options_(options) {}

void SequenceTracker::Restore(const StreamId& stream, uint64_t stored) {
  Stream& s = streams_[stream];
  s.stored = std::max(s.stored, stored);
  s.announced = std::max(s.announced, stored);
}

void SequenceTracker::Announce(const StreamId& stream, uint64_t last_seq) {
  Stream& s = streams_[stream];
  s.announced = std::max(s.announced, last_seq);
}

void SequenceTracker::ForgetResendRequest(const StreamId& stream) { streams_[stream].requested.reset(); }

Result<OfferOutcome> SequenceTracker::CompareWithStored(const StreamId& id, uint64_t seq,
                                                        const std::string& bytes) const {
  auto stored = lookup_->StoredBytes(id, seq);
  if (!stored.ok()) return stored.status();
  return *stored == bytes ? OfferOutcome::kDuplicate : OfferOutcome::kConflict;
}

Result<OfferResult> SequenceTracker::Offer(const StreamId& id, uint64_t seq, std::string&& bytes) {
  Stream& s = streams_[id];
  s.announced = std::max(s.announced, seq);
  OfferResult result;
  if (seq <= s.stored) {
    auto outcome = CompareWithStored(id, seq, bytes);
    if (!outcome.ok()) return outcome.status();
    result.outcome = *outcome;
    return result;
  }
  if (seq > s.stored + 1) {
    auto it = s.buffer.find(seq);
    if (it != s.buffer.end()) {
      result.outcome = it->second == bytes ? OfferOutcome::kDuplicate : OfferOutcome::kConflict;
    } else if (s.buffer.size() >= options_.max_buffered ||
               s.buffered_bytes + bytes.size() > options_.max_buffered_bytes) {
      result.outcome = OfferOutcome::kDropped;
    } else {
      s.buffered_bytes += bytes.size();
      s.buffer.emplace(seq, std::move(bytes));
      result.outcome = OfferOutcome::kBuffered;
    }
    return result;
  }
  result.outcome = OfferOutcome::kApplied;
  result.applied.push_back({seq, std::move(bytes)});
  s.stored = seq;
  for (auto it = s.buffer.begin(); it != s.buffer.end() && it->first == s.stored + 1; it = s.buffer.erase(it)) {
    s.stored = it->first;
    s.buffered_bytes -= it->second.size();
    result.applied.push_back({it->first, std::move(it->second)});
  }
  return result;
}

void SequenceTracker::Rewind(const StreamId& stream, uint64_t last_good) {
  auto found = streams_.find(stream);
  if (found == streams_.end() || found->second.stored <= last_good) return;
  found->second.stored = last_good;
  found->second.requested.reset();
}

std::optional<SeqRange> SequenceTracker::NextResend(const StreamId& id, SteadyTime now) {
  auto found = streams_.find(id);
  if (found == streams_.end()) return std::nullopt;
  Stream& s = found->second;
  const uint64_t end = s.buffer.empty() ? s.announced : s.buffer.begin()->first - 1;
  if (end <= s.stored) {
    s.requested.reset();
    return std::nullopt;
  }
  const SeqRange want{s.stored + 1, std::min(end, s.stored + options_.max_resend_span)};
  if (s.requested && s.stored < s.requested->last) {
    // The agent may still be sending what we asked for: every step forward restarts the wait.
    if (s.stored != s.stored_at_request) {
      s.requested_at = now;
      s.stored_at_request = s.stored;
    }
    if (now - s.requested_at < options_.resend_pacing) return std::nullopt;
  }
  s.requested = want;
  s.requested_at = now;
  s.stored_at_request = s.stored;
  return want;
}

uint64_t SequenceTracker::stored(const StreamId& id) const {
  auto it = streams_.find(id);
  return it == streams_.end() ? 0 : it->second.stored;
}

uint64_t SequenceTracker::announced(const StreamId& id) const {
  auto it = streams_.find(id);
  return it == streams_.end() ? 0 : it->second.announced;
}

std::vector<SequenceTracker::StreamState> SequenceTracker::Streams() const {
  std::vector<StreamState> out;
  out.reserve(streams_.size());
  for (const auto& [id, s] : streams_) out.push_back({id, s.stored, s.announced, s.buffer.size()});
  return out;
}

}  // namespace capture::coord
