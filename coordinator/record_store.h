// RecordStore: the coordinator's authoritative record, in RocksDB at <dir>/db.
//
// Every stored thing is a RecordItem (proto/capture.proto) with a global commit index 1, 2, 3 …:
// the stations' events exactly as journaled, and the coordinator's own Observations. Reading the
// items in commit order replays the day. With each item lies the judge's Verdict on it, and the
// judge's inputs lie in "meta", so a stopped store is self-contained: an auditor re-judges it with
// nothing else and compares verdicts byte for byte.
//
// On-disk format, version 3 (all integers big-endian, so keys sort numerically):
//   column family "record": commit_index u64              -> StoredItem{RecordItem bytes, Verdict bytes}
//   column family "runs":   station u32, epoch u64, first_seq u64
//                                                         -> the commit indexes of that stream's seqs
//                                                            first_seq, first_seq+1, … stored by one
//                                                            Commit: varint first, then varint steps
//   column family "meta":   "format"                      -> "3"
//                           "commit_index"                -> last commit index u64
//                           "judge_config"                -> JudgeConfig bytes    } written once,
//                           "schedule_csv"                -> the schedule file    } before the
//                           "roster_csv"                  -> the roster file      } first item
//                           "keys_csv"                    -> the enrolment file   } (absent: none)
//                           "record_id"                   -> 16 random bytes, made at the first start
//                           "replicated_index"            -> u64: the last commit index the replication
//                                                            stream acknowledged (unsynced)
//                           ("schedule_csv" shares the stream entries' prefix "s"; they are 13 bytes long)
//                           "s" station u32, epoch u64    -> stored seq u64 (1..stored all present)
//                           "c" station u32, epoch u64, seq u64, sha256[32]
//                                                         -> commit index of its SEQ_CONFLICT item
//                           "w" station u32, epoch u64, seq u64
//                                                         -> ChainHead: the station's signature of its
//                                                            event seq (kept: each one that advanced
//                                                            its stream, so the newest always)
//                           "h" size u64                  -> the coordinator's signed tree head of that
//                                                            size: a checkpoint line (common/checkpoint.h)
// One key per item, and one "runs" key per stream and Commit rather than one per event: an event is
// found again (to tell a resent duplicate from a conflict) through its run, which is rare, while
// every event is written, which is not.
// One Commit is one synced WriteBatch over all three, items and their verdicts together, so after a
// crash (kill -9) the store holds every committed batch completely and nothing of a later one.
// Stores of earlier format versions (never deployed) are refused with a message naming the version.
// The signed tree heads ("h") came later within version 3: a store without them is still version 3,
// it proves nothing of itself (docs/record-proofs.md). A head is written on its own, unsynced: the
// next commit's synced write carries it to disk (one write-ahead log), and a head lost with the
// machine is signed again from the durable record.
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
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "capture.pb.h"
#include "common/sha256.h"
#include "common/status.h"
#include "coordinator/stream_id.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Iterator;
class WriteBatch;
}  // namespace rocksdb

namespace capture::coord {

// The judge's inputs, stored with the record: a record is judged with these and nothing else.
struct JudgeInputs {
  wire::JudgeConfig config;
  std::string schedule_csv;  // the schedule file's bytes exactly
  std::string roster_csv;    // the roster file's bytes exactly
  std::string station_keys_csv;  // the enrolment file's bytes exactly; empty: none was given
};

// The judge's inputs exactly as stored, the configuration's bytes unparsed: what the record's tree
// takes as its first leaves (coordinator/proof/record_leaves.h).
struct StoredJudgeInputs {
  std::string config;            // JudgeConfig bytes
  std::string schedule_csv;
  std::string roster_csv;
  std::string station_keys_csv;  // empty: none
};

// Sees an item's bytes and its verdict's bytes exactly as they are written (and read back), e.g. to
// hash them into the record's tree. The views are valid during the call only.
using StoredItemSink = std::function<void(std::string_view item_bytes, std::string_view verdict_bytes)>;

// Judges one item as it is committed; `event` is the item's event parsed (nullptr for an
// observation). The Verdict is stored in the same write; the reference need only live until the
// next call.
using ItemJudge = std::function<const wire::Verdict&(const wire::RecordItem& item, const wire::CaptureEvent* event)>;

class RecordStore {
 public:
  // What one Commit writes, in order. Not thread-safe.
  class Batch {
   public:
    // `event` is `bytes` parsed; the judge is given it so that nothing parses an event twice.
    void AddEvent(const StreamId& stream, uint64_t seq, std::string bytes, wire::CaptureEvent event);
    // A SEQ_CONFLICT observation also marks (station, epoch, seq, sha256) as reported.
    void AddObservation(wire::Observation observation);

