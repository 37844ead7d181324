// The stations' chains as the coordinator checks them live, before it stores an event: each event
// must link to the one stored before it in its stream (CaptureEvent.prev_sha256), and each signed
// chain head (common/chain_head.h) a station sends must be its key's signature of the event the
// record holds at that seq. The auditor's check of a stored record is chain_audit.h.
//
// Pure: the caller passes the stored bytes a head is compared with and decides what to count, log
// and record.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "capture.pb.h"
#include "common/identity.h"
#include "common/sha256.h"
#include "common/status.h"
#include "coordinator/stream_id.h"

namespace capture::coord {

class StationChains {
 public:
  // The stream as stored: `last_event` is the bytes of its last stored event.
  void Restore(const StreamId& stream, std::string_view last_event);

  // Whether `event`, the next in order of its stream, links to the event applied before it.
  bool Links(const StreamId& stream, const wire::CaptureEvent& event) const;
  // The event's bytes go into the record: the next one must link to them.
  void Advance(const StreamId& stream, std::string_view event_bytes);

  // OK when `head` is of `stream` and signed by `key`; else InvalidArgument saying why.
  static Status CheckSigned(const wire::ChainHead& head, const StreamId& stream, const PublicKey& key);

  // A signed head of a seq not stored yet waits (the last one received per stream) until the record has it.
  void Hold(const wire::ChainHead& head);
  // The waiting head of `stream` once `stored_seq` reaches it, taken.
  std::optional<wire::ChainHead> TakeDue(const StreamId& stream, uint64_t stored_seq);

  enum class Compared {
    kHolds,        // the head names the stored bytes, and a newer head of the stream is kept already
    kKeep,         // the head names the stored bytes, and is the stream's newest: keep it beside the record
    kContradicts,  // the station signed other bytes for that seq than the record holds
  };
  // `head` against `stored_bytes`, the record's event at head.seq().
  Compared Compare(const StreamId& stream, const wire::ChainHead& head, std::string_view stored_bytes);

 private:
  std::map<StreamId, Sha256> tips_;                 // per stream: the hash of its last applied event
  std::map<StreamId, wire::ChainHead> pending_;     // per stream: a signed head of a seq not yet stored
  std::map<StreamId, uint64_t> kept_seq_;           // per stream: the seq of the last head kept
};

}  // namespace capture::coord
