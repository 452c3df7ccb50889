#pragma once
// After generation: each sentence of a generated text is checked against the sources it cites.
// The check is lexical: the share of the sentence's content terms (the index's analysis: lower-
// cased, stemmed, stop words dropped) that occur in the cited sources. A sentence is supported
// when that share reaches the threshold and every key it cites names a source in the prompt.

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "archivist/pipeline/answer.h"
#include "passages.h"

namespace archivist::pipeline {

using AnalyzeFn = std::function<std::vector<std::string>(const std::string&)>;

struct CitedSource {
  int key = 0;
  std::vector<LocatedSentence> sentences;  // the source's sentences, located on their pages
};

struct FaithfulnessReport {
  std::vector<CheckedSentence> sentences;
  // For each valid key cited, the source sentence sharing the most terms with the sentences that
  // cite it: where on the page the citation points.
  std::map<int, LocatedSentence> best;
};

FaithfulnessReport CheckFaithfulness(std::string_view text, const std::vector<CitedSource>& sources,
                                     const AnalyzeFn& analyze, double threshold);

// The [n] keys in a text, in order of first appearance.
std::vector<int> CitedKeys(std::string_view text);

}  // namespace archivist::pipeline
