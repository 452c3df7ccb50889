#include <rocksdb/db.h>

#include <algorithm>
#include <cmath>

#include "archive_impl.h"
#include "coding.h"
#include "snippet.h"
#include "term_cursor.h"

namespace archivist::index {
namespace {

// A prefix query expands to at most this many terms (the most frequent ones), bounding its cost.
constexpr size_t kMaxPrefixTerms = 128;
// Required clauses are tracked in a 64-bit mask.
constexpr size_t kMaxClauses = 64;

Status ValidateSearch(const SearchOptions& o) {
  if (o.k < 1 || o.k > 10000)
    return Status::InvalidArgument("k must be within [1, 10000], got " + std::to_string(o.k));
  if (o.candidates < 1 || o.candidates > 100000)
    return Status::InvalidArgument("candidates must be within [1, 100000], got " +
                                   std::to_string(o.candidates));
  if (o.rrf_k < 0) return Status::InvalidArgument("rrf_k must not be negative");
  if (o.lexical_weight < 0 || o.dense_weight < 0)
    return Status::InvalidArgument("fusion weights must not be negative");
  if (o.dense_feedback_chunks < 0 || o.dense_feedback_chunks > 1000 || o.dense_feedback_weight < 0)
    return Status::InvalidArgument("dense feedback needs 0..1000 chunks and a non-negative weight");
  return Status::Ok();
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void SortByScore(std::vector<std::pair<uint64_t, double>>* v) {
  std::sort(v->begin(), v->end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
}

}  // namespace

std::vector<std::string> ArchiveImpl::AnalyzeTerms(const std::string& text) const {
  return analyzer_.Terms(text);
}

double ArchiveImpl::Idf(uint64_t df, uint64_t n) const {
  if (df == 0) return 0.0;
  const double N = static_cast<double>(std::max(n, df));
  const double d = static_cast<double>(df);
  return std::log(1.0 + (N - d + 0.5) / (d + 0.5));
}

double ArchiveImpl::TermIdf(const std::string& term) {
  auto df = GetDf(term);
  if (!df.ok()) return 0.0;
  return Idf(*df, CountersSnapshot().chunks);
}

Status ArchiveImpl::ScanPostings(
    const std::string& term, bool with_positions, const ReadView& view,
    const std::function<void(uint64_t, uint32_t, uint32_t, const std::vector<uint32_t>&)>& fn) {
  std::vector<uint32_t> positions;
  if (!with_positions) {
    ARCHIVIST_ASSIGN_OR_RETURN(TermCursor c, TermCursor::Load(db_.get(), cfs_[kPostings], view.snapshot,
                                                              term, view.watermark));
    for (; c.doc() != TermCursor::kEnd; c.Next())
      if (!view.Dead(c.doc())) fn(c.doc(), c.length(), c.tf(), positions);
    return c.status();
  }
  // Positions live only in the per-chunk entries, which folding keeps.
  const std::string prefix = PostingPrefix(term);
  std::string upper(term);
  upper.push_back('\x01');
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.snapshot = view.snapshot;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cfs_[kPostings]));
  for (it->Seek(prefix); it->Valid(); it->Next()) {
    rocksdb::Slice key = it->key();
    if (key.size() != prefix.size() + 8 || !key.starts_with(prefix)) continue;
    uint64_t chunk_id = GetBe64(std::string_view(key.data() + prefix.size(), 8));
    uint32_t len = 0, tf = 0;
    if (!DecodePosting(it->value().ToStringView(), with_positions, &len, &tf, &positions))
      return Status::Corruption("posting of '" + term + "' in chunk " + std::to_string(chunk_id) +
                                " is damaged");
    fn(chunk_id, len, tf, positions);
  }
  if (!it->status().ok()) return Status::Internal("reading postings: " + it->status().ToString());
  return Status::Ok();
}

Result<std::vector<std::string>> ArchiveImpl::ExpandPrefix(const std::string& prefix) {
  std::vector<std::pair<uint64_t, std::string>> found;  // df, term
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cfs_[kTerms]));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    size_t pos = 0;
    uint64_t df = 0;
    if (!GetVarint(it->value().ToStringView(), &pos, &df)) continue;
    found.emplace_back(df, it->key().ToString());
  }
  if (!it->status().ok()) return Status::Internal("reading the lexicon: " + it->status().ToString());
  if (found.size() > kMaxPrefixTerms) {
    std::partial_sort(found.begin(), found.begin() + kMaxPrefixTerms, found.end(),
                      [](const auto& a, const auto& b) { return a.first > b.first; });
    found.resize(kMaxPrefixTerms);
  }
  std::vector<std::string> terms;
  for (auto& f : found) terms.push_back(std::move(f.second));
  return terms;
}

