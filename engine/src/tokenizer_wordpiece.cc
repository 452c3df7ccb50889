// WordPiece (BERT): normalise (NFD, drop accents and controls, lower-case), split on whitespace
// and punctuation, then greedy longest-match-first per word. Word-initial vocabulary entries carry
// a leading U+2581; continuation pieces carry none.
#include <algorithm>
#include <unordered_map>

#include "tokenizer_impl.h"
#include "unicode_util.h"

namespace archivist::engine {
namespace {

constexpr std::string_view kWordPrefix = "\xE2\x96\x81";  // U+2581

class WordPieceTokenizer final : public Tokenizer {
 public:
  Status Init(const GgufFile& file) {
    ARCHIVIST_RETURN_IF_ERROR(LoadCommon(file));
    const int32_t n = n_vocab();
    for (TokenId i = 0; i < n; ++i) {
      token_to_id_.emplace(tokens_[i], i);
      max_token_len_ = std::max(max_token_len_, tokens_[i].size());
    }
    auto id = [&](std::string_view key, TokenId fallback) -> Result<TokenId> {
      ARCHIVIST_ASSIGN_OR_RETURN(uint32_t v, file.GetU32Or(key, static_cast<uint32_t>(fallback)));
      if (static_cast<int64_t>(v) >= n) {
        return Status::Corruption(std::string(key) + " is outside the vocabulary");
      }
      return static_cast<TokenId>(v);
    };
    ARCHIVIST_ASSIGN_OR_RETURN(unk_, id("tokenizer.ggml.unknown_token_id", 100));
    ARCHIVIST_ASSIGN_OR_RETURN(cls_, id("tokenizer.ggml.cls_token_id", bos_ >= 0 ? bos_ : 101));
    // "seperator" is how the GGUF key is spelled.
    ARCHIVIST_ASSIGN_OR_RETURN(sep_, id("tokenizer.ggml.seperator_token_id", 102));
    return Status::Ok();
  }

  Result<std::vector<TokenId>> Encode(std::string_view text,
                                      const TokenizeOptions& options) const override {
    std::vector<TokenId> out;
    if (options.add_special) out.push_back(cls_);
    for (const Fragment& f : SplitSpecial(text, options.parse_special)) {
      if (f.id >= 0) {
        out.push_back(f.id);
        continue;
      }
      for (const std::string& word : Words(f.text)) EncodeWord(word, &out);
    }
    if (options.add_special) out.push_back(sep_);
    return out;
  }

  std::string TokenToPiece(TokenId id, bool render_special) const override {
    if (id < 0 || id >= n_vocab()) return "";
    if (kinds_[id] == TokenKind::kControl) return render_special ? tokens_[id] : "";
    const std::string& t = tokens_[id];
    if (t.compare(0, kWordPrefix.size(), kWordPrefix) == 0) {
      return " " + t.substr(kWordPrefix.size());
    }
    return t;
  }

 private:
  std::vector<std::string> Words(std::string_view text) const {
    std::vector<std::string> words;
    std::string word;
    auto flush = [&] {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    };
    for (uint32_t cp : unicode::Nfd(unicode::DecodeUtf8(text))) {
      if (unicode::IsWhitespace(cp)) {
        flush();
        continue;
      }
      if (cp == 0 || cp == 0xFFFD || unicode::IsControl(cp) || unicode::IsMark(cp)) continue;
      std::string s;
      unicode::AppendUtf8(unicode::ToLower(cp), &s);
      if (unicode::IsPunctuation(cp) || (cp < 0x7F && unicode::IsSymbol(cp)) ||
          unicode::IsCjkIdeograph(cp)) {
        flush();
        words.push_back(std::move(s));
      } else {
        word += s;
      }
    }
    flush();
    return words;
  }

  void EncodeWord(const std::string& word, std::vector<TokenId>* out) const {
    const std::string w = std::string(kWordPrefix) + word;
    const size_t start = out->size();
    const size_t n = w.size();
    for (size_t i = 0; i < n;) {
      bool matched = false;
      for (size_t j = std::min(n, i + max_token_len_); j > i; --j) {
        auto it = token_to_id_.find(std::string_view(w).substr(i, j - i));
        if (it != token_to_id_.end()) {
          out->push_back(it->second);
          i = j;
          matched = true;
          break;
        }
      }
      if (!matched) {
        out->resize(start);  // one unmatched position makes the whole word unknown
        break;
      }
    }
    if (out->size() == start) out->push_back(unk_);
  }

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, TokenId, Hash, std::equal_to<>> token_to_id_;
  size_t max_token_len_ = 0;
  TokenId unk_ = 0, cls_ = 0, sep_ = 0;
};

}  // namespace

Result<std::unique_ptr<Tokenizer>> MakeWordPieceTokenizer(const GgufFile& file) {
  auto t = std::make_unique<WordPieceTokenizer>();
  ARCHIVIST_RETURN_IF_ERROR(t->Init(file));
  return std::unique_ptr<Tokenizer>(std::move(t));
}

}  // namespace archivist::engine
