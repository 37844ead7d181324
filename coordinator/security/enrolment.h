// Enrolment: which Ed25519 key each station may connect with, and which key was valid when.
//
// The registrar enrols the stations' keys: a CSV (`station,public_key`, the key as 64 hex digits)
// given to the coordinator's first start and stored with the judge's inputs, then record items
// (Observation KEY_ENROLLED, KEY_REVOKED) for keys enrolled or withdrawn later, e.g. for a replaced
// laptop. A station has at most one admitted key at a time: enrolling a new key withdraws the old
// one; revoking withdraws it with no successor. A withdrawn key is never admitted again.
//
// Pure: no sockets, files or clock; the coordinator and the auditor's tools both replay it.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "capture.pb.h"
#include "common/identity.h"
#include "common/status.h"

namespace capture::coord {

// One change of a station's key, in record order. `commit_index` 0: from the enrolment file.
struct KeyChange {
  uint32_t station = 0;
  PublicKey key{};  // the key enrolled or revoked
  bool revoked = false;
  uint64_t commit_index = 0;
  int64_t time_us = 0;  // the item's received time; 0 for the enrolment file
  std::string by;
};

// The ZAP User-Id of a connection: "station/<N>/<key hex>" or "registrar".
inline constexpr char kRegistrarUserId[] = "registrar";
std::string StationUserId(uint32_t station, const PublicKey& key);
// The station of a station User-Id, or nullopt for any other.
std::optional<uint32_t> StationOfUserId(std::string_view user_id);

class Enrolment {
 public:
  // The enrolment file: a header `station,public_key`, one line per station, each station and key
  // at most once. `stations` are the schedule's: a key for another station is refused.
  static Result<Enrolment> FromCsv(std::string_view csv, std::string_view source, const std::vector<int>& stations);
  Enrolment() = default;

  // Applies a KEY_ENROLLED or KEY_REVOKED observation stored at `commit_index`; other kinds are
  // ignored. InvalidArgument (nothing changed) for a key already used, a revocation of a station
  // without a key, or a malformed key: the coordinator checks before it records.
  Status Apply(const wire::Observation& observation, uint64_t commit_index, int64_t time_us);
  // The checks of Apply alone.
  Status Check(const wire::Observation& observation) const;

  std::optional<PublicKey> KeyOf(uint32_t station) const;
  // Whether `key` is the admitted key of `station` now.
  bool Admits(uint32_t station, const PublicKey& key) const;
  bool Withdrawn(const PublicKey& key) const { return withdrawn_.count(key) > 0; }
  // The station whose admitted key this is now.
  std::optional<uint32_t> StationOf(const PublicKey& key) const;
  // Every change, the file's first, in order.
  const std::vector<KeyChange>& history() const { return history_; }
  // The admitted keys now, by station.
  const std::map<uint32_t, PublicKey>& admitted() const { return admitted_; }

 private:
  Status Enrol(uint32_t station, const PublicKey& key, uint64_t commit_index, int64_t time_us, std::string by);

  std::map<uint32_t, PublicKey> admitted_;
  std::set<PublicKey> used_;       // every key ever enrolled
  std::set<PublicKey> withdrawn_;  // enrolled once, admitted no more
  std::vector<KeyChange> history_;
};

// The observation that enrols `key` for `station` (or revokes the station's key, `key` unset).
wire::Observation KeyObservation(uint32_t station, const std::optional<PublicKey>& key, const std::string& by);

// Every key change with whether its key is admitted now, as `capturectl keys` shows them: the
// coordinator's answer to a KeysRequest, and the same read from a stopped store.
wire::KeysReply KeysReplyOf(const Enrolment& enrolment);

}  // namespace capture::coord
