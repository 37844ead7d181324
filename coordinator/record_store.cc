#include "coordinator/record_store.h"

#include <algorithm>
#include <cstring>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "common/fs.h"

namespace capture::coord {

namespace {

constexpr char kRecordFamily[] = "record";
constexpr char kEventsFamily[] = "events";
constexpr char kMetaFamily[] = "meta";
constexpr char kVerdictsFamily[] = "verdicts";
constexpr char kFormatKey[] = "format";
constexpr char kFormatVersion[] = "2";
constexpr char kFormatVersionWithoutVerdicts[] = "1";
constexpr char kCommitIndexKey[] = "commit_index";
constexpr char kJudgeConfigKey[] = "judge_config";
constexpr char kScheduleKey[] = "schedule_csv";
constexpr char kRosterKey[] = "roster_csv";
constexpr char kStreamPrefix = 's';
constexpr char kConflictPrefix = 'c';

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

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return Status::NotFound(what + ": " + s.ToString());
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  if (s.IsInvalidArgument()) return Status::InvalidArgument(what + ": " + s.ToString());
  return Status::IoError(what + ": " + s.ToString());
}

}  // namespace

void RecordStore::Batch::AddEvent(const StreamId& stream, uint64_t seq, std::string bytes) {
  event_hashes_[{stream, seq}] = ComputeSha256(bytes);
  items_.push_back({stream, seq, std::move(bytes), {}});
}

void RecordStore::Batch::AddObservation(wire::Observation observation) {
  StreamId stream{observation.station(), observation.epoch()};
  if (observation.kind() == wire::Observation::SEQ_CONFLICT && observation.sha256().size() == 32) {
    Sha256 hash;
    std::memcpy(hash.data(), observation.sha256().data(), hash.size());
    conflicts_.emplace(stream, observation.seq(), hash);
  }
  items_.push_back({stream, 0, {}, std::move(observation)});
}

const Sha256* RecordStore::Batch::FindEvent(const StreamId& stream, uint64_t seq) const {
  auto it = event_hashes_.find({stream, seq});
  return it == event_hashes_.end() ? nullptr : &it->second;
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
    if (Status s = MakeDirs(dir); !s.ok()) return s;
  }

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !read_only;
  db_options.create_missing_column_families = !read_only;
  std::vector<std::string> families;
  rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db_options, store->path_, &families);
  if (!listed.ok()) {
    if (read_only) return FromRocks(listed, "cannot open " + what);
    families.clear();  // a new store
  }
  for (const char* needed :
       {rocksdb::kDefaultColumnFamilyName.c_str(), kRecordFamily, kEventsFamily, kMetaFamily, kVerdictsFamily}) {
    // A version 1 store has no verdicts family, and a read-only open cannot create one.
    if (read_only && std::string_view(needed) == kVerdictsFamily) continue;
    if (std::find(families.begin(), families.end(), needed) == families.end()) families.emplace_back(needed);
  }
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
    if (families[i] == kEventsFamily) store->events_ = store->handles_[i];
    if (families[i] == kMetaFamily) store->meta_ = store->handles_[i];
    if (families[i] == kVerdictsFamily) store->verdicts_ = store->handles_[i];
  }
  if (Status s = store->Load(); !s.ok()) return s;
  return store;
}

RecordStore::~RecordStore() {
  if (!db_) return;
  for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  db_->Close().PermitUncheckedError();
}

Status RecordStore::Load() {
  const std::string what = "record store " + path_;
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_, kFormatKey, &value);
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
  } else if (value == kFormatVersionWithoutVerdicts) {
    if (!read_only_) {
      rocksdb::WriteOptions sync;
      sync.sync = true;
      if (Status w = FromRocks(db_->Put(sync, meta_, kFormatKey, kFormatVersion), "cannot upgrade " + what); !w.ok()) {
        return w;
      }
    }
  } else if (value != kFormatVersion) {
    return Status::Corruption(what + " has format version '" + value + "'; this program reads versions 1 and 2");
  }

  s = db_->Get(rocksdb::ReadOptions(), meta_, kCommitIndexKey, &value);
  if (s.ok()) {
    commit_index_ = GetBig(value);
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "cannot read " + what);
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
    wire::RecordItem item;
    if (!item.ParseFromArray(last->value().data(), static_cast<int>(last->value().size()))) {
      return Status::Corruption(what + ": record item " + std::to_string(last_key) + " does not parse");
    }
    last_received_time_us_ = item.received_time_us();
  }

  if (verdicts_ != nullptr) {
    std::unique_ptr<rocksdb::Iterator> verdict(db_->NewIterator(rocksdb::ReadOptions(), verdicts_));
    verdict->SeekToLast();
    if (Status st = FromRocks(verdict->status(), "cannot read " + what); !st.ok()) return st;
    verdict_index_ = verdict->Valid() ? GetBig({verdict->key().data(), verdict->key().size()}) : 0;
    if (verdict_index_ > commit_index_) {
      return Status::Corruption(what + ": a verdict for commit index " + std::to_string(verdict_index_) +
                                " but the commit index is " + std::to_string(commit_index_));
    }
  }
  return LoadJudgeInputs();
}

