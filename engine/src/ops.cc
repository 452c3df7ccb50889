#include "ops.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/fp16.h"
#include "kernels/kernels.h"

namespace archivist::engine::ops {


void MatMul(const Weight& w, const float* x, int64_t n_tokens, float* y, int64_t expert) {
  const MatMulJob job{&w, expert, x, n_tokens, y};
  MatMulMany(std::span<const MatMulJob>(&job, 1));
}

void MatMulMany(std::span<const MatMulJob> jobs) {
  const auto& table = kernels::Active();
  struct Prepared {
    const uint8_t* xq;
    uint64_t xrow;
    kernels::VecDotFn dot;
    kernels::VecDotManyFn dot_many;
    int64_t row_begin;  // in the concatenated row space
    int conversion;     // the activation format: a TensorType id, or -1 for F16-rounded F32
  };
  std::vector<Prepared> prep(jobs.size());
  // Activations are quantized once per job, then shared by the threads that split its rows.
  std::vector<std::vector<uint8_t>> xq_bufs(jobs.size());
  int64_t total = 0;
  for (size_t j = 0; j < jobs.size(); ++j) {
    const MatMulJob& job = jobs[j];
    const kernels::TypeKernels& k = table.types[static_cast<int>(job.w->type)];
    const TensorType vdt = k.vec_dot_type;
    const int64_t n_in = job.w->n_in;
    Prepared& p = prep[j];
    p.dot = k.vec_dot;
    p.dot_many = k.vec_dot_many;
    p.row_begin = total;
    total += job.w->n_out;
    const bool f16_path = job.w->type == TensorType::kF16 && table.dot_f16_f32 != nullptr;
    p.conversion = f16_path ? -1 : static_cast<int>(vdt);
    // q/k/v, gate/up and a token's experts read the same input: convert it once.
    bool shared = false;
    for (size_t e = 0; e < j && !shared; ++e) {
      if (jobs[e].x == job.x && jobs[e].n_tokens == job.n_tokens && jobs[e].w->n_in == n_in &&
          prep[e].conversion == p.conversion) {
        p.xq = prep[e].xq;
        p.xrow = prep[e].xrow;
        shared = true;
      }
    }
    if (f16_path) {
      p.dot = table.dot_f16_f32;
      p.dot_many = table.dot_f16_f32_many;
    }
    if (shared) continue;
    if (f16_path) {
      // Round the activations to F16 as the reference does, but widen them back once here so the
      // kernel does not convert them again for every weight row.
      p.xrow = n_in * sizeof(float);
      xq_bufs[j].resize(p.xrow * job.n_tokens);
      std::vector<uint16_t> half(n_in);
      for (int64_t t = 0; t < job.n_tokens; ++t) {
        k.from_float(job.x + t * n_in, half.data(), n_in);
        k.to_float(half.data(), reinterpret_cast<float*>(xq_bufs[j].data() + t * p.xrow), n_in);
      }
      p.xq = xq_bufs[j].data();
    } else if (vdt == TensorType::kF32) {
      p.xq = reinterpret_cast<const uint8_t*>(job.x);
      p.xrow = n_in * sizeof(float);
    } else {
      p.xrow = *TensorRowBytes(vdt, static_cast<uint64_t>(n_in));
      xq_bufs[j].resize(p.xrow * job.n_tokens);
      const auto from = table.types[static_cast<int>(vdt)].from_float;
      for (int64_t t = 0; t < job.n_tokens; ++t) {
        from(job.x + t * n_in, xq_bufs[j].data() + t * p.xrow, n_in);
      }
      p.xq = xq_bufs[j].data();
    }
  }
  // Enough chunks for load balance; each chunk reads its weight rows once for all its tokens.
  const int64_t grain = std::max<int64_t>(1, std::min<int64_t>(64, total / 64));
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, total, grain),
                    [&](const tbb::blocked_range<int64_t>& r) {
                      size_t j = 0;
                      while (j + 1 < prep.size() && prep[j + 1].row_begin <= r.begin()) ++j;
                      for (int64_t g = r.begin(); g < r.end(); ++g) {
                        while (j + 1 < prep.size() && prep[j + 1].row_begin <= g) ++j;
                        const MatMulJob& job = jobs[j];
                        const Prepared& p = prep[j];
                        const int64_t o = g - p.row_begin;
                        const int64_t n_in = job.w->n_in, n_out = job.w->n_out;
                        const uint8_t* wr = job.w->Row(o, job.expert);
                        if (job.n_tokens == 1) {
                          // Decoding: this chunk's rows of one matrix (one expert), row_bytes
                          // apart, in a tight loop. Row after row keeps the weights one
                          // sequential stream; interleaving 4 rows per kernel measured slower
                          // (the hardware prefetcher loses the streams).
                          const int64_t nw = std::min(r.end() - g, n_out - o);
                          const uint64_t rb = job.w->row_bytes;
                          for (int64_t q = 0; q < nw; ++q) {
                            job.y[o + q] = p.dot(n_in, wr + q * rb, p.xq);
                          }
                          g += nw - 1;
                        } else if (p.dot_many != nullptr && job.n_tokens > 1) {
                          float tile[16];
                          for (int64_t t0 = 0; t0 < job.n_tokens; t0 += 16) {
                            const int nx = static_cast<int>(std::min<int64_t>(16, job.n_tokens - t0));
                            p.dot_many(n_in, wr, p.xq + t0 * p.xrow, p.xrow, nx, tile);
                            for (int r = 0; r < nx; ++r) job.y[(t0 + r) * n_out + o] = tile[r];
                          }
                        } else {
                          for (int64_t t = 0; t < job.n_tokens; ++t) {
                            job.y[t * n_out + o] = p.dot(n_in, wr, p.xq + t * p.xrow);
                          }
                        }
                      }
                    });
}

