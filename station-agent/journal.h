// The station's durable local journal: every event it observed, in order, in RocksDB at DIR/db.
//
// Format (one RocksDB key space, distinguished by the first byte):
//   'm' "epoch"                       -> 8 bytes big-endian: random, made when the journal is created
//   'm' "acked"                       -> 8 bytes big-endian: the coordinator stored everything up to here
//   'm' "checkpoint"                  -> the newest tree head the coordinator signed and this station
//                                        kept (witness.h): a checkpoint line (common/checkpoint.h)
//   'e' <seq, 8 bytes big-endian>     -> serialized wire::CaptureEvent, exactly as published
//   'i' <file name> 0x00 <sha256, 32> -> 8 bytes big-endian: the seq of the SHOT_TAKEN that took this
//                                        image in; 0 when it was stored without an event (no shot number)
// Sequence numbers are 1, 2, 3 ... and never reused: Append writes the event and its index entry in
// one synced batch before returning, so after a crash (kill -9) the journal holds every event that
// was ever printed or published. The acked mark is written unsynced: losing it only causes resends.
// So is the checkpoint: losing the newest one leaves an older, which the record extends as well.
//
// Thread safety: one thread uses a Journal. A read-only Journal may be opened by other processes
// while the agent runs (it sees the events up to its opening).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "capture.pb.h"
#include "common/sha256.h"
#include "common/status.h"

namespace rocksdb {
class DB;
}

namespace capture::agent {

class Journal {
 public:
  // Opens DIR/db, creating the folder and a new epoch unless `read_only`. Read-only on a missing
  // journal is NotFound.
  static Result<std::unique_ptr<Journal>> Open(const std::string& dir, bool read_only);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  uint64_t epoch() const { return epoch_; }
  uint64_t last_seq() const { return last_seq_; }
  uint64_t acked_seq() const { return acked_seq_; }
  // The SHA-256 of the bytes of event last_seq() (meaningless while last_seq() is 0).
  const Sha256& last_hash() const { return last_hash_; }

  // Gives `*event` the journal's epoch, the next seq and its link to the event before it
  // (prev_sha256: the SHA-256 of the last journaled event's bytes), and writes it with sync.
  // Returns the serialized event as journaled. A SHOT_TAKEN event also enters the image index under
  // (file name, sha256).
  Result<std::string> Append(wire::CaptureEvent* event);

  // Indexes an image that was kept without an event, so it is not taken in again.
  Status RecordImageWithoutEvent(std::string_view file_name, const Sha256& sha256);
  // Whether (file name, sha256) was already taken in, with or without an event.
  Result<bool> HasImage(std::string_view file_name, const Sha256& sha256) const;

  // Raises the acked mark (never lowers it). Not synced.
  Status SetAcked(uint64_t seq);

  // Keeps `line` as the station's checkpoint, replacing the one kept before. Not synced.
  Status SaveCheckpoint(std::string_view line);
  // The checkpoint line kept; NotFound before the first.
  Result<std::string> Checkpoint() const;

  // Calls `fn` for each event with seq >= from_seq in order, until it returns false.
  Status ForEachEvent(uint64_t from_seq, const std::function<bool(uint64_t seq, std::string_view bytes)>& fn) const;

 private:
  Journal(std::unique_ptr<rocksdb::DB> db, bool read_only);
  Status Load();

  std::unique_ptr<rocksdb::DB> db_;
  bool read_only_;
  uint64_t epoch_ = 0;
  uint64_t last_seq_ = 0;
  uint64_t acked_seq_ = 0;
  Sha256 last_hash_{};
};

std::string EpochHex(uint64_t epoch);  // 16 lowercase hex digits

}  // namespace capture::agent
