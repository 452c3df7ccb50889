#include "archivist/engine/model.h"

#include <tbb/task_arena.h>

#include <algorithm>
#include <thread>

#include "archivist/engine/gguf.h"
#include "models/architecture.h"

namespace archivist::engine {

Status ModelOptions::Validate() const {
  if (n_threads < 0) return Status::InvalidArgument("n_threads must be >= 0");
  return Status::Ok();
}

Status SessionOptions::Validate() const {
  if (n_ctx < 0) return Status::InvalidArgument("n_ctx must be >= 0");
  if (n_batch <= 0) return Status::InvalidArgument("n_batch must be > 0");
  return Status::Ok();
}

struct Model::Impl {
  std::unique_ptr<GgufFile> file;
  std::unique_ptr<Tokenizer> tokenizer;
  std::unique_ptr<Architecture> arch;
  ModelInfo info;
  int n_threads = 1;
  std::unique_ptr<tbb::task_arena> arena;
};

Model::Model() : impl_(std::make_unique<Impl>()) {}
Model::~Model() = default;

Result<std::unique_ptr<Model>> Model::Load(const std::string& path, const ModelOptions& options) {
  ARCHIVIST_RETURN_IF_ERROR(options.Validate());
  std::unique_ptr<Model> m(new Model());
  Impl& I = *m->impl_;
  GgufOpenOptions go;
  go.use_mmap = options.use_mmap;
  go.prefetch = options.prefetch;
  ARCHIVIST_ASSIGN_OR_RETURN(I.file, GgufFile::Open(path, go));
  auto arch = CreateArchitecture(*I.file);
  if (!arch.ok()) return arch.status().WithContext(path);
  I.arch = std::move(*arch);
  auto tok = Tokenizer::FromGguf(*I.file);
  if (!tok.ok()) return tok.status().WithContext(path);
  I.tokenizer = std::move(*tok);
  const HParams& hp = I.arch->hparams();
  if (I.tokenizer->n_vocab() != hp.n_vocab) {
    return Status::InvalidArgument(path + ": the vocabulary has " +
                                   std::to_string(I.tokenizer->n_vocab()) +
                                   " tokens but the embedding matrix has " +
                                   std::to_string(hp.n_vocab) + " rows");
  }
  ModelInfo& info = I.info;
  info.architecture = hp.arch;
  if (auto name = I.file->GetStringOr("general.name", ""); name.ok()) info.name = *name;
  info.n_vocab = hp.n_vocab;
  info.n_embd = hp.n_embd;
  info.n_layer = hp.n_layer;
  info.n_head = hp.n_head;
  info.n_head_kv = hp.n_head_kv;
  info.head_dim = hp.head_dim;
  info.n_ctx_train = hp.n_ctx_train;
  info.n_expert = hp.n_expert;
  info.n_expert_used = hp.n_expert_used;
  info.is_encoder = I.arch->is_encoder();
  for (const auto& t : I.file->tensors()) {
    info.n_params += t.n_elements;
    info.n_bytes += t.n_bytes;
  }
  I.n_threads = options.n_threads > 0
                    ? options.n_threads
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  I.arena = std::make_unique<tbb::task_arena>(I.n_threads);
  return m;
}

const ModelInfo& Model::info() const { return impl_->info; }
const Tokenizer& Model::tokenizer() const { return *impl_->tokenizer; }
int Model::n_threads() const { return impl_->n_threads; }
const GgufFile& Model::gguf() const { return *impl_->file; }

struct Session::Impl {
  const Model* model = nullptr;
  std::unique_ptr<KvCache> kv;
  int64_t n_ctx = 0;
  int64_t n_batch = 512;
  int64_t n_past = 0;
};

Session::Session() : impl_(std::make_unique<Impl>()) {}
Session::~Session() = default;

Result<std::unique_ptr<Session>> Session::Create(const Model& model, const SessionOptions& options) {
  ARCHIVIST_RETURN_IF_ERROR(options.Validate());
  std::unique_ptr<Session> s(new Session());
  Impl& I = *s->impl_;
  I.model = &model;
  const HParams& hp = model.impl_->arch->hparams();
  I.n_ctx = options.n_ctx > 0 ? options.n_ctx : std::min<int64_t>(hp.n_ctx_train, 4096);
  I.n_batch = options.n_batch;
  if (!model.impl_->arch->is_encoder()) {
    KvLayout layout;
    layout.n_ctx = I.n_ctx;
    layout.k_width = hp.n_head_kv * hp.head_dim;
    layout.v_width = hp.n_head_kv * hp.head_dim_v;
    layout.max_batch = I.n_batch;
    layout.type = options.kv_type;
    if (options.kv_type == KvCacheType::kQ8_0 && (hp.head_dim % 32 != 0 || hp.head_dim_v % 32 != 0)) {
      return Status::InvalidArgument("a Q8_0 KV cache needs head dimensions that are multiples of 32");
    }
    for (int64_t l = 0; l < hp.n_layer; ++l) {
      layout.window.push_back(model.impl_->arch->LayerWindow(l));
    }
    I.kv = std::make_unique<KvCache>(layout);
  }
  return s;
}

Result<std::vector<float>> Session::Decode(std::span<const TokenId> tokens, bool all_logits) {
  Impl& I = *impl_;
  const Model::Impl& M = *I.model->impl_;
  if (M.arch->is_encoder()) {
    return Status::InvalidArgument("Decode on an encoder model; use Embed");
  }
  if (tokens.empty()) return Status::InvalidArgument("Decode of an empty token list");
  const int64_t n_vocab = M.arch->hparams().n_vocab;
  for (TokenId t : tokens) {
    if (t < 0 || t >= n_vocab) {
      return Status::InvalidArgument("token id " + std::to_string(t) +
                                     " is outside the vocabulary of " + std::to_string(n_vocab));
    }
  }
  const int64_t n = static_cast<int64_t>(tokens.size());
  if (I.n_past + n > I.n_ctx) {
    return Status::ResourceExhausted("context full: " + std::to_string(I.n_past) + " + " +
                                     std::to_string(n) + " tokens exceed the budget of " +
                                     std::to_string(I.n_ctx));
  }
  std::vector<float> result;
  Status status;
  M.arena->execute([&] {
    for (int64_t start = 0; start < n && status.ok(); start += I.n_batch) {
      Batch b;
      b.tokens = tokens.data() + start;
      b.n_tokens = std::min(I.n_batch, n - start);
      b.pos0 = I.n_past + start;
      const bool last = start + b.n_tokens == n;
      b.all_logits = all_logits;
      std::vector<float> out;
      status = M.arch->Forward(b, I.kv.get(), &out);
      if (all_logits) {
        result.insert(result.end(), out.begin(), out.end());
      } else if (last) {
        result = std::move(out);
      }
    }
  });
  ARCHIVIST_RETURN_IF_ERROR(status);
  I.n_past += n;
  return result;
}

Result<Embedding> Session::Embed(std::span<const TokenId> tokens) {
  Impl& I = *impl_;
  const Model::Impl& M = *I.model->impl_;
  if (!M.arch->is_encoder()) {
    return Status::InvalidArgument("Embed needs an encoder (embedding) model; this one is '" +
                                   M.arch->hparams().arch + "'");
  }
  if (tokens.empty()) return Status::InvalidArgument("Embed of an empty token list");
  const HParams& hp = M.arch->hparams();
  for (TokenId t : tokens) {
    if (t < 0 || t >= hp.n_vocab) {
      return Status::InvalidArgument("token id " + std::to_string(t) + " is outside the vocabulary");
    }
  }
  Embedding e;
  e.n_tokens = static_cast<int64_t>(tokens.size());
  e.dim = hp.n_embd;
  Batch b;
  b.tokens = tokens.data();
  b.n_tokens = e.n_tokens;
  Status status;
  M.arena->execute([&] { status = M.arch->Forward(b, nullptr, &e.per_token); });
  ARCHIVIST_RETURN_IF_ERROR(status);
  e.pooled.assign(e.dim, 0.0f);
  if (hp.pooling == 2) {  // CLS: the first token
    std::copy_n(e.per_token.begin(), e.dim, e.pooled.begin());
  } else {  // mean over all tokens (also the fallback for "none")
    for (int64_t c = 0; c < e.dim; ++c) {
      double s = 0;
      for (int64_t t = 0; t < e.n_tokens; ++t) s += e.per_token[t * e.dim + c];
      e.pooled[c] = static_cast<float>(s / e.n_tokens);
    }
  }
  return e;
}

int64_t Session::n_past() const { return impl_->n_past; }
int64_t Session::n_ctx() const { return impl_->n_ctx; }
uint64_t Session::kv_bytes() const { return impl_->kv ? impl_->kv->bytes() : 0; }
void Session::Reset() { impl_->n_past = 0; }
void Session::Truncate(int64_t n_past) {
  impl_->n_past = std::clamp<int64_t>(n_past, 0, impl_->n_past);
}
const Model& Session::model() const { return *impl_->model; }

}  // namespace archivist::engine
