#include "coordinator/record_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <rocksdb/db.h>
#include <sodium.h>
#include <rocksdb/write_batch.h>

#include "common/fs.h"

namespace capture::coord {

namespace {

constexpr char kRecordFamily[] = "record";
constexpr char kRunsFamily[] = "runs";
constexpr char kMetaFamily[] = "meta";
constexpr char kFormatKey[] = "format";
constexpr char kFormatVersion[] = "3";
constexpr char kCommitIndexKey[] = "commit_index";
constexpr char kJudgeConfigKey[] = "judge_config";
constexpr char kScheduleKey[] = "schedule_csv";
constexpr char kRosterKey[] = "roster_csv";
constexpr char kStationKeysKey[] = "keys_csv";
constexpr char kRecordIdKey[] = "record_id";
constexpr char kReplicatedKey[] = "replicated_index";
constexpr size_t kRecordIdSize = 16;
constexpr char kStreamPrefix = 's';
constexpr char kConflictPrefix = 'c';
constexpr char kHeadPrefix = 'w';  // a station's signed chain head: the station witnessed its events
constexpr char kCheckpointPrefix = 'h';

void PutBig32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}
void PutBig64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}
uint64_t GetBig(std::string_view bytes) {
  uint64_t v = 0;
  for (unsigned char c : bytes) v = (v << 8) | c;
  return v;
}
std::string Big64(uint64_t v) {
  std::string out;
  PutBig64(out, v);
  return out;
}

std::string StreamKey(const StreamId& stream) {
  std::string key;
  PutBig32(key, stream.station);
  PutBig64(key, stream.epoch);
  return key;
}
std::string EventKey(const StreamId& stream, uint64_t seq) {
  std::string key = StreamKey(stream);
  PutBig64(key, seq);
  return key;
}
std::string ConflictKey(const StreamId& stream, uint64_t seq, std::string_view sha256) {
  return kConflictPrefix + EventKey(stream, seq) + std::string(sha256);
}

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
// False at the end of `in` or on a malformed varint.
bool GetVarint(std::string_view& in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const auto byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    *v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

// StoredItem (proto/capture.proto) by hand, so that neither part is copied or re-encoded: field 1
// then field 2, both length-delimited, as protobuf writes them. Reading also takes them in the other
// order or absent (empty), as protobuf would.
constexpr char kItemTag = 1 << 3 | 2;
constexpr char kVerdictTag = 2 << 3 | 2;
void AppendField(std::string& out, char tag, const google::protobuf::MessageLite& message) {
  const size_t size = message.ByteSizeLong();
  out.push_back(tag);
  PutVarint(out, size);
  const size_t at = out.size();
  out.resize(at + size);
  message.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(out.data() + at));
}
void EncodeStoredItem(std::string& out, const wire::RecordItem& item, const wire::Verdict& verdict) {
  out.clear();
  AppendField(out, kItemTag, item);
  AppendField(out, kVerdictTag, verdict);
}
bool DecodeStoredItem(std::string_view in, std::string_view* item, std::string_view* verdict) {
  *item = {};
  *verdict = {};
  while (!in.empty()) {
    const char tag = in.front();
    in.remove_prefix(1);
    uint64_t size = 0;
    if ((tag != kItemTag && tag != kVerdictTag) || !GetVarint(in, &size) || size > in.size()) return false;
    *(tag == kItemTag ? item : verdict) = in.substr(0, size);
    in.remove_prefix(size);
  }
  return true;
}

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return Status::NotFound(what + ": " + s.ToString());
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  if (s.IsInvalidArgument()) return Status::InvalidArgument(what + ": " + s.ToString());
  return Status::IoError(what + ": " + s.ToString());
}

}  // namespace

void RecordStore::Batch::AddEvent(const StreamId& stream, uint64_t seq, std::string bytes, wire::CaptureEvent event) {
  Run& run = runs_[stream];
  if (run.positions.empty()) run.first_seq = seq;
  run.positions.push_back(items_.size());
  Item& item = items_.emplace_back();
  item.stream = stream;
  item.seq = seq;
  item.record.set_event(std::move(bytes));
  item.event = std::move(event);
}

