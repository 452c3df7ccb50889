#include "models/architecture.h"

namespace archivist::engine {
namespace {

Result<int64_t> RequiredU32(const GgufFile& f, const std::string& key) {
  ARCHIVIST_ASSIGN_OR_RETURN(uint32_t v, f.GetU32(key));
  return static_cast<int64_t>(v);
}

Result<int64_t> OptionalU32(const GgufFile& f, const std::string& key, int64_t fallback) {
  ARCHIVIST_ASSIGN_OR_RETURN(uint32_t v, f.GetU32Or(key, static_cast<uint32_t>(fallback)));
  return static_cast<int64_t>(v);
}

}  // namespace

Result<HParams> ReadHParams(const GgufFile& f, const std::string& arch) {
  HParams hp;
  hp.arch = arch;
  const std::string p = arch + ".";
  ARCHIVIST_ASSIGN_OR_RETURN(hp.n_embd, RequiredU32(f, p + "embedding_length"));
  ARCHIVIST_ASSIGN_OR_RETURN(hp.n_layer, RequiredU32(f, p + "block_count"));
  ARCHIVIST_ASSIGN_OR_RETURN(hp.n_head, RequiredU32(f, p + "attention.head_count"));
  ARCHIVIST_ASSIGN_OR_RETURN(hp.n_head_kv, OptionalU32(f, p + "attention.head_count_kv", hp.n_head));
  ARCHIVIST_ASSIGN_OR_RETURN(hp.n_ff, OptionalU32(f, p + "feed_forward_length", 0));
  ARCHIVIST_ASSIGN_OR_RETURN(hp.n_ctx_train, OptionalU32(f, p + "context_length", 4096));
  if (hp.n_embd <= 0 || hp.n_layer <= 0 || hp.n_head <= 0 || hp.n_head_kv <= 0 ||
      hp.n_head % hp.n_head_kv != 0) {
    return Status::InvalidArgument("inconsistent attention shape: n_embd " +
                                   std::to_string(hp.n_embd) + ", heads " +
                                   std::to_string(hp.n_head) + "/" + std::to_string(hp.n_head_kv));
  }
  ARCHIVIST_ASSIGN_OR_RETURN(hp.head_dim,
                             OptionalU32(f, p + "attention.key_length", hp.n_embd / hp.n_head));
  ARCHIVIST_ASSIGN_OR_RETURN(hp.head_dim_v, OptionalU32(f, p + "attention.value_length", hp.head_dim));
  if (hp.head_dim <= 0 || hp.head_dim % 2 != 0 || hp.head_dim_v <= 0) {
    return Status::InvalidArgument("head dimension " + std::to_string(hp.head_dim) +
                                   " is not a positive even number");
  }
  ARCHIVIST_ASSIGN_OR_RETURN(hp.n_expert, OptionalU32(f, p + "expert_count", 0));
  ARCHIVIST_ASSIGN_OR_RETURN(hp.n_expert_used, OptionalU32(f, p + "expert_used_count", 0));
  ARCHIVIST_ASSIGN_OR_RETURN(hp.n_ff_exp, OptionalU32(f, p + "expert_feed_forward_length", hp.n_ff));
  ARCHIVIST_ASSIGN_OR_RETURN(hp.n_ff_shexp,
                             OptionalU32(f, p + "expert_shared_feed_forward_length", hp.n_ff_exp));
  ARCHIVIST_ASSIGN_OR_RETURN(hp.interleave_moe_step,
                             OptionalU32(f, p + "interleave_moe_layer_step", 0));
  if (hp.n_expert > 0 && (hp.n_expert_used <= 0 || hp.n_expert_used > hp.n_expert)) {
    return Status::InvalidArgument("expert_used_count " + std::to_string(hp.n_expert_used) +
                                   " is not in 1.." + std::to_string(hp.n_expert));
  }
  ARCHIVIST_ASSIGN_OR_RETURN(hp.rope_base, f.GetF32Or(p + "rope.freq_base", 10000.0f));
  if (f.Has(p + "attention.layer_norm_rms_epsilon")) {
    ARCHIVIST_ASSIGN_OR_RETURN(hp.norm_eps, f.GetF32(p + "attention.layer_norm_rms_epsilon"));
  } else {
    ARCHIVIST_ASSIGN_OR_RETURN(hp.norm_eps, f.GetF32Or(p + "attention.layer_norm_epsilon", 1e-5f));
  }
  ARCHIVIST_ASSIGN_OR_RETURN(hp.causal, f.GetBoolOr(p + "attention.causal", true));
  ARCHIVIST_ASSIGN_OR_RETURN(int64_t pooling, OptionalU32(f, p + "pooling_type", 0));
  hp.pooling = static_cast<int>(pooling);
  // The vocabulary size is the embedding matrix's row count (checked against the tokenizer later).
  const GgufTensorInfo* emb = f.FindTensor("token_embd.weight");
  if (emb == nullptr) return Status::NotFound("model tensor 'token_embd.weight' is missing");
  hp.n_vocab = emb->dim(1);
  return hp;
}

Result<std::unique_ptr<Architecture>> CreateArchitecture(const GgufFile& file) {
  const std::string arch = file.Architecture();
  if (arch.empty()) return Status::InvalidArgument("model has no general.architecture");
  if (arch != "llama" && arch != "llama4" && arch != "qwen3moe" && arch != "qwen2moe" &&
      arch != "bert") {
    return Status::Unsupported("model architecture '" + arch +
                               "' is not supported (supported: llama, llama4, qwen3moe, "
                               "qwen2moe, bert)");
  }
  auto hp = ReadHParams(file, arch);
  if (!hp.ok()) return hp.status().WithContext("architecture '" + arch + "'");
  if (arch == "llama") return CreateLlama(file, std::move(*hp));
  if (arch == "llama4") return CreateLlama4(file, std::move(*hp));
  if (arch == "qwen3moe") return CreateQwen3Moe(file, std::move(*hp));
  if (arch == "qwen2moe") return CreateQwen2Moe(file, std::move(*hp));
  return CreateBert(file, std::move(*hp));
}

}  // namespace archivist::engine
