#pragma once
// The search query language.
//
//   wire transfer          words, OR-ed and ranked by BM25
//   "offshore account"     a phrase: the words adjacent and in order; a phrase is required
//   +word  -word  -"a b"   required / excluded clause; `NOT x` = -x; `a AND b` = +a +b; OR is the default
//   transf*                prefix (at least 2 characters before the star)
//   collection:legal  type:application/pdf  tag:urgent  doc:<doc_id>
//   after:2024-01-01 (created on/after, inclusive)  before:2025 (created strictly before)
//
// A malformed query (unbalanced quote, empty field value, bad date) is kInvalidArgument naming the
// byte position. Words that analyze to nothing (punctuation) are ignored.

#include <string>
#include <string_view>
#include <vector>

#include "analyzer.h"
#include "archivist/base/status.h"

namespace archivist::index {

enum class Occur { kShould, kMust, kMustNot };

struct QueryClause {
  Occur occur = Occur::kShould;
  std::vector<std::string> terms;  // analyzed; a phrase has several, a prefix has one (unstemmed)
  bool phrase = false;
  bool prefix = false;
  size_t position = 0;  // byte offset in the query, for messages
};

struct QueryFilters {
  std::vector<std::string> collections;  // any of
  std::vector<std::string> media_types;  // any of
  std::vector<std::string> tags;         // all of
  std::vector<std::string> doc_ids;      // any of
  std::string after;                     // created >= after (ISO 8601 prefix compare)
  std::string before;                    // created < before
  // Set by the caller, not the query: every non-empty list must be satisfied (intersection), so a
  // query's own collection: cannot widen what the caller allows.
  std::vector<std::vector<std::string>> collection_limits;
  bool empty() const {
    return collections.empty() && media_types.empty() && tags.empty() && doc_ids.empty() &&
           after.empty() && before.empty() && collection_limits.empty();
  }
};

struct ParsedQuery {
  std::vector<QueryClause> clauses;
  QueryFilters filters;
  std::string dense_text;  // the positive words and phrases, for the embedder
  bool HasPositive() const {
    for (const auto& c : clauses)
      if (c.occur != Occur::kMustNot) return true;
    return false;
  }
};

Result<ParsedQuery> ParseQuery(std::string_view query, const Analyzer& analyzer);
// Every word an optional term; no operators. kInvalidArgument if nothing searchable remains.
Result<ParsedQuery> PlainTextQuery(std::string_view text, const Analyzer& analyzer);

}  // namespace archivist::index
