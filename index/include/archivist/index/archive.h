#pragma once
// The archive: RocksDB as the source of truth for documents, pages, chunks, postings and vectors,
// plus a FAISS index derived from it. One Archive per data directory per process.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/index/embedder.h"
#include "archivist/index/records.h"

namespace archivist::index {

struct ArchiveOptions {
  // Create the data directory if missing. Default: true.
  bool create_if_missing = true;
  // Open without writing (search, inspect). Default: false.
  bool read_only = false;
  // BM25 term-frequency saturation. Default: 1.2.
  double bm25_k1 = 1.2;
  // BM25 length normalization. Default: 0.75.
  double bm25_b = 0.75;
  // Apply the English Snowball stemmer to index and query terms. Default: true.
  bool stemming = true;
  // Dense index: exact search (IndexFlatIP) up to this many vectors, an HNSW graph beyond it (the
  // switch rebuilds the index once, inside the commit that crosses it). Default: 100,000
  uint64_t ann_threshold = 100000;
  int hnsw_m = 32;                 // HNSW graph degree. Default: 32
  int hnsw_ef_construction = 80;   // HNSW build beam. Default: 80
  int hnsw_ef_search = 96;         // HNSW query beam (at least the number of candidates). Default: 96
  // The approximate index: "hnsw" (graph; slow to build at scale on few cores) or "ivf" (k-means
  // cells trained on a sample at the switch; fast to build, probes `ivf_nprobe` of `ivf_nlist`
  // cells, nlist 0 = 4 x sqrt(vectors)). Default: "hnsw", 0, 32
  std::string ann_index = "hnsw";
  int ivf_nlist = 0;
  int ivf_nprobe = 32;
  // Lexical postings: once this many chunks were committed since the last fold, their per-chunk
  // postings are folded into compressed 128-posting blocks that queries skip through (MaxScore);
  // closing a writable archive folds the rest. Default: 10,000
  uint64_t fold_chunks = 10000;

