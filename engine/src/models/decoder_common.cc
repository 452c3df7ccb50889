#include "models/decoder_common.h"

#include "ops.h"

namespace archivist::engine {

Result<DecoderHead> LoadDecoderHead(const WeightLoader& w, const HParams& hp) {
  DecoderHead h;
  ARCHIVIST_ASSIGN_OR_RETURN(h.token_embd, w.Get("token_embd.weight", {hp.n_embd, hp.n_vocab}));
  ARCHIVIST_ASSIGN_OR_RETURN(h.output_norm, w.GetF32("output_norm.weight", hp.n_embd));
  ARCHIVIST_ASSIGN_OR_RETURN(h.output, w.Optional("output.weight", {hp.n_embd, hp.n_vocab}));
  if (!h.output) h.output = h.token_embd;
  return h;
}

void ComputeLogits(const DecoderHead& head, const HParams& hp, const Batch& batch, const float* x,
                   std::vector<float>* out) {
  const int64_t rows = batch.all_logits ? batch.n_tokens : 1;
  const float* src = x + (batch.n_tokens - rows) * hp.n_embd;
  std::vector<float> normed(rows * hp.n_embd);
  ops::RmsNorm(src, head.output_norm.F32(), hp.norm_eps, rows, hp.n_embd, normed.data());
  out->resize(rows * hp.n_vocab);
  ops::MatMul(head.output, normed.data(), rows, out->data());
}

}  // namespace archivist::engine
