#pragma once
// Text generation on a Session: sampling, stop conditions, streaming, chat templates.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/engine/model.h"

namespace archivist::engine {

struct SamplingOptions {
  // 0 picks the most likely token (greedy; ties go to the lowest id). Default: 0.
  float temperature = 0.0f;
  // Keep only the k most likely tokens; 0 = off. Default: 0.
  int top_k = 0;
  // Keep the smallest set of tokens whose probability reaches p; 1 = off. Default: 1.
  float top_p = 1.0f;
  // Drop tokens less likely than min_p times the most likely one; 0 = off. Default: 0.
  float min_p = 0.0f;
  // Divide positive (multiply negative) logits of recently seen tokens; 1 = off. Default: 1.
  float repetition_penalty = 1.0f;
  // How many recent tokens (prompt included) the penalty looks at. Default: 64.
  int repetition_last_n = 64;
  // Seed of the sampler's generator; equal seeds give equal outputs. Default: 0.
  uint64_t seed = 0;

  Status Validate() const;
};

// Picks tokens from logits; holds the random state and recent-token history.
class Sampler {
 public:
  explicit Sampler(const SamplingOptions& options);
  ~Sampler();
  // Records a token as seen (prompt tokens and generated ones) for the repetition penalty.
  void Accept(TokenId id);
  TokenId Sample(std::span<const float> logits);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

enum class StopReason { kMaxTokens, kEndOfGeneration, kStopString, kCallback, kContextFull };
std::string_view StopReasonName(StopReason reason);

struct GenerateOptions {
  // Tokens to generate at most. Default: 128.
  int max_tokens = 128;
  SamplingOptions sampling;
  // Generation ends when the text contains one of these; the text is cut before it. Default: none.
  std::vector<std::string> stop;
  // End at the model's end-of-generation tokens (EOS, EOT, <|im_end|> ...). Default: true.
  bool stop_at_end_of_generation = true;
  // Called for every generated token with its text piece (bytes; may be partial UTF-8), before the
  // stop checks, so a stop string may already have been streamed in part (GenerateResult::text is
  // cut before it). Return false to stop. Default: none.
  std::function<bool(TokenId, std::string_view)> on_token;

  Status Validate() const;
};

struct GenerateResult {
  std::vector<TokenId> tokens;        // generated ids (the end-of-generation token included)
  std::string text;                   // their decoded text, cut at a stop string
  std::vector<float> prompt_logits;   // logits at the last prompt position
  StopReason stop_reason = StopReason::kMaxTokens;
  int64_t n_prompt = 0;
  int64_t n_drafted = 0;   // speculative decoding: tokens the draft model proposed
  int64_t n_accepted = 0;  // ... and the target model confirmed
  double prompt_seconds = 0;
  double generate_seconds = 0;
};

// Decodes `prompt` in the session (appending to what it holds) and generates after it.
Result<GenerateResult> Generate(Session& session, std::span<const TokenId> prompt,
                                const GenerateOptions& options = {});

// Greedy generation with a draft model: the draft proposes `n_draft` tokens, the target checks
// them in one batched pass and keeps the agreeing prefix plus its own next token. The output is
// the target's greedy output. Both sessions must start at the same position and the models must
// share the vocabulary (kInvalidArgument otherwise, and for temperature > 0).
Result<GenerateResult> GenerateSpeculative(Session& target, Session& draft,
                                           std::span<const TokenId> prompt,
                                           const GenerateOptions& options = {}, int n_draft = 4);

struct ChatMessage {
  std::string role;     // "system", "user", "assistant"
  std::string content;
};

// Formats a conversation with the model family's chat template (Llama 3, Llama 4, ChatML for
// Qwen, [INST] for Mistral/Mixtral), chosen from tokenizer.chat_template or the architecture.
// add_generation_prompt appends the assistant header. Tokenize the result with parse_special.
Result<std::string> ApplyChatTemplate(const Model& model, std::span<const ChatMessage> messages,
                                      bool add_generation_prompt = true);

}  // namespace archivist::engine
