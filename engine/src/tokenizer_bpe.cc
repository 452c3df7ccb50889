// Byte-level BPE (GPT-2 family): pre-tokenizer regex, byte -> printable code point mapping,
// merges by rank.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <climits>
#include <queue>
#include <unordered_map>

#include "tokenizer_impl.h"
#include "unicode_util.h"

namespace archivist::engine {
namespace {

// Pre-tokenizer regexes as the reference implementation uses them.
constexpr const char* kGpt2Regex =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))";
constexpr const char* kLlama3Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kQwen2Regex =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kLlama4Regex =
    R"([^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

struct PreTokenizer {
  const char* regex;
  bool ignore_merges;  // a piece that is a vocabulary entry is emitted whole
};

bool PreTokenizerFor(const std::string& pre, PreTokenizer* out) {
  if (pre == "gpt-2" || pre == "gpt2" || pre == "default" || pre.empty() || pre == "phi-2" ||
      pre == "stablelm2" || pre == "olmo" || pre == "jina-es") {
    *out = {kGpt2Regex, false};
  } else if (pre == "llama3" || pre == "llama-v3" || pre == "llama-bpe" || pre == "falcon3" ||
             pre == "pixtral") {
    *out = {kLlama3Regex, true};
  } else if (pre == "qwen2" || pre == "deepseek-r1-qwen" || pre == "megrez") {
    *out = {kQwen2Regex, false};
  } else if (pre == "llama4") {
    *out = {kLlama4Regex, true};
  } else {
    return false;
  }
  return true;
}

class Regex {
 public:
  ~Regex() {
    if (code_ != nullptr) pcre2_code_free(code_);
  }
  Status Compile(const char* pattern) {
    int err = 0;
    PCRE2_SIZE off = 0;
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern), PCRE2_ZERO_TERMINATED,
                          PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &err, &off, nullptr);
    if (code_ == nullptr) {
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(err, msg, sizeof msg);
      return Status::Internal("pre-tokenizer regex does not compile at " + std::to_string(off) +
                              ": " + reinterpret_cast<const char*>(msg));
    }
    // JIT is an optimisation only; interpretation gives the same matches.
    (void)pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE);
    return Status::Ok();
  }

  // Splits `text` into the regex's matches; unmatched stretches become pieces of their own.
  void Split(std::string_view text, std::vector<std::string_view>* pieces) const {
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(code_, nullptr);
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    size_t start = 0;
    while (start < text.size()) {
      const int rc = pcre2_match(code_, subject, text.size(), start, 0, md, nullptr);
      if (rc < 0) {
        pieces->push_back(text.substr(start));
        break;
      }
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
      size_t b = ov[0], e = ov[1];
      if (b > start) pieces->push_back(text.substr(start, b - start));
      if (e == b) {  // empty match: take one character to make progress
        e = std::min(text.size(), b + unicode::Utf8SeqLen(static_cast<unsigned char>(text[b])));
      }
      pieces->push_back(text.substr(b, e - b));
      start = e;
    }
    pcre2_match_data_free(md);
  }

 private:
  pcre2_code* code_ = nullptr;
};

class BpeTokenizer final : public Tokenizer {
 public:
  Status Init(const GgufFile& file) {
    ARCHIVIST_RETURN_IF_ERROR(LoadCommon(file));
    PreTokenizer pt;
    if (!PreTokenizerFor(pre_, &pt)) {
      return Status::Unsupported("BPE pre-tokenizer '" + pre_ +
                                 "' is not supported (supported: gpt-2, llama-bpe/llama3, qwen2, "
                                 "llama4)");
    }
    ignore_merges_ = pt.ignore_merges;
    ARCHIVIST_RETURN_IF_ERROR(regex_.Compile(pt.regex));
    token_to_id_.reserve(tokens_.size());
    for (TokenId i = 0; i < n_vocab(); ++i) token_to_id_.emplace(tokens_[i], i);
    if (file.Has("tokenizer.ggml.merges")) {
      ARCHIVIST_ASSIGN_OR_RETURN(auto merges, file.GetStringArray("tokenizer.ggml.merges"));
      merge_rank_.reserve(merges.size());
      for (size_t r = 0; r < merges.size(); ++r) {
        const size_t sp = merges[r].find(' ', 1);
        if (sp == std::string::npos) {
          return Status::Corruption("BPE merge " + std::to_string(r) + " '" + merges[r] +
                                    "' has no separating space");
        }
        merge_rank_.emplace(merges[r], static_cast<int>(r));
      }
    }
    for (int b = 0; b < 256; ++b) {
      std::string s;
      unicode::AppendUtf8(unicode::ByteToCodepoint(static_cast<uint8_t>(b)), &s);
      auto it = token_to_id_.find(s);
      byte_token_[b] = it == token_to_id_.end() ? -1 : it->second;
    }
    return Status::Ok();
  }

