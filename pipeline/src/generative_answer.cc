// Generative answers: retrieve, pack into the window, generate with citations, check them.

#include <algorithm>
#include <chrono>
#include <set>
#include <unordered_set>

#include "generative.h"
#include "sentences.h"

namespace archivist::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

// Share of a chunk's sentences already quoted by chunks taken before it: overlapping chunks of
// one document repeat their edges, and a near-copy only spends the window.
constexpr double kDuplicateShare = 0.8;

std::vector<std::string> SentenceKeys(const std::string& text) {
  std::vector<std::string> out;
  for (const SentenceSpan& s : SplitSentences(text)) {
    std::string key = DedupKey(std::string_view(text).substr(s.begin, s.end - s.begin));
    if (!key.empty()) out.push_back(std::move(key));
  }
  return out;
}

Result<std::vector<Source>> Retrieve(index::Archive& archive, const std::string& question,
                                     const AskOptions& options) {
  ARCHIVIST_ASSIGN_OR_RETURN(std::vector<index::SearchHit> hits,
                             archive.Search(question, QuestionSearch(options)));
  std::vector<Source> out;
  std::unordered_set<std::string> seen_sentences;
  std::vector<std::string> doc_order;
  for (const index::SearchHit& hit : hits) {
    ARCHIVIST_ASSIGN_OR_RETURN(index::ChunkRecord chunk, archive.GetChunk(hit.chunk_id));
    std::vector<std::string> keys = SentenceKeys(chunk.text);
    size_t repeated = 0;
    for (const std::string& k : keys) repeated += seen_sentences.count(k);
    if (!keys.empty() && static_cast<double>(repeated) >= kDuplicateShare * static_cast<double>(keys.size())) {
      continue;
    }
    seen_sentences.insert(keys.begin(), keys.end());
    Source s;
    auto at = std::find(doc_order.begin(), doc_order.end(), chunk.doc_id);
    if (at == doc_order.end()) {
      doc_order.push_back(chunk.doc_id);
      at = doc_order.end() - 1;
    }
    s.doc_order = static_cast<int>(at - doc_order.begin());
    s.title = hit.title;
    s.source_path = hit.source_path;
    s.text = chunk.text;
    s.chunk = std::move(chunk);
    out.push_back(std::move(s));
  }
  return out;
}

Answer Blocked(const GuardVerdict& verdict, bool question) {
  Answer a;
  a.extractive = false;
  a.blocked = true;
  a.text = std::string(question ? "The question was not answered" : "The answer was withheld") +
           ": the guard model classified the " + (question ? "question" : "answer") + " as " +
           verdict.verdict + (verdict.categories.empty() ? "" : " (" + verdict.categories + ")") +
           ".";
  return a;
}

}  // namespace

