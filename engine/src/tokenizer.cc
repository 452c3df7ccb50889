// Shared tokenizer plumbing: vocabulary and special ids from GGUF metadata, special-token
// splitting, decoding, and the choice of the concrete tokenizer.
#include "archivist/engine/tokenizer.h"

#include <algorithm>

#include "archivist/engine/gguf.h"
#include "tokenizer_impl.h"

namespace archivist::engine {
namespace {

Result<TokenId> OptionalId(const GgufFile& f, std::string_view key, int32_t n_vocab) {
  const GgufValue* v = f.Find(key);
  if (v == nullptr) return TokenId{-1};
  if (!v->is_integer()) {
    return Status::Corruption("tokenizer key '" + std::string(key) + "' is not an integer");
  }
  const int64_t id = v->AsI64();
  // Some converters write -1 / UINT32_MAX for "none".
  if (id == -1 || id == 0xFFFFFFFFLL) return TokenId{-1};
  if (id < 0 || id >= n_vocab) {
    return Status::Corruption("tokenizer key '" + std::string(key) + "' = " + std::to_string(id) +
                              " is outside the vocabulary of " + std::to_string(n_vocab));
  }
  return static_cast<TokenId>(id);
}

}  // namespace

Result<std::unique_ptr<Tokenizer>> Tokenizer::FromGguf(const GgufFile& file) {
  auto model = file.GetString("tokenizer.ggml.model");
  if (!model.ok()) {
    return Status::NotFound("the model file has no tokenizer (tokenizer.ggml.model missing)");
  }
  if (*model == "gpt2") return MakeBpeTokenizer(file);
  if (*model == "bert") return MakeWordPieceTokenizer(file);
  if (*model == "llama") return MakeSpmTokenizer(file);
  return Status::Unsupported("tokenizer model '" + *model +
                             "' is not supported (supported: gpt2 byte-level BPE, llama "
                             "SentencePiece BPE, bert WordPiece)");
}

Status Tokenizer::LoadCommon(const GgufFile& file) {
  ARCHIVIST_ASSIGN_OR_RETURN(model_, file.GetString("tokenizer.ggml.model"));
  ARCHIVIST_ASSIGN_OR_RETURN(pre_, file.GetStringOr("tokenizer.ggml.pre", ""));
  ARCHIVIST_ASSIGN_OR_RETURN(tokens_, file.GetStringArray("tokenizer.ggml.tokens"));
  if (tokens_.empty()) return Status::Corruption("tokenizer vocabulary is empty");
  if (tokens_.size() > static_cast<size_t>(INT32_MAX)) {
    return Status::Corruption("tokenizer vocabulary is too large");
  }
  const int32_t n = static_cast<int32_t>(tokens_.size());
  kinds_.assign(tokens_.size(), TokenKind::kNormal);
  if (file.Has("tokenizer.ggml.token_type")) {
    ARCHIVIST_ASSIGN_OR_RETURN(auto types, file.GetI32Array("tokenizer.ggml.token_type"));
    if (types.size() != tokens_.size()) {
      return Status::Corruption("tokenizer.ggml.token_type has " + std::to_string(types.size()) +
                                " entries for " + std::to_string(n) + " tokens");
    }
    for (size_t i = 0; i < types.size(); ++i) {
      kinds_[i] = types[i] >= 0 && types[i] <= 6 ? static_cast<TokenKind>(types[i])
                                                 : TokenKind::kNormal;
    }
  }
  ARCHIVIST_ASSIGN_OR_RETURN(bos_, OptionalId(file, "tokenizer.ggml.bos_token_id", n));
  ARCHIVIST_ASSIGN_OR_RETURN(eos_, OptionalId(file, "tokenizer.ggml.eos_token_id", n));
  ARCHIVIST_ASSIGN_OR_RETURN(eot_, OptionalId(file, "tokenizer.ggml.eot_token_id", n));
  ARCHIVIST_ASSIGN_OR_RETURN(add_bos_, file.GetBoolOr("tokenizer.ggml.add_bos_token", false));
  ARCHIVIST_ASSIGN_OR_RETURN(add_eos_, file.GetBoolOr("tokenizer.ggml.add_eos_token", false));
  for (TokenId i = 0; i < n; ++i) {
    if ((kinds_[i] == TokenKind::kControl || kinds_[i] == TokenKind::kUserDefined) &&
        !tokens_[i].empty()) {
      specials_.push_back(i);
    }
  }
  std::stable_sort(specials_.begin(), specials_.end(), [this](TokenId a, TokenId b) {
    return tokens_[a].size() > tokens_[b].size();
  });
  return Status::Ok();
}

std::vector<Tokenizer::Fragment> Tokenizer::SplitSpecial(std::string_view text,
                                                         bool parse_special) const {
  std::vector<Fragment> out;
  if (specials_.empty()) {
    if (!text.empty()) out.push_back({-1, text});
    return out;
  }
  size_t plain_start = 0, i = 0;
  while (i < text.size()) {
    TokenId hit = -1;
    for (TokenId id : specials_) {
      // User-defined tokens (e.g. "<think>") are always recognised, control tokens only on request,
      // as the reference does.
      if (!parse_special && kinds_[id] == TokenKind::kControl) continue;
      if (text.compare(i, tokens_[id].size(), tokens_[id]) == 0) {
        hit = id;
        break;
      }
    }
    if (hit < 0) {
      ++i;
      continue;
    }
    if (i > plain_start) out.push_back({-1, text.substr(plain_start, i - plain_start)});
    out.push_back({hit, text.substr(i, tokens_[hit].size())});
    i += tokens_[hit].size();
    plain_start = i;
  }
  if (plain_start < text.size()) out.push_back({-1, text.substr(plain_start)});
  return out;
}

std::string Tokenizer::Decode(std::span<const TokenId> ids, bool render_special) const {
  std::string out;
  for (TokenId id : ids) {
    if (id >= 0 && id < n_vocab()) out += TokenToPiece(id, render_special);
  }
  return out;
}

bool Tokenizer::IsEndOfGeneration(TokenId id) const {
  if (id < 0 || id >= n_vocab()) return false;
  if (id == eos_ || id == eot_) return true;
  if (kinds_[id] != TokenKind::kControl) return false;
  static const char* const kEnds[] = {"<|eot_id|>", "<|im_end|>",    "<|end|>",  "<|eom_id|>",
                                      "<|eot|>",    "<end_of_turn>", "<|endoftext|>"};
  for (const char* e : kEnds) {
    if (tokens_[id] == e) return true;
  }
  return false;
}

}  // namespace archivist::engine