void RecordStore::Batch::AddObservation(wire::Observation observation) {
  StreamId stream{observation.station(), observation.epoch()};
  if (observation.kind() == wire::Observation::SEQ_CONFLICT && observation.sha256().size() == 32) {
    Sha256 hash;
    std::memcpy(hash.data(), observation.sha256().data(), hash.size());
    conflicts_.emplace(stream, observation.seq(), hash);
  }
  Item& item = items_.emplace_back();
  item.stream = stream;
  *item.record.mutable_observation() = std::move(observation);
}

void RecordStore::Batch::AddStationHead(wire::ChainHead head) { heads_.push_back(std::move(head)); }

size_t RecordStore::Batch::events() const {
  size_t events = 0;
  for (const auto& [stream, run] : runs_) events += run.positions.size();
  return events;
}

const std::string* RecordStore::Batch::FindEvent(const StreamId& stream, uint64_t seq) const {
  auto it = runs_.find(stream);
  if (it == runs_.end() || seq < it->second.first_seq || seq - it->second.first_seq >= it->second.positions.size()) {
    return nullptr;
  }
  return &items_[it->second.positions[seq - it->second.first_seq]].record.event();
}

bool RecordStore::Batch::HasConflict(const StreamId& stream, uint64_t seq, const Sha256& hash) const {
  return conflicts_.count({stream, seq, hash}) > 0;
}

