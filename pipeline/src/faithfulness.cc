#include "faithfulness.h"

#include <cctype>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "sentences.h"

namespace archivist::pipeline {
namespace {

// One "[n]" or "[n, m]" group at `pos`; returns its end (or pos when there is none) and its keys.
size_t ParseMarker(std::string_view text, size_t pos, std::vector<int>* keys) {
  if (pos >= text.size() || text[pos] != '[') return pos;
  std::vector<int> found;
  size_t i = pos + 1;
  while (true) {
    while (i < text.size() && text[i] == ' ') ++i;
    size_t start = i;
    int value = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && i - start < 6) {
      value = value * 10 + (text[i] - '0');
      ++i;
    }
    if (i == start) return pos;
    found.push_back(value);
    while (i < text.size() && text[i] == ' ') ++i;
    if (i < text.size() && text[i] == ',') {
      ++i;
      continue;
    }
    if (i < text.size() && text[i] == ']') break;
    return pos;
  }
  if (keys) keys->insert(keys->end(), found.begin(), found.end());
  return i + 1;
}

// The markers a model puts after the full stop ("... bleed. [2] Next ...") belong to the sentence
// before them: move them in front of the stop so sentence splitting keeps them together.
std::string MarkersBeforeStops(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '.' || c == '!' || c == '?') {
      size_t j = i + 1;
      while (j < text.size() && text[j] == ' ') ++j;
      size_t end = j;
      while (true) {
        size_t next = ParseMarker(text, end, nullptr);
        if (next == end) break;
        end = next;
      }
      if (end > j) {
        out += ' ';
        out.append(text.substr(j, end - j));
        out += c;
        i = end;
        continue;
      }
    }
    out += c;
    ++i;
  }
  return out;
}

// The sentence without its markers, for term analysis.
std::string WithoutMarkers(std::string_view s, std::vector<int>* keys) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    size_t next = ParseMarker(s, i, keys);
    if (next != i) {
      i = next;
      continue;
    }
    out += s[i++];
  }
  return out;
}

}  // namespace

std::vector<int> CitedKeys(std::string_view text) {
  std::vector<int> all;
  WithoutMarkers(text, &all);
  std::vector<int> out;
  std::set<int> seen;
  for (int k : all) {
    if (seen.insert(k).second) out.push_back(k);
  }
  return out;
}

FaithfulnessReport CheckFaithfulness(std::string_view text, const std::vector<CitedSource>& sources,
                                     const AnalyzeFn& analyze, double threshold) {
  FaithfulnessReport report;
  std::unordered_map<int, const CitedSource*> by_key;
  std::unordered_map<int, std::unordered_set<std::string>> source_terms;
  std::unordered_map<int, std::vector<std::unordered_set<std::string>>> sentence_terms;
  for (const CitedSource& s : sources) {
    by_key[s.key] = &s;
    for (const LocatedSentence& ls : s.sentences) {
      std::unordered_set<std::string> terms;
      for (std::string& t : analyze(ls.text)) {
        source_terms[s.key].insert(t);
        terms.insert(std::move(t));
      }
      sentence_terms[s.key].push_back(std::move(terms));
    }
  }
  // Per key: overlap of each of its sentences with everything citing it.
  std::unordered_map<int, std::vector<int>> hits;

  const std::string normalized = MarkersBeforeStops(text);
  for (const SentenceSpan& span : SplitSentences(normalized)) {
    CheckedSentence c;
    c.text = normalized.substr(span.begin, span.end - span.begin);
    std::vector<int> keys;
    const std::string plain = WithoutMarkers(c.text, &keys);
    std::set<int> unique;
    for (int k : keys) {
      if (unique.insert(k).second) c.keys.push_back(k);
    }
    std::unordered_set<std::string> terms;
    for (std::string& t : analyze(plain)) terms.insert(std::move(t));
    if (c.keys.empty()) {
      // A refusal needs no source; any other claim does.
      c.supported = plain.find("archive does not say") != std::string::npos || terms.empty();
      c.support = c.supported ? 1.0 : 0.0;
      if (!c.supported) c.problem = "no citation";
      report.sentences.push_back(std::move(c));
      continue;
    }
    std::vector<int> unknown;
    std::unordered_set<std::string> available;
    for (int k : c.keys) {
      auto it = source_terms.find(k);
      if (!by_key.count(k)) {
        unknown.push_back(k);
        continue;
      }
      if (it != source_terms.end()) available.insert(it->second.begin(), it->second.end());
    }
    size_t covered = 0;
    for (const std::string& t : terms) covered += available.count(t);
    c.support = terms.empty() ? 1.0 : static_cast<double>(covered) / static_cast<double>(terms.size());
    c.supported = unknown.empty() && c.support >= threshold;
    if (!unknown.empty()) {
      c.problem = "cites unknown source";
      for (int k : unknown) c.problem += " [" + std::to_string(k) + "]";
    } else if (!c.supported) {
      c.problem = "low overlap with the cited source";
    }
    for (int k : c.keys) {
      auto st = sentence_terms.find(k);
      if (st == sentence_terms.end()) continue;
      std::vector<int>& h = hits[k];
      h.resize(st->second.size(), 0);
      for (size_t i = 0; i < st->second.size(); ++i) {
        for (const std::string& t : terms) h[i] += static_cast<int>(st->second[i].count(t));
      }
    }
    report.sentences.push_back(std::move(c));
  }
  for (const auto& [key, h] : hits) {
    size_t best = 0;
    for (size_t i = 1; i < h.size(); ++i) {
      if (h[i] > h[best]) best = i;
    }
    if (!h.empty()) report.best[key] = by_key[key]->sentences[best];
  }
  return report;
}

}  // namespace archivist::pipeline
