#pragma once
// Pieces shared by generative answers and generative summaries.

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "archivist/pipeline/answer.h"
#include "archivist/pipeline/summarize.h"
#include "context_pack.h"
#include "faithfulness.h"
#include "passages.h"

namespace archivist::pipeline {

// Passes generated pieces to a terminal callback: leading whitespace is dropped and, when the
// policy redacts, text is held back until a line is complete and released redacted. text() is
// everything released, so it equals what the callback saw.
class AnswerStream {
 public:
  AnswerStream(const PrivacyPolicy& policy, std::function<void(std::string_view)> sink)
      : policy_(policy), sink_(std::move(sink)) {}
  void Add(std::string_view piece);
  void Finish();
  const std::string& text() const { return released_; }

 private:
  void Release(const std::string& s);
  const PrivacyPolicy& policy_;
  std::function<void(std::string_view)> sink_;
  std::string pending_;
  std::string released_;
  bool started_ = false;
};

// The text with identifiers redacted line by line (as AnswerStream releases it).
std::string RedactByLine(const PrivacyPolicy& policy, std::string_view text);

// The sources' sentences located on their pages, for the faithfulness check.
Result<std::vector<CitedSource>> LocateSources(const std::vector<Source>& sources, PageCache& pages);

// A source as a whole-chunk citation (its first page span).
Citation SourceCitation(const Source& s);

// Citations for the keys a text cites: the best-supporting sentence's page and span when the
// check found one, the chunk's first span otherwise. Unknown keys are skipped.
std::vector<Citation> CitationsFor(const std::vector<int>& keys, const std::vector<Source>& sources,
                                   const FaithfulnessReport& report);

// How a question searches: hybrid, plain words (a question is prose, not query syntax).
index::SearchOptions QuestionSearch(const AskOptions& options);

// Seconds since t0 on the steady clock.
double SecondsSince(std::chrono::steady_clock::time_point t0);

// Generation options for one answer from the pipeline's options.
engine::GenerateOptions EngineOptions(const GenerationOptions& g, int max_tokens,
                                      AnswerStream* stream);

// Ask with AskOptions::generation set (answer.cc dispatches here).
Result<Answer> GenerativeAsk(index::Archive& archive, const std::string& question,
                             const AskOptions& options);

// Summarize with SummarizeOptions::generation set, over documents already selected.
Result<Summary> GenerativeSummarize(index::Archive& archive, const SummarizeOptions& options,
                                    const std::vector<index::DocumentRecord>& docs);

}  // namespace archivist::pipeline
