// A stopped store's RocksDB opened for writing with every column family, as someone editing the
// store's files could: for the tests that change a record behind its RecordStore's back and show
// that the audits find it. Its layout is coordinator/record_store.h's.
#pragma once

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace capture::testing {

// 8 bytes big-endian: a record key (commit index), or the size in a signed head's key.
inline std::string BigEndian64(uint64_t v) {
  std::string out(8, '\0');
  for (size_t i = 8; i-- > 0; v >>= 8) out[i] = static_cast<char>(v & 0xff);
  return out;
}

class RawStore {
 public:
  explicit RawStore(const std::string& store_dir) {
    const std::string path = store_dir + "/db";
    std::vector<std::string> names;
    EXPECT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names).ok()) << path;
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    EXPECT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles_, &db_).ok()) << path;
    for (size_t i = 0; i < handles_.size(); ++i) by_name_[names[i]] = handles_[i];
  }
  ~RawStore() {
    if (db_ == nullptr) return;  // the open failed, and said so
    for (auto* h : handles_) EXPECT_TRUE(db_->DestroyColumnFamilyHandle(h).ok());
    delete db_;
  }
  RawStore(const RawStore&) = delete;
  RawStore& operator=(const RawStore&) = delete;

  rocksdb::DB* db() { return db_; }
  // Null (and a failure) when the store has no such family.
  rocksdb::ColumnFamilyHandle* family(const std::string& name) {
    const auto it = by_name_.find(name);
    if (it == by_name_.end()) ADD_FAILURE() << "the store has no column family " << name;
    return it == by_name_.end() ? nullptr : it->second;
  }

  std::string Get(const std::string& family_name, const std::string& key) {
    std::string value;
    EXPECT_TRUE(db_->Get(rocksdb::ReadOptions(), family(family_name), key, &value).ok()) << family_name;
    return value;
  }
  void Put(const std::string& family_name, const std::string& key, const std::string& value) {
    EXPECT_TRUE(db_->Put(rocksdb::WriteOptions(), family(family_name), key, value).ok()) << family_name;
  }
  void Delete(const std::string& family_name, const std::string& key) {
    EXPECT_TRUE(db_->Delete(rocksdb::WriteOptions(), family(family_name), key).ok()) << family_name;
  }
  // Deletes every key of the family that starts with `prefix` and for which `doomed(value)` holds.
  void DeleteIf(const std::string& family_name, const std::string& prefix,
                const std::function<bool(const std::string&)>& doomed) {
    std::vector<std::string> keys;
    {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), family(family_name)));
      for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
        if (doomed(it->value().ToString())) keys.push_back(it->key().ToString());
      }
    }
    for (const std::string& key : keys) Delete(family_name, key);
  }

 private:
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::map<std::string, rocksdb::ColumnFamilyHandle*> by_name_;
};

}  // namespace capture::testing
