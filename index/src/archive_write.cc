#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <map>
#include <set>

#include "archive_impl.h"
#include "coding.h"

namespace archivist::index {

ChunkTerms AnalyzeChunk(const Analyzer& analyzer, const std::string& text) {
  ChunkTerms ct;
  std::vector<Token> tokens = analyzer.Tokenize(text);
  ct.length = static_cast<uint32_t>(tokens.size());
  for (auto& t : tokens) ct.positions[t.term].push_back(t.position);
  return ct;
}

namespace {

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
  auto put_map = [&](const std::string& prefix, const std::map<std::string, uint64_t>& now,
                     const std::map<std::string, uint64_t>& was) {
    for (const auto& [name, n] : now) {
      auto it = was.find(name);
      if (it != was.end() && it->second == n) continue;
      if (n == 0) batch->Delete(cfs_[kMeta], prefix + name);
      else batch->Put(cfs_[kMeta], prefix + name, std::to_string(n));
    }
  };
  put_map("collection/", c.collections, before.collections);
  put_map(kMediaCounterPrefix, c.media_types, before.media_types);
}

// A document validated, embedded and analyzed outside the commit lock.
struct ArchiveImpl::PreparedDocument {
  DocumentBundle bundle;
  std::vector<ChunkTerms> analyzed;
  std::map<std::string, uint64_t> df_delta;  // each chunk counts once per term
};

Result<ArchiveImpl::PreparedDocument> ArchiveImpl::Prepare(DocumentBundle bundle) {
  PreparedDocument p;
  DocumentRecord& doc = bundle.document;
  if (doc.doc_id.empty()) return Status::InvalidArgument("the document has no doc_id");
  if (doc.collection.empty()) doc.collection = "default";
  const size_t n = bundle.chunks.size();
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
  p.analyzed.reserve(n);
  for (const auto& c : bundle.chunks) p.analyzed.push_back(AnalyzeChunk(analyzer_, c.text));
  for (const auto& ct : p.analyzed)
    for (const auto& [term, _] : ct.positions) ++p.df_delta[term];
  p.bundle = std::move(bundle);
  return p;
}

Result<std::vector<uint64_t>> ArchiveImpl::AddDocument(DocumentBundle bundle) {
  std::vector<DocumentBundle> one;
  one.push_back(std::move(bundle));
  ARCHIVIST_ASSIGN_OR_RETURN(auto ids, AddDocuments(std::move(one)));
  return std::move(ids[0]);
}

Result<std::vector<std::vector<uint64_t>>> ArchiveImpl::AddDocuments(std::vector<DocumentBundle> bundles) {
  return CommitDocuments(std::move(bundles), {});
}

Result<std::vector<std::vector<uint64_t>>> ArchiveImpl::CommitDocuments(
    std::vector<DocumentBundle> bundles, const std::vector<JournalEdit>& journal) {
  ARCHIVIST_RETURN_IF_ERROR(CheckWritable());
  std::shared_lock model(model_mu_);  // no Reindex between embedding and commit
  if (bundles.empty() && journal.empty()) return std::vector<std::vector<uint64_t>>{};
  // Embedding and analysis are the expensive parts; do them before taking the commit lock.
  std::vector<PreparedDocument> docs;
  docs.reserve(bundles.size());
  for (auto& b : bundles) {
    ARCHIVIST_ASSIGN_OR_RETURN(PreparedDocument p, Prepare(std::move(b)));
    docs.push_back(std::move(p));
  }
  std::set<std::string> in_batch;
  for (const auto& d : docs)
    if (!in_batch.insert(d.bundle.document.doc_id).second)
      return Status::InvalidArgument("document '" + d.bundle.document.doc_id + "' appears twice in one batch");

  std::lock_guard lock(write_mu_);
  for (const auto& d : docs) {
    ARCHIVIST_ASSIGN_OR_RETURN(bool exists, Contains(d.bundle.document.doc_id));
    if (exists)
      return Status::AlreadyExists("document '" + d.bundle.document.doc_id + "' is already in the archive");
  }
  const Counters before = CountersSnapshot();
  Counters after = before;
  rocksdb::WriteBatch batch;
  std::map<std::string, uint64_t> df;  // current df of every touched term, batch included
  std::vector<std::vector<uint64_t>> all_ids;
  std::vector<StoredDocument> stored_docs;
  for (PreparedDocument& d : docs) {
    DocumentBundle& bundle = d.bundle;
    DocumentRecord& doc = bundle.document;
    const size_t n = bundle.chunks.size();
    const uint64_t first = after.next_chunk_id;
    std::vector<uint64_t> ids(n);
    for (size_t i = 0; i < n; ++i) {
      ChunkRecord& c = bundle.chunks[i];
      c.chunk_id = ids[i] = first + i;
      c.doc_id = doc.doc_id;
      c.ordinal = static_cast<int>(i);
      batch.Put(cfs_[kChunks], Be64Key(c.chunk_id), EncodeChunk(c));
      for (const auto& [term, positions] : d.analyzed[i].positions)
        batch.Put(cfs_[kPostings], PostingKey(term, c.chunk_id),
                  EncodePosting(d.analyzed[i].length, positions));
      after.total_length += d.analyzed[i].length;
      if (!bundle.vectors.empty())
        batch.Put(cfs_[kVectors], Be64Key(c.chunk_id), EncodeFloats(bundle.vectors[i]));
    }
    for (const auto& [term, delta] : d.df_delta) {
      auto it = df.find(term);
      if (it == df.end()) {
        ARCHIVIST_ASSIGN_OR_RETURN(uint64_t stored_df, GetDf(term));
        it = df.emplace(term, stored_df).first;
      }
      if (it->second == 0) ++after.terms;
      it->second += delta;
    }
    for (const auto& p : bundle.pages)
      batch.Put(cfs_[kPages], PageKey(doc.doc_id, p.number), EncodePage(p));
    doc.chunk_count = static_cast<int>(n);
    if (doc.page_count == 0) doc.page_count = static_cast<int>(bundle.pages.size());
    stored_docs.push_back(StoredDocument{doc, first});
    batch.Put(cfs_[kDocuments], doc.doc_id, EncodeDocument(stored_docs.back()));
    after.next_chunk_id = first + n;
    after.documents += 1;
    after.pages += bundle.pages.size();
    after.chunks += n;
    if (!bundle.vectors.empty()) after.vectors += n;
    after.collections[doc.collection] += 1;
    after.media_types[doc.media_type] += 1;
    all_ids.push_back(std::move(ids));
  }
  for (const auto& [term, n] : df) batch.Put(cfs_[kTerms], term, EncodeDf(n));
  PutCounters(after, before, &batch);
  ARCHIVIST_RETURN_IF_ERROR(AppendJournal(journal, &batch));

  rocksdb::WriteOptions wo;
  wo.sync = true;
  rocksdb::Status s = db_->Write(wo, &batch);
  if (!s.ok() && docs.empty()) return Status::Internal("writing the journal: " + s.ToString());
  if (!s.ok())
    return Status::Internal("committing document '" + docs.front().bundle.document.doc_id +
                            "'" + (docs.size() > 1 ? " and the rest of its batch" : "") + ": " +
                            s.ToString());
  {
    std::unique_lock state(state_mu_);
    counters_ = after;
    for (const auto& sd : stored_docs) docs_[sd.first_chunk_id] = std::make_shared<const DocInfo>(MakeDocInfo(sd));
  }
  for (size_t k = 0; k < docs.size(); ++k) BufferPostings(all_ids[k], docs[k].analyzed);
  // Derived data: a failed fold leaves the per-chunk entries in place and is retried next time.
  if (after.next_chunk_id - 1 - fold_watermark_ >= options_.fold_chunks) (void)FoldPostings();
  if (dense_) {
    std::vector<uint64_t> ids;
    std::vector<float> flat;
    for (size_t k = 0; k < docs.size(); ++k) {
      if (docs[k].bundle.vectors.empty()) continue;
      ids.insert(ids.end(), all_ids[k].begin(), all_ids[k].end());
      for (const auto& v : docs[k].bundle.vectors) flat.insert(flat.end(), v.begin(), v.end());
    }
    if (!ids.empty()) {
      // The commit stands either way; a failed in-memory update only forces a rebuild on next open.
      if (!dense_->Add(ids, flat).ok()) dense_broken_ = true;
      dense_dirty_ = true;
    }
  }
  return all_ids;
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
  if (auto it = after.media_types.find(doc.media_type); it != after.media_types.end() && it->second > 0)
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
    std::erase_if(counters_.media_types, [](const auto& p) { return p.second == 0; });
    docs_.erase(stored.first_chunk_id);
  }
  ForgetPostings(ids);
  if (dense_ && had_vectors) {
    if (!dense_->Remove(ids).ok()) dense_broken_ = true;
    dense_dirty_ = true;
  }
  return Status::Ok();
}

}  // namespace archivist::index
