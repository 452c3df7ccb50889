#pragma once
// Pieces every decoder-only architecture shares: embedding, final norm and the output head.

#include <vector>

#include "models/architecture.h"
#include "weights.h"

namespace archivist::engine {

struct DecoderHead {
  Weight token_embd;
  Weight output_norm;
  Weight output;  // token_embd when the model ties them
};

Result<DecoderHead> LoadDecoderHead(const WeightLoader& w, const HParams& hp);

// logits for the last row of x (or all rows) -> out.
void ComputeLogits(const DecoderHead& head, const HParams& hp, const Batch& batch,
                   const float* x, std::vector<float>* out);

}  // namespace archivist::engine
