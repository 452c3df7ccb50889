#include "models/blocks.h"

#include <tbb/blocked_range2d.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <numeric>

#include "archivist/engine/quantize.h"
#include "kernels/blocks.h"
#include "kernels/kernels.h"
#include "ops.h"

namespace archivist::engine::blocks {

namespace {
std::string Blk(int64_t layer, const char* name) {
  return "blk." + std::to_string(layer) + "." + name;
}
}  // namespace

Result<AttentionWeights> LoadAttention(const WeightLoader& w, int64_t l, const HParams& hp,
                                       const AttentionOptions& o) {
  AttentionWeights a;
  const int64_t q_width = hp.n_head * hp.head_dim;
  const int64_t k_width = hp.n_head_kv * hp.head_dim;
  const int64_t v_width = hp.n_head_kv * hp.head_dim_v;
  ARCHIVIST_ASSIGN_OR_RETURN(a.q, w.Get(Blk(l, "attn_q.weight"), {hp.n_embd, q_width}));
  ARCHIVIST_ASSIGN_OR_RETURN(a.k, w.Get(Blk(l, "attn_k.weight"), {hp.n_embd, k_width}));
  ARCHIVIST_ASSIGN_OR_RETURN(a.v, w.Get(Blk(l, "attn_v.weight"), {hp.n_embd, v_width}));
  ARCHIVIST_ASSIGN_OR_RETURN(a.o, w.Get(Blk(l, "attn_output.weight"),
                                        {hp.n_head * hp.head_dim_v, hp.n_embd}));
  if (o.biases) {
    ARCHIVIST_ASSIGN_OR_RETURN(a.q_bias, w.OptionalF32(Blk(l, "attn_q.bias"), q_width));
    ARCHIVIST_ASSIGN_OR_RETURN(a.k_bias, w.OptionalF32(Blk(l, "attn_k.bias"), k_width));
    ARCHIVIST_ASSIGN_OR_RETURN(a.v_bias, w.OptionalF32(Blk(l, "attn_v.bias"), v_width));
    ARCHIVIST_ASSIGN_OR_RETURN(a.o_bias, w.OptionalF32(Blk(l, "attn_output.bias"), hp.n_embd));
  }
  if (o.qk_norm) {
    ARCHIVIST_ASSIGN_OR_RETURN(a.q_norm, w.GetF32(Blk(l, "attn_q_norm.weight"), hp.head_dim));
    ARCHIVIST_ASSIGN_OR_RETURN(a.k_norm, w.GetF32(Blk(l, "attn_k_norm.weight"), hp.head_dim));
  }
  return a;
}

void Attention(const AttentionWeights& w, const AttentionParams& p, const HParams& hp,
               const Batch& batch, int64_t layer, const float* x, KvCache* kv, float* out) {
  const int64_t n = batch.n_tokens;
  const int64_t hd = hp.head_dim, hdv = hp.head_dim_v;
  const int64_t n_head = hp.n_head, n_kv = hp.n_head_kv;
  const int64_t qw = n_head * hd, kw = n_kv * hd, vw = n_kv * hdv;
  std::vector<float> q(n * qw), k(n * kw), v(n * vw);
  const ops::MatMulJob qkv[] = {
      {&w.q, 0, x, n, q.data()}, {&w.k, 0, x, n, k.data()}, {&w.v, 0, x, n, v.data()}};
  ops::MatMulMany(qkv);
  if (w.q_bias) ops::AddBias(q.data(), w.q_bias.F32(), n, qw);
  if (w.k_bias) ops::AddBias(k.data(), w.k_bias.F32(), n, kw);
  if (w.v_bias) ops::AddBias(v.data(), w.v_bias.F32(), n, vw);

  for (int64_t t = 0; t < n; ++t) {
    const int64_t pos = batch.pos0 + t;
    float* qt = q.data() + t * qw;
    float* kt = k.data() + t * kw;
    if (p.qk_norm_weighted) {
      ops::RmsNorm(qt, w.q_norm.F32(), hp.norm_eps, n_head, hd, qt);
      ops::RmsNorm(kt, w.k_norm.F32(), hp.norm_eps, n_kv, hd, kt);
    }
    if (p.rope) {
      for (int64_t h = 0; h < n_head; ++h) {
        ops::Rope(qt + h * hd, hd, pos, hp.rope_base, p.neox, p.freq_factors);
      }
      for (int64_t h = 0; h < n_kv; ++h) {
        ops::Rope(kt + h * hd, hd, pos, hp.rope_base, p.neox, p.freq_factors);
      }
    }
    if (p.qk_norm_plain_after_rope) {
      ops::RmsNorm(qt, nullptr, hp.norm_eps, n_head, hd, qt);
      ops::RmsNorm(kt, nullptr, hp.norm_eps, n_kv, hd, kt);
    }
    if (p.temperature_tuning) {
      const float scale = static_cast<float>(
          std::log(std::floor((static_cast<float>(pos) + 1.0f) / p.temperature_floor) + 1.0) *
              p.temperature_scale +
          1.0);
      for (int64_t i = 0; i < qw; ++i) qt[i] *= scale;
    }
  }

  // Keys and values visible to this batch: the cache (decoders) or the batch itself (encoders).
  if (kv != nullptr) {
    for (int64_t t = 0; t < n; ++t) {
      kv->StoreK(layer, batch.pos0 + t, k.data() + t * kw);
      kv->StoreV(layer, batch.pos0 + t, v.data() + t * vw);
    }
  }
  const KvType kv_type = kv != nullptr ? kv->type() : KvType::kF32;
  const auto& q8 = kernels::Active().types[static_cast<int>(TensorType::kQ8_0)];
  const int64_t n_keys_total = kv != nullptr ? batch.pos0 + n : n;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const int64_t group = n_head / n_kv;
  std::vector<float> attn(n * n_head * hdv, 0.0f);
  const auto& kt = kernels::Active();

  // Queries are processed in tiles: each key / value row is read once per tile instead of once per
  // query, which keeps long contexts from streaming the whole cache per token. Per query, keys are
  // still visited in position order, so results do not depend on the tiling.
  constexpr int64_t kTile = 8;
  const int64_t n_tiles = (n + kTile - 1) / kTile;
  const int64_t q8_blocks = hd / 32;
  tbb::parallel_for(
      tbb::blocked_range2d<int64_t>(0, n_tiles, 0, n_head),
      [&](const tbb::blocked_range2d<int64_t>& r) {
        std::vector<float> scores;
        std::vector<kernels::BlockQ8_0> qq(kTile * (q8_blocks + 1));
        std::vector<float> vrow(hdv);
        for (int64_t tile = r.rows().begin(); tile < r.rows().end(); ++tile) {
          const int64_t t0 = tile * kTile;
          const int64_t nt = std::min(kTile, n - t0);
          int64_t kb[kTile], ke[kTile];
          int64_t lo = INT64_MAX, hi = 0;
          for (int64_t i = 0; i < nt; ++i) {
            const int64_t pos = batch.pos0 + t0 + i;
            kb[i] = p.chunk > 0 ? (pos / p.chunk) * p.chunk : 0;
            ke[i] = p.causal ? pos + 1 : n_keys_total;
            lo = std::min(lo, kb[i]);
            hi = std::max(hi, ke[i]);
          }
          const int64_t span = hi - lo;
          scores.resize(nt * span);
          for (int64_t h = r.cols().begin(); h < r.cols().end(); ++h) {
            const int64_t g = h / group;
            const float* qh[kTile];
            for (int64_t i = 0; i < nt; ++i) {
              qh[i] = q.data() + (t0 + i) * qw + h * hd;
              // An 8-bit cache is read with q quantized to Q8_0, as the reference does.
              if (kv_type == KvType::kQ8_0) q8.from_float(qh[i], &qq[i * (q8_blocks + 1)], hd);
            }
            // Decoding (one query, F32 or F16 cache): keys and values are walked in runs of rows
            // that are contiguous in memory (a ring cache wraps once), with several keys' dot
            // products in flight and the output row in registers; the same sums as the tile loops
            // below.
            const bool half = kv_type == KvType::kF16;
            const bool single = nt == 1 && (kv_type == KvType::kF32 || half);
            auto run_at = [&](int64_t j) {
              if (kv == nullptr) return hi - j;
              const int64_t cap = kv->capacity(layer);
              return std::min(hi - j, cap - j % cap);
            };
            if (single) {
              const int64_t stride = kv != nullptr ? kv->k_width() : kw;
              for (int64_t j = lo; j < hi;) {
                const int64_t run = run_at(j);
                float* sc = scores.data() + (j - lo);
                if (half) {  // only a cache is F16
                  kt.dot_rows_f16(hd, qh[0], run,
                                  static_cast<const uint16_t*>(kv->K(layer, j)) + g * hd, stride,
                                  sc);
                  for (int64_t r = 0; r < run; ++r) sc[r] *= scale;
                  j += run;
                  continue;
                }
                const float* krow =
                    kv != nullptr ? static_cast<const float*>(kv->K(layer, j)) : k.data() + j * kw;
                const float* kr = krow + g * hd;
                if (kt.dot_rows_f32 != nullptr) {
                  kt.dot_rows_f32(hd, qh[0], run, kr, stride, sc);
                } else {
                  for (int64_t r = 0; r < run; ++r) {
                    kt.dot_f32_many(hd, qh, 1, kr + r * stride, sc + r);
                  }
                }
                for (int64_t r = 0; r < run; ++r) sc[r] *= scale;
                j += run;
              }
            }
            for (int64_t j = single ? hi : lo; j < hi; ++j) {
              const void* kr = kv != nullptr ? kv->K(layer, j) : k.data() + j * kw;
              if (kv_type == KvType::kF32) {
                // One key row against the whole tile; entries outside a query's range are unused.
                float dots[kTile];
                kt.dot_f32_many(hd, qh, static_cast<int>(nt), static_cast<const float*>(kr) + g * hd,
                                dots);
                for (int64_t i = 0; i < nt; ++i) {
                  if (j >= kb[i] && j < ke[i]) scores[i * span + (j - lo)] = dots[i] * scale;
                }
                continue;
              }
              if (half) {  // likewise, with dot_rows_f16's sums
                float dots[kTile];
                kt.dot_f16_many(hd, qh, static_cast<int>(nt),
                                static_cast<const uint16_t*>(kr) + g * hd, dots);
                for (int64_t i = 0; i < nt; ++i) {
                  if (j >= kb[i] && j < ke[i]) scores[i * span + (j - lo)] = dots[i] * scale;
                }
                continue;
              }
              for (int64_t i = 0; i < nt; ++i) {
                if (j < kb[i] || j >= ke[i]) continue;
                const float s =
                    q8.vec_dot(hd, static_cast<const kernels::BlockQ8_0*>(kr) + g * q8_blocks,
                               &qq[i * (q8_blocks + 1)]);
                scores[i * span + (j - lo)] = s * scale;
              }
            }
            float* o[kTile];
            for (int64_t i = 0; i < nt; ++i) {
              ops::SoftmaxFast(scores.data() + i * span + (kb[i] - lo), ke[i] - kb[i]);
              o[i] = attn.data() + (t0 + i) * n_head * hdv + h * hdv;
            }
            if (single) {
              for (int64_t j = lo; j < hi;) {
                const int64_t run = run_at(j);
                if (half) {
                  kt.axpy_rows_f16(hdv, scores.data() + (j - lo), run,
                                   static_cast<const uint16_t*>(kv->V(layer, j)) + g * hdv,
                                   kv->v_width(), o[0]);
                  j += run;
                  continue;
                }
                const float* vrow_f =
                    kv != nullptr ? static_cast<const float*>(kv->V(layer, j)) : v.data() + j * vw;
                const float* vr = vrow_f + g * hdv;
                const int64_t stride = kv != nullptr ? kv->v_width() : vw;
                if (kt.axpy_rows_f32 != nullptr) {
                  kt.axpy_rows_f32(hdv, scores.data() + (j - lo), run, vr, stride, o[0]);
                } else {
                  for (int64_t r = 0; r < run; ++r) {
                    kt.axpy_f32(hdv, scores[j - lo + r], vr + r * stride, o[0]);
                  }
                }
                j += run;
              }
              continue;
            }
            for (int64_t j = lo; j < hi; ++j) {
              const void* vr = kv != nullptr ? kv->V(layer, j) : v.data() + j * vw;
              const float* vf = nullptr;
              const uint16_t* vh = nullptr;
              if (kv_type == KvType::kF32) {
                vf = static_cast<const float*>(vr) + g * hdv;
              } else if (kv_type == KvType::kF16) {
                vh = static_cast<const uint16_t*>(vr) + g * hdv;
              } else {
                q8.to_float(static_cast<const kernels::BlockQ8_0*>(vr) + g * hdv / 32, vrow.data(),
                            hdv);
                vf = vrow.data();
              }
              for (int64_t i = 0; i < nt; ++i) {
                if (j < kb[i] || j >= ke[i]) continue;
                const float a = scores[i * span + (j - lo)];
                if (vf != nullptr) {
                  kt.axpy_f32(hdv, a, vf, o[i]);
                } else {
                  kt.axpy_f16(hdv, a, vh, o[i]);
                }
              }
            }
          }
        }
      });
  ops::MatMul(w.o, attn.data(), n, out);
  if (w.o_bias) ops::AddBias(out, w.o_bias.F32(), n, hp.n_embd);
}

Result<FfnWeights> LoadSwiGlu(const WeightLoader& w, const std::string& prefix,
                              const std::string& suffix, int64_t n_embd, int64_t n_ff) {
  FfnWeights f;
  ARCHIVIST_ASSIGN_OR_RETURN(f.gate, w.Get(prefix + "ffn_gate" + suffix + ".weight", {n_embd, n_ff}));
  ARCHIVIST_ASSIGN_OR_RETURN(f.up, w.Get(prefix + "ffn_up" + suffix + ".weight", {n_embd, n_ff}));
  ARCHIVIST_ASSIGN_OR_RETURN(f.down, w.Get(prefix + "ffn_down" + suffix + ".weight", {n_ff, n_embd}));
  return f;
}

void SwiGlu(const FfnWeights& w, const float* x, int64_t n, float* out) {
  const int64_t n_ff = w.gate.n_out;
  std::vector<float> g(n * n_ff), u(n * n_ff);
  const ops::MatMulJob gate_up[] = {{&w.gate, 0, x, n, g.data()}, {&w.up, 0, x, n, u.data()}};
  ops::MatMulMany(gate_up);
  for (int64_t i = 0; i < n * n_ff; ++i) g[i] = ops::Silu(g[i]) * u[i];
  ops::MatMul(w.down, g.data(), n, out);
}

void GeluFfn(const FfnWeights& w, const float* x, int64_t n, float* out) {
  const int64_t n_ff = w.up.n_out;
  std::vector<float> u(n * n_ff);
  ops::MatMul(w.up, x, n, u.data());
  if (w.up_bias) ops::AddBias(u.data(), w.up_bias.F32(), n, n_ff);
  for (auto& v : u) v = ops::GeluReference(v);
  ops::MatMul(w.down, u.data(), n, out);
  if (w.down_bias) ops::AddBias(out, w.down_bias.F32(), n, w.down.n_out);
}

Result<MoeWeights> LoadMoe(const WeightLoader& w, int64_t l, const HParams& hp) {
  MoeWeights m;
  ARCHIVIST_ASSIGN_OR_RETURN(m.router, w.Get(Blk(l, "ffn_gate_inp.weight"), {hp.n_embd, hp.n_expert}));
  ARCHIVIST_ASSIGN_OR_RETURN(
      m.gate_exps, w.Get(Blk(l, "ffn_gate_exps.weight"), {hp.n_embd, hp.n_ff_exp, hp.n_expert}));
  ARCHIVIST_ASSIGN_OR_RETURN(
      m.up_exps, w.Get(Blk(l, "ffn_up_exps.weight"), {hp.n_embd, hp.n_ff_exp, hp.n_expert}));
  ARCHIVIST_ASSIGN_OR_RETURN(
      m.down_exps, w.Get(Blk(l, "ffn_down_exps.weight"), {hp.n_ff_exp, hp.n_embd, hp.n_expert}));
  return m;
}

void Moe(const MoeWeights& w, const MoeParams& p, const HParams& hp, const float* x, int64_t n,
         float* out) {
  const int64_t n_expert = hp.n_expert, k = hp.n_expert_used, d = hp.n_embd;
  const int64_t n_ff = w.gate_exps.n_out;
  std::vector<float> logits(n * n_expert);
  ops::MatMul(w.router, x, n, logits.data());

  // Routing: chosen experts (best first) and their weights per token.
  std::vector<int32_t> chosen(n * k);
  std::vector<float> weight(n * k);
  std::vector<int32_t> order(n_expert);
  std::vector<float> probs(n_expert);
  for (int64_t t = 0; t < n; ++t) {
    const float* lg = logits.data() + t * n_expert;
    if (p.router == RouterKind::kSoftmax) {
      std::copy_n(lg, n_expert, probs.data());
      ops::Softmax(probs.data(), n_expert);
    } else {
      for (int64_t e = 0; e < n_expert; ++e) probs[e] = 1.0f / (1.0f + std::exp(-lg[e]));
    }
    std::iota(order.begin(), order.end(), 0);
    // Ties keep the lower expert id first, as a stable descending sort does.
    std::stable_sort(order.begin(), order.end(),
                     [&](int32_t a, int32_t b) { return probs[a] > probs[b]; });
    float sum = 0;
    for (int64_t j = 0; j < k; ++j) {
      chosen[t * k + j] = order[j];
      weight[t * k + j] = probs[order[j]];
      sum += probs[order[j]];
    }
    if (p.renormalize) {
      sum = std::max(sum, 6.103515625e-5f);
      for (int64_t j = 0; j < k; ++j) weight[t * k + j] /= sum;
    }
  }

  // Group (token, slot) pairs by expert; run each expert once over its tokens.
  std::vector<std::vector<int64_t>> slots(n_expert);
  for (int64_t s = 0; s < n * k; ++s) slots[chosen[s]].push_back(s);
  std::vector<float> result(n * k * d, 0.0f);  // per slot, summed in slot order below
  struct ExpertWork {
    int64_t e, m;
    const float* in;  // the expert's input rows: x itself, or the gathered / scaled copy
    std::vector<float> x, g, u, y;
  };
  std::vector<ExpertWork> work;
  for (int64_t e = 0; e < n_expert; ++e) {
    const auto& sl = slots[e];
    if (sl.empty()) continue;
    ExpertWork ew;
    ew.e = e;
    ew.m = static_cast<int64_t>(sl.size());
    ew.g.resize(ew.m * n_ff);
    ew.u.resize(ew.m * n_ff);
    ew.y.resize(ew.m * d);
    if (ew.m == 1 && p.router != RouterKind::kSigmoidInput) {
      // Decoding: every expert reads the token's row itself, so MatMulMany converts it once.
      ew.in = x + (sl[0] / k) * d;
      work.push_back(std::move(ew));
      continue;
    }
    ew.x.resize(ew.m * d);
    ew.in = ew.x.data();
    for (int64_t i = 0; i < ew.m; ++i) {
      const float* src = x + (sl[i] / k) * d;
      const float s = p.router == RouterKind::kSigmoidInput ? weight[sl[i]] : 1.0f;
      for (int64_t c = 0; c < d; ++c) ew.x[i * d + c] = src[c] * s;
    }
    work.push_back(std::move(ew));
  }
  // Only the chosen experts' rows are read: gate and up of all of them in one parallel loop, then
  // all the down projections.
  std::vector<ops::MatMulJob> jobs;
  for (auto& ew : work) {
    jobs.push_back({&w.gate_exps, ew.e, ew.in, ew.m, ew.g.data()});
    jobs.push_back({&w.up_exps, ew.e, ew.in, ew.m, ew.u.data()});
  }
  ops::MatMulMany(jobs);
  jobs.clear();
  for (auto& ew : work) {
    for (int64_t i = 0; i < ew.m * n_ff; ++i) ew.g[i] = ops::Silu(ew.g[i]) * ew.u[i];
    jobs.push_back({&w.down_exps, ew.e, ew.g.data(), ew.m, ew.y.data()});
  }
  ops::MatMulMany(jobs);
  for (const auto& ew : work) {
    const auto& sl = slots[ew.e];
    for (int64_t i = 0; i < ew.m; ++i) {
      const float s = p.router == RouterKind::kSigmoidInput ? 1.0f : weight[sl[i]];
      float* dst = result.data() + sl[i] * d;
      for (int64_t c = 0; c < d; ++c) dst[c] = ew.y[i * d + c] * s;
    }
  }
  for (int64_t t = 0; t < n; ++t) {
    float* o = out + t * d;
    std::copy_n(result.data() + t * k * d, d, o);
    for (int64_t j = 1; j < k; ++j) Add(o, result.data() + (t * k + j) * d, d);
  }
}

void Embed(const Weight& token_embd, const TokenId* tokens, int64_t n, float* out) {
  const auto to_float = kernels::Active().types[static_cast<int>(token_embd.type)].to_float;
  for (int64_t t = 0; t < n; ++t) {
    to_float(token_embd.Row(tokens[t]), out + t * token_embd.n_in, token_embd.n_in);
  }
}

void Add(float* x, const float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] += y[i];
}

}  // namespace archivist::engine::blocks
