// SentencePiece-style BPE (tokenizer.ggml.model = "llama": Llama 2, Mistral, Mixtral): spaces become
// U+2581, an optional space is prefixed, adjacent pieces merge by the highest vocabulary score, and
// characters outside the vocabulary fall back to <0xXX> byte tokens.
#include <algorithm>
#include <cstdio>
#include <queue>
#include <unordered_map>

#include "tokenizer_impl.h"
#include "unicode_util.h"

namespace archivist::engine {
namespace {

constexpr std::string_view kSpace = "\xE2\x96\x81";  // U+2581

class SpmTokenizer final : public Tokenizer {
 public:
  Status Init(const GgufFile& file) {
    ARCHIVIST_RETURN_IF_ERROR(LoadCommon(file));
    if (file.Has("tokenizer.ggml.scores")) {
      ARCHIVIST_ASSIGN_OR_RETURN(scores_, file.GetF32Array("tokenizer.ggml.scores"));
    }
    if (scores_.size() != tokens_.size()) {
      return Status::Corruption("tokenizer.ggml.scores has " + std::to_string(scores_.size()) +
                                " entries for " + std::to_string(tokens_.size()) + " tokens");
    }
    ARCHIVIST_ASSIGN_OR_RETURN(add_space_prefix_,
                               file.GetBoolOr("tokenizer.ggml.add_space_prefix", true));
    // Llama-family defaults when the flags are absent: BOS yes, EOS no.
    ARCHIVIST_ASSIGN_OR_RETURN(add_bos_, file.GetBoolOr("tokenizer.ggml.add_bos_token", true));
    for (TokenId i = 0; i < n_vocab(); ++i) token_to_id_.emplace(tokens_[i], i);
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof name, "<0x%02X>", b);
      auto it = token_to_id_.find(name);
      byte_token_[b] = it == token_to_id_.end() ? -1 : it->second;
    }
    ARCHIVIST_ASSIGN_OR_RETURN(uint32_t unk, file.GetU32Or("tokenizer.ggml.unknown_token_id", 0));
    unk_ = static_cast<TokenId>(std::min<uint32_t>(unk, static_cast<uint32_t>(n_vocab() - 1)));
    return Status::Ok();
  }

  Result<std::vector<TokenId>> Encode(std::string_view text,
                                      const TokenizeOptions& options) const override {
    std::vector<TokenId> out;
    if (options.add_special && add_bos_ && bos_ >= 0) out.push_back(bos_);
    bool first = true;
    for (const Fragment& f : SplitSpecial(text, options.parse_special)) {
      if (f.id >= 0) {
        out.push_back(f.id);
        first = false;
        continue;
      }
      std::string s;
      if (add_space_prefix_ && first) s += kSpace;
      for (char c : f.text) {
        if (c == ' ') {
          s += kSpace;
        } else {
          s += c;
        }
      }
      EncodeText(s, &out);
      first = false;
    }
    if (options.add_special && add_eos_ && eos_ >= 0) out.push_back(eos_);
    return out;
  }

  std::string TokenToPiece(TokenId id, bool render_special) const override {
    if (id < 0 || id >= n_vocab()) return "";
    const TokenKind k = kinds_[id];
    if (k == TokenKind::kControl) return render_special ? tokens_[id] : "";
    if (k == TokenKind::kByte) {
      unsigned v = 0;
      if (std::sscanf(tokens_[id].c_str(), "<0x%02X>", &v) == 1) {
        return std::string(1, static_cast<char>(v));
      }
    }
    std::string out;
    const std::string& t = tokens_[id];
    for (size_t i = 0; i < t.size();) {
      if (t.compare(i, kSpace.size(), kSpace) == 0) {
        out += ' ';
        i += kSpace.size();
      } else {
        out += t[i++];
      }
    }
    return out;
  }

 private:
  void EncodeText(const std::string& s, std::vector<TokenId>* out) const {
    // One symbol per UTF-8 character, then merge the best-scoring adjacent pair whose
    // concatenation is in the vocabulary (leftmost on ties) until none is left. The whole text is
    // one fragment here, so the merge runs through a priority queue over a linked list.
    using Symbol = MergeSymbol;
    std::vector<Symbol> syms;
    for (size_t i = 0; i < s.size();) {
      const size_t len = std::min(unicode::Utf8SeqLen(static_cast<unsigned char>(s[i])), s.size() - i);
      const int idx = static_cast<int>(syms.size());
      syms.push_back({i, len, idx - 1, -1});
      if (idx > 0) syms[idx - 1].next = idx;
      i += len;
    }
    struct Bigram {
      float score;
      int left, right;
      size_t len;
      bool operator<(const Bigram& o) const {
        return score < o.score || (score == o.score && left > o.left);
      }
    };
    std::priority_queue<Bigram> queue;
    auto try_add = [&](int left, int right) {
      if (left < 0 || right < 0) return;
      auto it = token_to_id_.find(
          std::string_view(s).substr(syms[left].start, syms[left].len + syms[right].len));
      if (it != token_to_id_.end()) {
        queue.push({scores_[it->second], left, right, syms[left].len + syms[right].len});
      }
    };
    MergeBestFirst(syms, queue, try_add);
    std::vector<std::string> sym;
    for (int i = syms.empty() ? -1 : 0; i >= 0; i = syms[i].next) {
      sym.push_back(s.substr(syms[i].start, syms[i].len));
    }
    for (const std::string& p : sym) {
      auto it = token_to_id_.find(p);
      if (it != token_to_id_.end()) {
        out->push_back(it->second);
        continue;
      }
      for (unsigned char c : p) out->push_back(byte_token_[c] >= 0 ? byte_token_[c] : unk_);
    }
  }

  std::vector<float> scores_;
  bool add_space_prefix_ = true;
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view v) const { return std::hash<std::string_view>()(v); }
  };
  std::unordered_map<std::string, TokenId, Hash, std::equal_to<>> token_to_id_;
  TokenId byte_token_[256];
  TokenId unk_ = 0;
};

}  // namespace

Result<std::unique_ptr<Tokenizer>> MakeSpmTokenizer(const GgufFile& file) {
  auto t = std::make_unique<SpmTokenizer>();
  ARCHIVIST_RETURN_IF_ERROR(t->Init(file));
  return std::unique_ptr<Tokenizer>(std::move(t));
}

}  // namespace archivist::engine
