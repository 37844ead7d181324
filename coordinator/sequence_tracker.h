// SequenceTracker: per stream, which sequence numbers are stored, which the agent says it has, which
// arrived early, and when to ask the agent to send the missing ones again.
//
// Pure logic: no I/O and no clock. Time comes in as an argument; the bytes of an event already stored
// come in through StoredEventLookup, so tests replace both.
//
// Per stream the tracker keeps:
//   stored     every seq in 1..stored is applied (handed to the caller, in order, exactly once);
//   announced  the highest seq the agent said it has (hello, heartbeat, or an event's own seq);
//   a buffer   of events above stored+1 that arrived before their predecessors, at most
//              Options::max_buffered events and max_buffered_bytes per stream (so one peer cannot
//              make the coordinator hold gigabytes); beyond that they are dropped and asked for again.
// A gap is always filled before anything after it is applied, so a stream's events are applied in
// seq order with no holes.
//
// Not thread-safe: owned by the coordinator's loop thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "coordinator/stream_id.h"

namespace capture::coord {

using SteadyTime = std::chrono::steady_clock::time_point;

// How the tracker learns the bytes of an event at or below `stored`, to tell a harmless duplicate
// from a conflict. It must also know events applied but not yet committed.
class StoredEventLookup {
 public:
  virtual ~StoredEventLookup() = default;
  // NotFound when no event with that seq is stored: a broken store.
  virtual Result<std::string> StoredBytes(const StreamId& stream, uint64_t seq) const = 0;
};

struct SeqRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
  bool operator==(const SeqRange&) const = default;
};

struct InOrderEvent {
  uint64_t seq = 0;
  std::string bytes;
};

enum class OfferOutcome {
  kApplied,    // seq was stored+1: it and the buffered successors it released are in `applied`
  kDuplicate,  // the same bytes as the event already stored or buffered under that seq
  kConflict,   // different bytes under a seq already stored or buffered: never overwrites
  kBuffered,   // arrived early; applied once the gap before it is filled
  kDropped,    // arrived early but the stream's buffer is full; asked for again later
};
const char* OutcomeName(OfferOutcome outcome);

struct OfferResult {
  OfferOutcome outcome = OfferOutcome::kDropped;
  std::vector<InOrderEvent> applied;  // kApplied only: in seq order, starting with the offered one
};

class SequenceTracker {
 public:
  struct Options {
    size_t max_buffered = 100'000;                         // per stream
    uint64_t max_resend_span = 10'000;                     // seqs per ResendRequest
    std::chrono::milliseconds resend_pacing{300};          // no new request while one makes progress
    size_t max_buffered_bytes = 16u << 20;                 // per stream
  };

  struct StreamState {
    StreamId id;
    uint64_t stored = 0;
    uint64_t announced = 0;
    size_t buffered = 0;
  };

  // `lookup` must outlive the tracker.
  explicit SequenceTracker(const StoredEventLookup* lookup) : SequenceTracker(lookup, Options{}) {}
  SequenceTracker(const StoredEventLookup* lookup, Options options);

  // Startup: the stream's events 1..stored are already in the store.
  void Restore(const StreamId& stream, uint64_t stored);

  // A heartbeat or hello says the agent has journaled up to `last_seq`.
  void Announce(const StreamId& stream, uint64_t last_seq);

  // The agent (re)started talking to us: any earlier resend request may be lost, so the next
  // NextResend asks at once.
  void ForgetResendRequest(const StreamId& stream);

  // An event of `stream` with `seq` and its exact bytes. The tracker takes the bytes only when it
  // applies or buffers the event; after a duplicate, conflict or drop they are still the caller's
  // (a conflict is recorded with their hash). Fails only when the lookup fails.
  Result<OfferResult> Offer(const StreamId& stream, uint64_t seq, std::string&& bytes);

  // The caller refused the applied event `last_good + 1` (and so everything after it): the stream
  // is stored up to `last_good` again, and the rest is asked for anew.
  void Rewind(const StreamId& stream, uint64_t last_good);

  // The range to ask the agent for now, if any: [stored+1, first buffered-1 or announced], at most
  // max_resend_span long. A request is repeated only once it is satisfied or after resend_pacing
  // with no progress, so an agent busy resending is not asked for the same events twice.
  std::optional<SeqRange> NextResend(const StreamId& stream, SteadyTime now);

  uint64_t stored(const StreamId& stream) const;
  uint64_t announced(const StreamId& stream) const;
  bool Knows(const StreamId& stream) const { return streams_.count(stream) > 0; }
  std::vector<StreamState> Streams() const;  // ordered by station, then epoch

 private:
  struct Stream {
    uint64_t stored = 0;
    uint64_t announced = 0;
    std::map<uint64_t, std::string> buffer;  // seq > stored + 1
    size_t buffered_bytes = 0;               // of the buffer's events
    std::optional<SeqRange> requested;       // the last request made
    SteadyTime requested_at{};               // when it was made, or when it last made progress
    uint64_t stored_at_request = 0;          // `stored` when requested_at was last set
  };

  Result<OfferOutcome> CompareWithStored(const StreamId& id, uint64_t seq, const std::string& bytes) const;

  const StoredEventLookup* lookup_;
  Options options_;
  std::map<StreamId, Stream> streams_;
};

}  // namespace capture::coord
