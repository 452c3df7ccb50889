#pragma once
// Questions answered from the archive. With no generative model configured the answer is
// extractive: the sentences of the retrieved chunks that best support the question, verbatim,
// each with its citation. With a model (AskOptions::generation) the retrieved chunks are packed
// into its context window as numbered sources and the model writes the answer, citing [n]; each
// generated sentence is then checked against the sources it cites.

#include <string>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/index/archive.h"
#include "archivist/pipeline/generation.h"
#include "archivist/pipeline/redact.h"

namespace archivist::pipeline {

struct AskOptions {
  int max_sentences = 3;          // Default: 3 sentences in an extractive answer
  int retrieve_k = 8;             // chunks retrieved to answer from. Default: 8
  std::string collection;         // empty: every collection
  // Minimum share of the question's (idf-weighted) terms a sentence must cover to be used.
  // Below it for every sentence, the answer says the archive does not say. Default: 0.3.
  double min_support = 0.3;
  // Personal identifiers in the answer are always detected; redacted when the policy says so.
  PrivacyPolicy privacy;
  // Language model, guard and streaming; extractive mode when no model is set.
  GenerationOptions generation;
};

struct Citation {
  int key = 0;                    // the [n] used in the answer text, 1-based
  std::string doc_id;
  std::string title;
  std::string source_path;
  int page = 0;
  uint32_t begin = 0;             // byte span of the cited sentence inside that page's text
  uint32_t end = 0;
  uint64_t chunk_id = 0;
};

// A generated sentence and the outcome of its faithfulness check.
struct CheckedSentence {
  std::string text;               // the sentence, its [n] markers included
  std::vector<int> keys;          // sources it cites
  double support = 0.0;           // share of its terms found in those sources
  bool supported = false;         // support >= threshold and every key names a source
  std::string problem;            // why not: "no citation", "cites unknown source [7]", "low overlap"
};

// Where the time of a generative answer went. Zero in extractive mode except retrieval.
struct AnswerTimings {
  double retrieval_seconds = 0;   // search + reading chunks
  double prompt_seconds = 0;      // packing (tokenizer) + prompt processing by the model
  double generation_seconds = 0;  // producing the answer tokens
  double first_token_seconds = 0; // from the start of Ask to the first answer token
  double guard_seconds = 0;
  double total_seconds = 0;
  int64_t prompt_tokens = 0;
  int64_t reused_prompt_tokens = 0;  // prompt prefix whose KV cache was reused
  int64_t generated_tokens = 0;
  int64_t context_tokens = 0;     // the window
  int sources_packed = 0;
  int sources_dropped = 0;        // retrieved but left out for lack of room
};

struct Answer {
  std::string text;               // answer with [n] markers
  std::vector<std::string> sentences;  // each supporting sentence (extractive mode)
  std::vector<Citation> citations;
  bool extractive = true;
  bool found = false;             // false: the archive does not say
  // Personal identifiers found in the answer (spans into the text before any redaction).
  std::vector<PiiMatch> pii;
  bool redacted = false;          // text and sentences had them replaced
  // Generative mode.
  std::string model;              // the model's name (or file)
  std::vector<Citation> sources;  // every chunk given to the model, by key (whole-chunk spans)
  std::vector<CheckedSentence> checked;  // the faithfulness check, sentence by sentence
  int unsupported = 0;            // sentences flagged
  bool blocked = false;           // the guard withheld the answer (text says so)
  GuardVerdict question_guard;
  GuardVerdict answer_guard;
  AnswerTimings timings;
};

// Detects identifiers in answer.text and, if the policy says so, redacts text and sentences.
void ApplyPrivacy(const PrivacyPolicy& policy, std::string& text,
                  std::vector<std::string>& sentences, std::vector<PiiMatch>& found,
                  bool& redacted);

Result<Answer> Ask(index::Archive& archive, const std::string& question, const AskOptions& options);

}  // namespace archivist::pipeline