    // A station's signed chain head, kept beside the record (not an item of it).
    void AddStationHead(wire::ChainHead head);

    bool empty() const { return items_.empty() && heads_.empty(); }
    size_t size() const { return items_.size(); }
    // The events among the items (the rest are observations).
    size_t events() const;
    // The bytes of an event added to this batch, or nullptr.
    const std::string* FindEvent(const StreamId& stream, uint64_t seq) const;
    bool HasConflict(const StreamId& stream, uint64_t seq, const Sha256& hash) const;

   private:
    friend class RecordStore;
    struct Item {
      StreamId stream;
      uint64_t seq = 0;  // 0 for an observation
      wire::RecordItem record;  // commit index and time not yet set
      wire::CaptureEvent event;
    };
    // A stream's events in this batch: seqs first_seq, first_seq+1, … at these item positions.
    struct Run {
      uint64_t first_seq = 0;
      std::vector<size_t> positions;
    };
    using ConflictKey = std::tuple<StreamId, uint64_t, Sha256>;
    std::vector<Item> items_;
    std::map<StreamId, Run> runs_;
    std::set<ConflictKey> conflicts_;
    std::vector<wire::ChainHead> heads_;
  };

  // Opens the store in `dir`, creating it unless `read_only`. Fails with a message naming `dir` when
  // it cannot be opened, is of another format version, or is inconsistent.
  // A store that a running coordinator holds is refused (not read-only), naming that process.
  static Result<std::unique_ptr<RecordStore>> Open(const std::string& dir, bool read_only);
  // The pid of another process that holds the store in `dir` open for writing (a running
  // coordinator), if any. Not for a store this process has open: closing the descriptor it asks
  // through would drop this process's own lock.
  static std::optional<long> HolderOf(const std::string& dir);
  ~RecordStore();
  RecordStore(const RecordStore&) = delete;
  RecordStore& operator=(const RecordStore&) = delete;

  // Gives the batch's items the next commit indexes, has `judge` judge each in order (once every
  // item is known to be valid) and writes the items and their verdicts with sync, all or nothing.
  // `stored` (if set) sees each item's bytes and verdict's bytes in commit order as they are
  // encoded for the write. InvalidArgument (nothing written, nothing judged, nothing seen) if an
  // event does not continue its stream. On an I/O error the judge and `stored` have seen items that
  // are not stored: the caller must stop. The batch is consumed.
  Status Commit(Batch&& batch, int64_t received_time_us, const ItemJudge& judge, const StoredItemSink& stored = nullptr);

  // Writes the judge's inputs with sync, once, before the first item. InvalidArgument when they
  // are stored already.
  Status SaveJudgeInputs(const JudgeInputs& inputs);
  bool has_judge_inputs() const { return has_judge_inputs_; }
  // Reads them from the store: a roster may be large, so the store does not keep it in memory.
  // NotFound until saved; Corruption when the stored configuration does not parse.
  Result<JudgeInputs> ReadJudgeInputs() const;
  // The same, as stored: NotFound until saved.
  Result<StoredJudgeInputs> ReadStoredJudgeInputs() const;

  // Reads the record forward in commit order, one item at a time, for a caller that pulls rather
  // than being called (a Merkle proof's leaf source). Lives no longer than its store.
  class Cursor {
   public:
    ~Cursor();
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;
    // Moves to the next item: false after the last. Corruption as ForEachItem.
    Result<bool> Next();
    // The current item, and its bytes and its verdict's as stored, valid until the next Next().
    const wire::RecordItem& item() const { return item_; }
    std::string_view item_bytes() const { return item_bytes_; }
    std::string_view verdict_bytes() const { return verdict_bytes_; }