  Status Validate() const;
};

enum class SearchMode { kLexical, kDense, kHybrid };

struct SearchOptions {
  int k = 10;                         // Default: 10 hits
  SearchMode mode = SearchMode::kHybrid;
  std::string collection;             // only this collection; empty: every collection
  // Hard restriction for access control: when non-empty, only documents in one of these
  // collections are returned, whatever the query's own collection: filters say. Default: empty
  std::vector<std::string> allowed_collections;
  int rrf_k = 60;                     // reciprocal-rank-fusion constant. Default: 60
  double lexical_weight = 1.0;        // Default: 1.0
  double dense_weight = 1.0;          // Default: 1.0
  int candidates = 100;               // per-list depth before fusion. Default: 100
  // Treat the query as plain text: every word is an OR-ed term, no operators, phrases or fields
  // (for natural-language questions that may contain quotes or dashes). Default: false
  bool plain_text = false;
  // Read each hit's chunk to fill text, snippet and page. false: hits carry ids, ranks, scores,
  // title and collection only -- much cheaper for deep rankings (evaluation). Default: true
  bool fetch_chunks = true;
  // Return at most one hit per document (its best chunk). Default: false
  bool group_by_document = false;
  // Hybrid mode only: pseudo-relevance feedback for the dense list. The query vector is moved
  // toward the mean vector of the top `dense_feedback_chunks` lexical hits, scaled by
  // `dense_feedback_weight`, so the dense list re-ranks around what the exact words found.
  // 0 turns it off. Default: 5 chunks, weight 3.0
  int dense_feedback_chunks = 5;
  double dense_feedback_weight = 3.0;
  // Score every posting of every query term instead of pruning with MaxScore. The answer is the
  // same; this exists to verify that and to measure what pruning saves. Default: false
  bool exhaustive_lexical = false;
};

struct SearchHit {
  uint64_t chunk_id = 0;
  std::string doc_id;
  std::string title;            // document title, or file name when it has none
  std::string source_path;
  std::string collection;
  int page = 0;                 // the page where the best match lies
  int last_page = 0;
  // Higher is better. Hybrid: reciprocal-rank-fusion sum; lexical: BM25; dense: cosine. (Hybrid
  // on an archive opened without an embedder falls back to the lexical list alone.)
  double score = 0.0;
  int lexical_rank = 0;         // 1-based rank in the lexical list, 0 if absent
  int dense_rank = 0;           // 1-based rank in the dense list, 0 if absent
  std::string snippet;          // a window of the chunk text, matches wrapped in [[ ]]
  std::string text;             // the whole chunk text
};

// One change to the archive's journal (see Archive::PutJournal), for writes that must land together
// with documents: a value puts the key, no value deletes it.
struct JournalEdit {
  std::string key;
  std::optional<std::string> value;
};

struct ArchiveStats {
  uint64_t documents = 0;
  uint64_t pages = 0;
  uint64_t chunks = 0;
  uint64_t terms = 0;              // distinct terms in the lexical index
  uint64_t postings_bytes = 0;     // approximate on-disk size of the postings
  uint64_t vectors = 0;            // vectors in the dense index
  int vector_dimension = 0;
  std::string embedder;
  std::vector<std::pair<std::string, uint64_t>> collections;  // name, documents
  std::vector<std::pair<std::string, uint64_t>> media_types;  // media type, documents
  uint64_t disk_bytes = 0;         // data directory size
};

// Archive::Reindex: which embedder the archive switches to.
struct ReindexOptions {
  // "lsa": a latent-semantic model fitted on the archive's own chunks (see FitLsaEmbedder);
  // "hash": the built-in hashing embedder (no model). Default: "lsa"
  std::string embedder = "lsa";
  int dimension = 256;              // LSA dimensions. Default: 256
  // LSA is fitted on at most this many chunks, evenly spread over the chunk ids (every chunk is
  // embedded either way). Default: 50,000
  uint64_t max_fit_chunks = 50000;

  Status Validate() const;
};

struct ReindexReport {
  std::string embedder;   // the new embedder's name
  uint64_t chunks = 0;    // chunks re-embedded
  uint64_t fitted_on = 0; // chunks the model was fitted on (0 for hash)
  double fit_seconds = 0.0;
  double embed_seconds = 0.0;
};

class Archive {
 public:
  // Opens (or creates) the archive in `dir`. `embedder` must outlive the archive; it embeds queries.
  static Result<std::unique_ptr<Archive>> Open(const std::string& dir, const Embedder* embedder,
                                               const ArchiveOptions& options = {});
  virtual ~Archive() = default;

  // True if a document with this id is stored.
  virtual Result<bool> Contains(const std::string& doc_id) = 0;
  // Commits a whole document atomically (one RocksDB WriteBatch): it is either wholly searchable or
  // absent after a crash. kAlreadyExists if the doc_id is stored. Returns the assigned chunk ids.
  // Thread-safe; commits are serialized internally.
  virtual Result<std::vector<uint64_t>> AddDocument(DocumentBundle bundle) = 0;
  // Commits several documents in ONE write (one fsync): much faster ingestion than one call per
  // document when commits are synchronous. Still atomic per document after a crash (the whole
  // batch is in or out). Any invalid bundle, a doc_id already stored, or one repeated in the batch
  // fails the whole call with nothing written. Returns each bundle's chunk ids, in order.
  virtual Result<std::vector<std::vector<uint64_t>>> AddDocuments(std::vector<DocumentBundle> bundles) = 0;
  // AddDocuments plus journal edits, all in the same single synced write, so bookkeeping kept in
  // the journal (e.g. the pipeline's manifest of ingested paths) can never disagree with the
  // documents. `bundles` may be empty (a journal-only batch).
  virtual Result<std::vector<std::vector<uint64_t>>> CommitDocuments(
      std::vector<DocumentBundle> bundles, const std::vector<JournalEdit>& journal) = 0;
  // Removes the document and every trace of it (pages, chunks, postings, vectors).
  virtual Status DeleteDocument(const std::string& doc_id) = 0;

