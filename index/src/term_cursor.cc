#include "term_cursor.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <memory>

#include "coding.h"

namespace archivist::index {

Result<TermCursor> TermCursor::Load(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* postings,
                                    const rocksdb::Snapshot* snapshot, const std::string& term,
                                    uint64_t watermark) {
  TermCursor c;
  c.term_ = term;
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;
  if (watermark > 0) {
    const std::string prefix = BlockPrefix(term);
    std::string upper = prefix;
    upper.back() = '\x01';
    rocksdb::Slice upper_slice(upper);
    ro.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, postings));
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      rocksdb::Slice key = it->key();
      if (key.size() != prefix.size() + 8) continue;
      Block b;
      b.last_id = GetBe64(std::string_view(key.data() + prefix.size(), 8));
      b.value = it->value().ToString();
      size_t pos = 0;
      if (!DecodeBlockHeader(b.value, &b.header, &pos))
        return Status::Corruption("postings block of '" + term + "' ending at chunk " +
                                  std::to_string(b.last_id) + " is damaged");
      c.total_ += b.header.count;
      c.blocks_.push_back(std::move(b));
    }
    if (!it->status().ok()) return Status::Internal("reading postings: " + it->status().ToString());
    ro.iterate_upper_bound = nullptr;
  }
  // The raw entries above the watermark, cut into blocks like folded ones.
  const std::string raw_prefix = PostingPrefix(term);
  std::string upper(term);
  upper.push_back('\x01');
  rocksdb::Slice upper_slice(upper);
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro, postings));
  std::vector<BlockPosting> tail;
  std::vector<uint32_t> no_positions;
  for (it->Seek(PostingKey(term, watermark + 1)); it->Valid(); it->Next()) {
    rocksdb::Slice key = it->key();
    if (key.size() != raw_prefix.size() + 8 || !key.starts_with(raw_prefix)) continue;
    BlockPosting p;
    p.chunk_id = GetBe64(std::string_view(key.data() + raw_prefix.size(), 8));
    if (!DecodePosting(it->value().ToStringView(), false, &p.length, &p.tf, &no_positions))
      return Status::Corruption("posting of '" + term + "' in chunk " + std::to_string(p.chunk_id) +
                                " is damaged");
    tail.push_back(p);
  }
  if (!it->status().ok()) return Status::Internal("reading postings: " + it->status().ToString());
  WriteBlocks(term, tail, [&](const std::string& key, std::string value) {
    Block b;
    size_t pos = 0;
    b.last_id = GetBe64(std::string_view(key).substr(key.size() - 8));
    b.value = std::move(value);
    DecodeBlockHeader(b.value, &b.header, &pos);
    c.total_ += b.header.count;
    c.blocks_.push_back(std::move(b));
  });
  c.Enter(0);
  return c;
}

void TermCursor::Enter(size_t block) {
  bi_ = block;
  pi_ = 0;
  cur_.clear();
  doc_ = kEnd;
  if (bi_ >= blocks_.size()) return;
  if (!DecodeBlock(blocks_[bi_].value, &cur_) || cur_.empty()) {
    status_ = Status::Corruption("postings block of '" + term_ + "' ending at chunk " +
                                 std::to_string(blocks_[bi_].last_id) + " is damaged");
    bi_ = blocks_.size();
    cur_.clear();
    return;
  }
  doc_ = cur_[0].chunk_id;
}

void TermCursor::Next() {
  if (doc_ == kEnd) return;
  if (++pi_ < cur_.size()) {
    doc_ = cur_[pi_].chunk_id;
    return;
  }
  Enter(bi_ + 1);
}

void TermCursor::NextGeq(uint64_t target) {
  if (doc_ == kEnd || doc_ >= target) return;
  if (blocks_[bi_].last_id < target) {
    // Skip whole blocks by their keys; only the block that may hold target is decoded.
    auto it = std::lower_bound(blocks_.begin() + static_cast<std::ptrdiff_t>(bi_) + 1, blocks_.end(),
                               target, [](const Block& b, uint64_t t) { return b.last_id < t; });
    Enter(static_cast<size_t>(it - blocks_.begin()));
    if (doc_ == kEnd) return;
  }
  while (cur_[pi_].chunk_id < target) ++pi_;  // the block's last id is >= target
  doc_ = cur_[pi_].chunk_id;
}

bool TermCursor::BoundAt(uint64_t target, uint32_t* max_tf, uint32_t* min_length) const {
  if (doc_ == kEnd) return false;
  size_t b = bi_;
  if (blocks_[b].last_id < target) {
    auto it = std::lower_bound(blocks_.begin() + static_cast<std::ptrdiff_t>(b) + 1, blocks_.end(),
                               target, [](const Block& x, uint64_t t) { return x.last_id < t; });
    if (it == blocks_.end()) return false;
    b = static_cast<size_t>(it - blocks_.begin());
  }
  *max_tf = blocks_[b].header.max_tf;
  *min_length = blocks_[b].header.min_length;
  return true;
}

std::vector<std::pair<uint32_t, uint32_t>> TermCursor::BlockBounds() const {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  out.reserve(blocks_.size());
  for (const Block& b : blocks_) out.emplace_back(b.header.max_tf, b.header.min_length);
  return out;
}

}  // namespace archivist::index
