// Folding per-chunk postings into read-optimized blocks (layout: postings_blocks.h).
//
// The fold is derived data written in one WriteBatch with the new watermark, so a crash leaves
// either the old blocks and watermark (the raw entries above it still answer queries) or the new
// ones. Raw entries are never deleted by a fold: they keep the positions phrase queries need, and
// deletes keep removing them exactly as before.

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <algorithm>

#include "archive_impl.h"
#include "coding.h"

namespace archivist::index {
namespace {

// Appends `fresh` (ascending, above every folded id) to `term`'s blocks: the term's last block,
// when not full, is read back (minus chunks deleted since) and rewritten with them.
Status AppendToTerm(rocksdb::Iterator* it, rocksdb::ColumnFamilyHandle* cf, const std::string& term,
                    const std::vector<BlockPosting>& fresh,
                    const std::unordered_set<uint64_t>& dead, rocksdb::WriteBatch* batch) {
  std::vector<BlockPosting> merged;
  const std::string prefix = BlockPrefix(term);
  it->SeekForPrev(BlockKey(term, UINT64_MAX));
  if (it->Valid() && it->key().size() == prefix.size() + 8 && it->key().starts_with(prefix)) {
    BlockHeader h;
    size_t pos = 0;
    if (!DecodeBlockHeader(it->value().ToStringView(), &h, &pos))
      return Status::Corruption("the last postings block of '" + term + "' is damaged");
    if (h.count < kBlockPostings) {
      if (!DecodeBlock(it->value().ToStringView(), &merged))
        return Status::Corruption("the last postings block of '" + term + "' is damaged");
      std::erase_if(merged, [&](const BlockPosting& p) { return dead.count(p.chunk_id) > 0; });
      batch->Delete(cf, it->key());
    }
  }
  if (!it->status().ok()) return Status::Internal("reading postings blocks: " + it->status().ToString());
  merged.insert(merged.end(), fresh.begin(), fresh.end());
  WriteBlocks(term, merged, [&](const std::string& k, const std::string& v) { batch->Put(cf, k, v); });
  return Status::Ok();
}

}  // namespace

Status ArchiveImpl::LoadFoldState() {
  auto w = GetRaw(kMeta, kFoldWatermarkKey);
  uint64_t watermark = 0;
  if (w.ok()) {
    if (!ParseU64(*w, &watermark))
      return Status::Corruption("archive '" + dir_ + "' has an unreadable fold watermark");
  } else if (w.status().code() != StatusCode::kNotFound) {
    return w.status();
  }
  fold_watermark_ = watermark;
  pending_after_ = CountersSnapshot().next_chunk_id - 1;
  // Chunk ids are never reused, so every id at or below the watermark that no document covers was
  // deleted after (or before) its fold: its block postings, if any, must not be answered.
  auto dead = std::make_shared<std::unordered_set<uint64_t>>();
  std::shared_lock lock(state_mu_);
  uint64_t expected = 1;
  for (const auto& [first, doc] : docs_) {
    if (expected > watermark) break;
    for (uint64_t id = expected; id < first && id <= watermark; ++id) dead->insert(id);
    expected = std::max(expected, first + static_cast<uint64_t>(doc->chunk_count));
  }
  for (uint64_t id = expected; id <= watermark; ++id) dead->insert(id);
  dead_ = std::move(dead);
  return Status::Ok();
}

std::shared_ptr<const std::unordered_set<uint64_t>> ArchiveImpl::DeadSnapshot() const {
  std::shared_lock lock(state_mu_);
  return dead_;
}

void ArchiveImpl::BufferPostings(const std::vector<uint64_t>& ids,
                                 const std::vector<ChunkTerms>& analyzed) {
  for (size_t i = 0; i < ids.size() && i < analyzed.size(); ++i)
    for (const auto& [term, positions] : analyzed[i].positions)
      pending_[term].push_back(
          {ids[i], static_cast<uint32_t>(positions.size()), analyzed[i].length});
}

void ArchiveImpl::ForgetPostings(const std::vector<uint64_t>& ids) {
  std::vector<uint64_t> folded;
  for (uint64_t id : ids) {
    if (id <= fold_watermark_) folded.push_back(id);
    else pending_deleted_.insert(id);
  }
  if (folded.empty()) return;
  std::unique_lock lock(state_mu_);
  auto dead = std::make_shared<std::unordered_set<uint64_t>>(*dead_);
  dead->insert(folded.begin(), folded.end());
  dead_ = std::move(dead);
}

Status ArchiveImpl::FoldPostings() {
  if (options_.read_only) return Status::Ok();
  const uint64_t high = CountersSnapshot().next_chunk_id - 1;
  if (high <= fold_watermark_) return Status::Ok();
  std::map<std::string, std::vector<BlockPosting>> add;
  if (pending_after_ > fold_watermark_) {
    // Committed by an earlier process: analyze their text again (the analyzer is pinned by the
    // schema check, so this yields exactly the postings written then).
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kChunks]));
    for (it->Seek(Be64Key(fold_watermark_ + 1)); it->Valid(); it->Next()) {
      const uint64_t id = GetBe64(it->key().ToStringView());
      if (id > pending_after_) break;
      ARCHIVIST_ASSIGN_OR_RETURN(ChunkRecord chunk, DecodeChunk(it->value().ToStringView()));
      ChunkTerms ct = AnalyzeChunk(analyzer_, chunk.text);
      for (const auto& [term, positions] : ct.positions)
        add[term].push_back({id, static_cast<uint32_t>(positions.size()), ct.length});
    }
    ARCHIVIST_RETURN_IF_ERROR(FromRocks(it->status(), "reading chunks to fold"));
  }
  for (auto& [term, postings] : pending_) {
    std::vector<BlockPosting>& dst = add[term];
    for (const BlockPosting& p : postings)
      if (pending_deleted_.empty() || !pending_deleted_.count(p.chunk_id)) dst.push_back(p);
  }
  const auto dead = DeadSnapshot();
  rocksdb::WriteBatch batch;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kPostings]));
    for (const auto& [term, fresh] : add)
      if (!fresh.empty())
        ARCHIVIST_RETURN_IF_ERROR(AppendToTerm(it.get(), cfs_[kPostings], term, fresh, *dead, &batch));
  }
  batch.Put(cfs_[kMeta], kFoldWatermarkKey, std::to_string(high));
  // Not synced: the blocks are derived, and a lost fold is a prefix RocksDB drops as a whole.
  ARCHIVIST_RETURN_IF_ERROR(FromRocks(db_->Write(rocksdb::WriteOptions(), &batch), "folding postings"));
  fold_watermark_ = high;
  pending_after_ = high;
  pending_.clear();
  pending_deleted_.clear();
  return Status::Ok();
}