  virtual Result<DocumentRecord> GetDocument(const std::string& doc_id) = 0;
  virtual Result<std::vector<DocumentRecord>> ListDocuments() = 0;
  virtual Result<PageRecord> GetPage(const std::string& doc_id, int page) = 0;
  virtual Result<ChunkRecord> GetChunk(uint64_t chunk_id) = 0;
  virtual Result<std::vector<ChunkRecord>> GetChunks(const std::string& doc_id) = 0;
  virtual Result<ArchiveStats> Stats() = 0;

  // Query syntax (see index/src/query_parser.h): words OR-ed and ranked by BM25; "phrases" (required);
  // +word / -word / -"phrase", AND, OR, NOT; prefix*; filters collection:, type:, tag:, doc:,
  // after:YYYY[-MM[-DD]] (inclusive), before: (exclusive). Errors: kInvalidArgument for an unusable
  // query, naming the byte position. Thread-safe.
  virtual Result<std::vector<SearchHit>> Search(const std::string& query,
                                                const SearchOptions& options) = 0;

  // Lexical analysis used by the index (lower-cased, stemmed terms), exposed so answer ranking
  // scores sentences exactly as search scores chunks.
  virtual std::vector<std::string> AnalyzeTerms(const std::string& text) const = 0;
  // Inverse document frequency of an analyzed term (BM25 form), 0 for unknown terms.
  virtual double TermIdf(const std::string& term) = 0;

  // The embedder this archive embeds chunks and queries with: its own stored model when it has one
  // (after Reindex to "lsa"), otherwise the embedder given to Open; null when neither. Callers
  // that embed chunks themselves (the ingest pipeline) must use this one. The pointer stays valid
  // for the archive's lifetime.
  virtual const Embedder* embedder() const = 0;

  // Re-embeds every stored chunk with another embedder and rebuilds the dense index. For "lsa" the
  // model is fitted on the stored chunk texts and kept in the archive's metadata, so every later
  // open (and every backup) embeds new documents and queries with it, whatever embedder Open was
  // given. The new vectors, the model and the embedder name are one synced write: after a crash
  // the archive holds either the old or the new embedding, never a mix. Blocks searches and
  // commits while it runs; needs every chunk's vectors in memory once (dimension x 4 bytes each).
  virtual Result<ReindexReport> Reindex(const ReindexOptions& options) = 0;

  // Persists the dense index so the next open does not rebuild it.
  virtual Status Flush() = 0;

  // Writes a consistent copy of the whole archive to `target_dir` (which must not exist yet): a
  // RocksDB checkpoint (hard links where the file system allows) plus the dense index as of the
  // same commit. The copy is itself an archive directory: restore = open (or move) it. Commits
  // wait while the copy is taken.
  virtual Status Backup(const std::string& target_dir) = 0;

  // A small durable key-value journal kept with the archive (so it is in every backup), for the
  // bookkeeping of the layers above, e.g. the pipeline's list of failed files. Keys are the
  // caller's; values are opaque. Writes are synced; they fail with kPermissionDenied when the
  // archive is open read-only.
  virtual Status PutJournal(const std::string& key, const std::string& value) = 0;
  virtual Status DeleteJournal(const std::string& key) = 0;
  // The value of one key; std::nullopt when absent.
  virtual Result<std::optional<std::string>> GetJournal(const std::string& key) = 0;
  // Every entry whose key starts with `prefix`, in key order (keys returned without the prefix
  // stripped).
  virtual Result<std::vector<std::pair<std::string, std::string>>> ScanJournal(
      const std::string& prefix) = 0;
};

}  // namespace archivist::index
