#include <algorithm>
#include <cctype>
#include <chrono>

#include "archivist/pipeline/generation.h"

namespace archivist::pipeline {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

const char* const kDefaultGuardPolicy =
    "S1: Violent Crimes.\n"
    "S2: Non-Violent Crimes.\n"
    "S3: Sex-Related Crimes.\n"
    "S4: Child Sexual Exploitation.\n"
    "S5: Defamation.\n"
    "S6: Specialized Advice.\n"
    "S7: Privacy.\n"
    "S8: Intellectual Property.\n"
    "S9: Indiscriminate Weapons.\n"
    "S10: Hate.\n"
    "S11: Suicide & Self-Harm.\n"
    "S12: Sexual Content.\n"
    "S13: Elections.\n"
    "S14: Code Interpreter Abuse.";

Status GenerationOptions::Validate() const {
  if (context_tokens < 0) return Status::InvalidArgument("context_tokens must not be negative");
  if (max_answer_tokens < 1) return Status::InvalidArgument("max_answer_tokens must be at least 1");
  if (temperature < 0.0f) return Status::InvalidArgument("temperature must not be negative");
  if (threads < 0) return Status::InvalidArgument("threads must not be negative");
  if (faithfulness_threshold < 0.0 || faithfulness_threshold > 1.0) {
    return Status::InvalidArgument("faithfulness_threshold must be between 0 and 1");
  }
  if (guard.max_verdict_tokens < 1) {
    return Status::InvalidArgument("guard max_verdict_tokens must be at least 1");
  }
  return Status::Ok();
}

Result<std::shared_ptr<LanguageModels>> LanguageModels::Load(const GenerationOptions& options) {
  ARCHIVIST_RETURN_IF_ERROR(options.Validate());
  if (options.model_path.empty()) return Status::InvalidArgument("no language model configured");
  std::shared_ptr<LanguageModels> m(new LanguageModels());
  engine::ModelOptions mo;
  mo.n_threads = options.threads;
  auto model = engine::Model::Load(options.model_path, mo);
  if (!model.ok()) return model.status().WithContext("loading model " + options.model_path);
  m->model_ = std::move(model).value();
  if (m->model_->info().is_encoder) {
    return Status::InvalidArgument("model " + options.model_path +
                                   " is an embedding (encoder) model; answers need a decoder");
  }
  engine::SessionOptions so;
  so.n_ctx = options.context_tokens;
  if (so.n_ctx == 0 || (m->model_->info().n_ctx_train > 0 && so.n_ctx > m->model_->info().n_ctx_train)) {
    so.n_ctx = m->model_->info().n_ctx_train;
  }
  ARCHIVIST_ASSIGN_OR_RETURN(m->session_, engine::Session::Create(*m->model_, so));
  m->n_ctx_ = m->session_->n_ctx();
  if (!options.guard.model_path.empty()) {
    auto guard = engine::Model::Load(options.guard.model_path, mo);
    if (!guard.ok()) return guard.status().WithContext("loading guard model " + options.guard.model_path);
    m->guard_ = std::move(guard).value();
    engine::SessionOptions gso;
    gso.n_ctx = std::min<int64_t>(so.n_ctx + 1024, std::max<int64_t>(m->guard_->info().n_ctx_train, 512));
    ARCHIVIST_ASSIGN_OR_RETURN(m->guard_session_, engine::Session::Create(*m->guard_, gso));
  }
  return m;
}

LanguageModels::~LanguageModels() = default;

Result<std::shared_ptr<LanguageModels>> ModelsFor(const GenerationOptions& options) {
  if (options.models) return options.models;
  return LanguageModels::Load(options);
}

Result<std::vector<engine::TokenId>> LanguageModels::Tokenize(const std::string& text) const {
  engine::TokenizeOptions to;
  to.add_special = true;
  to.parse_special = true;
  return model_->tokenizer().Encode(text, to);
}

Result<std::string> LanguageModels::Format(std::span<const engine::ChatMessage> messages) const {
  return engine::ApplyChatTemplate(*model_, messages, /*add_generation_prompt=*/true);
}

Result<Completion> LanguageModels::Complete(std::span<const engine::TokenId> prompt,
                                            const engine::GenerateOptions& options) {
  if (prompt.empty()) return Status::InvalidArgument("the prompt has no tokens");
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t need = static_cast<int64_t>(prompt.size()) + options.max_tokens;
  if (need > session_->n_ctx()) {
    return Status::ResourceExhausted("prompt (" + std::to_string(prompt.size()) + " tokens) + " +
                                     std::to_string(options.max_tokens) +
                                     " answer tokens exceed the context window of " +
                                     std::to_string(session_->n_ctx()));
  }
  // Keep the K/V of the shared prefix; at least one token must be decoded for fresh logits.
  size_t keep = 0;
  const size_t limit = std::min(cached_.size(), prompt.size() - 1);
  while (keep < limit && cached_[keep] == prompt[keep]) ++keep;
  session_->Truncate(static_cast<int64_t>(keep));
  cached_.resize(keep);

  Completion c;
  c.prompt_tokens = static_cast<int64_t>(prompt.size());
  c.reused_tokens = static_cast<int64_t>(keep);
  const auto t0 = std::chrono::steady_clock::now();
  engine::GenerateOptions go = options;
  bool first = true;
  go.on_token = [&](engine::TokenId id, std::string_view piece) {
    if (first) {
      c.first_token_seconds = SecondsSince(t0);
      first = false;
    }
    return options.on_token ? options.on_token(id, piece) : true;
  };
  auto r = engine::Generate(*session_, prompt.subspan(keep), go);
  if (!r.ok()) {
    // The session may hold part of the prompt; start clean next time.
    session_->Reset();
    cached_.clear();
    return r.status();
  }
  // Drop the answer's K/V so the cache holds exactly the prompt for the next call's comparison.
  session_->Truncate(static_cast<int64_t>(prompt.size()));
  cached_.assign(prompt.begin(), prompt.end());
  c.text = std::move(r->text);
  c.generated_tokens = static_cast<int64_t>(r->tokens.size());
  c.prompt_seconds = r->prompt_seconds;
  c.generate_seconds = r->generate_seconds;
  c.prompt_logits = std::move(r->prompt_logits);
  c.stop_reason = r->stop_reason;
  return c;
}

Result<GuardVerdict> LanguageModels::Classify(const GuardOptions& options,
                                              const std::string& user_text,
                                              const std::string& agent_text) {
  GuardVerdict v;
  if (!guard_) return v;
  const bool judging_agent = !agent_text.empty();
  const std::string role = judging_agent ? "Agent" : "User";
  const int64_t room = guard_session_->n_ctx() - options.max_verdict_tokens;
  if (room < 1) return Status::InvalidArgument("the guard's context window is too small");
  // Llama Guard's task prompt: the policy, the conversation, and the instruction to answer
  // "safe" or "unsafe" on the first line. A conversation too long for the guard's window is cut
  // (its head kept), never the policy or the instruction around it.
  std::string user = user_text, agent = agent_text;
  std::vector<engine::TokenId> ids;
  for (int attempt = 0;; ++attempt) {
    std::string task = "Task: Check if there is unsafe content in '" + role +
                       "' messages in conversations according to our safety policy with the "
                       "below categories.\n\n<BEGIN UNSAFE CONTENT CATEGORIES>\n" +
                       (options.policy.empty() ? std::string(kDefaultGuardPolicy) : options.policy) +
                       "\n<END UNSAFE CONTENT CATEGORIES>\n\n<BEGIN CONVERSATION>\n\nUser: " +
                       user + "\n\n";
    if (judging_agent) task += "Agent: " + agent + "\n\n";
    task += "<END CONVERSATION>\n\nProvide your safety assessment for ONLY THE LAST " + role +
            " message in the above conversation:\n - First line must read 'safe' or 'unsafe'.\n"
            " - If unsafe, a second line must include a comma-separated list of violated "
            "categories.";
    std::vector<engine::ChatMessage> messages = {{"user", task}};
    ARCHIVIST_ASSIGN_OR_RETURN(std::string text, engine::ApplyChatTemplate(*guard_, messages, true));
    engine::TokenizeOptions to;
    to.parse_special = true;
    ARCHIVIST_ASSIGN_OR_RETURN(ids, guard_->tokenizer().Encode(text, to));
    const int64_t excess = static_cast<int64_t>(ids.size()) - room;
    if (excess <= 0) break;
    const size_t conversation = user.size() + agent.size();
    if (attempt == 4 || conversation == 0) {
      return Status::ResourceExhausted("the guard prompt does not fit the guard's window of " +
                                       std::to_string(guard_session_->n_ctx()) + " tokens");
    }
    // Cut the conversation by the excess share (and a margin), the longer text first.
    const double keep = std::max(0.0, 1.0 - 1.2 * static_cast<double>(excess) /
                                                static_cast<double>(ids.size()));
    user.resize(static_cast<size_t>(static_cast<double>(user.size()) * (judging_agent ? 1.0 : keep)));
    agent.resize(static_cast<size_t>(static_cast<double>(agent.size()) * keep));
    if (judging_agent && agent.empty()) {
      user.resize(static_cast<size_t>(static_cast<double>(user.size()) * keep));
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  guard_session_->Reset();
  engine::GenerateOptions go;
  go.max_tokens = options.max_verdict_tokens;
  auto r = engine::Generate(*guard_session_, ids, go);
  guard_session_->Reset();
  if (!r.ok()) return r.status().WithContext("running the guard model");
  v.checked = true;
  v.raw = r->text;
  const std::string trimmed = Trim(r->text);
  const std::string answer = Lower(trimmed);
  if (answer.starts_with("unsafe")) {
    v.verdict = "unsafe";
    v.safe = false;
    size_t nl = trimmed.find('\n');
    if (nl != std::string::npos) {
      size_t end = trimmed.find('\n', nl + 1);
      v.categories = Trim(trimmed.substr(nl + 1, end == std::string::npos ? end : end - nl - 1));
    }
  } else if (answer.starts_with("safe")) {
    v.verdict = "safe";
  } else {
    v.verdict = "unclear";
    v.safe = !options.block_unclear;
  }
  return v;
}

}  // namespace archivist::pipeline
