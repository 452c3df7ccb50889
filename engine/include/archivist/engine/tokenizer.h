#pragma once
// Tokenizers built from a GGUF file's tokenizer.* metadata.
//
// Supported: byte-level BPE (tokenizer.ggml.model = "gpt2") with the pre-tokenizer named by
// tokenizer.ggml.pre ("gpt-2", "llama-bpe"/"llama3", "qwen2", "llama4", ...), SentencePiece-style
// BPE with scores and byte fallback ("llama": Llama 2, Mistral, Mixtral), and WordPiece ("bert"). A Tokenizer is immutable after construction and safe to use from many threads.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "archivist/base/status.h"

namespace archivist::engine {

class GgufFile;

using TokenId = int32_t;

// GGUF token types (tokenizer.ggml.token_type).
enum class TokenKind : int32_t {
  kUndefined = 0,
  kNormal = 1,
  kUnknown = 2,
  kControl = 3,
  kUserDefined = 4,
  kUnused = 5,
  kByte = 6,
};

struct TokenizeOptions {
  // Add the model's BOS (if tokenizer.ggml.add_bos_token) / EOS (if add_eos_token); for WordPiece
  // models [CLS] in front and [SEP] at the end. Default: true.
  bool add_special = true;
  // Recognise the text of control tokens (e.g. "<|im_start|>") in the input and emit them as single
  // tokens; otherwise such text is tokenized as plain text. User-defined tokens (e.g. "<think>")
  // are always recognised, as in the reference. Default: false.
  bool parse_special = false;
};

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // kUnsupported for tokenizer models this build does not implement (naming them); kCorruption for
  // inconsistent metadata (e.g. a merge naming an unknown token, ids out of range).
  static Result<std::unique_ptr<Tokenizer>> FromGguf(const GgufFile& file);

  virtual Result<std::vector<TokenId>> Encode(std::string_view text,
                                              const TokenizeOptions& options = {}) const = 0;

  // The bytes of one token's text (byte-level tokens decoded to raw bytes, which may be partial
  // UTF-8). Control tokens give "" unless render_special.
  virtual std::string TokenToPiece(TokenId id, bool render_special = false) const = 0;

  // Concatenated pieces. For byte-level BPE, Decode(Encode(text)) == text for any input.
  std::string Decode(std::span<const TokenId> ids, bool render_special = false) const;

  int32_t n_vocab() const { return static_cast<int32_t>(tokens_.size()); }
  // -1 when the model has none.
  TokenId bos() const { return bos_; }
  TokenId eos() const { return eos_; }
  bool add_bos() const { return add_bos_; }
  bool add_eos() const { return add_eos_; }
  // tokenizer.ggml.model and tokenizer.ggml.pre ("" when absent).
  const std::string& model() const { return model_; }
  const std::string& pre() const { return pre_; }

  // The vocabulary entry as stored in the file (e.g. "Ġthe").
  const std::string& TokenText(TokenId id) const { return tokens_[id]; }
  TokenKind Kind(TokenId id) const { return kinds_[id]; }
  // End-of-generation tokens: EOS, EOT, and control tokens such as "<|eot_id|>", "<|im_end|>".
  bool IsEndOfGeneration(TokenId id) const;

 protected:
  Tokenizer() = default;
  Status LoadCommon(const GgufFile& file);
  // Splits text on special-token texts when parse_special; each part is either a special token
  // (id >= 0) or plain text (id == -1).
  struct Fragment {
    TokenId id;
    std::string_view text;
  };
  std::vector<Fragment> SplitSpecial(std::string_view text, bool parse_special) const;

  std::string model_;
  std::string pre_;
  std::vector<std::string> tokens_;
  std::vector<TokenKind> kinds_;
  TokenId bos_ = -1;
  TokenId eos_ = -1;
  TokenId eot_ = -1;
  bool add_bos_ = false;
  bool add_eos_ = false;
  std::vector<TokenId> specials_;  // control + user-defined tokens, longest text first
};

}  // namespace archivist::engine
