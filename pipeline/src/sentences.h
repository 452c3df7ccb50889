#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace archivist::pipeline {

struct SentenceSpan {
  uint32_t begin = 0;  // byte offsets into the text given to SplitSentences
  uint32_t end = 0;
};

// Splits text into sentences: at . ! ? followed by space and an upper-case letter or digit (but not
// after common abbreviations or single initials), and at line breaks. Leading/trailing whitespace is
// trimmed from each span; empty spans are dropped.
std::vector<SentenceSpan> SplitSentences(std::string_view text);

}  // namespace archivist::pipeline
