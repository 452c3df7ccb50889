#pragma once
// The Archive behind Archive::Open. Split by concern: archive_open.cc (open, schema, dense index
// load/rebuild, flush, reads, stats), archive_write.cc (add/delete), archive_search.cc (queries).
//
// RocksDB column families:
//   documents  doc_id                      -> JSON document record (+ first chunk id)
//   pages      doc_id + be32 page          -> JSON page record
//   chunks     be64 chunk_id               -> JSON chunk record
//   postings   term \0 be64 chunk_id       -> varint chunk length, varint tf, delta-varint positions
//   terms      term                        -> varint document (chunk) frequency
//   vectors    be64 chunk_id               -> float32[dimension], native byte order
//   meta       name                        -> decimal or text value (schema, counters, embedder)
// A document's chunk ids are contiguous, so chunk -> document is a lookup in an in-memory table of
// first chunk ids (DocTable), which also serves every search filter without touching RocksDB.

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "analyzer.h"
#include "archivist/index/archive.h"
#include "dense_index.h"
#include "postings_blocks.h"
#include "query_parser.h"
#include "record_codec.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class WriteBatch;
class Status;
class Snapshot;
}  // namespace rocksdb

namespace archivist::index {

// 1: initial layout. 2: meta keeps documents per media type ("media/<type>"). 3: postings folded
// into blocks (postings_blocks.h) up to meta "fold_watermark"; see archive_upgrade.cc for the steps.
inline constexpr int kSchemaVersion = 3;
inline constexpr const char* kMediaCounterPrefix = "media/";

// RocksDB's status as ours: "lock" errors name the likely cause, a full disk is kResourceExhausted.
Status FromRocks(const rocksdb::Status& s, const std::string& what);

enum Cf : int { kDocuments = 0, kPages, kChunks, kPostings, kTerms, kVectors, kMeta, kCfCount };
extern const char* const kCfNames[kCfCount];

// What search filters and hits need about a document, kept in memory.
struct DocInfo {
  std::string doc_id;
  std::string collection;
  std::string media_type;
  std::string created;
  std::vector<std::string> tags;
  std::string title;
  std::string source_path;
  uint64_t first_chunk_id = 0;
  int chunk_count = 0;
};

// One chunk's contribution to the inverted index.
struct ChunkTerms {
  uint32_t length = 0;
  std::map<std::string, std::vector<uint32_t>> positions;  // term -> ascending positions
};
ChunkTerms AnalyzeChunk(const Analyzer& analyzer, const std::string& text);

// BM25's term-frequency part at the collection's current average length; shared by the exhaustive
// and the pruned scorers so both compute bit-identical scores.
struct Bm25 {
  double k1 = 1.2, b = 0.75, avgdl = 1.0;
  double TfPart(uint32_t tf, uint32_t len) const {
    const double t = tf;
    return t * (k1 + 1.0) / (t + k1 * (1.0 - b + b * static_cast<double>(len) / std::max(avgdl, 1e-9)));
  }
};

// Collection-wide counters mirrored from the meta column family.
struct Counters {
  uint64_t next_chunk_id = 1;
  uint64_t documents = 0;
  uint64_t pages = 0;
  uint64_t chunks = 0;
  uint64_t total_length = 0;  // sum of chunk lengths in terms (BM25 avgdl)
  uint64_t terms = 0;         // distinct terms
  uint64_t vectors = 0;
  std::map<std::string, uint64_t> collections;
  std::map<std::string, uint64_t> media_types;  // documents per media type (schema 2)
};

// How many times each plain optional word occurs in the query: repeated words weigh more,
// saturating like BM25's k3 = 1 query-term factor. Both lexical scorers use it.
std::unordered_map<std::string, int> ShouldTermCounts(const ParsedQuery& q);

class ArchiveImpl final : public Archive {
 public:
  ArchiveImpl(std::string dir, const Embedder* embedder, const ArchiveOptions& options);
  ~ArchiveImpl() override;

  Status OpenDb();