Result<ArchiveImpl::PhraseMatches> ArchiveImpl::MatchPhrase(const std::vector<std::string>& terms,
                                                           const ReadView& view) {
  PhraseMatches current;
  ARCHIVIST_RETURN_IF_ERROR(ScanPostings(
      terms[0], true, view, [&](uint64_t id, uint32_t len, uint32_t, const std::vector<uint32_t>& pos) {
        current[id] = {len, pos};
      }));
  for (size_t k = 1; k < terms.size() && !current.empty(); ++k) {
    PhraseMatches next;
    ARCHIVIST_RETURN_IF_ERROR(ScanPostings(
        terms[k], true, view, [&](uint64_t id, uint32_t len, uint32_t, const std::vector<uint32_t>& pos) {
          auto it = current.find(id);
          if (it == current.end()) return;
          std::vector<uint32_t> starts;
          for (uint32_t s : it->second.second)
            if (std::binary_search(pos.begin(), pos.end(), s + static_cast<uint32_t>(k)))
              starts.push_back(s);
          if (!starts.empty()) next[id] = {len, std::move(starts)};
        }));
    current = std::move(next);
  }
  return current;
}

bool ArchiveImpl::PassesFilters(const DocInfo& doc, const QueryFilters& f) const {
  auto any_of = [](const std::vector<std::string>& wanted, auto&& pred) {
    if (wanted.empty()) return true;
    for (const auto& w : wanted)
      if (pred(w)) return true;
    return false;
  };
  auto in_collection = [&](const std::string& c) { return doc.collection == c; };
  if (!any_of(f.collections, in_collection)) return false;
  for (const auto& limit : f.collection_limits)
    if (!any_of(limit, in_collection)) return false;
  // type:pdf is accepted for application/pdf, type:image for every image/*.
  if (!any_of(f.media_types, [&](const std::string& t) {
        const std::string& m = doc.media_type;
        return m == t || (m.size() > t.size() && m.compare(m.size() - t.size(), t.size(), t) == 0 &&
                          m[m.size() - t.size() - 1] == '/') ||
               m.rfind(t + "/", 0) == 0;
      }))
    return false;
  for (const auto& tag : f.tags)
    if (std::find(doc.tags.begin(), doc.tags.end(), tag) == doc.tags.end()) return false;
  if (!any_of(f.doc_ids, [&](const std::string& id) { return doc.doc_id.rfind(id, 0) == 0; }))
    return false;
  if (!f.after.empty() && (doc.created.empty() || doc.created < f.after)) return false;
  if (!f.before.empty() && (doc.created.empty() || doc.created >= f.before)) return false;
  return true;
}

Status ArchiveImpl::AddExclusions(const QueryClause& c, const std::vector<std::string>& terms,
                                  const ReadView& view, std::unordered_set<uint64_t>* excluded) {
  if (c.phrase) {
    ARCHIVIST_ASSIGN_OR_RETURN(PhraseMatches m, MatchPhrase(terms, view));
    for (const auto& [id, _] : m) excluded->insert(id);
    return Status::Ok();
  }
  for (const auto& t : terms)
    ARCHIVIST_RETURN_IF_ERROR(ScanPostings(
        t, false, view,
        [&](uint64_t id, uint32_t, uint32_t, const std::vector<uint32_t>&) { excluded->insert(id); }));
  return Status::Ok();
}