Result<std::string> FoldAllPostings(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* postings,
                                    rocksdb::ColumnFamilyHandle* meta, rocksdb::WriteBatch* batch) {
  std::string next;
  uint64_t high = 0;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), meta, "next_chunk_id", &next);
  if (s.ok() && ParseU64(next, &high) && high > 0) --high;
  else if (!s.IsNotFound()) ARCHIVIST_RETURN_IF_ERROR(FromRocks(s, "reading next_chunk_id"));
  // Blocks left by an interrupted earlier attempt are rebuilt, not appended to.
  batch->DeleteRange(postings, BlockSpaceBegin(), BlockSpaceEnd());
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), postings));
  std::string term;
  std::vector<BlockPosting> list;
  uint64_t terms = 0, count = 0;
  std::vector<uint32_t> no_positions;
  auto flush = [&] {
    if (list.empty()) return;
    WriteBlocks(term, list, [&](const std::string& k, const std::string& v) { batch->Put(postings, k, v); });
    ++terms;
    count += list.size();
    list.clear();
  };
  for (it->SeekToFirst(); it->Valid() && it->key().size() > 0 && it->key()[0] != kBlockKeyByte; it->Next()) {
    std::string_view key = it->key().ToStringView();
    if (key.size() < 9 || key[key.size() - 9] != '\0') continue;
    std::string_view t = key.substr(0, key.size() - 9);
    BlockPosting p;
    p.chunk_id = GetBe64(key.substr(key.size() - 8));
    if (p.chunk_id > high) continue;
    if (!DecodePosting(it->value().ToStringView(), false, &p.length, &p.tf, &no_positions))
      return Status::Corruption("posting of '" + std::string(t) + "' in chunk " +
                                std::to_string(p.chunk_id) + " is damaged");
    if (t != term) {
      flush();
      term.assign(t);
    }
    list.push_back(p);
  }
  ARCHIVIST_RETURN_IF_ERROR(FromRocks(it->status(), "reading postings"));
  flush();
  batch->Put(meta, kFoldWatermarkKey, std::to_string(high));
  return "folded " + std::to_string(count) + " postings of " + std::to_string(terms) +
         " terms into blocks";
}

}  // namespace archivist::index
