#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <map>
#include <set>

#include "archive_impl.h"
#include "coding.h"

namespace archivist::index {
namespace {

// One chunk's contribution to the inverted index.
struct ChunkTerms {
  uint32_t length = 0;
  std::map<std::string, std::vector<uint32_t>> positions;  // term -> ascending positions
};

ChunkTerms AnalyzeChunk(const Analyzer& analyzer, const std::string& text) {
  ChunkTerms ct;
  std::vector<Token> tokens = analyzer.Tokenize(text);
  ct.length = static_cast<uint32_t>(tokens.size());
  for (auto& t : tokens) ct.positions[t.term].push_back(t.position);
  return ct;
}

std::string PageKey(const std::string& doc_id, int page) {
  std::string key = doc_id;
  PutBe32(&key, static_cast<uint32_t>(page));
  return key;
}

std::string EncodeDf(uint64_t df) {
  std::string v;
  PutVarint(&v, df);
  return v;
}

}  // namespace

Status ArchiveImpl::CheckWritable() const {
  if (options_.read_only)
    return Status::PermissionDenied("archive '" + dir_ + "' is open read-only");
  return Status::Ok();
}

Result<uint64_t> ArchiveImpl::GetDf(const std::string& term) {
  auto raw = GetRaw(kTerms, term);
  if (!raw.ok()) {
    if (raw.status().code() == StatusCode::kNotFound) return uint64_t{0};
    return raw.status();
  }
  size_t pos = 0;
  uint64_t df = 0;
  if (!GetVarint(*raw, &pos, &df)) return Status::Corruption("lexicon entry of '" + term + "' is damaged");
  return df;
}

void ArchiveImpl::PutCounters(const Counters& c, const Counters& before, rocksdb::WriteBatch* batch) {
  auto put = [&](const char* key, uint64_t now, uint64_t was) {
    if (now != was) batch->Put(cfs_[kMeta], key, std::to_string(now));
  };
  put("next_chunk_id", c.next_chunk_id, before.next_chunk_id);
  put("documents", c.documents, before.documents);
  put("pages", c.pages, before.pages);
  put("chunks", c.chunks, before.chunks);
  put("total_length", c.total_length, before.total_length);
  put("terms", c.terms, before.terms);
  put("vectors", c.vectors, before.vectors);
  for (const auto& [name, n] : c.collections) {
    auto it = before.collections.find(name);
    if (it != before.collections.end() && it->second == n) continue;
    if (n == 0) batch->Delete(cfs_[kMeta], "collection/" + name);
    else batch->Put(cfs_[kMeta], "collection/" + name, std::to_string(n));
  }
}

Result<std::vector<uint64_t>> ArchiveImpl::AddDocument(DocumentBundle bundle) {
  ARCHIVIST_RETURN_IF_ERROR(CheckWritable());
  DocumentRecord& doc = bundle.document;
  if (doc.doc_id.empty()) return Status::InvalidArgument("the document has no doc_id");
  if (doc.collection.empty()) doc.collection = "default";
  const size_t n = bundle.chunks.size();
  // Embedding and analysis are the expensive parts; do them before taking the commit lock.
  if (bundle.vectors.empty() && n > 0 && embedder_ != nullptr) {
    std::vector<std::string> texts;
    texts.reserve(n);
    for (const auto& c : bundle.chunks) texts.push_back(c.text);
    ARCHIVIST_ASSIGN_OR_RETURN(bundle.vectors, embedder_->Embed(texts));
  }
  if (!bundle.vectors.empty()) {
    if (bundle.vectors.size() != n)
      return Status::InvalidArgument("document '" + doc.doc_id + "' has " + std::to_string(n) +
                                     " chunks but " + std::to_string(bundle.vectors.size()) +
                                     " vectors");
    if (dimension_ <= 0)
      return Status::InvalidArgument("document '" + doc.doc_id +
                                     "' carries vectors but the archive has no embedder configured");
    for (size_t i = 0; i < n; ++i)
      if (bundle.vectors[i].size() != static_cast<size_t>(dimension_))
        return Status::InvalidArgument("vector " + std::to_string(i) + " of document '" + doc.doc_id +
                                       "' has " + std::to_string(bundle.vectors[i].size()) +
                                       " dimensions, the archive stores " + std::to_string(dimension_));
  }
  std::vector<ChunkTerms> analyzed;
  analyzed.reserve(n);
  for (const auto& c : bundle.chunks) analyzed.push_back(AnalyzeChunk(analyzer_, c.text));
  // Document frequency deltas: each chunk counts once per term.
  std::map<std::string, uint64_t> df_delta;
  for (const auto& ct : analyzed)
    for (const auto& [term, _] : ct.positions) ++df_delta[term];

  std::lock_guard lock(write_mu_);
  ARCHIVIST_ASSIGN_OR_RETURN(bool exists, Contains(doc.doc_id));
  if (exists) return Status::AlreadyExists("document '" + doc.doc_id + "' is already in the archive");

  const Counters before = CountersSnapshot();
  Counters after = before;
  const uint64_t first = before.next_chunk_id;
  rocksdb::WriteBatch batch;
  std::vector<uint64_t> ids(n);
  for (size_t i = 0; i < n; ++i) {
    ChunkRecord& c = bundle.chunks[i];
    c.chunk_id = ids[i] = first + i;
    c.doc_id = doc.doc_id;
    c.ordinal = static_cast<int>(i);
    batch.Put(cfs_[kChunks], Be64Key(c.chunk_id), EncodeChunk(c));
    for (const auto& [term, positions] : analyzed[i].positions)
      batch.Put(cfs_[kPostings], PostingKey(term, c.chunk_id),
                EncodePosting(analyzed[i].length, positions));
    after.total_length += analyzed[i].length;
    if (!bundle.vectors.empty())
      batch.Put(cfs_[kVectors], Be64Key(c.chunk_id), EncodeFloats(bundle.vectors[i]));
  }
  for (const auto& [term, delta] : df_delta) {
    ARCHIVIST_ASSIGN_OR_RETURN(uint64_t df, GetDf(term));
    if (df == 0) ++after.terms;
    batch.Put(cfs_[kTerms], term, EncodeDf(df + delta));
  }
  for (const auto& p : bundle.pages) batch.Put(cfs_[kPages], PageKey(doc.doc_id, p.number), EncodePage(p));
  doc.chunk_count = static_cast<int>(n);
  if (doc.page_count == 0) doc.page_count = static_cast<int>(bundle.pages.size());
  StoredDocument stored{doc, first};
  batch.Put(cfs_[kDocuments], doc.doc_id, EncodeDocument(stored));
  after.next_chunk_id = first + n;
  after.documents += 1;
  after.pages += bundle.pages.size();
  after.chunks += n;
  if (!bundle.vectors.empty()) after.vectors += n;
  after.collections[doc.collection] += 1;
  PutCounters(after, before, &batch);

  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = db_->Write(wo, &batch);
  if (!s.ok()) return Status::Internal("committing document '" + doc.doc_id + "': " + s.ToString());
  {
    std::unique_lock state(state_mu_);
    counters_ = after;
    docs_[first] = std::make_shared<const DocInfo>(MakeDocInfo(stored));
  }
  if (dense_ && !bundle.vectors.empty()) {
    std::vector<float> flat;
    flat.reserve(n * static_cast<size_t>(dimension_));
    for (const auto& v : bundle.vectors) flat.insert(flat.end(), v.begin(), v.end());
    // The commit stands either way; a failed in-memory update only forces a rebuild on next open.
    if (!dense_->Add(ids, flat).ok()) dense_broken_ = true;
    dense_dirty_ = true;
  }
  return ids;
}

Status ArchiveImpl::DeleteDocument(const std::string& doc_id) {
  ARCHIVIST_RETURN_IF_ERROR(CheckWritable());
  std::lock_guard lock(write_mu_);
  ARCHIVIST_ASSIGN_OR_RETURN(StoredDocument stored, GetStoredDocument(doc_id));
  const DocumentRecord& doc = stored.record;
  const Counters before = CountersSnapshot();
  Counters after = before;
  rocksdb::WriteBatch batch;
  std::map<std::string, uint64_t> df_delta;
  std::vector<uint64_t> ids;
  bool had_vectors = false;
  for (int i = 0; i < doc.chunk_count; ++i) {
    const uint64_t id = stored.first_chunk_id + static_cast<uint64_t>(i);
    ids.push_back(id);
    ARCHIVIST_ASSIGN_OR_RETURN(ChunkRecord chunk, GetChunk(id));
    // The analyzer is pinned by the schema check on open, so re-analysis finds exactly the
    // postings written at commit time.
    ChunkTerms ct = AnalyzeChunk(analyzer_, chunk.text);
    for (const auto& [term, _] : ct.positions) {
      batch.Delete(cfs_[kPostings], PostingKey(term, id));
      ++df_delta[term];
    }
    after.total_length -= std::min<uint64_t>(after.total_length, ct.length);
    batch.Delete(cfs_[kChunks], Be64Key(id));
    auto vec = GetRaw(kVectors, Be64Key(id));
    if (vec.ok()) {
      had_vectors = true;
      batch.Delete(cfs_[kVectors], Be64Key(id));
      if (after.vectors > 0) --after.vectors;
    } else if (vec.status().code() != StatusCode::kNotFound) {
      return vec.status();
    }
  }
  for (const auto& [term, delta] : df_delta) {
    ARCHIVIST_ASSIGN_OR_RETURN(uint64_t df, GetDf(term));
    if (df <= delta) {
      batch.Delete(cfs_[kTerms], term);
      if (after.terms > 0) --after.terms;
    } else {
      batch.Put(cfs_[kTerms], term, EncodeDf(df - delta));
    }
  }
  // Pages are keyed by the caller's numbers: walk the document's key range rather than guess them.
  uint64_t pages = 0;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kPages]));
    for (it->Seek(doc_id); it->Valid() && it->key().size() == doc_id.size() + 4 &&
                           it->key().starts_with(doc_id);
         it->Next()) {
      batch.Delete(cfs_[kPages], it->key());
      ++pages;
    }
    if (!it->status().ok()) return Status::Internal("listing pages of '" + doc_id + "': " + it->status().ToString());
  }
  batch.Delete(cfs_[kDocuments], doc_id);
  after.documents -= std::min<uint64_t>(after.documents, 1);
  after.pages -= std::min(after.pages, pages);
  after.chunks -= std::min<uint64_t>(after.chunks, ids.size());
  if (auto it = after.collections.find(doc.collection); it != after.collections.end() && it->second > 0)
    --it->second;
  PutCounters(after, before, &batch);

  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = db_->Write(wo, &batch);
  if (!s.ok()) return Status::Internal("deleting document '" + doc_id + "': " + s.ToString());
  {
    std::unique_lock state(state_mu_);
    counters_ = after;
    std::erase_if(counters_.collections, [](const auto& p) { return p.second == 0; });
    docs_.erase(stored.first_chunk_id);
  }
  if (dense_ && had_vectors) {
    if (!dense_->Remove(ids).ok()) dense_broken_ = true;
    dense_dirty_ = true;
  }
  return Status::Ok();
}

}  // namespace archivist::index
