// Token sampling: repetition penalty, temperature, top-k, top-p, min-p, seeded draw.
#include <algorithm>
#include <cmath>
#include <deque>
#include <numeric>
#include <random>

#include "archivist/engine/generate.h"

namespace archivist::engine {

Status SamplingOptions::Validate() const {
  if (!(temperature >= 0.0f)) return Status::InvalidArgument("temperature must be >= 0");
  if (top_k < 0) return Status::InvalidArgument("top_k must be >= 0");
  if (!(top_p > 0.0f && top_p <= 1.0f)) return Status::InvalidArgument("top_p must be in (0, 1]");
  if (!(min_p >= 0.0f && min_p < 1.0f)) return Status::InvalidArgument("min_p must be in [0, 1)");
  if (!(repetition_penalty > 0.0f)) {
    return Status::InvalidArgument("repetition_penalty must be > 0");
  }
  if (repetition_last_n < 0) return Status::InvalidArgument("repetition_last_n must be >= 0");
  return Status::Ok();
}

struct Sampler::Impl {
  SamplingOptions o;
  std::mt19937_64 rng;
  std::deque<TokenId> recent;
  std::vector<float> work;
  std::vector<int32_t> idx;
};

Sampler::Sampler(const SamplingOptions& options) : impl_(std::make_unique<Impl>()) {
  impl_->o = options;
  impl_->rng.seed(options.seed);
}

Sampler::~Sampler() = default;

void Sampler::Accept(TokenId id) {
  if (impl_->o.repetition_last_n == 0) return;
  impl_->recent.push_back(id);
  while (static_cast<int>(impl_->recent.size()) > impl_->o.repetition_last_n) {
    impl_->recent.pop_front();
  }
}

TokenId Sampler::Sample(std::span<const float> logits) {
  Impl& I = *impl_;
  const int32_t n = static_cast<int32_t>(logits.size());
  I.work.assign(logits.begin(), logits.end());
  if (I.o.repetition_penalty != 1.0f) {
    std::vector<TokenId> seen(I.recent.begin(), I.recent.end());
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    for (TokenId t : seen) {
      if (t < 0 || t >= n) continue;
      float& l = I.work[t];
      l = l > 0 ? l / I.o.repetition_penalty : l * I.o.repetition_penalty;
    }
  }
  if (I.o.temperature <= 0.0f) {
    // First maximum: ties go to the lowest id, as the reference's greedy sampler does.
    return static_cast<TokenId>(std::max_element(I.work.begin(), I.work.end()) - I.work.begin());
  }
  // Candidates sorted by logit (descending, ties by id), trimmed by top-k.
  I.idx.resize(n);
  std::iota(I.idx.begin(), I.idx.end(), 0);
  int32_t keep = I.o.top_k > 0 ? std::min(I.o.top_k, n) : n;
  auto by_logit = [&](int32_t a, int32_t b) {
    return I.work[a] > I.work[b] || (I.work[a] == I.work[b] && a < b);
  };
  std::partial_sort(I.idx.begin(), I.idx.begin() + keep, I.idx.end(), by_logit);
  I.idx.resize(keep);
  // Softmax with temperature over the candidates.
  std::vector<double> p(keep);
  const double mx = I.work[I.idx[0]];
  double sum = 0;
  for (int32_t i = 0; i < keep; ++i) {
    p[i] = std::exp((I.work[I.idx[i]] - mx) / I.o.temperature);
    sum += p[i];
  }
  for (auto& v : p) v /= sum;
  // min-p relative to the best candidate, then top-p (nucleus) on the sorted list.
  int32_t cut = keep;
  if (I.o.min_p > 0.0f) {
    const double floor = I.o.min_p * p[0];
    cut = 1;
    while (cut < keep && p[cut] >= floor) ++cut;
  }
  if (I.o.top_p < 1.0f) {
    double acc = 0;
    int32_t i = 0;
    for (; i < cut; ++i) {
      acc += p[i];
      if (acc >= I.o.top_p) {
        ++i;
        break;
      }
    }
    cut = std::max<int32_t>(1, std::min(cut, i));
  }
  std::discrete_distribution<int32_t> dist(p.begin(), p.begin() + cut);
  return I.idx[dist(I.rng)];
}

}  // namespace archivist::engine