Result<std::unique_ptr<RecordStore>> RecordStore::Open(const std::string& dir, bool read_only) {
  std::unique_ptr<RecordStore> store(new RecordStore());
  store->path_ = dir + "/db";
  store->read_only_ = read_only;
  const std::string what = "record store " + store->path_;
  if (!read_only) {
    if (const std::optional<long> holder = HolderOf(dir)) {
      return Status::Unavailable("store " + dir + " is in use by another coordinator (pid " + std::to_string(*holder) +
                                 "): stop that one first, or give this one another --store");
    }
    if (Status s = MakePrivateDirs(dir); !s.ok()) return s;
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !read_only;
  db_options.create_missing_column_families = !read_only;
  // The coordinator's memory is budgeted per roster student; RocksDB's memtables would otherwise
  // take up to 2 × 64 MiB per column family.
  db_options.db_write_buffer_size = 64 << 20;
  std::vector<std::string> families;
  rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db_options, store->path_, &families);
  if (!listed.ok()) {
    if (read_only) return FromRocks(listed, "cannot open " + what);
    families.clear();  // a new store
  }
  // An existing store without this format's families is opened read-only, as it is, so that Load
  // names its format version and nothing is changed in it.
  const bool existing = !families.empty();
  for (const char* needed : {rocksdb::kDefaultColumnFamilyName.c_str(), kRecordFamily, kRunsFamily, kMetaFamily}) {
    if (std::find(families.begin(), families.end(), needed) != families.end()) continue;
    if (existing || read_only) {
      read_only = true;
    } else {
      families.emplace_back(needed);
    }
  }
  store->read_only_ = read_only;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const auto& name : families) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());

  rocksdb::DB* raw = nullptr;
  rocksdb::Status opened =
      read_only ? rocksdb::DB::OpenForReadOnly(db_options, store->path_, descriptors, &store->handles_, &raw)
                : rocksdb::DB::Open(db_options, store->path_, descriptors, &store->handles_, &raw);
  if (!opened.ok()) return FromRocks(opened, "cannot open " + what);
  store->db_.reset(raw);
  for (size_t i = 0; i < families.size(); ++i) {
    if (families[i] == kRecordFamily) store->record_ = store->handles_[i];
    if (families[i] == kRunsFamily) store->runs_ = store->handles_[i];
    if (families[i] == kMetaFamily) store->meta_ = store->handles_[i];
  }
  if (Status s = store->Load(); !s.ok()) return s;
  return store;
}
std::optional<long> RecordStore::HolderOf(const std::string& dir) {
  // RocksDB locks db/LOCK with a POSIX record lock, which F_GETLK reports with its holder's pid.
  const int fd = ::open((dir + "/db/LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct flock lock{};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  const bool asked = ::fcntl(fd, F_GETLK, &lock) == 0;
  ::close(fd);
  if (!asked || lock.l_type == F_UNLCK) return std::nullopt;
  return static_cast<long>(lock.l_pid);
}

RecordStore::~RecordStore() {
  if (!db_) return;
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  db_->Close().PermitUncheckedError();
}

Status RecordStore::Load() {
  const std::string what = "record store " + path_;
  std::string value;
  rocksdb::Status s = meta_ ? db_->Get(rocksdb::ReadOptions(), meta_, kFormatKey, &value)
                            : rocksdb::Status::NotFound();
  if (s.ok() && value != kFormatVersion) {
    return Status::Corruption(what + " has format version '" + value + "'; this program reads version " +
                              kFormatVersion + " only");
  }
  if (record_ == nullptr || runs_ == nullptr || meta_ == nullptr) {
    return Status::Corruption(what + " is not a record store of format version " + kFormatVersion +
                              " (a column family is missing)");
  }
  if (s.IsNotFound()) {
    if (!read_only_) {
      rocksdb::WriteOptions sync;
      sync.sync = true;
      if (Status w = FromRocks(db_->Put(sync, meta_, kFormatKey, kFormatVersion), "cannot initialise " + what);
          !w.ok()) {
        return w;
      }
    }
  } else if (!s.ok()) {
    return FromRocks(s, "cannot read " + what);
  }

  s = db_->Get(rocksdb::ReadOptions(), meta_, kCommitIndexKey, &value);
  if (s.ok()) {
    commit_index_ = GetBig(value);
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "cannot read " + what);
  }
  s = db_->Get(rocksdb::ReadOptions(), meta_, kReplicatedKey, &value);
  if (s.ok() && value.size() == 8) {
    replicated_index_ = GetBig(value);
  } else if (!s.ok() && !s.IsNotFound()) {
    return FromRocks(s, "cannot read " + what);
  }
  s = db_->Get(rocksdb::ReadOptions(), meta_, kRecordIdKey, &record_id_);
  if (s.IsNotFound() && !read_only_) {
    // Stores made before replication get theirs at their next start.
    record_id_.assign(kRecordIdSize, '\0');
    if (sodium_init() < 0) return Status::IoError("libsodium cannot start, so " + what + " gets no record id");
    randombytes_buf(record_id_.data(), record_id_.size());
    if (Status w = AdoptRecordId(record_id_); !w.ok()) return w;
  } else if (s.IsNotFound()) {
    record_id_.clear();
  } else if (!s.ok()) {
    return FromRocks(s, "cannot read " + what);
  } else if (record_id_.size() != kRecordIdSize) {
    return Status::Corruption(what + ": its record id is " + std::to_string(record_id_.size()) + " bytes, not " +
                              std::to_string(kRecordIdSize));
  }

  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), meta_));
  for (it->Seek(std::string(1, kStreamPrefix)); it->Valid() && it->key()[0] == kStreamPrefix; it->Next()) {
    rocksdb::Slice key = it->key();
    if (key == kScheduleKey) continue;  // a named key that happens to share the streams' prefix
    if (key.size() != 13 || it->value().size() != 8) return Status::Corruption(what + ": bad stream entry in meta");
    StreamId stream{static_cast<uint32_t>(GetBig({key.data() + 1, 4})), GetBig({key.data() + 5, 8})};
    streams_[stream] = GetBig({it->value().data(), 8});
  }
  if (Status st = FromRocks(it->status(), "cannot read " + what); !st.ok()) return st;

  std::unique_ptr<rocksdb::Iterator> last(db_->NewIterator(rocksdb::ReadOptions(), record_));
  last->SeekToLast();
  if (Status st = FromRocks(last->status(), "cannot read " + what); !st.ok()) return st;
  const uint64_t last_key = last->Valid() ? GetBig({last->key().data(), last->key().size()}) : 0;
  if (last_key != commit_index_) {
    return Status::Corruption(what + ": last record item is " + std::to_string(last_key) + " but the commit index is " +
                              std::to_string(commit_index_));
  }
  if (last->Valid()) {
    std::string_view item_bytes;
    std::string_view verdict_bytes;
    wire::RecordItem item;
    if (!DecodeStoredItem({last->value().data(), last->value().size()}, &item_bytes, &verdict_bytes) ||
        !item.ParseFromArray(item_bytes.data(), static_cast<int>(item_bytes.size()))) {
      return Status::Corruption(what + ": record item " + std::to_string(last_key) + " does not parse");
    }
    last_received_time_us_ = item.received_time_us();
  }
  return CheckJudgeInputs();
}