  Result<std::vector<TokenId>> Encode(std::string_view text,
                                      const TokenizeOptions& options) const override {
    std::vector<TokenId> out;
    if (options.add_special && add_bos_ && bos_ >= 0) out.push_back(bos_);
    std::vector<std::string_view> pieces;
    for (const Fragment& f : SplitSpecial(text, options.parse_special)) {
      if (f.id >= 0) {
        out.push_back(f.id);
        continue;
      }
      pieces.clear();
      regex_.Split(f.text, &pieces);
      for (std::string_view p : pieces) EncodePiece(p, &out);
    }
    if (options.add_special && add_eos_ && eos_ >= 0) out.push_back(eos_);
    return out;
  }

  std::string TokenToPiece(TokenId id, bool render_special) const override {
    if (id < 0 || id >= n_vocab()) return "";
    const TokenKind k = kinds_[id];
    if (k == TokenKind::kControl) return render_special ? tokens_[id] : "";
    if (k == TokenKind::kUserDefined) return tokens_[id];
    std::string out;
    for (uint32_t cp : unicode::DecodeUtf8(tokens_[id])) {
      const int b = unicode::CodepointToByte(cp);
      if (b >= 0) {
        out.push_back(static_cast<char>(b));
      } else {
        unicode::AppendUtf8(cp, &out);
      }
    }
    return out;
  }

 private:
  void EncodePiece(std::string_view piece, std::vector<TokenId>* out) const {
    // Map bytes to the printable alphabet; one symbol per byte to start with.
    std::vector<std::string> sym;
    sym.reserve(piece.size());
    std::string whole;
    for (unsigned char c : piece) {
      std::string s;
      unicode::AppendUtf8(unicode::ByteToCodepoint(c), &s);
      whole += s;
      sym.push_back(std::move(s));
    }
    if (ignore_merges_) {
      auto it = token_to_id_.find(whole);
      if (it != token_to_id_.end()) {
        out->push_back(it->second);
        return;
      }
    }
    // Merge the lowest-ranked adjacent pair (leftmost on ties) until none is left. A priority
    // queue over a linked list keeps this O(n log n), so a long run of letters cannot stall it.
    using Symbol = MergeSymbol;
    std::vector<Symbol> syms(sym.size());
    for (size_t i = 0, off = 0; i < sym.size(); off += sym[i].size(), ++i) {
      syms[i] = {off, sym[i].size(), static_cast<int>(i) - 1,
                 i + 1 < sym.size() ? static_cast<int>(i) + 1 : -1};
    }
    struct Bigram {
      int rank, left, right;
      size_t len;  // combined length when queued; stale entries no longer match
      bool operator<(const Bigram& o) const {
        return rank > o.rank || (rank == o.rank && left > o.left);
      }
    };
    std::priority_queue<Bigram> queue;
    std::string key;
    auto try_add = [&](int left, int right) {
      if (left < 0 || right < 0) return;
      key.assign(whole, syms[left].start, syms[left].len)
          .append(" ")
          .append(whole, syms[right].start, syms[right].len);
      auto it = merge_rank_.find(key);
      if (it != merge_rank_.end()) {
        queue.push({it->second, left, right, syms[left].len + syms[right].len});
      }
    };
    MergeBestFirst(syms, queue, try_add);
    sym.clear();
    for (int i = 0; i >= 0 && i < static_cast<int>(syms.size()); i = syms[i].next) {
      sym.push_back(whole.substr(syms[i].start, syms[i].len));
    }
    for (const std::string& s : sym) {
      auto it = token_to_id_.find(s);
      if (it != token_to_id_.end()) {
        out->push_back(it->second);
        continue;
      }
      // Not in the vocabulary: fall back to the single-byte tokens of its bytes.
      for (uint32_t cp : unicode::DecodeUtf8(s)) {
        const int b = unicode::CodepointToByte(cp);
        if (b >= 0 && byte_token_[b] >= 0) out->push_back(byte_token_[b]);
      }
    }
  }

  Regex regex_;
  bool ignore_merges_ = false;
  std::unordered_map<std::string, TokenId> token_to_id_;
  std::unordered_map<std::string, int> merge_rank_;
  TokenId byte_token_[256];
};

}  // namespace

Result<std::unique_ptr<Tokenizer>> MakeBpeTokenizer(const GgufFile& file) {
  auto t = std::make_unique<BpeTokenizer>();
  ARCHIVIST_RETURN_IF_ERROR(t->Init(file));
  return std::unique_ptr<Tokenizer>(std::move(t));
}

}  // namespace archivist::engine
