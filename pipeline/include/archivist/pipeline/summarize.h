#pragma once
// Summaries of stored material. With no generative model configured the summary is extractive:
// for each section of each document, the sentences most representative of that section, verbatim,
// each with its citation. Clinical sections (diagnoses, medications, allergies, procedures, plan)
// come first. With a model (SummarizeOptions::generation) the model writes the summary from the
// documents' chunks, citing [n]; material larger than its window is summarised hierarchically:
// groups of consecutive chunks that fit the window are summarised (map), then the partial
// summaries, keeping their [n] citations, are combined (reduce), level after level.

#include <string>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/index/archive.h"
#include "archivist/pipeline/answer.h"

namespace archivist::pipeline {

struct SummarizeOptions {
  // Exactly one of these selects the material.
  std::string doc_id;             // one document (a unique prefix of its id is accepted)
  std::string query;              // the documents that best match a query
  std::string tag;                // every document with this tag
  std::string collection;         // restricts query and tag selection; empty: all
  int query_documents = 3;        // documents taken for a query. Default: 3
  int sentences_per_section = 2;  // Default: 2
  int max_sections = 10;          // per document. Default: 10
  int max_documents = 20;         // for a tag. Default: 20
  PrivacyPolicy privacy;          // as for answers
  GenerationOptions generation;   // model, guard, streaming; extractive when no model is set

  Status Validate() const;
};

struct SummarySection {
  std::string doc_id;
  std::string document_title;
  std::string heading;                 // the section's heading; "" for text before any heading
  std::vector<std::string> sentences;  // verbatim, in document order
  std::vector<int> citation_keys;      // one per sentence, into Summary::citations
};

struct PageRef {
  std::string doc_id;
  int page = 0;
};

// One generation of a hierarchical summary: a map part (level 1, over chunks) or a reduce part.
struct SummaryPart {
  int level = 1;
  std::vector<int> inputs;        // level 1: source keys [n]; above: indices into Summary::parts
  std::vector<PageRef> pages;     // pages its material covers
  std::string text;
};

struct Summary {
  std::string text;                    // the rendered summary with [n] markers
  std::vector<SummarySection> sections;
  std::vector<Citation> citations;
  int documents = 0;
  bool extractive = true;
  std::vector<PiiMatch> pii;           // identifiers found in text (before redaction)
  bool redacted = false;
  // Generative mode.
  std::string model;
  std::vector<Citation> sources;         // every chunk of the material, by key
  std::vector<SummaryPart> parts;        // empty when the material fitted in one prompt
  int levels = 0;                        // generations deep (1: one prompt)
  std::vector<CheckedSentence> checked;  // faithfulness of the final text
  int unsupported = 0;
  bool blocked = false;
  GuardVerdict guard;
  AnswerTimings timings;
};

Result<Summary> Summarize(index::Archive& archive, const SummarizeOptions& options);

}  // namespace archivist::pipeline
