#pragma once
// Small UTF-8 and Unicode helpers for the tokenizers (ICU behind this interface).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace archivist::engine::unicode {

// Decodes UTF-8; invalid bytes become U+FFFD (one per byte).
std::vector<uint32_t> DecodeUtf8(std::string_view s);
void AppendUtf8(uint32_t cp, std::string* out);
// Length of the UTF-8 sequence starting with byte c (1 for invalid lead bytes).
size_t Utf8SeqLen(unsigned char c);

// GPT-2's reversible byte <-> printable code point mapping.
uint32_t ByteToCodepoint(uint8_t b);
// -1 when cp is not in the image of the mapping.
int CodepointToByte(uint32_t cp);

// Canonical decomposition (NFD).
std::vector<uint32_t> Nfd(const std::vector<uint32_t>& cps);

bool IsWhitespace(uint32_t cp);
bool IsControl(uint32_t cp);      // general category C* (except whitespace handled first)
bool IsPunctuation(uint32_t cp);  // general category P*
bool IsSymbol(uint32_t cp);       // general category S*
bool IsMark(uint32_t cp);         // general category M* (combining accents)
bool IsCjkIdeograph(uint32_t cp);
uint32_t ToLower(uint32_t cp);

}  // namespace archivist::engine::unicode