Result<ArchiveImpl::LexicalResult> ArchiveImpl::LexicalSearch(const ParsedQuery& q, int depth,
                                                              bool exhaustive) {
  ReadView view;
  view.dead = DeadSnapshot();
  view.snapshot = db_->GetSnapshot();
  struct Release {
    rocksdb::DB* db;
    const rocksdb::Snapshot* s;
    ~Release() { db->ReleaseSnapshot(s); }
  } release{db_.get(), view.snapshot};
  rocksdb::ReadOptions ro;
  ro.snapshot = view.snapshot;
  std::string w;
  rocksdb::Status s = db_->Get(ro, cfs_[kMeta], kFoldWatermarkKey, &w);
  if (s.ok()) {
    if (!ParseU64(w, &view.watermark)) return Status::Corruption("the fold watermark is unreadable");
  } else if (!s.IsNotFound()) {
    return FromRocks(s, "reading the fold watermark");
  }
  // Required clauses and phrases need every candidate's full match; plain disjunctions (with
  // exclusions and filters) are answered by MaxScore, which returns the same top `depth`.
  if (exhaustive) return ExhaustiveSearch(q, depth, view);
  for (const QueryClause& c : q.clauses)
    if (c.occur == Occur::kMust || (c.phrase && c.occur == Occur::kShould))
      return ExhaustiveSearch(q, depth, view);
  return PrunedTopK(q, depth, view);
}

std::unordered_map<std::string, int> ShouldTermCounts(const ParsedQuery& q) {
  std::unordered_map<std::string, int> qtf;
  for (const QueryClause& c : q.clauses)
    if (c.occur == Occur::kShould && !c.phrase && !c.prefix) ++qtf[c.terms[0]];
  return qtf;
}

Bm25 ArchiveImpl::Bm25For(const Counters& counters) const {
  const uint64_t n = counters.chunks;
  return Bm25{options_.bm25_k1, options_.bm25_b,
              n > 0 ? static_cast<double>(counters.total_length) / static_cast<double>(n) : 1.0};
}

Result<ArchiveImpl::LexicalResult> ArchiveImpl::ExhaustiveSearch(const ParsedQuery& q, int depth,
                                                                 const ReadView& view) {
  LexicalResult out;
  const Counters counters = CountersSnapshot();
  const uint64_t n = counters.chunks;
  const Bm25 bm25 = Bm25For(counters);
  auto tf_part = [&](uint32_t tf, uint32_t len) { return bm25.TfPart(tf, len); };
  struct Acc {
    double score = 0.0;
    uint64_t mask = 0;
  };
  std::unordered_map<uint64_t, Acc> acc;
  uint64_t required = 0;
  size_t bit = 0;
  std::unordered_map<std::string, int> qtf = ShouldTermCounts(q);
  std::unordered_set<std::string> seen_should;
  for (const QueryClause& c : q.clauses) {
    std::vector<std::string> terms = c.terms;
    if (c.prefix) {
      ARCHIVIST_ASSIGN_OR_RETURN(terms, ExpandPrefix(c.terms[0]));
      if (terms.empty() && c.occur == Occur::kShould) continue;
    }
    if (c.occur == Occur::kMustNot) {
      ARCHIVIST_RETURN_IF_ERROR(AddExclusions(c, terms, view, &out.excluded));
      continue;
    }
    if (c.occur == Occur::kShould && !c.phrase && !c.prefix && !seen_should.insert(terms[0]).second)
      continue;  // "tax tax" counts once
    // Only required clauses need a bit: optional ones just add to the score.
    uint64_t mask = 0;
    if (c.occur == Occur::kMust) {
      if (bit >= kMaxClauses)
        return Status::InvalidArgument("the query has more than " + std::to_string(kMaxClauses) +
                                       " required clauses");
      mask = uint64_t{1} << bit++;
      required |= mask;
    }
    for (const auto& t : terms) out.highlight_terms.push_back(t);
    if (c.phrase) {
      double idf = 0.0;
      for (const auto& t : terms) {
        ARCHIVIST_ASSIGN_OR_RETURN(uint64_t df, GetDf(t));
        idf += Idf(df, n);
      }
      ARCHIVIST_ASSIGN_OR_RETURN(PhraseMatches m, MatchPhrase(terms, view));
      for (const auto& [id, match] : m) {
        Acc& a = acc[id];
        a.score += idf * tf_part(static_cast<uint32_t>(match.second.size()), match.first);
        a.mask |= mask;
      }
      continue;
    }
    double query_weight = 1.0;
    if (c.occur == Occur::kShould && !c.prefix) {
      const double f = qtf[terms[0]];
      query_weight = 2.0 * f / (1.0 + f);
    }
    for (const auto& t : terms) {
      ARCHIVIST_ASSIGN_OR_RETURN(uint64_t df, GetDf(t));
      const double idf = Idf(df, n) * query_weight;
      ARCHIVIST_RETURN_IF_ERROR(ScanPostings(
          t, false, view, [&](uint64_t id, uint32_t len, uint32_t tf, const std::vector<uint32_t>&) {
            Acc& a = acc[id];
            a.score += idf * tf_part(tf, len);
            a.mask |= mask;
          }));
    }
  }
  out.has_required = required != 0;
  const bool filtering = !q.filters.empty();
  std::vector<std::pair<uint64_t, double>> ranked;
  for (const auto& [id, a] : acc) {
    if ((a.mask & required) != required || out.excluded.count(id)) continue;
    if (filtering) {
      auto doc = FindDocByChunk(id);
      if (!doc || !PassesFilters(*doc, q.filters)) continue;
    }
    if (out.has_required) out.required_ok.insert(id);
    ranked.emplace_back(id, a.score);
  }
  SortByScore(&ranked);
  if (ranked.size() > static_cast<size_t>(depth)) ranked.resize(static_cast<size_t>(depth));
  for (const auto& [id, s] : ranked) out.ranked.push_back({id, s});
  return out;
}

