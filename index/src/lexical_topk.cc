// Top-k BM25 for disjunctive queries by MaxScore over block postings (term_cursor.h).
//
// Terms are ordered by their score bound (idf x the best block's tf part). Once the k-th best score
// exceeds the summed bounds of the weakest terms, those become "non-essential": a chunk must
// contain an essential term to be a candidate, and non-essential terms are only probed (skipping
// whole blocks) for candidates whose block-level bound can still beat the k-th score. Scores are
// summed in query order exactly as ExhaustiveSearch does, and ties go to the lower chunk id, so the
// answer is the exhaustive scorer's top k, bit for bit; pruning comparisons keep a small margin so
// rounding never drops a chunk that could tie.

#include <rocksdb/db.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "archive_impl.h"
#include "term_cursor.h"

namespace archivist::index {

Result<ArchiveImpl::LexicalResult> ArchiveImpl::PrunedTopK(const ParsedQuery& q, int depth,
                                                            const ReadView& view) {
  LexicalResult out;
  const Counters counters = CountersSnapshot();
  const uint64_t n = counters.chunks;
  const Bm25 bm25 = Bm25For(counters);

  struct Term {
    TermCursor cursor;
    double weight = 0.0;
    double bound = 0.0;
  };
  std::vector<Term> terms;  // in query order: the order scores are summed in
  std::unordered_map<std::string, int> qtf = ShouldTermCounts(q);
  std::unordered_set<std::string> seen_should;
  for (const QueryClause& c : q.clauses) {
    std::vector<std::string> words = c.terms;
    if (c.prefix) {
      ARCHIVIST_ASSIGN_OR_RETURN(words, ExpandPrefix(c.terms[0]));
      if (words.empty()) continue;
    }
    if (c.occur == Occur::kMustNot) {
      ARCHIVIST_RETURN_IF_ERROR(AddExclusions(c, words, view, &out.excluded));
      continue;
    }
    if (!c.prefix && !seen_should.insert(words[0]).second) continue;  // "tax tax" counts once
    for (const auto& t : words) out.highlight_terms.push_back(t);
    double query_weight = 1.0;
    if (!c.prefix) {
      const double f = qtf[words[0]];
      query_weight = 2.0 * f / (1.0 + f);
    }
    for (const auto& t : words) {
      ARCHIVIST_ASSIGN_OR_RETURN(uint64_t df, GetDf(t));
      Term term;
      term.weight = Idf(df, n) * query_weight;
      ARCHIVIST_ASSIGN_OR_RETURN(term.cursor, TermCursor::Load(db_.get(), cfs_[kPostings],
                                                               view.snapshot, t, view.watermark));
      if (term.cursor.doc() == TermCursor::kEnd) {
        ARCHIVIST_RETURN_IF_ERROR(term.cursor.status());
        continue;
      }
      for (const auto& [tf, len] : term.cursor.BlockBounds())
        term.bound = std::max(term.bound, term.weight * bm25.TfPart(tf, len));
      terms.push_back(std::move(term));
    }
  }

  // By ascending bound; prefix sums decide which terms are non-essential.
  std::vector<size_t> order(terms.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return terms[a].bound < terms[b].bound; });
  std::vector<double> cum(order.size() + 1, 0.0);
  for (size_t j = 0; j < order.size(); ++j) cum[j + 1] = cum[j] + terms[order[j]].bound;

  struct Entry {
    double score;
    uint64_t id;
  };
  // "Better" ranks first (higher score, then lower id); with it as the heap order, front() is
  // the worst entry kept.
  auto better = [](const Entry& a, const Entry& b) {
    return a.score != b.score ? a.score > b.score : a.id < b.id;
  };
  std::vector<Entry> heap;
  const size_t k = static_cast<size_t>(depth);
  double threshold = -std::numeric_limits<double>::infinity();
  auto margin = [&] { return 1e-9 * std::max(1.0, std::fabs(threshold)); };
  size_t essential = 0;  // order[essential..] are essential
  const bool filtering = !q.filters.empty();
  std::vector<double> contrib(terms.size(), 0.0);

  while (essential < order.size()) {
    uint64_t d = TermCursor::kEnd;
    for (size_t j = essential; j < order.size(); ++j) d = std::min(d, terms[order[j]].cursor.doc());
    if (d == TermCursor::kEnd) break;
    std::fill(contrib.begin(), contrib.end(), 0.0);
    double partial = 0.0;
    for (size_t j = essential; j < order.size(); ++j) {
      Term& t = terms[order[j]];
      if (t.cursor.doc() != d) continue;
      contrib[order[j]] = t.weight * bm25.TfPart(t.cursor.tf(), t.cursor.length());
      partial += contrib[order[j]];
      t.cursor.Next();
    }
    if (view.Dead(d) || (!out.excluded.empty() && out.excluded.count(d))) continue;
    bool viable = true;
    if (essential > 0 && heap.size() == k) {
      double rest = 0.0;
      std::vector<double> block_bound(essential, 0.0);
      for (size_t j = 0; j < essential; ++j) {
        uint32_t tf = 0, len = 0;
        if (terms[order[j]].cursor.BoundAt(d, &tf, &len))
          block_bound[j] = terms[order[j]].weight * bm25.TfPart(tf, len);
        rest += block_bound[j];
      }
      for (size_t j = essential; j-- > 0 && viable;) {
        if (partial + rest + margin() < threshold) viable = false;
        if (!viable) break;
        Term& t = terms[order[j]];
        t.cursor.NextGeq(d);
        if (t.cursor.doc() == d) {
          contrib[order[j]] = t.weight * bm25.TfPart(t.cursor.tf(), t.cursor.length());
          partial += contrib[order[j]];
        }
        rest -= block_bound[j];
      }
      if (viable && partial + margin() < threshold) viable = false;
    } else {
      for (size_t j = 0; j < essential; ++j) {
        Term& t = terms[order[j]];
        t.cursor.NextGeq(d);
        if (t.cursor.doc() == d) contrib[order[j]] = t.weight * bm25.TfPart(t.cursor.tf(), t.cursor.length());
      }
    }
    if (!viable) continue;
    double score = 0.0;
    for (double c : contrib) score += c;  // query order, as the exhaustive scorer adds them
    const Entry e{score, d};
    if (heap.size() == k && !better(e, heap.front())) continue;
    if (filtering) {
      auto doc = FindDocByChunk(d);
      if (!doc || !PassesFilters(*doc, q.filters)) continue;
    }
    if (heap.size() == k) {
      std::pop_heap(heap.begin(), heap.end(), better);
      heap.pop_back();
    }
    heap.push_back(e);
    std::push_heap(heap.begin(), heap.end(), better);
    if (heap.size() == k) {
      threshold = heap.front().score;
      while (essential < order.size() && cum[essential + 1] + margin() < threshold) ++essential;
    }
  }
  for (const Term& t : terms) ARCHIVIST_RETURN_IF_ERROR(t.cursor.status());
  std::sort(heap.begin(), heap.end(), better);
  for (const Entry& e : heap) out.ranked.push_back({e.id, e.score});
  return out;
}

}  // namespace archivist::index