  Result<bool> Contains(const std::string& doc_id) override;
  Result<std::vector<uint64_t>> AddDocument(DocumentBundle bundle) override;
  Result<std::vector<std::vector<uint64_t>>> AddDocuments(std::vector<DocumentBundle> bundles) override;
  Result<std::vector<std::vector<uint64_t>>> CommitDocuments(
      std::vector<DocumentBundle> bundles, const std::vector<JournalEdit>& journal) override;
  Status DeleteDocument(const std::string& doc_id) override;
  Result<DocumentRecord> GetDocument(const std::string& doc_id) override;
  Result<std::vector<DocumentRecord>> ListDocuments() override;
  Result<PageRecord> GetPage(const std::string& doc_id, int page) override;
  Result<ChunkRecord> GetChunk(uint64_t chunk_id) override;
  Result<std::vector<ChunkRecord>> GetChunks(const std::string& doc_id) override;
  Result<ArchiveStats> Stats() override;
  Result<std::vector<SearchHit>> Search(const std::string& query,
                                        const SearchOptions& options) override;
  std::vector<std::string> AnalyzeTerms(const std::string& text) const override;
  double TermIdf(const std::string& term) override;
  const Embedder* embedder() const override;
  Result<ReindexReport> Reindex(const ReindexOptions& options) override;
  Status Flush() override;
  Status Backup(const std::string& target_dir) override;
  Status PutJournal(const std::string& key, const std::string& value) override;
  Status DeleteJournal(const std::string& key) override;
  Result<std::optional<std::string>> GetJournal(const std::string& key) override;
  Result<std::vector<std::pair<std::string, std::string>>> ScanJournal(
      const std::string& prefix) override;

 private:
  struct ScoredChunk {
    uint64_t chunk_id;
    double score;
  };
  struct LexicalResult {
    std::vector<ScoredChunk> ranked;              // best first, at most `depth`
    std::vector<std::string> highlight_terms;     // every positive term, prefixes expanded
    std::unordered_set<uint64_t> excluded;        // chunks matching a -clause
    bool has_required = false;                    // the query has +, AND or phrase clauses
    std::unordered_set<uint64_t> required_ok;     // chunks satisfying them (if has_required)
  };
  // chunk id -> (chunk length, start positions of the phrase)
  using PhraseMatches = std::unordered_map<uint64_t, std::pair<uint32_t, std::vector<uint32_t>>>;

  // open
  Status InitOrCheckMeta();
  // Adopts the model kept in the metadata (meta "embedder_model"), if any, as embedder_.
  Status LoadStoredModel();
  Status LoadCounters();
  Status LoadDocTable();
  Status LoadOrRebuildDense();
  Status RebuildDense();
  // Brings a loaded index whose file is behind RocksDB up to date: adds the vectors it lacks and
  // drops those deleted since, instead of re-adding everything (an HNSW rebuild is expensive).
  Status CatchUpDense(DenseIndex* dense);
  std::string DensePath() const;

  // reads
  Result<std::string> GetRaw(Cf cf, const std::string& key);
  Result<StoredDocument> GetStoredDocument(const std::string& doc_id);
  std::shared_ptr<const DocInfo> FindDocByChunk(uint64_t chunk_id) const;
  Counters CountersSnapshot() const;

  // writes
  struct PreparedDocument;
  Result<PreparedDocument> Prepare(DocumentBundle bundle);
  Status CheckWritable() const;
  void PutCounters(const Counters& c, const Counters& before, rocksdb::WriteBatch* batch);
  Result<uint64_t> GetDf(const std::string& term);
  Status AppendJournal(const std::vector<JournalEdit>& edits, rocksdb::WriteBatch* batch);

  // postings folding (archive_fold.cc); FoldPostings and BufferPostings need write_mu_ held
  Status LoadFoldState();
  Status FoldPostings();
  void BufferPostings(const std::vector<uint64_t>& ids, const std::vector<ChunkTerms>& analyzed);
  void ForgetPostings(const std::vector<uint64_t>& ids);
  std::shared_ptr<const std::unordered_set<uint64_t>> DeadSnapshot() const;

