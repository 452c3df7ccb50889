#include "query_parser.h"

#include <cctype>
#include <unordered_set>

namespace archivist::index {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// YYYY, YYYY-MM or YYYY-MM-DD: enough for a prefix comparison against ISO 8601 dates.
bool IsDatePrefix(std::string_view v) {
  static constexpr const char* kShapes[] = {"dddd", "dddd-dd", "dddd-dd-dd"};
  for (const char* shape : kShapes) {
    std::string_view s(shape);
    if (s.size() != v.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < s.size() && ok; ++i)
      ok = s[i] == 'd' ? std::isdigit(static_cast<unsigned char>(v[i])) != 0 : v[i] == s[i];
    if (ok) return true;
  }
  return false;
}

// Function words of natural-language questions ("what are the ...") that only add noise when
// every word of a plain-text query is an optional term.
bool IsQueryStopword(const std::string& w) {
  static const std::unordered_set<std::string> kStop = {
      "a",     "about", "an",    "and",   "any",   "are",   "as",    "at",    "be",    "been",
      "but",   "by",    "can",   "could", "did",   "do",    "does",  "for",   "from",  "had",
      "has",   "have",  "how",   "i",     "i'm",   "if",    "in",    "into",  "is",    "it",
      "its",   "me",    "my",    "of",    "on",    "or",    "other", "should", "so",   "some",
      "such",  "than",  "that",  "the",   "their", "them",  "then",  "there", "these", "they",
      "this",  "those", "to",    "was",   "we",    "were",  "what",  "when",  "where", "which",
      "while", "who",   "whom",  "why",   "will",  "with",  "would", "you",   "your"};
  return kStop.count(w) > 0;
}

Status Malformed(size_t pos, const std::string& why) {
  return Status::InvalidArgument("malformed query at position " + std::to_string(pos) + ": " + why);
}

}  // namespace

Result<ParsedQuery> ParseQuery(std::string_view q, const Analyzer& analyzer) {
  ParsedQuery out;
  size_t i = 0;
  bool pending_and = false;  // the previous clause was followed by AND
  bool pending_not = false;
  while (i < q.size()) {
    if (IsSpace(q[i])) {
      ++i;
      continue;
    }
    const size_t start = i;
    Occur occur = Occur::kShould;
    if (q[i] == '+' || q[i] == '-') {
      occur = q[i] == '+' ? Occur::kMust : Occur::kMustNot;
      ++i;
      if (i >= q.size() || IsSpace(q[i])) continue;  // a lone sign is punctuation
    }
    // Read one token: either a quoted phrase, or a bare run up to whitespace (a field value may be
    // quoted: tag:"two words").
    std::string field;
    std::string value;
    bool quoted = false;
    size_t value_pos = i;
    if (q[i] != '"') {
      size_t j = i;
      while (j < q.size() && !IsSpace(q[j]) && q[j] != '"' && q[j] != ':') ++j;
      if (j < q.size() && q[j] == ':' && j > i) {
        std::string name(q.substr(i, j - i));
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name == "collection" || name == "type" || name == "tag" || name == "doc" ||
            name == "after" || name == "before") {
          field = name;
          i = j + 1;
          value_pos = i;
        }
      }
    }
    if (i < q.size() && q[i] == '"') {
      size_t close = q.find('"', i + 1);
      if (close == std::string_view::npos) return Malformed(i, "unbalanced quote");
      value = std::string(q.substr(i + 1, close - i - 1));
      quoted = true;
      i = close + 1;
    } else {
      size_t j = i;
      while (j < q.size() && !IsSpace(q[j]) && q[j] != '"') ++j;
      value = std::string(q.substr(i, j - i));
      i = j;
    }

    if (!field.empty()) {
      if (value.empty()) return Malformed(value_pos, "empty value for '" + field + ":'");
      QueryFilters& f = out.filters;
      if (field == "collection") f.collections.push_back(value);
      else if (field == "type") f.media_types.push_back(value);
      else if (field == "tag") f.tags.push_back(value);
      else if (field == "doc") f.doc_ids.push_back(value);
      else {
        if (!IsDatePrefix(value))
          return Malformed(value_pos, "'" + field + ":' expects YYYY, YYYY-MM or YYYY-MM-DD, got '" +
                                          value + "'");
        (field == "after" ? f.after : f.before) = value;
      }
      continue;
    }
    if (!quoted && occur == Occur::kShould) {
      if (value == "AND") {
        pending_and = true;
        if (!out.clauses.empty() && out.clauses.back().occur == Occur::kShould)
          out.clauses.back().occur = Occur::kMust;
        continue;
      }
      if (value == "OR") continue;
      if (value == "NOT") {
        pending_not = true;
        continue;
      }
    }
    if (pending_not) occur = Occur::kMustNot;
    else if (pending_and && occur == Occur::kShould) occur = Occur::kMust;
    pending_not = pending_and = false;

    if (!quoted && value.size() >= 2 && value.back() == '*') {
      std::string stem = analyzer.Normalize(std::string_view(value).substr(0, value.size() - 1));
      if (stem.size() < 2) return Malformed(start, "a prefix needs at least 2 characters before '*'");
      QueryClause c;
      c.occur = occur;
      c.prefix = true;
      c.terms.push_back(stem);
      c.position = start;
      out.clauses.push_back(std::move(c));
      if (occur != Occur::kMustNot) out.dense_text += value.substr(0, value.size() - 1) + " ";
      continue;
    }
    std::vector<std::string> terms = analyzer.Terms(value);
    if (terms.empty()) {
      if (quoted) return Malformed(start, "the phrase has no searchable words");
      continue;
    }
    if (occur != Occur::kMustNot) out.dense_text += value + " ";
    if (quoted || (terms.size() > 1 && occur != Occur::kShould)) {
      QueryClause c;
      c.occur = occur == Occur::kShould ? Occur::kMust : occur;
      c.phrase = terms.size() > 1;
      c.terms = std::move(terms);
      c.position = start;
      out.clauses.push_back(std::move(c));
    } else {
      // A bare hyphenated word ("wire-transfer") contributes its parts as ordinary words.
      for (auto& t : terms) {
        QueryClause c;
        c.occur = occur;
        c.terms.push_back(std::move(t));
        c.position = start;
        out.clauses.push_back(std::move(c));
      }
    }
  }
  if (!out.HasPositive()) {
    return Status::InvalidArgument(q.empty() || out.clauses.empty()
                                       ? "the query has no searchable words"
                                       : "the query only excludes words; add at least one word to find");
  }
  return out;
}

Result<ParsedQuery> PlainTextQuery(std::string_view text, const Analyzer& analyzer) {
  ParsedQuery out;
  out.dense_text = std::string(text);
  std::vector<Token> tokens = analyzer.Tokenize(text);
  // A question made only of function words ("what is it?") keeps them rather than find nothing.
  bool all_stop = true;
  for (const Token& t : tokens) all_stop = all_stop && IsQueryStopword(t.norm);
  for (const Token& t : tokens) {
    if (!all_stop && IsQueryStopword(t.norm)) continue;
    QueryClause c;
    c.terms.push_back(t.term);
    c.position = t.begin;
    out.clauses.push_back(std::move(c));
  }
  if (out.clauses.empty()) return Status::InvalidArgument("the query has no searchable words");
  return out;
}

}  // namespace archivist::index
