#include "station-agent/journal.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <sodium.h>

#include <cstdio>
#include <filesystem>

#include "common/fs.h"

namespace capture::agent {

namespace {

const std::string kEpochKey = "mepoch";
const std::string kAckedKey = "macked";
const std::string kCheckpointKey = "mcheckpoint";
constexpr char kEventPrefix = 'e';
constexpr char kImagePrefix = 'i';

std::string BigEndian(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<size_t>(i)] = static_cast<char>(v & 0xFF);
    v >>= 8;
  }
  return out;
}

uint64_t FromBigEndian(std::string_view s) {
  uint64_t v = 0;
  for (unsigned char c : s) v = v << 8 | c;
  return v;
}

std::string EventKey(uint64_t seq) { return kEventPrefix + BigEndian(seq); }

std::string ImageKey(std::string_view file_name, const Sha256& sha256) {
  std::string key(1, kImagePrefix);
  key.append(file_name);
  key += '\0';
  key += AsBytes(sha256);
  return key;
}

Status FromRocks(const rocksdb::Status& s, const std::string& what) {
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return Status::NotFound(what + ": " + s.ToString());
  if (s.IsCorruption()) return Status::Corruption(what + ": " + s.ToString());
  return Status::IoError(what + ": " + s.ToString());
}

rocksdb::WriteOptions Synced() {
  rocksdb::WriteOptions o;
  o.sync = true;
  return o;
}

}  // namespace

std::string EpochHex(uint64_t epoch) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(epoch));
  return buf;
}

Journal::Journal(std::unique_ptr<rocksdb::DB> db, bool read_only) : db_(std::move(db)), read_only_(read_only) {}
Journal::~Journal() = default;

Result<std::unique_ptr<Journal>> Journal::Open(const std::string& dir, bool read_only) {
  const std::string path = dir + "/db";
  rocksdb::Options options;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (read_only) {
    if (!std::filesystem::exists(path)) return Status::NotFound("no station journal at " + path);
    s = rocksdb::DB::OpenForReadOnly(options, path, &raw);
  } else {
    if (Status st = MakePrivateDirs(dir); !st.ok()) return st;
    options.create_if_missing = true;
    s = rocksdb::DB::Open(options, path, &raw);
  }
  if (!s.ok()) return FromRocks(s, "cannot open station journal " + path);
  std::unique_ptr<Journal> journal(new Journal(std::unique_ptr<rocksdb::DB>(raw), read_only));
  if (Status st = journal->Load(); !st.ok()) return st;
  return journal;
}

Status Journal::Load() {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), kEpochKey, &value);
  if (s.IsNotFound()) {
    if (read_only_) return Status::Corruption("station journal has no epoch");
    EnsureSodium();
    // Zero would read as "no epoch" on the wire.
    do {
      randombytes_buf(&epoch_, sizeof epoch_);
    } while (epoch_ == 0);
    if (Status st = FromRocks(db_->Put(Synced(), kEpochKey, BigEndian(epoch_)), "cannot write journal epoch");
        !st.ok()) {
      return st;
    }
  } else if (!s.ok() || value.size() != 8) {
    return s.ok() ? Status::Corruption("journal epoch is not 8 bytes") : FromRocks(s, "cannot read journal epoch");
  } else {
    epoch_ = FromBigEndian(value);
  }

  s = db_->Get(rocksdb::ReadOptions(), kAckedKey, &value);
  if (s.ok() && value.size() == 8) {
    acked_seq_ = FromBigEndian(value);
  } else if (!s.ok() && !s.IsNotFound()) {
    return FromRocks(s, "cannot read journal acked mark");
  }

  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  it->SeekForPrev(EventKey(UINT64_MAX));
  if (it->Valid() && it->key().size() == 9 && it->key()[0] == kEventPrefix) {
    last_seq_ = FromBigEndian(std::string_view(it->key().data() + 1, 8));
    last_hash_ = ComputeSha256(std::string_view(it->value().data(), it->value().size()));
  }
  return FromRocks(it->status(), "cannot read journal");
}

Result<std::string> Journal::Append(wire::CaptureEvent* event) {
  if (read_only_) return Status::InvalidArgument("journal is open read-only");
  const uint64_t seq = last_seq_ + 1;
  event->set_epoch(epoch_);
  event->set_seq(seq);
  if (seq > 1) event->set_prev_sha256(AsBytes(last_hash_));
  std::string bytes = event->SerializeAsString();
  rocksdb::WriteBatch batch;
  batch.Put(EventKey(seq), bytes);
  if (event->kind() == wire::SHOT_TAKEN && event->shot().sha256().size() == sizeof(Sha256)) {
    Sha256 sha;
    event->shot().sha256().copy(reinterpret_cast<char*>(sha.data()), sha.size());
    batch.Put(ImageKey(event->shot().file_name(), sha), BigEndian(seq));
  }
  if (Status st = FromRocks(db_->Write(Synced(), &batch), "cannot journal event " + std::to_string(seq)); !st.ok()) {
    return st;
  }
  last_seq_ = seq;
  last_hash_ = ComputeSha256(bytes);
  return bytes;
}

Status Journal::RecordImageWithoutEvent(std::string_view file_name, const Sha256& sha256) {
  if (read_only_) return Status::InvalidArgument("journal is open read-only");
  return FromRocks(db_->Put(Synced(), ImageKey(file_name, sha256), BigEndian(0)),
                   "cannot index image " + std::string(file_name));
}

Result<bool> Journal::HasImage(std::string_view file_name, const Sha256& sha256) const {
  std::string value;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), ImageKey(file_name, sha256), &value);
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocks(s, "cannot read image index");
  return true;
}

Status Journal::SetAcked(uint64_t seq) {
  if (read_only_) return Status::InvalidArgument("journal is open read-only");
  if (seq <= acked_seq_) return Status::Ok();
  if (Status st = FromRocks(db_->Put(rocksdb::WriteOptions(), kAckedKey, BigEndian(seq)), "cannot write acked mark");
      !st.ok()) {
    return st;
  }
  acked_seq_ = seq;
  return Status::Ok();
}

Status Journal::SaveCheckpoint(std::string_view line) {
  if (read_only_) return Status::InvalidArgument("journal is open read-only");
  return FromRocks(db_->Put(rocksdb::WriteOptions(), kCheckpointKey, rocksdb::Slice(line.data(), line.size())),
                   "cannot keep the coordinator's checkpoint in the journal");
}

Result<std::string> Journal::Checkpoint() const {
  std::string line;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), kCheckpointKey, &line);
  if (s.IsNotFound()) return Status::NotFound("the journal holds no checkpoint: the coordinator has signed none yet");
  if (!s.ok()) return FromRocks(s, "cannot read the journal's checkpoint");
  return line;
}

Status Journal::ForEachEvent(uint64_t from_seq,
                             const std::function<bool(uint64_t seq, std::string_view bytes)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(EventKey(from_seq)); it->Valid(); it->Next()) {
    const rocksdb::Slice key = it->key();
    if (key.size() != 9 || key[0] != kEventPrefix) break;
    if (!fn(FromBigEndian(std::string_view(key.data() + 1, 8)), std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocks(it->status(), "cannot read journal events");
}

}  // namespace capture::agent