Status RecordStore::CheckJudgeInputs() {
  int found = 0;
  for (const char* key : {kJudgeConfigKey, kScheduleKey, kRosterKey}) {
    std::string ignored;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_, key, &ignored);
    if (s.ok()) {
      ++found;
    } else if (!s.IsNotFound()) {
      return FromRocks(s, "cannot read record store " + path_);
    }
  }
  if (found != 0 && found != 3) {
    return Status::Corruption("record store " + path_ + ": the judge's inputs are stored only in part");
  }
  has_judge_inputs_ = found == 3;
  return Status::Ok();
}

Result<StoredJudgeInputs> RecordStore::ReadStoredJudgeInputs() const {
  const std::string what = "record store " + path_;
  if (!has_judge_inputs_) return Status::NotFound(what + " holds no judge inputs");
  StoredJudgeInputs inputs;
  for (auto [key, value] : {std::pair{kJudgeConfigKey, &inputs.config}, std::pair{kScheduleKey, &inputs.schedule_csv},
                            std::pair{kRosterKey, &inputs.roster_csv}}) {
    if (rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_, key, value); !s.ok()) {
      return FromRocks(s, "cannot read the judge's inputs in " + what);
    }
  }
  if (rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_, kStationKeysKey, &inputs.station_keys_csv);
      !s.ok() && !s.IsNotFound()) {
    return FromRocks(s, "cannot read the enrolment in " + what);
  }
  return inputs;
}

Result<JudgeInputs> RecordStore::ReadJudgeInputs() const {
  auto stored = ReadStoredJudgeInputs();
  if (!stored.ok()) return stored.status();
  JudgeInputs inputs;
  if (!inputs.config.ParseFromString(stored->config)) {
    return Status::Corruption("record store " + path_ + ": the stored judge configuration does not parse");
  }
  inputs.schedule_csv = std::move(stored->schedule_csv);
  inputs.roster_csv = std::move(stored->roster_csv);
  inputs.station_keys_csv = std::move(stored->station_keys_csv);
  return inputs;
}

Status RecordStore::WriteSynced(rocksdb::WriteBatch* write) {
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return FromRocks(db_->Write(sync, write), "cannot write record store " + path_);
}

Status RecordStore::SaveJudgeInputs(const JudgeInputs& inputs) {
  if (read_only_) return Status::InvalidArgument("record store " + path_ + " is open read-only");
  if (has_judge_inputs_) {
    return Status::InvalidArgument("record store " + path_ + " has its judge's inputs already");
  }
  rocksdb::WriteBatch write;
  rocksdb::Status s = write.Put(meta_, kJudgeConfigKey, inputs.config.SerializeAsString());
  if (s.ok()) s = write.Put(meta_, kScheduleKey, inputs.schedule_csv);
  if (s.ok()) s = write.Put(meta_, kRosterKey, inputs.roster_csv);
  if (s.ok() && !inputs.station_keys_csv.empty()) s = write.Put(meta_, kStationKeysKey, inputs.station_keys_csv);
  if (!s.ok()) return FromRocks(s, "cannot build the write batch");
  if (Status w = WriteSynced(&write); !w.ok()) return w;
  has_judge_inputs_ = true;
  return Status::Ok();
}

