#pragma once
// Generative answers and summaries: the language model (and optional guard model) that ask and
// summarize use when a model is configured, the prompt-prefix KV-cache reuse between calls, and
// the options shared by both.
//
//   GenerationOptions g;
//   g.model_path = "qwen3moe.q4_k_m.gguf";
//   auto models = LanguageModels::Load(g);          // once; shared by later calls
//   AskOptions ask;
//   ask.generation = g;
//   ask.generation.models = *models;                // otherwise Ask loads the model itself
//   auto answer = Ask(archive, "why was warfarin stopped?", ask);

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "archivist/base/status.h"
#include "archivist/engine/generate.h"
#include "archivist/engine/model.h"

namespace archivist::pipeline {

class LanguageModels;

struct GuardOptions {
  // Llama-Guard-style classifier GGUF; empty: no model guard (rule-based PII handling still
  // applies). Config: [guard] model.
  std::string model_path;
  // Policy categories listed in the guard prompt; empty: the built-in policy (kDefaultGuardPolicy).
  std::string policy;
  // Tokens the guard may generate for its verdict. Default: 10.
  int max_verdict_tokens = 10;
  // A verdict that is neither "safe" nor "unsafe" blocks (fail closed). Default: true.
  bool block_unclear = true;
};

struct GenerationOptions {
  // GGUF language model; empty (and no `models`): extractive mode. Config: [model] path.
  std::string model_path;
  // Context window in tokens (prompt + answer). Default: 4096; 0 = the model's training context.
  int context_tokens = 4096;
  // Tokens reserved for, and at most generated in, the answer. Default: 512.
  int max_answer_tokens = 512;
  // 0 = greedy. Default: 0.
  float temperature = 0.0f;
  uint64_t seed = 0;
  // Threads for the model's kernels; 0 = every core. Default: 0.
  int threads = 0;
  // A generated sentence is supported when at least this share of its (stemmed, stop-word-free)
  // terms appear in the sources it cites. Default: 0.5.
  double faithfulness_threshold = 0.5;
  GuardOptions guard;
  // Called with each piece of the answer as it is generated (terminal streaming). Not called when
  // a guard model is configured: the answer is only released once the guard has passed it. With
  // redaction on, pieces are released a line at a time, already redacted. The pieces concatenate
  // to Answer::text.
  std::function<void(std::string_view)> on_text;
  // Already loaded models (servers keep one); when null they are loaded from the paths per call.
  std::shared_ptr<LanguageModels> models;

  bool enabled() const { return models != nullptr || !model_path.empty(); }
  Status Validate() const;
};

// The built-in guard policy (Llama Guard 3's hazard categories, abbreviated).
extern const char* const kDefaultGuardPolicy;

struct GuardVerdict {
  bool checked = false;        // a guard model ran
  bool safe = true;
  std::string verdict;         // "safe", "unsafe" or "unclear"
  std::string categories;      // second line of an unsafe verdict, e.g. "S6"
  std::string raw;             // what the guard generated
};

struct Completion {
  std::string text;
  int64_t prompt_tokens = 0;
  int64_t reused_tokens = 0;   // prompt tokens whose KV cache was kept from the previous call
  int64_t generated_tokens = 0;
  double prompt_seconds = 0;
  double generate_seconds = 0;
  double first_token_seconds = 0;  // from the call to the first generated piece
  std::vector<float> prompt_logits;  // logits at the last prompt position
  engine::StopReason stop_reason = engine::StopReason::kMaxTokens;
};

// A language model, its session and the token sequence that session's KV cache holds, plus the
// optional guard model. Completions run one at a time (a mutex), so one object may be shared.
class LanguageModels {
 public:
  static Result<std::shared_ptr<LanguageModels>> Load(const GenerationOptions& options);
  ~LanguageModels();

  const engine::Model& model() const { return *model_; }
  const engine::Model* guard() const { return guard_.get(); }
  int64_t context_tokens() const { return n_ctx_; }

  // Tokenizes a chat-formatted prompt exactly as Complete does (BOS as the model declares,
  // special-token text recognised).
  Result<std::vector<engine::TokenId>> Tokenize(const std::string& text) const;
  // The conversation in the model family's chat template, with the assistant header appended.
  Result<std::string> Format(std::span<const engine::ChatMessage> messages) const;

  // Generates after `prompt`. The KV cache of the longest prefix shared with the previous call's
  // prompt is kept and only the rest is decoded. kResourceExhausted when prompt + max_tokens
  // exceed the context window.
  Result<Completion> Complete(std::span<const engine::TokenId> prompt,
                              const engine::GenerateOptions& options);

  // Classifies the last message of a conversation ("User" question or "Agent" answer) with the
  // guard model; {checked=false, safe=true} when none is configured.
  Result<GuardVerdict> Classify(const GuardOptions& options, const std::string& user_text,
                                const std::string& agent_text);

 private:
  LanguageModels() = default;
  std::mutex mu_;
  std::unique_ptr<engine::Model> model_;
  std::unique_ptr<engine::Session> session_;
  std::vector<engine::TokenId> cached_;  // the tokens whose K/V the session holds
  std::unique_ptr<engine::Model> guard_;
  std::unique_ptr<engine::Session> guard_session_;
  int64_t n_ctx_ = 0;
};

// The models named by `options` (or options.models when set).
Result<std::shared_ptr<LanguageModels>> ModelsFor(const GenerationOptions& options);

}  // namespace archivist::pipeline
