#pragma once
// Summaries of stored material. With no generative model configured the summary is extractive:
// for each section of each document, the sentences most representative of that section, verbatim,
// each with its citation. Clinical sections (diagnoses, medications, allergies, procedures, plan)
// come first.

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

  Status Validate() const;
};

struct SummarySection {
  std::string doc_id;
  std::string document_title;
  std::string heading;                 // the section's heading; "" for text before any heading
  std::vector<std::string> sentences;  // verbatim, in document order
  std::vector<int> citation_keys;      // one per sentence, into Summary::citations
};

struct Summary {
  std::string text;                    // the rendered summary with [n] markers
  std::vector<SummarySection> sections;
  std::vector<Citation> citations;
  int documents = 0;
  bool extractive = true;
  std::vector<PiiMatch> pii;           // identifiers found in text (before redaction)
  bool redacted = false;
};

Result<Summary> Summarize(index::Archive& archive, const SummarizeOptions& options);

}  // namespace archivist::pipeline
