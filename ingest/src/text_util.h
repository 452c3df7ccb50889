#pragma once
// Unicode helpers shared by the extractors and the chunker: validation, NFKC, text quality.

#include <cstddef>
#include <string>
#include <string_view>

namespace archivist::ingest {

// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view bytes);

// UTF-16 code units (as Poppler and ICU hand them out) to UTF-8; unpaired surrogates become U+FFFD.
std::string Utf16ToUtf8(const unsigned short* units, size_t count);

// NFKC-normalizes UTF-8 text, which also splits ligatures (U+FB01 "ﬁ" -> "fi") and folds
// full-width forms. Soft hyphens and control characters other than '\n', '\t' and '\f' are dropped,
// because they are invisible on the page and only break later matching. Invalid input bytes
// become U+FFFD.
std::string NormalizeText(std::string_view utf8);

struct TextQuality {
  int printable = 0;  // letters, digits, punctuation and symbols (not whitespace)
  int garbage = 0;    // U+FFFD, private-use, control and unassigned code points
};
TextQuality AssessText(std::string_view utf8);

// A text layer is usable when it has at least `min_chars` printable characters and garbage is
// no more than a third of them (unmapped glyphs come out as U+FFFD or private-use code points).
bool IsUsableText(const TextQuality& quality, int min_chars);

// Number of whitespace-separated words.
int CountWords(std::string_view text);

// Trims ASCII whitespace at both ends.
std::string_view TrimAscii(std::string_view text);

}  // namespace archivist::ingest