Status RecordStore::Commit(Batch&& batch, int64_t received_time_us, const ItemJudge& judge,
                           const StoredItemSink& stored) {
  if (read_only_) return Status::InvalidArgument("record store " + path_ + " is open read-only");
  if (batch.empty()) return Status::Ok();
  // Each stream's events must continue what is stored, one seq after another.
  for (const auto& [stream, run] : batch.runs_) {
    auto found = streams_.find(stream);
    uint64_t previous = found == streams_.end() ? 0 : found->second;
    for (size_t position : run.positions) {
      const uint64_t seq = batch.items_[position].seq;
      if (seq != previous + 1) {
        return Status::InvalidArgument("record store " + path_ + ": " + Describe(stream) + " seq " +
                                       std::to_string(seq) + " does not follow seq " + std::to_string(previous));
      }
      previous = seq;
    }
  }

  rocksdb::WriteBatch write;
  const uint64_t base = commit_index_;  // item at position p gets commit index base + p + 1
  std::string key;
  std::string value;
  // Every item is valid: only now is the judge told of them, in commit order.
  for (size_t position = 0; position < batch.items_.size(); ++position) {
    Batch::Item& item = batch.items_[position];
    const uint64_t index = base + position + 1;
    item.record.set_commit_index(index);
    item.record.set_received_time_us(received_time_us);
    const wire::Verdict& verdict = judge(item.record, item.seq == 0 ? nullptr : &item.event);
    EncodeStoredItem(value, item.record, verdict);
    if (stored) {
      std::string_view item_bytes;
      std::string_view verdict_bytes;
      DecodeStoredItem(value, &item_bytes, &verdict_bytes);  // what EncodeStoredItem wrote always decodes
      stored(item_bytes, verdict_bytes);
    }
    key.clear();
    PutBig64(key, index);
    rocksdb::Status s = write.Put(record_, key, value);
    if (s.ok() && item.seq == 0) {
      const auto& obs = item.record.observation();
      if (obs.kind() == wire::Observation::SEQ_CONFLICT && obs.sha256().size() == 32) {
        s = write.Put(meta_, ConflictKey(item.stream, obs.seq(), obs.sha256()), Big64(index));
      }
    }
    if (!s.ok()) return FromRocks(s, "cannot build the write batch");
  }
  for (const auto& [stream, run] : batch.runs_) {
    value.clear();
    uint64_t previous = 0;
    for (size_t position : run.positions) {
      PutVarint(value, base + position + 1 - previous);
      previous = base + position + 1;
    }
    rocksdb::Status s = write.Put(runs_, EventKey(stream, run.first_seq), value);
    if (s.ok()) s = write.Put(meta_, kStreamPrefix + StreamKey(stream), Big64(run.first_seq + run.positions.size() - 1));
    if (!s.ok()) return FromRocks(s, "cannot build the write batch");
  }
  for (const wire::ChainHead& head : batch.heads_) {
    rocksdb::Status s =
        write.Put(meta_, kHeadPrefix + EventKey({head.station(), head.epoch()}, head.seq()), head.SerializeAsString());
    if (!s.ok()) return FromRocks(s, "cannot build the write batch");
  }
  const uint64_t index = base + batch.items_.size();
  rocksdb::Status s = write.Put(meta_, kCommitIndexKey, Big64(index));
  if (!s.ok()) return FromRocks(s, "cannot build the write batch");

  if (Status w = WriteSynced(&write); !w.ok()) return w;
  commit_index_ = index;
  last_received_time_us_ = received_time_us;
  for (const auto& [stream, run] : batch.runs_) streams_[stream] = run.first_seq + run.positions.size() - 1;
  return Status::Ok();
}

RecordStore::Cursor::Cursor(std::string what, std::unique_ptr<rocksdb::Iterator> it, uint64_t first_commit_index)
    : what_(std::move(what)), it_(std::move(it)), first_index_(first_commit_index), next_index_(first_commit_index) {
  it_->Seek(Big64(first_commit_index));
}
RecordStore::Cursor::~Cursor() = default;

