// Engine tools: generate, tokenize, embed, bench-engine (inspect-model lives in cmd_tools.cc).

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "archivist/engine/bench.h"
#include "archivist/engine/generate.h"
#include "archivist/engine/model.h"
#include "archivist/engine/npy.h"
#include "commands.h"

namespace archivist::cli {
namespace {

Result<std::vector<engine::TokenId>> ParseTokenList(const std::string& csv) {
  std::vector<engine::TokenId> ids;
  std::stringstream ss(csv);
  for (std::string item; std::getline(ss, item, ',');) {
    try {
      size_t used = 0;
      long v = std::stol(item, &used);
      if (used != item.size() || v < 0 || v > INT32_MAX) throw std::invalid_argument(item);
      ids.push_back(static_cast<engine::TokenId>(v));
    } catch (const std::exception&) {
      return Status::InvalidArgument("--prompt-tokens must be comma-separated token ids, got '" +
                                     item + "'");
    }
  }
  if (ids.empty()) return Status::InvalidArgument("--prompt-tokens is empty");
  return ids;
}

Result<std::unique_ptr<engine::Model>> LoadModel(const std::string& path, int threads) {
  engine::ModelOptions mo;
  mo.n_threads = threads;
  auto model = engine::Model::Load(path, mo);
  if (!model.ok()) return model.status().WithContext(path);
  return model;
}

}  // namespace

int RunGenerate(GlobalArgs& g, const GenerateArgs& a) {
  auto model = LoadModel(a.model, a.threads);
  if (!model.ok()) return ReportError(model.status());
  std::vector<engine::TokenId> prompt;
  if (!a.prompt_tokens.empty()) {
    auto ids = ParseTokenList(a.prompt_tokens);
    if (!ids.ok()) return ReportError(ids.status());
    prompt = std::move(ids).value();
  } else {
    std::string text = a.prompt;
    if (a.chat) {
      std::vector<engine::ChatMessage> messages;
      if (!a.system.empty()) messages.push_back({"system", a.system});
      messages.push_back({"user", a.prompt});
      auto templated = engine::ApplyChatTemplate(**model, messages);
      if (!templated.ok()) return ReportError(templated.status());
      text = *templated;
    }
    engine::TokenizeOptions to;
    to.parse_special = a.chat;  // the template's own control tokens
    auto ids = (*model)->tokenizer().Encode(text, to);
    if (!ids.ok()) return ReportError(ids.status());
    prompt = std::move(ids).value();
  }
  engine::SessionOptions so;
  so.n_ctx = static_cast<int64_t>(prompt.size()) + a.max_tokens;
  if (a.ctx > 0) so.n_ctx = a.ctx;
  auto kv = engine::ParseKvCacheType(a.kv_type);
  if (!kv.ok()) return ReportError(kv.status());
  so.kv_type = *kv;
  auto session = engine::Session::Create(**model, so);
  if (!session.ok()) return ReportError(session.status());

  engine::GenerateOptions go;
  go.max_tokens = a.max_tokens;
  go.sampling.temperature = a.temperature;
  go.sampling.top_k = a.top_k;
  go.sampling.top_p = a.top_p;
  go.sampling.min_p = a.min_p;
  go.sampling.repetition_penalty = a.repetition_penalty;
  go.sampling.seed = a.seed;
  go.stop = a.stop;
  go.stop_at_end_of_generation = !a.ignore_eos;
  if (!g.json) {
    go.on_token = [](engine::TokenId, std::string_view piece) {
      std::cout << piece << std::flush;
      return true;
    };
  }
  Result<engine::GenerateResult> result = Status::Internal("not run");
  std::unique_ptr<engine::Model> draft_model;
  std::unique_ptr<engine::Session> draft_session;
  if (!a.draft.empty()) {
    auto dm = LoadModel(a.draft, a.threads);
    if (!dm.ok()) return ReportError(dm.status());
    draft_model = std::move(dm).value();
    auto ds = engine::Session::Create(*draft_model, so);
    if (!ds.ok()) return ReportError(ds.status());
    draft_session = std::move(ds).value();
    result = engine::GenerateSpeculative(**session, *draft_session, prompt, go, a.n_draft);
  } else {
    result = engine::Generate(**session, prompt, go);
  }
  if (!result.ok()) return ReportError(result.status());
  if (!a.logits_out.empty()) {
    const int64_t shape[] = {static_cast<int64_t>(result->prompt_logits.size())};
    Status s = engine::WriteNpy(a.logits_out, result->prompt_logits, shape);
    if (!s.ok()) return ReportError(s);
  }
  const engine::GenerateResult& r = *result;
  if (g.json) {
    nlohmann::json j = {
        {"prompt_tokens", prompt},
        {"generated_tokens", r.tokens},
        {"text", r.text},
        {"stop_reason", engine::StopReasonName(r.stop_reason)},
        {"prompt_seconds", r.prompt_seconds},
        {"generate_seconds", r.generate_seconds},
        {"prompt_tokens_per_s", r.prompt_seconds > 0 ? prompt.size() / r.prompt_seconds : 0.0},
        {"gen_tokens_per_s", r.generate_seconds > 0 ? r.tokens.size() / r.generate_seconds : 0.0}};
    if (!a.draft.empty()) {
      j["drafted"] = r.n_drafted;
      j["accepted"] = r.n_accepted;
    }
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << "\n";
    std::cerr << "archivist: " << prompt.size() << " prompt tokens in " << r.prompt_seconds
              << " s, " << r.tokens.size() << " generated in " << r.generate_seconds << " s ("
              << engine::StopReasonName(r.stop_reason) << ")\n";
  }
  return kExitOk;
}

int RunTokenize(GlobalArgs& g, const std::string& model_path, const std::string& text,
                bool no_special) {
  auto model = LoadModel(model_path, 1);
  if (!model.ok()) return ReportError(model.status());
  engine::TokenizeOptions to;
  to.add_special = !no_special;
  auto ids = (*model)->tokenizer().Encode(text, to);
  if (!ids.ok()) return ReportError(ids.status());
  if (g.json) {
    nlohmann::json pieces = nlohmann::json::array();
    for (engine::TokenId id : *ids) pieces.push_back((*model)->tokenizer().TokenToPiece(id, true));
    // Byte-level pieces may be partial UTF-8: invalid bytes are shown as U+FFFD.
    std::cout << nlohmann::json{{"ids", *ids}, {"pieces", pieces}}.dump(
                     -1, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
    return kExitOk;
  }
  for (size_t i = 0; i < ids->size(); ++i) std::cout << (i ? " " : "") << (*ids)[i];
  std::cout << "\n";
  return kExitOk;
}

int RunEmbed(GlobalArgs& g, const std::string& model_path, const std::string& text,
             const std::string& npy, bool normalize) {
  auto model = LoadModel(model_path, 0);
  if (!model.ok()) return ReportError(model.status());
  if (!(*model)->info().is_encoder) {
    return ReportError(Status::InvalidArgument(model_path + " is a " +
                                               (*model)->info().architecture +
                                               " model, not an embedding (encoder) model"));
  }
  auto ids = (*model)->tokenizer().Encode(text);
  if (!ids.ok()) return ReportError(ids.status());
  engine::SessionOptions so;
  so.n_ctx = static_cast<int64_t>(ids->size());
  auto session = engine::Session::Create(**model, so);
  if (!session.ok()) return ReportError(session.status());
  auto e = (*session)->Embed(*ids);
  if (!e.ok()) return ReportError(e.status());
  std::vector<float> v = e->pooled;
  if (normalize) {
    double n = 0;
    for (float x : v) n += static_cast<double>(x) * x;
    n = std::sqrt(n);
    if (n > 0) for (float& x : v) x = static_cast<float>(x / n);
  }
  if (!npy.empty()) {
    const int64_t shape[] = {static_cast<int64_t>(v.size())};
    Status s = engine::WriteNpy(npy, v, shape);
    if (!s.ok()) return ReportError(s);
  }
  if (g.json) {
    std::cout << nlohmann::json{{"tokens", ids->size()}, {"dim", v.size()}, {"embedding", v}}.dump()
              << "\n";
  } else if (npy.empty()) {
    for (size_t i = 0; i < v.size(); ++i) std::cout << (i ? " " : "") << v[i];
    std::cout << "\n";
  }
  return kExitOk;
}

int RunBenchEngine(GlobalArgs&, const std::string& model_path, int prompt_tokens, int gen_tokens,
                   const std::vector<int>& threads, const std::string& kv_type) {
  engine::EngineBenchOptions o;
  auto kv = engine::ParseKvCacheType(kv_type);
  if (!kv.ok()) return ReportError(kv.status());
  o.kv_type = *kv;
  o.prompt_tokens = prompt_tokens;
  o.gen_tokens = gen_tokens;
  if (!threads.empty()) o.threads = threads;
  auto r = engine::RunEngineBench(model_path, o);
  if (!r.ok()) return ReportError(r.status().WithContext(model_path));
  std::cout << r->ToJson() << "\n";
  return kExitOk;
}

}  // namespace archivist::cli
