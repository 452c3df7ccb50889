// The generation loop: prompt, then sample / decode one token at a time until a stop condition.
#include "archivist/engine/generate.h"

#include <chrono>

namespace archivist::engine {
namespace {

double Seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

std::string_view StopReasonName(StopReason reason) {
  switch (reason) {
    case StopReason::kMaxTokens: return "max_tokens";
    case StopReason::kEndOfGeneration: return "end_of_generation";
    case StopReason::kStopString: return "stop_string";
    case StopReason::kCallback: return "callback";
    case StopReason::kContextFull: return "context_full";
  }
  return "?";
}

Status GenerateOptions::Validate() const {
  if (max_tokens < 0) return Status::InvalidArgument("max_tokens must be >= 0");
  for (const auto& s : stop) {
    if (s.empty()) return Status::InvalidArgument("stop strings must not be empty");
  }
  return sampling.Validate();
}

Result<GenerateResult> Generate(Session& session, std::span<const TokenId> prompt,
                                const GenerateOptions& options) {
  ARCHIVIST_RETURN_IF_ERROR(options.Validate());
  if (prompt.empty()) return Status::InvalidArgument("the prompt has no tokens");
  const Tokenizer& tok = session.model().tokenizer();
  GenerateResult r;
  r.n_prompt = static_cast<int64_t>(prompt.size());
  Sampler sampler(options.sampling);
  for (TokenId t : prompt) sampler.Accept(t);

  auto t0 = std::chrono::steady_clock::now();
  ARCHIVIST_ASSIGN_OR_RETURN(std::vector<float> logits, session.Decode(prompt));
  auto t1 = std::chrono::steady_clock::now();
  r.prompt_seconds = Seconds(t0, t1);
  r.prompt_logits = logits;

  for (int i = 0; i < options.max_tokens; ++i) {
    const TokenId next = sampler.Sample(logits);
    sampler.Accept(next);
    r.tokens.push_back(next);
    const std::string piece = tok.TokenToPiece(next);
    r.text += piece;
    if (options.on_token && !options.on_token(next, piece)) {
      r.stop_reason = StopReason::kCallback;
      break;
    }
    if (options.stop_at_end_of_generation && tok.IsEndOfGeneration(next)) {
      r.stop_reason = StopReason::kEndOfGeneration;
      break;
    }
    bool stopped = false;
    for (const auto& s : options.stop) {
      // Only the tail can hold a new match.
      const size_t from = r.text.size() > piece.size() + s.size() ? r.text.size() - piece.size() - s.size() : 0;
      const size_t at = r.text.find(s, from);
      if (at != std::string::npos) {
        r.text.resize(at);
        stopped = true;
        break;
      }
    }
    if (stopped) {
      r.stop_reason = StopReason::kStopString;
      break;
    }
    if (i + 1 == options.max_tokens) break;  // the last token needs no forward pass
    if (session.n_past() + 1 > session.n_ctx()) {
      r.stop_reason = StopReason::kContextFull;
      break;
    }
    ARCHIVIST_ASSIGN_OR_RETURN(logits, session.Decode(std::span<const TokenId>(&next, 1)));
  }
  r.generate_seconds = Seconds(t1, std::chrono::steady_clock::now());
  return r;
}

}  // namespace archivist::engine