  // search
  // What one query reads: a RocksDB snapshot, the fold watermark in it, and the folded chunks
  // deleted since (still inside blocks until their block is rewritten).
  struct ReadView {
    const rocksdb::Snapshot* snapshot = nullptr;
    uint64_t watermark = 0;
    std::shared_ptr<const std::unordered_set<uint64_t>> dead;
    bool Dead(uint64_t id) const { return !dead->empty() && dead->count(id) > 0; }
  };
  // A -clause: every chunk it matches goes into `excluded`.
  Status AddExclusions(const QueryClause& c, const std::vector<std::string>& terms,
                       const ReadView& view, std::unordered_set<uint64_t>* excluded);
  Result<LexicalResult> PrunedTopK(const ParsedQuery& q, int depth, const ReadView& view);
  // BM25 with the configured k1, b and the collection's current average chunk length.
  Bm25 Bm25For(const Counters& counters) const;
  bool PassesFilters(const DocInfo& doc, const QueryFilters& f) const;
  Result<LexicalResult> LexicalSearch(const ParsedQuery& q, int depth, bool exhaustive);
  Result<LexicalResult> ExhaustiveSearch(const ParsedQuery& q, int depth, const ReadView& view);
  Result<std::vector<ScoredChunk>> DenseSearch(const ParsedQuery& q, int depth,
                                               const LexicalResult& lexical,
                                               const SearchOptions& options);
  void ApplyFeedback(const LexicalResult& lexical, const SearchOptions& options,
                     std::vector<float>* query);
  Result<PhraseMatches> MatchPhrase(const std::vector<std::string>& terms, const ReadView& view);
  Status ScanPostings(const std::string& term, bool with_positions, const ReadView& view,
                      const std::function<void(uint64_t, uint32_t, uint32_t,
                                               const std::vector<uint32_t>&)>& fn);
  Result<std::vector<std::string>> ExpandPrefix(const std::string& prefix);
  double Idf(uint64_t df, uint64_t n) const;

  const std::string dir_;
  // The embedder in use: the one given to Open, or the archive's own model (models_). Changed only
  // by Reindex, under model_mu_ held exclusively; searches and commits hold it shared.
  const Embedder* embedder_;
  std::vector<std::unique_ptr<Embedder>> models_;  // every model adopted, kept while open
  mutable std::shared_mutex model_mu_;
  const ArchiveOptions options_;
  const Analyzer analyzer_;

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs_;  // indexed by Cf
  rocksdb::ColumnFamilyHandle* default_cf_ = nullptr;

  std::string embedder_name_;  // as stored
  int dimension_ = 0;          // as stored, 0 when no embedder was ever configured

  std::mutex write_mu_;  // serializes commits and dense-index updates against Flush

  mutable std::shared_mutex state_mu_;  // guards counters_ and docs_
  Counters counters_;
  std::map<uint64_t, std::shared_ptr<const DocInfo>> docs_;  // by first chunk id

  // Folding state, under write_mu_. Postings of chunks in (pending_after_, next id) are buffered
  // in pending_ as they commit; those in (fold_watermark_, pending_after_] were committed by an
  // earlier process and are analyzed again from their text at the next fold.
  uint64_t fold_watermark_ = 0;
  uint64_t pending_after_ = 0;
  std::map<std::string, std::vector<BlockPosting>> pending_;
  std::unordered_set<uint64_t> pending_deleted_;
  // Folded chunks deleted since: queries drop their block postings. Copy-on-write, under state_mu_.
  std::shared_ptr<const std::unordered_set<uint64_t>> dead_ =
      std::make_shared<const std::unordered_set<uint64_t>>();

  std::unique_ptr<DenseIndex> dense_;
  std::atomic<bool> dense_dirty_{false};   // changed since the file was written
  std::atomic<bool> dense_broken_{false};  // an update failed: never persist, rebuild on next open
};

DocInfo MakeDocInfo(const StoredDocument& d);
// Decimal digits only; false otherwise.
bool ParseU64(const std::string& s, uint64_t* v);
// Schema 2 -> 3: folds every per-chunk posting into blocks and sets the watermark (into `batch`).
Result<std::string> FoldAllPostings(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* postings,
                                    rocksdb::ColumnFamilyHandle* meta, rocksdb::WriteBatch* batch);
DenseIndexOptions DenseOptionsOf(const ArchiveOptions& o);

}  // namespace archivist::index
