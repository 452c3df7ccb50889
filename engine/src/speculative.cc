// Speculative greedy decoding: a small draft model proposes, the target verifies in one batch.
#include <algorithm>
#include <chrono>

#include "archivist/engine/generate.h"

namespace archivist::engine {
namespace {

TokenId Argmax(const float* logits, int64_t n) {
  return static_cast<TokenId>(std::max_element(logits, logits + n) - logits);
}

}  // namespace

Result<GenerateResult> GenerateSpeculative(Session& target, Session& draft,
                                           std::span<const TokenId> prompt,
                                           const GenerateOptions& options, int n_draft) {
  ARCHIVIST_RETURN_IF_ERROR(options.Validate());
  if (options.sampling.temperature > 0.0f || options.sampling.repetition_penalty != 1.0f) {
    return Status::InvalidArgument("speculative decoding is greedy: temperature 0, no penalty");
  }
  if (n_draft < 1) return Status::InvalidArgument("n_draft must be >= 1");
  if (prompt.empty()) return Status::InvalidArgument("the prompt has no tokens");
  const Tokenizer& tok = target.model().tokenizer();
  const Tokenizer& dtok = draft.model().tokenizer();
  if (tok.n_vocab() != dtok.n_vocab()) {
    return Status::InvalidArgument("the draft model's vocabulary (" + std::to_string(dtok.n_vocab()) +
                                   ") differs from the target's (" + std::to_string(tok.n_vocab()) + ")");
  }
  if (target.n_past() != draft.n_past()) {
    return Status::InvalidArgument("target and draft sessions are at different positions");
  }
  const int64_t n_vocab = tok.n_vocab();
  const int64_t start = target.n_past();
  GenerateResult r;
  r.n_prompt = static_cast<int64_t>(prompt.size());
  const auto t0 = std::chrono::steady_clock::now();
  ARCHIVIST_ASSIGN_OR_RETURN(std::vector<float> logits, target.Decode(prompt));
  ARCHIVIST_RETURN_IF_ERROR(draft.Decode(prompt).status());
  const auto t1 = std::chrono::steady_clock::now();
  r.prompt_seconds = std::chrono::duration<double>(t1 - t0).count();
  r.prompt_logits = logits;

  // Appends one token; false when generation must end (r.stop_reason set).
  auto emit = [&](TokenId t) {
    r.tokens.push_back(t);
    const std::string piece = tok.TokenToPiece(t);
    r.text += piece;
    if (options.on_token && !options.on_token(t, piece)) {
      r.stop_reason = StopReason::kCallback;
      return false;
    }
    if (options.stop_at_end_of_generation && tok.IsEndOfGeneration(t)) {
      r.stop_reason = StopReason::kEndOfGeneration;
      return false;
    }
    for (const auto& s : options.stop) {
      const size_t from =
          r.text.size() > piece.size() + s.size() ? r.text.size() - piece.size() - s.size() : 0;
      const size_t at = r.text.find(s, from);
      if (at != std::string::npos) {
        r.text.resize(at);
        r.stop_reason = StopReason::kStopString;
        return false;
      }
    }
    if (static_cast<int>(r.tokens.size()) >= options.max_tokens) {
      r.stop_reason = StopReason::kMaxTokens;
      return false;
    }
    return true;
  };

  if (options.max_tokens == 0) return r;
  TokenId next = Argmax(logits.data(), n_vocab);
  while (emit(next)) {
    // `next` is emitted but not yet consumed by either model.
    const int64_t base = target.n_past();
    const int64_t room = target.n_ctx() - base - 1;
    const int64_t left = options.max_tokens - static_cast<int64_t>(r.tokens.size());
    const int k = static_cast<int>(std::min<int64_t>({n_draft, room, left, draft.n_ctx() - base - 1}));
    if (room < 1) {
      r.stop_reason = StopReason::kContextFull;
      break;
    }
    std::vector<TokenId> batch = {next};
    if (k > 0) {
      TokenId cur = next;
      for (int i = 0; i < k; ++i) {
        ARCHIVIST_ASSIGN_OR_RETURN(auto dl, draft.Decode(std::span<const TokenId>(&cur, 1)));
        cur = Argmax(dl.data(), n_vocab);
        batch.push_back(cur);
      }
    } else {
      ARCHIVIST_RETURN_IF_ERROR(draft.Decode(std::span<const TokenId>(&next, 1)).status());
    }
    r.n_drafted += k;
    ARCHIVIST_ASSIGN_OR_RETURN(auto rows, target.Decode(batch, /*all_logits=*/true));
    // Row j holds the target's prediction after batch[j].
    int accepted = 0;
    TokenId follow = Argmax(rows.data(), n_vocab);
    while (accepted < k && follow == batch[accepted + 1]) {
      ++accepted;
      follow = Argmax(rows.data() + static_cast<int64_t>(accepted) * n_vocab, n_vocab);
    }
    r.n_accepted += accepted;
    // Keep `next` and the accepted drafts in both caches.
    target.Truncate(base + 1 + accepted);
    if (accepted == k && k > 0) {
      // The draft never consumed its own last proposal.
      ARCHIVIST_RETURN_IF_ERROR(draft.Decode(std::span<const TokenId>(&batch[k], 1)).status());
    } else {
      draft.Truncate(base + 1 + accepted);
    }
    bool going = true;
    for (int j = 1; j <= accepted && going; ++j) going = emit(batch[j]);
    if (!going) break;
    next = follow;
  }
  // Like plain generation, leave both sessions after the prompt and every emitted token but the
  // last (verified drafts past a stop condition are dropped).
  const int64_t end = start + r.n_prompt + static_cast<int64_t>(r.tokens.size()) - 1;
  target.Truncate(end);
  draft.Truncate(end);
  r.generate_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
  return r;
}

}  // namespace archivist::engine