   private:
    friend class RecordStore;
    Cursor(std::string what, std::unique_ptr<rocksdb::Iterator> it, uint64_t first_commit_index);
    std::string what_;
    std::unique_ptr<rocksdb::Iterator> it_;
    uint64_t first_index_;
    uint64_t next_index_;
    wire::RecordItem item_;  // its room is reused
    std::string_view item_bytes_;
    std::string_view verdict_bytes_;
  };
  // From `first_commit_index` on. May be called on another thread than the writer's (the
  // replicator's): it sees what was committed before the call.
  std::unique_ptr<Cursor> ReadItems(uint64_t first_commit_index = 1) const;

  // 16 random bytes made at the store's first start: they tell this record from any other, also
  // from another campus's or another day's, in a replication stream. Empty only in a read-only
  // store made before there were record ids.
  const std::string& record_id() const { return record_id_; }
  // A restored store continues the record it is restored from: before its first item only.
  Status AdoptRecordId(std::string_view record_id);
  // The last commit index the replication stream acknowledged, as of the store's opening.
  uint64_t replicated_index() const { return replicated_index_; }
  // Written unsynced, from the replicator's thread: losing it costs a look at the stream.
  Status SaveReplicatedIndex(uint64_t commit_index);

  // Every stored chain head, by station, epoch and seq, until `fn` returns false.
  Status ForEachStationHead(const std::function<bool(const wire::ChainHead&)>& fn) const;

  // Every item in commit order until `fn` returns false. Corruption if an item does not parse or
  // the commit indexes have a hole.
  Status ForEachItem(const std::function<bool(const wire::RecordItem&)>& fn) const;
  // The same, each item with its Verdict's bytes exactly as stored (they lie together: one read).
  Status ForEachItemAndVerdict(const std::function<bool(const wire::RecordItem&, std::string_view)>& fn) const;
  // The same, with the item's own bytes as stored too.
  Status ForEachStoredItem(
      const std::function<bool(const wire::RecordItem&, std::string_view item_bytes, std::string_view verdict_bytes)>&
          fn) const;
  uint64_t commit_index() const { return commit_index_; }
  // The received_time_us of the last item, 0 if none.
  int64_t last_received_time_us() const { return last_received_time_us_; }
  // Per stream, the seq up to which every event is stored.
  const std::map<StreamId, uint64_t>& streams() const { return streams_; }

  // The stored item of `commit_index`; NotFound past the last.
  Result<wire::RecordItem> ItemAt(uint64_t commit_index) const;
  // The bytes of a stored event; NotFound if that seq is not stored.
  Result<std::string> EventBytes(const StreamId& stream, uint64_t seq) const;
  // Whether a SEQ_CONFLICT with this hash was already recorded.
  Result<bool> HasConflict(const StreamId& stream, uint64_t seq, const Sha256& hash) const;

  // Keeps the coordinator's signed head of the tree of `size` leaves (its checkpoint line) beside
  // the record, not synced (see the top of this file). The store does not read the line.
  Status SaveCheckpoint(uint64_t size, std::string_view line);
  // Every stored head in increasing size, until `fn` returns false.
  Status ForEachCheckpoint(const std::function<bool(uint64_t size, std::string_view line)>& fn) const;
  // The head of the largest size; NotFound when none is stored.
  Result<std::string> NewestCheckpoint() const;

 private:
  RecordStore() = default;
  Status Load();
  Status CheckJudgeInputs();
  Status WriteSynced(rocksdb::WriteBatch* write);
  // The commit index of a stored event, from its run.
  Result<uint64_t> CommitIndexOf(const StreamId& stream, uint64_t seq) const;

  std::string path_;
  bool read_only_ = false;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned: destroyed before db_ closes
  rocksdb::ColumnFamilyHandle* record_ = nullptr;
  rocksdb::ColumnFamilyHandle* runs_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  uint64_t commit_index_ = 0;
  bool has_judge_inputs_ = false;
  int64_t last_received_time_us_ = 0;
  std::map<StreamId, uint64_t> streams_;
  std::string record_id_;
  uint64_t replicated_index_ = 0;
};

}  // namespace capture::coord
