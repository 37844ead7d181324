// RecordStore: the coordinator's authoritative record, in RocksDB at <dir>/db.
//
// Every stored thing is a RecordItem (proto/capture.proto) with a global commit index 1, 2, 3 …:
// the stations' events exactly as journaled, and the coordinator's own Observations. Reading the
// items in commit order replays the day.
//
// On-disk format, version 1 (all integers big-endian, so keys sort numerically):
//   column family "record":  commit_index u64                   -> RecordItem bytes
//   column family "events":  station u32, epoch u64, seq u64     -> commit_index u64, sha256[32] of the event
//   column family "meta":    "format"                            -> "1"
//                            "commit_index"                      -> last commit index u64
//                            "s" station u32, epoch u64          -> stored seq u64 (1..stored all present)
//                            "c" station u32, epoch u64, seq u64, sha256[32]
//                                                                -> commit index of its SEQ_CONFLICT item
// One Commit is one synced WriteBatch over all three, so after a crash (kill -9) the store holds
// every committed batch completely and nothing of a later one. Column families this version does
// not know (a later "verdicts") are opened and left alone.
//
// Invariants Commit enforces: a stream's events are stored contiguously from seq 1, and an
// (station, epoch, seq) is never written twice, so a conflicting event can never overwrite one.
//
// Thread safety: one writer thread; a read-only instance may be opened by another process while
// the coordinator runs, and sees the state as of its opening.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "capture.pb.h"
#include "common/sha256.h"
#include "common/status.h"
#include "coordinator/stream_id.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
}  // namespace rocksdb

namespace capture::coord {

class RecordStore {
 public:
  // What one Commit writes, in order. Not thread-safe.
  class Batch {
   public:
    void AddEvent(const StreamId& stream, uint64_t seq, std::string bytes);
    // A SEQ_CONFLICT observation also marks (station, epoch, seq, sha256) as reported.
    void AddObservation(wire::Observation observation);

    bool empty() const { return items_.empty(); }
    size_t size() const { return items_.size(); }
    // The hash of an event added to this batch, or nullptr.
    const Sha256* FindEvent(const StreamId& stream, uint64_t seq) const;
    bool HasConflict(const StreamId& stream, uint64_t seq, const Sha256& hash) const;

   private:
    friend class RecordStore;
    struct Item {
      StreamId stream;
      uint64_t seq = 0;  // 0 for an observation
      std::string event_bytes;
      wire::Observation observation;
    };
    using ConflictKey = std::tuple<StreamId, uint64_t, Sha256>;
    std::vector<Item> items_;
    std::map<std::pair<StreamId, uint64_t>, Sha256> event_hashes_;
    std::set<ConflictKey> conflicts_;
  };

  // Opens the store in `dir`, creating it unless `read_only`. Fails with a message naming `dir` when
  // it cannot be opened, is of an unknown format version, or is inconsistent.
  static Result<std::unique_ptr<RecordStore>> Open(const std::string& dir, bool read_only);
  ~RecordStore();
  RecordStore(const RecordStore&) = delete;
  RecordStore& operator=(const RecordStore&) = delete;

  // Gives the batch's items the next commit indexes and writes them with sync, all or nothing.
  // InvalidArgument (nothing written) if an event does not continue its stream.
  Status Commit(const Batch& batch, int64_t received_time_us);

  // Every item in commit order until `fn` returns false. Corruption if an item does not parse or
  // the commit indexes have a hole.
  Status ForEachItem(const std::function<bool(const wire::RecordItem&)>& fn) const;
  uint64_t commit_index() const { return commit_index_; }
  // The received_time_us of the last item, 0 if none.
  int64_t last_received_time_us() const { return last_received_time_us_; }
  // Per stream, the seq up to which every event is stored.
  const std::map<StreamId, uint64_t>& streams() const { return streams_; }

  // The hash of a stored event; NotFound if that seq is not stored.
  Result<Sha256> EventHash(const StreamId& stream, uint64_t seq) const;
  // Whether a SEQ_CONFLICT with this hash was already recorded.
  Result<bool> HasConflict(const StreamId& stream, uint64_t seq, const Sha256& hash) const;

 private:
  RecordStore() = default;
  Status Load();

  std::string path_;
  bool read_only_ = false;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned: destroyed before db_ closes
  rocksdb::ColumnFamilyHandle* record_ = nullptr;
  rocksdb::ColumnFamilyHandle* events_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  uint64_t commit_index_ = 0;
  int64_t last_received_time_us_ = 0;
  std::map<StreamId, uint64_t> streams_;
};

}  // namespace capture::coord
