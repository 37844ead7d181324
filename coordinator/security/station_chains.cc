#include "coordinator/security/station_chains.h"

#include <cstring>

#include "common/chain_head.h"

namespace capture::coord {

void StationChains::Restore(const StreamId& stream, std::string_view last_event) {
  tips_[stream] = ComputeSha256(last_event);
}

bool StationChains::Links(const StreamId& stream, const wire::CaptureEvent& event) const {
  const std::string& prev = event.prev_sha256();
  const auto tip = tips_.find(stream);
  if (event.seq() == 1 || tip == tips_.end()) return prev.empty();
  // Compared in place: this runs for every event, and the tip's bytes need no string of their own.
  return prev.size() == tip->second.size() && std::memcmp(prev.data(), tip->second.data(), prev.size()) == 0;
}

void StationChains::Advance(const StreamId& stream, std::string_view event_bytes) {
  tips_[stream] = ComputeSha256(event_bytes);
}

Status StationChains::CheckSigned(const wire::ChainHead& head, const StreamId& stream, const PublicKey& key) {
  if (head.station() != stream.station || head.epoch() != stream.epoch) {
    return Status::InvalidArgument("a head of " + Describe({head.station(), head.epoch()}) + " sent for " +
                                   Describe(stream));
  }
  return VerifyChainHead(head, key);
}

void StationChains::Hold(const wire::ChainHead& head) { pending_[{head.station(), head.epoch()}] = head; }

std::optional<wire::ChainHead> StationChains::TakeDue(const StreamId& stream, uint64_t stored_seq) {
  const auto pending = pending_.find(stream);
  if (pending == pending_.end() || pending->second.seq() > stored_seq) return std::nullopt;
  wire::ChainHead head = std::move(pending->second);
  pending_.erase(pending);
  return head;
}

StationChains::Compared StationChains::Compare(const StreamId& stream, const wire::ChainHead& head,
                                               std::string_view stored_bytes) {
  if (AsBytes(ComputeSha256(stored_bytes)) != head.sha256()) return Compared::kContradicts;
  uint64_t& kept = kept_seq_[stream];
  if (head.seq() <= kept) return Compared::kHolds;
  kept = head.seq();
  return Compared::kKeep;
}

}  // namespace capture::coord
