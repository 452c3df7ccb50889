// The archive's own embedder: the model kept in its metadata, and Reindex, which fits one on the
// stored chunks (or returns to the hashing embedder) and re-embeds everything in one write.

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <chrono>

#include "archive_impl.h"
#include "coding.h"

namespace archivist::index {
namespace {

constexpr const char* kModelKey = "embedder_model";

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

Status ReindexOptions::Validate() const {
  if (embedder != "lsa" && embedder != "hash")
    return Status::InvalidArgument("unknown embedder '" + embedder + "' (expected \"lsa\" or \"hash\")");
  if (dimension < 8 || dimension > 1024)
    return Status::InvalidArgument("the LSA dimension must be within [8, 1024], got " +
                                   std::to_string(dimension));
  if (max_fit_chunks < 2)
    return Status::InvalidArgument("max_fit_chunks must be at least 2");
  return Status::Ok();
}

const Embedder* ArchiveImpl::embedder() const {
  std::shared_lock lock(model_mu_);
  return embedder_;
}

Status ArchiveImpl::LoadStoredModel() {
  auto model = GetRaw(kMeta, kModelKey);
  if (!model.ok()) return model.status().code() == StatusCode::kNotFound ? Status::Ok() : model.status();
  ARCHIVIST_ASSIGN_OR_RETURN(auto parsed, ParseLsaEmbedder(*model, "the model stored in '" + dir_ + "'"));
  models_.push_back(std::move(parsed));
  embedder_ = models_.back().get();
  return Status::Ok();
}

Result<ReindexReport> ArchiveImpl::Reindex(const ReindexOptions& options) {
  ARCHIVIST_RETURN_IF_ERROR(options.Validate());
  ARCHIVIST_RETURN_IF_ERROR(CheckWritable());
  std::unique_lock model_lock(model_mu_);
  std::lock_guard lock(write_mu_);
  ReindexReport report;

  std::vector<uint64_t> ids;
  std::vector<std::string> texts;
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kChunks]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      ARCHIVIST_ASSIGN_OR_RETURN(ChunkRecord c, DecodeChunk(it->value().ToStringView()));
      ids.push_back(GetBe64(it->key().ToStringView()));
      texts.push_back(std::move(c.text));
    }
    ARCHIVIST_RETURN_IF_ERROR(FromRocks(it->status(), "reading chunks"));
  }

  auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<Embedder> fresh;
  if (options.embedder == "hash") {
    fresh = MakeBuiltinEmbedder();
  } else {
    std::vector<std::string> sample;
    if (texts.size() <= options.max_fit_chunks) {
      sample = texts;
    } else {
      const double step = static_cast<double>(texts.size()) / static_cast<double>(options.max_fit_chunks);
      for (uint64_t i = 0; i < options.max_fit_chunks; ++i)
        sample.push_back(texts[static_cast<size_t>(static_cast<double>(i) * step)]);
    }
    report.fitted_on = sample.size();
    LsaOptions lo;
    lo.dimension = options.dimension;
    ARCHIVIST_ASSIGN_OR_RETURN(fresh, FitLsaEmbedder(sample, lo));
  }
  report.fit_seconds = Since(t0);

  t0 = std::chrono::steady_clock::now();
  rocksdb::WriteBatch batch;
  std::vector<float> flat;
  flat.reserve(ids.size() * static_cast<size_t>(fresh->Dimension()));
  constexpr size_t kStep = 512;
  for (size_t start = 0; start < texts.size(); start += kStep) {
    const size_t end = std::min(texts.size(), start + kStep);
    std::vector<std::string> part(std::make_move_iterator(texts.begin() + static_cast<std::ptrdiff_t>(start)),
                                  std::make_move_iterator(texts.begin() + static_cast<std::ptrdiff_t>(end)));
    ARCHIVIST_ASSIGN_OR_RETURN(auto vectors, fresh->Embed(part));
    if (vectors.size() != part.size()) return Status::Internal("the embedder returned too few vectors");
    for (size_t i = 0; i < vectors.size(); ++i) {
      batch.Put(cfs_[kVectors], Be64Key(ids[start + i]), EncodeFloats(vectors[i]));
      flat.insert(flat.end(), vectors[i].begin(), vectors[i].end());
    }
  }
  report.embed_seconds = Since(t0);
  batch.Put(cfs_[kMeta], "embedder", fresh->Name());
  batch.Put(cfs_[kMeta], "dimension", std::to_string(fresh->Dimension()));
  if (options.embedder == "lsa") {
    ARCHIVIST_ASSIGN_OR_RETURN(std::string bytes, SerializeLsaEmbedder(*fresh));
    batch.Put(cfs_[kMeta], kModelKey, bytes);
  } else {
    batch.Delete(cfs_[kMeta], kModelKey);
  }
  const Counters before = CountersSnapshot();
  Counters after = before;
  after.vectors = ids.size();
  PutCounters(after, before, &batch);
  // Replacing the dense index can fail only before the commit: build it first.
  auto dense = std::make_unique<DenseIndex>(fresh->Dimension(), DenseOptionsOf(options_));
  ARCHIVIST_RETURN_IF_ERROR(dense->Add(ids, flat));
  flat = {};
  rocksdb::WriteOptions wo;
  wo.sync = true;
  ARCHIVIST_RETURN_IF_ERROR(FromRocks(db_->Write(wo, &batch), "committing the re-embedded chunks"));
  {
    std::unique_lock state(state_mu_);
    counters_ = after;
  }
  report.embedder = fresh->Name();
  report.chunks = ids.size();
  embedder_name_ = fresh->Name();
  dimension_ = fresh->Dimension();
  models_.push_back(std::move(fresh));
  embedder_ = models_.back().get();
  dense_ = std::move(dense);
  dense_broken_ = false;
  dense_dirty_ = false;
  // Best effort: a failed save leaves a stale file, which the next open rebuilds from RocksDB.
  if (!dense_->Save(DensePath(), db_->GetLatestSequenceNumber()).ok()) dense_dirty_ = true;
  return report;
}

}  // namespace archivist::index