void AddBias(float* x, const float* b, int64_t n_tokens, int64_t width) {
  for (int64_t t = 0; t < n_tokens; ++t) {
    for (int64_t i = 0; i < width; ++i) x[t * width + i] += b[i];
  }
}

void RmsNorm(const float* x, const float* w, float eps, int64_t n_tokens, int64_t width, float* y) {
  for (int64_t t = 0; t < n_tokens; ++t) {
    const float* xr = x + t * width;
    float* yr = y + t * width;
    double sum = 0;
    for (int64_t i = 0; i < width; ++i) sum += static_cast<double>(xr[i] * xr[i]);
    const float mean = static_cast<float>(sum / width);
    const float scale = 1.0f / std::sqrt(mean + eps);
    if (w != nullptr) {
      for (int64_t i = 0; i < width; ++i) yr[i] = xr[i] * scale * w[i];
    } else {
      for (int64_t i = 0; i < width; ++i) yr[i] = xr[i] * scale;
    }
  }
}

void LayerNorm(const float* x, const float* w, const float* b, float eps, int64_t n_tokens,
               int64_t width, float* y) {
  for (int64_t t = 0; t < n_tokens; ++t) {
    const float* xr = x + t * width;
    float* yr = y + t * width;
    double sum = 0;
    for (int64_t i = 0; i < width; ++i) sum += xr[i];
    const float mean = static_cast<float>(sum / width);
    double var = 0;
    for (int64_t i = 0; i < width; ++i) {
      const float d = xr[i] - mean;
      var += static_cast<double>(d * d);
    }
    const float scale = 1.0f / std::sqrt(static_cast<float>(var / width) + eps);
    for (int64_t i = 0; i < width; ++i) {
      float v = (xr[i] - mean) * scale;
      if (w != nullptr) v *= w[i];
      if (b != nullptr) v += b[i];
      yr[i] = v;
    }
  }
}

void Rope(float* v, int64_t head_dim, int64_t pos, float base, bool neox,
          const float* freq_factors) {
  const int64_t half = head_dim / 2;
  const float theta_scale = std::pow(base, -2.0f / static_cast<float>(head_dim));
  float theta = static_cast<float>(pos);
  for (int64_t i = 0; i < half; ++i) {
    const float t = freq_factors != nullptr ? theta / freq_factors[i] : theta;
    const float c = std::cos(t), s = std::sin(t);
    const int64_t i0 = neox ? i : 2 * i;
    const int64_t i1 = neox ? i + half : 2 * i + 1;
    const float a = v[i0], b = v[i1];
    v[i0] = a * c - b * s;
    v[i1] = a * s + b * c;
    theta *= theta_scale;
  }
}

float Silu(float x) { return x / (1.0f + std::exp(-x)); }

float GeluReference(float x) {
  // The reference tabulates GELU on fp16 inputs and stores fp16 outputs.
  if (x >= 10.0f) return x;
  if (x <= -10.0f) return 0.0f;
  const float xh = kernels::Fp16ToFp32(kernels::Fp32ToFp16(x));
  constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
  constexpr float kCoef = 0.044715f;
  const float g = 0.5f * xh * (1.0f + std::tanh(kSqrt2OverPi * xh * (1.0f + kCoef * xh * xh)));
  return kernels::Fp16ToFp32(kernels::Fp32ToFp16(g));
}

void Softmax(float* x, int64_t n) {
  float mx = -INFINITY;
  for (int64_t i = 0; i < n; ++i) mx = std::max(mx, x[i]);
  double sum = 0;
  for (int64_t i = 0; i < n; ++i) {
    x[i] = std::exp(x[i] - mx);
    sum += x[i];
  }
  const float inv = static_cast<float>(1.0 / sum);
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

void SoftmaxFast(float* x, int64_t n) {
  float mx = -INFINITY;
  for (int64_t i = 0; i < n; ++i) mx = std::max(mx, x[i]);
  const float inv = static_cast<float>(1.0 / kernels::Active().exp_shifted_sum(n, x, mx));
  for (int64_t i = 0; i < n; ++i) x[i] *= inv;
}

}  // namespace archivist::engine::ops
