#include "analyzer.h"

#include <libstemmer.h>
#include <unicode/brkiter.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/unistr.h>
#include <unicode/utext.h>

#include <memory>

namespace archivist::index {
namespace {

// Words longer than this are binary junk or encoded blobs; indexing them only bloats the lexicon.
constexpr size_t kMaxTermBytes = 64;

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

// ICU break iterators and Snowball stemmers are not thread-safe; each thread gets its own.
struct ThreadState {
  std::unique_ptr<icu::BreakIterator> words;
  std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer;
  const icu::Normalizer2* nfkc_cf = nullptr;
  const icu::Normalizer2* nfd = nullptr;
  const icu::Normalizer2* nfc = nullptr;

  ThreadState() {
    UErrorCode st = U_ZERO_ERROR;
    words.reset(icu::BreakIterator::createWordInstance(icu::Locale::getRoot(), st));
    if (U_FAILURE(st)) words.reset();
    stemmer.reset(sb_stemmer_new("english", "UTF_8"));
    st = U_ZERO_ERROR;
    nfkc_cf = icu::Normalizer2::getNFKCCasefoldInstance(st);
    st = U_ZERO_ERROR;
    nfd = icu::Normalizer2::getNFDInstance(st);
    st = U_ZERO_ERROR;
    nfc = icu::Normalizer2::getNFCInstance(st);
  }
};

ThreadState& State() {
  thread_local ThreadState state;
  return state;
}

bool IsAscii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

bool MarksAreDiacritics(UChar32 base) {
  UErrorCode st = U_ZERO_ERROR;
  UScriptCode script = uscript_getScript(base, &st);
  return script == USCRIPT_LATIN || script == USCRIPT_GREEK || script == USCRIPT_CYRILLIC ||
         script == USCRIPT_COMMON || script == USCRIPT_INHERITED;
}

std::string NormalizeWord(ThreadState& ts, std::string_view word) {
  if (IsAscii(word)) {
    std::string out(word);
    for (char& c : out)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
  }
  if (!ts.nfkc_cf || !ts.nfd || !ts.nfc) return std::string(word);
  UErrorCode st = U_ZERO_ERROR;
  icu::UnicodeString folded =
      ts.nfkc_cf->normalize(icu::UnicodeString::fromUTF8(icu::StringPiece(word.data(),
                                                                           static_cast<int32_t>(word.size()))), st);
  icu::UnicodeString decomposed = ts.nfd->normalize(folded, st);
  if (U_FAILURE(st)) return std::string(word);
  // Drop combining marks only after Latin/Greek/Cyrillic letters: in Indic or Arabic scripts the
  // marks are vowels and removing them changes the word.
  icu::UnicodeString stripped;
  UChar32 base = 0;
  for (int32_t i = 0; i < decomposed.length();) {
    UChar32 c = decomposed.char32At(i);
    i += U16_LENGTH(c);
    if (u_charType(c) == U_NON_SPACING_MARK && MarksAreDiacritics(base)) continue;
    if (u_charType(c) != U_NON_SPACING_MARK) base = c;
    stripped.append(c);
  }
  icu::UnicodeString composed = ts.nfc->normalize(stripped, st);
  if (U_FAILURE(st)) return std::string(word);
  std::string out;
  composed.toUTF8String(out);
  return out;
}

}  // namespace

std::string Analyzer::Name() const {
  return std::string("icu-words/nfkc-cf/strip-marks") + (stemming_ ? "/snowball-english" : "");
}

std::string Analyzer::Normalize(std::string_view word) const { return NormalizeWord(State(), word); }

std::vector<Token> Analyzer::Tokenize(std::string_view text) const {
  std::vector<Token> tokens;
  ThreadState& ts = State();
  if (!ts.words || text.empty()) return tokens;
  UErrorCode st = U_ZERO_ERROR;
  UText* ut = utext_openUTF8(nullptr, text.data(), static_cast<int64_t>(text.size()), &st);
  if (U_FAILURE(st)) return tokens;
  ts.words->setText(ut, st);
  if (U_FAILURE(st)) {
    utext_close(ut);
    return tokens;
  }
  uint32_t position = 0;
  int32_t start = ts.words->first();
  for (int32_t end = ts.words->next(); end != icu::BreakIterator::DONE;
       start = end, end = ts.words->next()) {
    int32_t rule = ts.words->getRuleStatus();
    if (rule < UBRK_WORD_NONE_LIMIT) continue;  // spaces and punctuation
    // With UText over UTF-8, ICU's native indexes are byte offsets into `text`.
    std::string_view word = text.substr(static_cast<size_t>(start), static_cast<size_t>(end - start));
    Token tok;
    tok.norm = NormalizeWord(ts, word);
    tok.position = position++;
    if (tok.norm.empty() || tok.norm.size() > kMaxTermBytes) continue;
    tok.begin = static_cast<uint32_t>(start);
    tok.end = static_cast<uint32_t>(end);
    tok.numeric = rule >= UBRK_WORD_NUMBER && rule < UBRK_WORD_NUMBER_LIMIT;
    if (stemming_ && !tok.numeric && ts.stemmer) {
      const sb_symbol* s = sb_stemmer_stem(
          ts.stemmer.get(), reinterpret_cast<const sb_symbol*>(tok.norm.data()),
          static_cast<int>(tok.norm.size()));
      if (s) {
        tok.term.assign(reinterpret_cast<const char*>(s),
                        static_cast<size_t>(sb_stemmer_length(ts.stemmer.get())));
      }
    }
    if (tok.term.empty()) tok.term = tok.norm;
    tokens.push_back(std::move(tok));
  }
  // Detach the iterator from `text` before the UText goes away.
  ts.words->setText(icu::UnicodeString());
  utext_close(ut);
  return tokens;
}

std::vector<std::string> Analyzer::Terms(std::string_view text) const {
  std::vector<std::string> out;
  for (Token& t : Tokenize(text)) out.push_back(std::move(t.term));
  return out;
}

}  // namespace archivist::index