Status RecordStore::LoadJudgeInputs() {
  const std::string what = "record store " + path_;
  std::string values[3];
  const char* keys[3] = {kJudgeConfigKey, kScheduleKey, kRosterKey};
  int found = 0;
  for (int i = 0; i < 3; ++i) {
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_, keys[i], &values[i]);
    if (s.ok()) {
      ++found;
    } else if (!s.IsNotFound()) {
      return FromRocks(s, "cannot read " + what);
    }
  }
  if (found == 0) return Status::Ok();
  if (found != 3) return Status::Corruption(what + ": the judge's inputs are stored only in part");
  JudgeInputs inputs;
  if (!inputs.config.ParseFromString(values[0])) {
    return Status::Corruption(what + ": the stored judge configuration does not parse");
  }
  inputs.schedule_csv = std::move(values[1]);
  inputs.roster_csv = std::move(values[2]);
  judge_inputs_ = std::move(inputs);
  return Status::Ok();
}

Status RecordStore::WriteSynced(rocksdb::WriteBatch* write) {
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return FromRocks(db_->Write(sync, write), "cannot write record store " + path_);
}

Status RecordStore::SaveJudgeInputs(const JudgeInputs& inputs) {
  if (read_only_) return Status::InvalidArgument("record store " + path_ + " is open read-only");
  if (judge_inputs_) return Status::InvalidArgument("record store " + path_ + " has its judge's inputs already");
  if (verdict_index_ != 0) {
    return Status::InvalidArgument("record store " + path_ + " has verdicts already: its judge's inputs are lost");
  }
  rocksdb::WriteBatch write;
  rocksdb::Status s = write.Put(meta_, kJudgeConfigKey, inputs.config.SerializeAsString());
  if (s.ok()) s = write.Put(meta_, kScheduleKey, inputs.schedule_csv);
  if (s.ok()) s = write.Put(meta_, kRosterKey, inputs.roster_csv);
  if (!s.ok()) return FromRocks(s, "cannot build the write batch");
  if (Status w = WriteSynced(&write); !w.ok()) return w;
  judge_inputs_ = inputs;
  return Status::Ok();
}

Status RecordStore::AddVerdicts(const std::vector<wire::Verdict>& verdicts) {
  if (read_only_) return Status::InvalidArgument("record store " + path_ + " is open read-only");
  rocksdb::WriteBatch write;
  uint64_t index = verdict_index_;
  for (const wire::Verdict& verdict : verdicts) {
    if (verdict.commit_index() != index + 1 || verdict.commit_index() > commit_index_) {
      return Status::InvalidArgument("record store " + path_ + ": a verdict for commit index " +
                                     std::to_string(verdict.commit_index()) + " does not follow verdict " +
                                     std::to_string(index) + " of " + std::to_string(commit_index_) + " items");
    }
    index = verdict.commit_index();
    if (rocksdb::Status s = write.Put(verdicts_, Big64(index), verdict.SerializeAsString()); !s.ok()) {
      return FromRocks(s, "cannot build the write batch");
    }
  }
  if (Status w = WriteSynced(&write); !w.ok()) return w;
  verdict_index_ = index;
  return Status::Ok();
}