Result<Answer> GenerativeAsk(index::Archive& archive, const std::string& question,
                             const AskOptions& options) {
  const GenerationOptions& g = options.generation;
  ARCHIVIST_RETURN_IF_ERROR(g.Validate());
  const auto t0 = Clock::now();
  ARCHIVIST_ASSIGN_OR_RETURN(std::shared_ptr<LanguageModels> models, ModelsFor(g));
  const auto loaded = Clock::now();
  AnswerTimings timings;
  timings.context_tokens = models->context_tokens();
  std::string model_name = models->model().info().name.empty() ? g.model_path
                                                               : models->model().info().name;

  auto guard_t = Clock::now();
  ARCHIVIST_ASSIGN_OR_RETURN(GuardVerdict question_verdict,
                             models->Classify(g.guard, question, ""));
  timings.guard_seconds += SecondsSince(guard_t);
  if (!question_verdict.safe) {
    Answer a = Blocked(question_verdict, /*question=*/true);
    a.model = model_name;
    a.question_guard = question_verdict;
    timings.total_seconds = SecondsSince(t0);
    a.timings = timings;
    return a;
  }

  auto retrieval_t = Clock::now();
  ARCHIVIST_ASSIGN_OR_RETURN(std::vector<Source> candidates, Retrieve(archive, question, options));
  timings.retrieval_seconds = SecondsSince(retrieval_t);

  Answer answer;
  answer.extractive = false;
  answer.model = model_name;
  answer.question_guard = question_verdict;
  if (candidates.empty()) {
    answer.text = std::string(kArchiveDoesNotSay) + " No document matches the question.";
    timings.total_seconds = SecondsSince(t0);
    answer.timings = timings;
    return answer;
  }

  auto pack_t = Clock::now();
  PackOptions po;
  po.budget = models->context_tokens() - g.max_answer_tokens;
  ARCHIVIST_ASSIGN_OR_RETURN(
      PackedPrompt prompt,
      PackPrompt(*models, candidates,
                 [&](const std::vector<Source>& s) { return AskMessages(question, s); }, po));
  const double pack_seconds = SecondsSince(pack_t);

  // With a guard model nothing is shown before the guard has read the whole answer.
  AnswerStream stream(options.privacy, models->guard() ? nullptr : g.on_text);
  ARCHIVIST_ASSIGN_OR_RETURN(
      Completion completion,
      models->Complete(prompt.tokens, EngineOptions(g, g.max_answer_tokens, &stream)));
  stream.Finish();
  // Time to first token counts from the start of the call, model loading excluded (a server
  // keeps the model loaded).
  const double before_generation = std::chrono::duration<double>(Clock::now() - loaded).count() -
                                   completion.prompt_seconds - completion.generate_seconds;
  timings.first_token_seconds = before_generation + completion.first_token_seconds;
  timings.prompt_seconds = pack_seconds + completion.prompt_seconds;
  timings.generation_seconds = completion.generate_seconds;
  timings.prompt_tokens = completion.prompt_tokens;
  timings.reused_prompt_tokens = completion.reused_tokens;
  timings.generated_tokens = completion.generated_tokens;
  timings.sources_packed = static_cast<int>(prompt.sources.size());
  timings.sources_dropped = prompt.dropped;

  // The check reads the text as generated; the answer shows it as released (maybe redacted).
  std::string raw;
  {
    // Reconstruct the unredacted text: the stream only redacts, so without redaction it is equal.
    raw = completion.text;
    size_t b = raw.find_first_not_of(" \t\r\n");
    raw = b == std::string::npos ? "" : raw.substr(b);
  }
  PageCache pages(archive);
  ARCHIVIST_ASSIGN_OR_RETURN(std::vector<CitedSource> located, LocateSources(prompt.sources, pages));
  FaithfulnessReport report = CheckFaithfulness(
      raw, located, [&](const std::string& t) { return archive.AnalyzeTerms(t); },
      g.faithfulness_threshold);

  answer.text = stream.text();
  answer.pii = FindPii(raw, options.privacy.kinds);
  answer.redacted = options.privacy.redact && !answer.pii.empty();
  for (CheckedSentence& c : report.sentences) {
    if (answer.redacted) c.text = RedactByLine(options.privacy, c.text);
    if (!c.supported) ++answer.unsupported;
  }
  answer.checked = std::move(report.sentences);
  answer.citations = CitationsFor(CitedKeys(raw), prompt.sources, report);
  for (const Source& s : prompt.sources) answer.sources.push_back(SourceCitation(s));
  answer.found = raw.find("archive does not say") == std::string::npos && !raw.empty();

  guard_t = Clock::now();
  ARCHIVIST_ASSIGN_OR_RETURN(answer.answer_guard, models->Classify(g.guard, question, raw));
  timings.guard_seconds += SecondsSince(guard_t);
  if (!answer.answer_guard.safe) {
    Answer blocked = Blocked(answer.answer_guard, /*question=*/false);
    blocked.model = model_name;
    blocked.question_guard = answer.question_guard;
    blocked.answer_guard = answer.answer_guard;
    blocked.sources = std::move(answer.sources);
    answer = std::move(blocked);
  }
  timings.total_seconds = SecondsSince(t0);
  answer.timings = timings;
  return answer;
}

}  // namespace archivist::pipeline