Result<bool> RecordStore::Cursor::Next() {
  // After the last item the iterator stays past the end: Next() is false again, as it was.
  if (next_index_ > first_index_ && it_->Valid()) it_->Next();
  if (!it_->Valid()) {
    if (Status s = FromRocks(it_->status(), "cannot read " + what_); !s.ok()) return s;
    return false;
  }
  const uint64_t index = GetBig({it_->key().data(), it_->key().size()});
  if (index != next_index_) {
    return Status::Corruption(what_ + ": commit index " + std::to_string(next_index_) + " is missing (next is " +
                              std::to_string(index) + ")");
  }
  ++next_index_;
  if (!DecodeStoredItem({it_->value().data(), it_->value().size()}, &item_bytes_, &verdict_bytes_) ||
      !item_.ParseFromArray(item_bytes_.data(), static_cast<int>(item_bytes_.size())) ||
      item_.commit_index() != index) {
    return Status::Corruption(what_ + ": record item " + std::to_string(index) + " does not parse");
  }
  return true;
}

std::unique_ptr<RecordStore::Cursor> RecordStore::ReadItems(uint64_t first_commit_index) const {
  return std::unique_ptr<Cursor>(new Cursor(
      "record store " + path_, std::unique_ptr<rocksdb::Iterator>(db_->NewIterator(rocksdb::ReadOptions(), record_)),
      std::max<uint64_t>(first_commit_index, 1)));
}

Status RecordStore::AdoptRecordId(std::string_view record_id) {
  const std::string what = "record store " + path_;
  if (read_only_) return Status::InvalidArgument(what + " is open read-only");
  if (record_id.size() != kRecordIdSize) {
    return Status::InvalidArgument("a record id is " + std::to_string(kRecordIdSize) + " bytes, not " +
                                   std::to_string(record_id.size()));
  }
  if (commit_index_ > 0 && record_id != record_id_) {
    return Status::InvalidArgument(what + " holds items already: it keeps its own record id");
  }
  rocksdb::WriteOptions sync;
  sync.sync = true;
  if (Status w = FromRocks(db_->Put(sync, meta_, kRecordIdKey, rocksdb::Slice(record_id.data(), record_id.size())),
                           "cannot write the record id of " + what);
      !w.ok()) {
    return w;
  }
  record_id_ = record_id;
  return Status::Ok();
}

Status RecordStore::SaveReplicatedIndex(uint64_t commit_index) {
  if (read_only_) return Status::InvalidArgument("record store " + path_ + " is open read-only");
  return FromRocks(db_->Put(rocksdb::WriteOptions(), meta_, kReplicatedKey, Big64(commit_index)),
                   "cannot write the replicated index of record store " + path_);
}

Status RecordStore::ForEachStoredItem(
    const std::function<bool(const wire::RecordItem&, std::string_view, std::string_view)>& fn) const {
  std::unique_ptr<Cursor> cursor = ReadItems();
  while (true) {
    Result<bool> next = cursor->Next();
    if (!next.ok()) return next.status();
    if (!*next || !fn(cursor->item(), cursor->item_bytes(), cursor->verdict_bytes())) return Status::Ok();
  }
}

Status RecordStore::ForEachItemAndVerdict(
    const std::function<bool(const wire::RecordItem&, std::string_view)>& fn) const {
  return ForEachStoredItem(
      [&](const wire::RecordItem& item, std::string_view, std::string_view verdict) { return fn(item, verdict); });
}

Status RecordStore::ForEachStationHead(const std::function<bool(const wire::ChainHead&)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), meta_));
  wire::ChainHead head;
  for (it->Seek(std::string(1, kHeadPrefix)); it->Valid() && it->key().starts_with(std::string(1, kHeadPrefix));
       it->Next()) {
    if (!head.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Corruption("record store " + path_ + ": a stored chain head does not parse");
    }
    if (!fn(head)) return Status::Ok();
  }
  return FromRocks(it->status(), "cannot read the chain heads of record store " + path_);
}

Status RecordStore::ForEachItem(const std::function<bool(const wire::RecordItem&)>& fn) const {
  return ForEachStoredItem(
      [&](const wire::RecordItem& item, std::string_view, std::string_view) { return fn(item); });
}