void ArchiveImpl::ApplyFeedback(const LexicalResult& lexical, const SearchOptions& options,
                                std::vector<float>* query) {
  const size_t m = static_cast<size_t>(std::max(0, options.dense_feedback_chunks));
  if (m == 0 || lexical.ranked.empty() || options.dense_feedback_weight <= 0.0) return;
  std::vector<double> acc(query->begin(), query->end());
  const double w = options.dense_feedback_weight / static_cast<double>(m);
  for (size_t i = 0; i < lexical.ranked.size() && i < m; ++i) {
    auto raw = GetRaw(kVectors, Be64Key(lexical.ranked[i].chunk_id));
    if (!raw.ok()) continue;  // a document stored without vectors
    std::vector<float> v = DecodeFloats(*raw);
    if (v.size() != acc.size()) continue;
    for (size_t d = 0; d < acc.size(); ++d) acc[d] += w * v[d];
  }
  double norm = 0.0;
  for (double x : acc) norm += x * x;
  norm = std::sqrt(norm);
  if (norm <= 0.0) return;
  for (size_t d = 0; d < acc.size(); ++d) (*query)[d] = static_cast<float>(acc[d] / norm);
}

Result<std::vector<ArchiveImpl::ScoredChunk>> ArchiveImpl::DenseSearch(const ParsedQuery& q, int depth,
                                                                       const LexicalResult& lexical,
                                                                       const SearchOptions& options) {
  std::vector<ScoredChunk> out;
  ARCHIVIST_ASSIGN_OR_RETURN(auto embedded, embedder_->Embed({q.dense_text}));
  if (embedded.size() != 1) return Status::Internal("the embedder returned no vector for the query");
  if (options.mode == SearchMode::kHybrid) ApplyFeedback(lexical, options, &embedded[0]);
  const bool filtering = !q.filters.empty() || !lexical.excluded.empty() || lexical.has_required;
  const uint64_t total = dense_->size();
  // Filters are applied after the exact search; widen it until enough hits survive.
  uint64_t fetch = filtering ? static_cast<uint64_t>(depth) * 4 : static_cast<uint64_t>(depth);
  while (true) {
    out.clear();
    ARCHIVIST_ASSIGN_OR_RETURN(auto found, dense_->Search(embedded[0], static_cast<int>(std::min<uint64_t>(fetch, 1u << 30))));
    for (const auto& [id, score] : found) {
      if (lexical.excluded.count(id)) continue;
      if (lexical.has_required && !lexical.required_ok.count(id)) continue;
      if (!q.filters.empty()) {
        auto doc = FindDocByChunk(id);
        if (!doc || !PassesFilters(*doc, q.filters)) continue;
      }
      out.push_back({id, score});
      if (out.size() == static_cast<size_t>(depth)) break;
    }
    if (out.size() == static_cast<size_t>(depth) || fetch >= total) break;
    fetch *= 4;
  }
  return out;
}

