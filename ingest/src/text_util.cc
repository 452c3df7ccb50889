#include "text_util.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <cstdint>

namespace archivist::ingest {

bool IsValidUtf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  const int32_t length = static_cast<int32_t>(bytes.size());
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) return false;
  int32_t i = 0;
  while (i < length) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) return false;  // ICU reports ill-formed sequences (incl. surrogates) as negative
  }
  return true;
}

std::string Utf16ToUtf8(const unsigned short* units, size_t count) {
  icu::UnicodeString s(reinterpret_cast<const char16_t*>(units), static_cast<int32_t>(count));
  std::string out;
  s.toUTF8String(out);
  return out;
}

namespace {

bool IsDroppedControl(UChar32 c) {
  if (c == '\n' || c == '\t' || c == '\f') return false;
  if (c == 0x00AD) return true;  // soft hyphen: a line-break hint, not content
  return u_charType(c) == U_CONTROL_CHAR || c == 0xFEFF;  // BOM / zero-width no-break space
}

}  // namespace

std::string NormalizeText(std::string_view utf8) {
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfkc = icu::Normalizer2::getNFKCInstance(error);
  icu::UnicodeString source = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
  icu::UnicodeString cleaned;
  for (int32_t i = 0; i < source.length();) {
    const UChar32 c = source.char32At(i);
    i += U16_LENGTH(c);
    if (c == '\r') {
      // CRLF and lone CR both become '\n' so offsets computed later line up with what we store.
      if (i < source.length() && source.charAt(i) == '\n') continue;
      cleaned.append(static_cast<UChar32>('\n'));
      continue;
    }
    if (!IsDroppedControl(c)) cleaned.append(c);
  }
  std::string out;
  if (U_FAILURE(error) || nfkc == nullptr) {
    cleaned.toUTF8String(out);  // normalization data missing: still return clean text
    return out;
  }
  icu::UnicodeString normalized = nfkc->normalize(cleaned, error);
  if (U_FAILURE(error)) normalized = cleaned;
  normalized.toUTF8String(out);
  return out;
}

TextQuality AssessText(std::string_view utf8) {
  TextQuality quality;
  const auto* s = reinterpret_cast<const uint8_t*>(utf8.data());
  const int32_t length = static_cast<int32_t>(utf8.size());
  int32_t i = 0;
  while (i < length) {
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0 || c == 0xFFFD) {
      ++quality.garbage;
      continue;
    }
    if (u_isUWhiteSpace(c)) continue;
    const int8_t type = u_charType(c);
    if (type == U_PRIVATE_USE_CHAR || type == U_CONTROL_CHAR || type == U_UNASSIGNED ||
        type == U_SURROGATE) {
      ++quality.garbage;
    } else {
      ++quality.printable;
    }
  }
  return quality;
}

bool IsUsableText(const TextQuality& quality, int min_chars) {
  if (quality.printable < min_chars) return false;
  return quality.garbage * 3 <= quality.printable + quality.garbage;
}

int CountWords(std::string_view text) {
  int words = 0;
  bool in_word = false;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
    if (!space && !in_word) ++words;
    in_word = !space;
  }
  return words;
}

std::string_view TrimAscii(std::string_view text) {
  const char* kSpace = " \t\r\n\f\v";
  const size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(kSpace);
  return text.substr(first, last - first + 1);
}

}  // namespace archivist::ingest
