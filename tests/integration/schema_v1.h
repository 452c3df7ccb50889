#pragma once
// Turns a current store into what schema 1 left on disk (version 1, no per-type counters, no
// folded postings blocks), so the
// upgrade tests start from a real old store. Shared by upgrade_test.cc and ops_test.cc.

#include <rocksdb/db.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace archivist::testing {

inline void MakeSchemaV1(const std::string& dir) {
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir + "/db", &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const auto& n : names) descs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir + "/db", descs, &handles, &db).ok());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] != "meta") continue;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[i]));
    std::vector<std::string> media;
    for (it->Seek("media/"); it->Valid() && it->key().starts_with("media/"); it->Next())
      media.push_back(it->key().ToString());
    it.reset();
    EXPECT_FALSE(media.empty()) << "schema 2 stores keep per-type counters";
    for (const auto& k : media) ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), handles[i], k).ok());
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), handles[i], "fold_watermark").ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[i], "schema_version", "1").ok());
  }
  // Schema 3's folded postings blocks (keys starting with 0xFF) did not exist before it.
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] != "postings") continue;
    ASSERT_TRUE(db->DeleteRange(rocksdb::WriteOptions(), handles[i], "\xff", "\xff\xff").ok());
  }
  for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
  ASSERT_TRUE(db->Close().ok());
  delete db;
}

}  // namespace archivist::testing
