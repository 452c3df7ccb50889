#pragma once
// Questions answered from the archive. With no generative model configured the answer is
// extractive: the sentences of the retrieved chunks that best support the question, verbatim,
// each with its citation.

#include <string>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/index/archive.h"
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

struct Answer {
  std::string text;               // answer with [n] markers
  std::vector<std::string> sentences;  // each supporting sentence (extractive mode)
  std::vector<Citation> citations;
  bool extractive = true;
  bool found = false;             // false: the archive does not say
  // Personal identifiers found in the answer (spans into the text before any redaction).
  std::vector<PiiMatch> pii;
  bool redacted = false;          // text and sentences had them replaced
};

// Detects identifiers in answer.text and, if the policy says so, redacts text and sentences.
void ApplyPrivacy(const PrivacyPolicy& policy, std::string& text,
                  std::vector<std::string>& sentences, std::vector<PiiMatch>& found,
                  bool& redacted);

Result<Answer> Ask(index::Archive& archive, const std::string& question, const AskOptions& options);

}  // namespace archivist::pipeline
