#pragma once
// The per-architecture forward passes (one file each) behind a small interface, plus the
// hyper-parameters and KV cache they share.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "archivist/engine/gguf.h"
#include "archivist/engine/tokenizer.h"
#include "kv_cache.h"

namespace archivist::engine {

struct HParams {
  std::string arch;
  int64_t n_vocab = 0;
  int64_t n_embd = 0;
  int64_t n_layer = 0;
  int64_t n_head = 0;
  int64_t n_head_kv = 0;
  int64_t head_dim = 0;    // attention.key_length, else n_embd / n_head
  int64_t head_dim_v = 0;  // attention.value_length, else head_dim
  int64_t n_ff = 0;        // feed_forward_length
  int64_t n_ctx_train = 0;
  int64_t n_expert = 0;
  int64_t n_expert_used = 0;
  int64_t n_ff_exp = 0;    // expert_feed_forward_length (falls back to n_ff)
  int64_t n_ff_shexp = 0;  // expert_shared_feed_forward_length (falls back to n_ff_exp)
  int64_t interleave_moe_step = 0;
  float rope_base = 10000.0f;
  float norm_eps = 1e-5f;  // RMS or LayerNorm epsilon, whichever the architecture uses
  bool causal = true;
  int pooling = 0;         // 0 none, 1 mean, 2 cls (encoders)
};

// Reads the hyper-parameters every architecture shares ("<arch>.*" keys).
Result<HParams> ReadHParams(const GgufFile& file, const std::string& arch);

struct Batch {
  const TokenId* tokens = nullptr;
  int64_t n_tokens = 0;
  int64_t pos0 = 0;           // position of tokens[0]; later tokens follow
  bool all_logits = false;    // logits for every token, not only the last
};

class Architecture {
 public:
  virtual ~Architecture() = default;
  const HParams& hparams() const { return hp_; }
  virtual bool is_encoder() const { return false; }
  // Local attention window of a layer (0 = full attention); the KV cache keeps only that much.
  virtual int64_t LayerWindow(int64_t /*layer*/) const { return 0; }

  // Decoder models: runs the batch, appends its K/V to `kv` and writes logits ([n_vocab] for the
  // last token, or [n_tokens][n_vocab] when batch.all_logits) to `out`.
  // Encoder models: writes the final hidden states [n_tokens][n_embd] to `out` (kv unused).
  virtual Status Forward(const Batch& batch, KvCache* kv, std::vector<float>* out) const = 0;

 protected:
  explicit Architecture(HParams hp) : hp_(std::move(hp)) {}
  HParams hp_;
};

// Picks the architecture named by general.architecture (kUnsupported names it otherwise).
Result<std::unique_ptr<Architecture>> CreateArchitecture(const GgufFile& file);

Result<std::unique_ptr<Architecture>> CreateLlama(const GgufFile& file, HParams hp);
Result<std::unique_ptr<Architecture>> CreateLlama4(const GgufFile& file, HParams hp);
Result<std::unique_ptr<Architecture>> CreateQwen3Moe(const GgufFile& file, HParams hp);
Result<std::unique_ptr<Architecture>> CreateQwen2Moe(const GgufFile& file, HParams hp);
Result<std::unique_ptr<Architecture>> CreateBert(const GgufFile& file, HParams hp);

}  // namespace archivist::engine