Result<uint64_t> RecordStore::CommitIndexOf(const StreamId& stream, uint64_t seq) const {
  const std::string what = "record store " + path_ + ": " + Describe(stream) + " seq " + std::to_string(seq);
  auto stored = streams_.find(stream);
  if (seq == 0 || stored == streams_.end() || seq > stored->second) return Status::NotFound(what + " is not stored");
  const std::string key = EventKey(stream, seq);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), runs_));
  it->SeekForPrev(key);
  if (Status st = FromRocks(it->status(), "cannot read " + what); !st.ok()) return st;
  const std::string prefix = StreamKey(stream);
  if (!it->Valid() || !it->key().starts_with(prefix) || it->key().size() != key.size()) {
    return Status::Corruption(what + " is stored but no run holds it");
  }
  const uint64_t first_seq = GetBig({it->key().data() + prefix.size(), 8});
  std::string_view steps(it->value().data(), it->value().size());
  uint64_t index = 0;
  for (uint64_t s = first_seq; s <= seq; ++s) {
    uint64_t step = 0;
    if (!GetVarint(steps, &step)) return Status::Corruption(what + " is stored but its run ends before it");
    index += step;
  }
  return index;
}

Result<wire::RecordItem> RecordStore::ItemAt(uint64_t commit_index) const {
  const std::string what = "record store " + path_ + ": item " + std::to_string(commit_index);
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), record_, Big64(commit_index), &value);
  if (!s.ok()) return FromRocks(s, what);
  std::string_view item_bytes;
  std::string_view verdict_bytes;
  wire::RecordItem item;
  if (!DecodeStoredItem(value, &item_bytes, &verdict_bytes) ||
      !item.ParseFromArray(item_bytes.data(), static_cast<int>(item_bytes.size()))) {
    return Status::Corruption(what + " does not parse");
  }
  return item;
}

Result<std::string> RecordStore::EventBytes(const StreamId& stream, uint64_t seq) const {
  auto index = CommitIndexOf(stream, seq);
  if (!index.ok()) return index.status();
  auto item = ItemAt(*index);
  if (!item.ok()) return item.status();
  if (!item->has_event()) {
    return Status::Corruption("record store " + path_ + ": item " + std::to_string(*index) + " is not the event of " +
                              Describe(stream) + " seq " + std::to_string(seq));
  }
  return std::move(*item->mutable_event());
}

Result<bool> RecordStore::HasConflict(const StreamId& stream, uint64_t seq, const Sha256& hash) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_, ConflictKey(stream, seq, AsBytes(hash)), &value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocks(s, "cannot read record store " + path_);
  return true;
}

Status RecordStore::SaveCheckpoint(uint64_t size, std::string_view line) {
  if (read_only_) return Status::InvalidArgument("record store " + path_ + " is open read-only");
  std::string key(1, kCheckpointPrefix);
  PutBig64(key, size);
  return FromRocks(db_->Put(rocksdb::WriteOptions(), meta_, key, rocksdb::Slice(line.data(), line.size())),
                   "cannot store the signed tree head of size " + std::to_string(size) + " in record store " + path_);
}

Status RecordStore::ForEachCheckpoint(const std::function<bool(uint64_t size, std::string_view line)>& fn) const {
  const std::string what = "record store " + path_;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), meta_));
  for (it->Seek(std::string(1, kCheckpointPrefix)); it->Valid() && it->key()[0] == kCheckpointPrefix; it->Next()) {
    if (it->key().size() != 9) return Status::Corruption(what + ": a signed tree head's key is not 9 bytes long");
    if (!fn(GetBig({it->key().data() + 1, 8}), {it->value().data(), it->value().size()})) return Status::Ok();
  }
  return FromRocks(it->status(), "cannot read the signed tree heads of " + what);
}

Result<std::string> RecordStore::NewestCheckpoint() const {
  const std::string what = "record store " + path_;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), meta_));
  // The heads' keys end where the next prefix begins: the last key before it is the largest size.
  it->SeekForPrev(std::string(1, static_cast<char>(kCheckpointPrefix + 1)));
  if (Status s = FromRocks(it->status(), "cannot read the signed tree heads of " + what); !s.ok()) return s;
  if (!it->Valid() || it->key().empty() || it->key()[0] != kCheckpointPrefix) {
    return Status::NotFound(what + " holds no signed tree head");
  }
  return it->value().ToString();
}

}  // namespace capture::coord