Result<std::vector<SearchHit>> ArchiveImpl::Search(const std::string& query,
                                                   const SearchOptions& options) {
  ARCHIVIST_RETURN_IF_ERROR(ValidateSearch(options));
  std::shared_lock model(model_mu_);  // the embedder and the dense index stay those of one Reindex
  ARCHIVIST_ASSIGN_OR_RETURN(ParsedQuery q, options.plain_text ? PlainTextQuery(query, analyzer_)
                                                               : ParseQuery(query, analyzer_));
  if (!options.collection.empty()) q.filters.collection_limits.push_back({options.collection});
  if (!options.allowed_collections.empty())
    q.filters.collection_limits.push_back(options.allowed_collections);
  const bool can_dense = dense_ != nullptr && embedder_ != nullptr;
  if (options.mode == SearchMode::kDense && !can_dense)
    return Status::InvalidArgument("dense search needs an embedder; this archive was opened without one");
  const int depth = std::max(options.candidates, options.k);
  const bool use_lexical = options.mode != SearchMode::kDense;
  const bool use_dense = options.mode != SearchMode::kLexical && can_dense;

  // The lexical pass also yields exclusions and required-clause matches the dense list obeys.
  ARCHIVIST_ASSIGN_OR_RETURN(LexicalResult lexical, LexicalSearch(q, depth, options.exhaustive_lexical));
  std::vector<ScoredChunk> dense;
  if (use_dense) {
    ARCHIVIST_ASSIGN_OR_RETURN(dense, DenseSearch(q, depth, lexical, options));
  }

  struct Fused {
    int lexical_rank = 0, dense_rank = 0;
    double score = 0.0;
  };
  std::unordered_map<uint64_t, Fused> fused;
  if (use_lexical) {
    for (size_t i = 0; i < lexical.ranked.size(); ++i) {
      Fused& f = fused[lexical.ranked[i].chunk_id];
      f.lexical_rank = static_cast<int>(i + 1);
      f.score += use_dense ? options.lexical_weight / (options.rrf_k + static_cast<double>(i + 1))
                           : lexical.ranked[i].score;
    }
  }
  for (size_t i = 0; i < dense.size(); ++i) {
    Fused& f = fused[dense[i].chunk_id];
    f.dense_rank = static_cast<int>(i + 1);
    f.score += use_lexical ? options.dense_weight / (options.rrf_k + static_cast<double>(i + 1))
                           : dense[i].score;
  }
  std::vector<std::pair<uint64_t, double>> order;
  order.reserve(fused.size());
  for (const auto& [id, f] : fused) order.emplace_back(id, f.score);
  SortByScore(&order);

  std::unordered_set<std::string> highlight(lexical.highlight_terms.begin(),
                                            lexical.highlight_terms.end());
  std::vector<SearchHit> hits;
  std::unordered_set<std::string> seen_docs;
  for (const auto& [id, score] : order) {
    if (hits.size() == static_cast<size_t>(options.k)) break;
    auto doc = FindDocByChunk(id);
    if (!doc) continue;  // deleted while we searched
    if (options.group_by_document && !seen_docs.insert(doc->doc_id).second) continue;
    const Fused& f = fused[id];
    SearchHit h;
    h.chunk_id = id;
    h.doc_id = doc->doc_id;
    h.title = !doc->title.empty() ? doc->title
              : !doc->source_path.empty() ? BaseName(doc->source_path) : doc->doc_id;
    h.source_path = doc->source_path;
    h.collection = doc->collection;
    h.score = score;
    h.lexical_rank = f.lexical_rank;
    h.dense_rank = f.dense_rank;
    if (!options.fetch_chunks) {
      hits.push_back(std::move(h));
      continue;
    }
    auto chunk = GetChunk(id);
    if (!chunk.ok()) {
      if (chunk.status().code() == StatusCode::kNotFound) continue;
      return chunk.status();
    }
    Snippet snip = MakeSnippet(analyzer_, *chunk, highlight);
    h.snippet = std::move(snip.text);
    h.page = snip.page;
    h.last_page = chunk->last_page;
    h.text = std::move(chunk->text);
    hits.push_back(std::move(h));
  }
  return hits;
}

}  // namespace archivist::index
