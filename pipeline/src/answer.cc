#include "archivist/pipeline/answer.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "generative.h"
#include "passages.h"

namespace archivist::pipeline {
namespace {

struct Candidate {
  std::string text;
  double score = 0.0;
  double coverage = 0.0;
  Citation citation;
};

// Long sentences match many words by accident; past this many words a sentence pays a penalty.
constexpr int kLongSentenceWords = 60;
// A sentence inherits part of its section heading's words: under "Anticoagulation change", the
// sentence "Warfarin was replaced by apixaban" answers a question about anticoagulants.
constexpr double kHeadingCredit = 0.5;
// Retrieval rank as a prior: the top chunk's sentences get this much, the second's half, ...
constexpr double kRankCredit = 0.5;

}  // namespace

void ApplyPrivacy(const PrivacyPolicy& policy, std::string& text,
                  std::vector<std::string>& sentences, std::vector<PiiMatch>& found,
                  bool& redacted) {
  found = FindPii(text, policy.kinds);
  redacted = policy.redact && !found.empty();
  if (!redacted) return;
  text = Redact(text, found);
  for (std::string& s : sentences) s = Redact(s, FindPii(s, policy.kinds));
}

Result<Answer> Ask(index::Archive& archive, const std::string& question, const AskOptions& options) {
  if (question.find_first_not_of(" \t\r\n") == std::string::npos) {
    return Status::InvalidArgument("the question is empty");
  }
  if (options.max_sentences < 1 || options.retrieve_k < 1) {
    return Status::InvalidArgument("max_sentences and retrieve_k must be at least 1");
  }
  if (options.generation.enabled()) return GenerativeAsk(archive, question, options);

  // Question terms weighted by idf, so rare words ("apixaban") count more than common ones.
  // A word the archive has never seen is as specific as a word can be: it gets the highest weight,
  // so a question about something absent is not "answered" by its common words alone.
  std::unordered_map<std::string, double> weights;
  std::vector<std::string> unknown;
  double max_idf = 0.0;
  for (const std::string& t : archive.AnalyzeTerms(question)) {
    if (weights.count(t)) continue;
    double idf = archive.TermIdf(t);
    weights[t] = idf;
    if (idf <= 0.0) unknown.push_back(t);
    max_idf = std::max(max_idf, idf);
  }
  if (weights.empty()) {
    return Status::InvalidArgument("the question has no searchable words");
  }
  for (const std::string& t : unknown) weights[t] = max_idf > 0.0 ? max_idf : 1.0;
  double total_weight = 0.0;
  for (const auto& [t, w] : weights) total_weight += w;

  // Sentences are chosen from the retrieved chunks, so the retrieval decides what can be quoted.
  // The dense list helps only when the archive embeds with a model fitted on its own text (LSA);
  // hash vectors carry no meaning, and fusing them in measured worse on the IR collections
  // (archivist_answer_bench ir: the top sentence's document was relevant less often than BM25's).
  index::SearchOptions search = QuestionSearch(options);
  const index::Embedder* embedder = archive.embedder();
  if (embedder == nullptr || embedder->Name().rfind("builtin-hash", 0) == 0) {
    search.mode = index::SearchMode::kLexical;
  }
  ARCHIVIST_ASSIGN_OR_RETURN(std::vector<index::SearchHit> hits, archive.Search(question, search));

  std::vector<Candidate> candidates;
  PageCache pages(archive);
  for (size_t rank = 0; rank < hits.size(); ++rank) {
    const index::SearchHit& hit = hits[rank];
    ARCHIVIST_ASSIGN_OR_RETURN(index::ChunkRecord chunk, archive.GetChunk(hit.chunk_id));
    std::unordered_set<std::string> heading_terms;
    for (std::string& t : archive.AnalyzeTerms(chunk.heading_path)) heading_terms.insert(std::move(t));
    ARCHIVIST_ASSIGN_OR_RETURN(std::vector<LocatedSentence> sentences, ChunkSentences(chunk, pages));
    for (LocatedSentence& sentence : sentences) {
      std::unordered_set<std::string> terms;
      for (std::string& t : archive.AnalyzeTerms(sentence.text)) terms.insert(std::move(t));
      double covered = 0.0;
      for (const auto& [t, w] : weights) {
        if (terms.count(t)) covered += w;
        else if (heading_terms.count(t)) covered += kHeadingCredit * w;
      }
      if (covered <= 0.0) continue;
      Candidate c;
      c.coverage = covered / total_weight;
      // Coverage decides; retrieval rank weighs in (kRankCredit); long run-on "sentences" (tables) pay.
      c.score = c.coverage + kRankCredit / static_cast<double>(rank + 1);
      if (CountWords(sentence.text) > kLongSentenceWords) c.score -= 0.15;
      c.citation.doc_id = chunk.doc_id;
      c.citation.title = hit.title;
      c.citation.source_path = hit.source_path;
      c.citation.page = sentence.page;
      c.citation.begin = sentence.begin;
      c.citation.end = sentence.end;
      c.citation.chunk_id = chunk.chunk_id;
      c.text = std::move(sentence.text);
      candidates.push_back(std::move(c));
    }
  }

  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  Answer answer;
  answer.extractive = true;
  std::set<std::string> seen;
  for (Candidate& c : candidates) {
    if (static_cast<int>(answer.sentences.size()) >= options.max_sentences) break;
    if (c.coverage < options.min_support) continue;
    // Overlapping chunks repeat sentences; quote each once.
    if (!seen.insert(DedupKey(c.text)).second) continue;
    c.citation.key = static_cast<int>(answer.citations.size()) + 1;
    answer.sentences.push_back(c.text);
    answer.citations.push_back(c.citation);
  }
  answer.found = !answer.sentences.empty();
  if (!answer.found) {
    answer.text = "The archive does not say: no passage in the retrieved documents supports an answer.";
    return answer;
  }
  for (size_t i = 0; i < answer.sentences.size(); ++i) {
    if (i) answer.text += "\n";
    answer.text += OneLine(answer.sentences[i]) + " [" + std::to_string(answer.citations[i].key) + "]";
  }
  ApplyPrivacy(options.privacy, answer.text, answer.sentences, answer.pii, answer.redacted);
  return answer;
}

}  // namespace archivist::pipeline