Status RecordStore::Commit(const Batch& batch, int64_t received_time_us, const ItemJudge& judge) {
  if (read_only_) return Status::InvalidArgument("record store " + path_ + " is open read-only");
  if (batch.empty()) return Status::Ok();
  if (verdict_index_ != commit_index_) {
    return Status::InvalidArgument("record store " + path_ + ": items " + std::to_string(verdict_index_ + 1) + ".." +
                                   std::to_string(commit_index_) + " have no verdict yet");
  }
  std::map<StreamId, uint64_t> advanced;
  rocksdb::WriteBatch write;
  std::vector<wire::RecordItem> records;
  records.reserve(batch.items_.size());
  uint64_t index = commit_index_;
  for (const Batch::Item& item : batch.items_) {
    wire::RecordItem& record = records.emplace_back();
    record.set_commit_index(++index);
    record.set_received_time_us(received_time_us);
    rocksdb::Status s;
    if (item.seq == 0) {
      *record.mutable_observation() = item.observation;
      const auto& obs = item.observation;
      if (obs.kind() == wire::Observation::SEQ_CONFLICT && obs.sha256().size() == 32) {
        s = write.Put(meta_, ConflictKey(item.stream, obs.seq(), obs.sha256()), Big64(index));
      }
    } else {
      auto found = advanced.find(item.stream);
      const uint64_t stored = found != advanced.end() ? found->second
                              : streams_.count(item.stream) ? streams_.at(item.stream)
                                                            : 0;
      if (item.seq != stored + 1) {
        return Status::InvalidArgument("record store " + path_ + ": " + Describe(item.stream) + " seq " +
                                       std::to_string(item.seq) + " does not follow stored seq " +
                                       std::to_string(stored));
      }
      advanced[item.stream] = item.seq;
      record.set_event(item.event_bytes);
      s = write.Put(events_, EventKey(item.stream, item.seq),
                    Big64(index) + AsBytes(ComputeSha256(item.event_bytes)));
    }
    if (!s.ok()) return FromRocks(s, "cannot build the write batch");
  }
  // Every item is valid: only now is the judge told of them, in commit order.
  for (const wire::RecordItem& record : records) {
    const std::string key = Big64(record.commit_index());
    rocksdb::Status s = write.Put(record_, key, record.SerializeAsString());
    if (s.ok()) s = write.Put(verdicts_, key, judge(record).SerializeAsString());
    if (!s.ok()) return FromRocks(s, "cannot build the write batch");
  }
  for (const auto& [stream, seq] : advanced) {
    rocksdb::Status s = write.Put(meta_, kStreamPrefix + StreamKey(stream), Big64(seq));
    if (!s.ok()) return FromRocks(s, "cannot build the write batch");
  }
  rocksdb::Status s = write.Put(meta_, kCommitIndexKey, Big64(index));
  if (!s.ok()) return FromRocks(s, "cannot build the write batch");

  if (Status w = WriteSynced(&write); !w.ok()) return w;
  commit_index_ = index;
  verdict_index_ = index;
  last_received_time_us_ = received_time_us;
  for (const auto& [stream, seq] : advanced) streams_[stream] = seq;
  return Status::Ok();
}

Status RecordStore::ForEachItem(const std::function<bool(const wire::RecordItem&)>& fn) const {
  const std::string what = "record store " + path_;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), record_));
  uint64_t expected = 1;
  for (it->SeekToFirst(); it->Valid(); it->Next(), ++expected) {
    const uint64_t index = GetBig({it->key().data(), it->key().size()});
    if (index != expected) {
      return Status::Corruption(what + ": commit index " + std::to_string(expected) + " is missing (next is " +
                                std::to_string(index) + ")");
    }
    wire::RecordItem item;
    if (!item.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) ||
        item.commit_index() != index) {
      return Status::Corruption(what + ": record item " + std::to_string(index) + " does not parse");
    }
    if (!fn(item)) return Status::Ok();
  }
  return FromRocks(it->status(), "cannot read " + what);
}

Status RecordStore::ForEachVerdict(const std::function<bool(uint64_t, const std::string&)>& fn) const {
  if (verdicts_ == nullptr) return Status::Ok();  // a version 1 store opened read-only
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), verdicts_));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (!fn(GetBig({it->key().data(), it->key().size()}), it->value().ToString())) return Status::Ok();
  }
  return FromRocks(it->status(), "cannot read the verdicts of record store " + path_);
}

Result<Sha256> RecordStore::EventHash(const StreamId& stream, uint64_t seq) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), events_, EventKey(stream, seq), &value);
  const std::string what = Describe(stream) + " seq " + std::to_string(seq);
  if (!s.ok()) return FromRocks(s, "record store " + path_ + ": " + what);
  if (value.size() != 8 + 32) return Status::Corruption("record store " + path_ + ": bad events entry for " + what);
  Sha256 hash;
  std::memcpy(hash.data(), value.data() + 8, hash.size());
  return hash;
}

Result<bool> RecordStore::HasConflict(const StreamId& stream, uint64_t seq, const Sha256& hash) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), meta_, ConflictKey(stream, seq, AsBytes(hash)), &value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocks(s, "cannot read record store " + path_);
  return true;
}

}  // namespace capture::coord
