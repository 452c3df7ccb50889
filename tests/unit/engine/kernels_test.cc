// Every kernel of every available instruction set against the scalar reference, and the block
// layouts against the reference set's real files.
#include <gtest/gtest.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <cmath>
#include <cstring>
#include <random>

#include "archivist/engine/gguf.h"
#include "archivist/engine/quantize.h"
#include "kernels/blocks.h"
#include "kernels/fp16.h"
#include "kernels/kernels.h"
#include "oracle_util.h"

namespace archivist::engine {
namespace {

using kernels::Isa;

#if defined(__x86_64__)
__attribute__((target("f16c"))) float HwHalfToFloat(uint16_t h) { return _cvtsh_ss(h); }
__attribute__((target("f16c"))) uint16_t HwFloatToHalf(float f) {
  return _cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT);
}

bool HasF16c() { return __builtin_cpu_supports("f16c"); }

TEST(Fp16Test, EveryHalfDecodesLikeF16c) {
  if (!HasF16c()) GTEST_SKIP() << "CPU without F16C";
  for (uint32_t h = 0; h < 65536; ++h) {
    float a = kernels::Fp16ToFp32(static_cast<uint16_t>(h));
    float b = HwHalfToFloat(static_cast<uint16_t>(h));
    if (std::isnan(b)) {
      EXPECT_TRUE(std::isnan(a)) << h;
    } else {
      ASSERT_EQ(std::memcmp(&a, &b, 4), 0) << h;
    }
  }
}

TEST(Fp16Test, EncodingRoundsLikeF16c) {
  if (!HasF16c()) GTEST_SKIP() << "CPU without F16C";
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> bits;
  for (int i = 0; i < 2000000; ++i) {
    uint32_t u = bits(rng);
    // Bias towards the half range (exponents around 2^-30 .. 2^20), incl. subnormals and ties.
    if (i % 2) u = (u & 0x807FFFFF) | ((100 + (u >> 24) % 50) << 23);
    if (i % 7 == 0) u &= 0xFFFFF000;
    float f;
    std::memcpy(&f, &u, 4);
    if (std::isnan(f)) continue;
    ASSERT_EQ(kernels::Fp32ToFp16(f), HwFloatToHalf(f)) << std::hex << u;
  }
}

#endif  // __x86_64__

TEST(Fp16Test, Bf16RoundsToNearestEven) {
  EXPECT_EQ(kernels::Fp32ToBf16(1.0f), 0x3F80);
  uint32_t u = 0x3F808000;  // exactly half way: stays even
  float f;
  std::memcpy(&f, &u, 4);
  EXPECT_EQ(kernels::Fp32ToBf16(f), 0x3F80);
  u = 0x3F818000;  // half way from an odd mantissa: rounds up
  std::memcpy(&f, &u, 4);
  EXPECT_EQ(kernels::Fp32ToBf16(f), 0x3F82);
  EXPECT_EQ(kernels::Bf16ToFp32(0x4040), 3.0f);
}

std::vector<float> RandomFloats(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

const TensorType kWeightTypes[] = {TensorType::kF32,  TensorType::kF16,  TensorType::kBF16,
                                   TensorType::kQ8_0, TensorType::kQ4_0, TensorType::kQ4_K,
                                   TensorType::kQ5_K, TensorType::kQ6_K};

class KernelsTest : public ::testing::TestWithParam<TensorType> {};

// Quantize -> dequantize keeps values within what the type's step allows.
TEST_P(KernelsTest, QuantizeRoundTripError) {
  const TensorType type = GetParam();
  const int64_t n = 1024;
  auto x = RandomFloats(n, 1);
  auto q = QuantizeRows(type, x, n);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  std::vector<float> y(n);
  ASSERT_TRUE(DequantizeRow(type, q->data(), y.data(), n).ok());
  double err = 0, norm = 0;
  for (int64_t i = 0; i < n; ++i) {
    err += (x[i] - y[i]) * (x[i] - y[i]);
    norm += x[i] * x[i];
  }
  const double rel = std::sqrt(err / norm);
  const double bound = type == TensorType::kF32    ? 0
                       : type == TensorType::kF16  ? 1e-3
                       : type == TensorType::kBF16 ? 5e-3
                       : type == TensorType::kQ8_0 ? 1e-2
                       : type == TensorType::kQ6_K ? 4e-2
                       : type == TensorType::kQ5_K ? 6e-2
                                                   : 0.15;
  EXPECT_LE(rel, bound) << TensorTypeName(type);
}

// Every ISA's dot product equals the scalar reference (up to float summation order), and the
// scalar reference equals the double-precision dot of the dequantized rows.
TEST_P(KernelsTest, DotMatchesScalarReference) {
  const TensorType type = GetParam();
  const auto& ref = kernels::ForIsa(Isa::kScalar).types[static_cast<int>(type)];
  const auto& act = kernels::ForIsa(Isa::kScalar).types[static_cast<int>(ref.vec_dot_type)];
  for (int64_t n : {256, 512, 4096, 4096 + 256}) {
    for (uint32_t seed = 0; seed < 6; ++seed) {
      auto w = RandomFloats(n, 100 + seed);
      auto x = RandomFloats(n, 200 + seed, seed % 2 ? 3.0f : 0.01f);
      auto wq = QuantizeRows(type, w, n);
      ASSERT_TRUE(wq.ok());
      if (seed == 5 && type != TensorType::kF32 && type != TensorType::kF16 &&
          type != TensorType::kBF16) {
        // Raw random bytes (with sane fp16 scales) reach every bit pattern of the quants.
        std::mt19937 rng(seed);
        for (auto& c : *wq) c = static_cast<char>(rng());
        const auto info = GetTensorTypeInfo(type);
        for (size_t b = 0; b < wq->size() / info.type_size; ++b) {
          uint8_t* blk = reinterpret_cast<uint8_t*>(wq->data()) + b * info.type_size;
          uint16_t d = kernels::Fp32ToFp16(0.01f), dm = kernels::Fp32ToFp16(0.003f);
          if (type == TensorType::kQ6_K) {
            std::memcpy(blk + 208, &d, 2);
          } else {
            std::memcpy(blk, &d, 2);
            if (type == TensorType::kQ4_K || type == TensorType::kQ5_K) std::memcpy(blk + 2, &dm, 2);
          }
        }
      }
      const auto act_bytes = TensorRowBytes(ref.vec_dot_type, n);
      ASSERT_TRUE(act_bytes.has_value());
      std::string xq(*act_bytes, '\0');
      act.from_float(x.data(), xq.data(), n);

      std::vector<float> wd(n), xd(n);
      ref.to_float(wq->data(), wd.data(), n);
      act.to_float(xq.data(), xd.data(), n);
      double exact = 0, mag = 0;
      for (int64_t i = 0; i < n; ++i) {
        exact += static_cast<double>(wd[i]) * xd[i];
        mag += std::fabs(static_cast<double>(wd[i]) * xd[i]);
      }
      const float r = ref.vec_dot(n, wq->data(), xq.data());
      EXPECT_NEAR(r, exact, 2e-6 * mag + 1e-30) << TensorTypeName(type) << " n=" << n;
      for (Isa isa : {Isa::kAvx2, Isa::kAvx512}) {
        if (!kernels::IsaAvailable(isa)) continue;
        const auto& k = kernels::ForIsa(isa).types[static_cast<int>(type)];
        const float got = k.vec_dot(n, wq->data(), xq.data());
        EXPECT_NEAR(got, r, 2e-6 * mag + 1e-30)
            << TensorTypeName(type) << " " << kernels::IsaName(isa) << " n=" << n << " seed=" << seed;
        // Activation converters and dequantizers of the ISA give identical bytes / values.
        const auto& ka = kernels::ForIsa(isa).types[static_cast<int>(ref.vec_dot_type)];
        std::string xq2(*act_bytes, '\0');
        ka.from_float(x.data(), xq2.data(), n);
        EXPECT_EQ(xq2, xq) << kernels::IsaName(isa);
        std::vector<float> wd2(n);
        k.to_float(wq->data(), wd2.data(), n);
        EXPECT_EQ(wd2, wd) << kernels::IsaName(isa);
        // The multi-row kernel equals the single-row one for each row, for every tile size.
        if (k.vec_dot_many != nullptr) {
          for (int nx : {1, 3, 4, 7}) {
            std::string xs;
            for (int r = 0; r < nx; ++r) {
              auto xr = RandomFloats(n, 300 + r, 1.0f);
              std::string q(*act_bytes, '\0');
              ka.from_float(xr.data(), q.data(), n);
              xs += q;
            }
            std::vector<float> many(nx);
            k.vec_dot_many(n, wq->data(), xs.data(), *act_bytes, nx, many.data());
            for (int r = 0; r < nx; ++r) {
              EXPECT_EQ(many[r], k.vec_dot(n, wq->data(), xs.data() + r * *act_bytes))
                  << TensorTypeName(type) << " " << kernels::IsaName(isa) << " nx=" << nx;
            }
          }
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, KernelsTest, ::testing::ValuesIn(kWeightTypes),
                         [](const auto& info) { return std::string(TensorTypeName(info.param)); });

TEST(KernelsTest, ActivationQuantizationFollowsTheReference) {
  // Q8_0: d = max|x| / 127 as fp16, q = round-half-even(x * 127 / max|x|).
  std::vector<float> x(32, 0.0f);
  x[0] = -2.54f;
  x[1] = 0.01f;   // 0.01 * 50 = 0.5 -> ties to even: 0
  x[2] = 0.03f;   // 1.5 -> 2
  x[3] = 2.54f;
  kernels::BlockQ8_0 b;
  kernels::ForIsa(Isa::kScalar).types[static_cast<int>(TensorType::kQ8_0)].from_float(x.data(), &b, 32);
  EXPECT_EQ(b.qs[0], -127);
  EXPECT_EQ(b.qs[1], 0);
  EXPECT_EQ(b.qs[2], 2);
  EXPECT_EQ(b.qs[3], 127);
  EXPECT_EQ(b.d, kernels::Fp32ToFp16(2.54f / 127.f));
  // Q8_K: iscale = -127 / (signed extreme), so the extreme always maps to -127 and d carries the
  // sign.
  std::vector<float> y(256, 0.5f);
  y[7] = -4.0f;
  kernels::BlockQ8_K k;
  const auto& q8k = kernels::ForIsa(Isa::kScalar).types[static_cast<int>(TensorType::kQ8_K)];
  q8k.from_float(y.data(), &k, 256);
  EXPECT_EQ(k.qs[7], -127);
  EXPECT_EQ(k.qs[0], 16);  // 0.5 * 31.75 = 15.875 -> 16
  EXPECT_FLOAT_EQ(k.d, 1.0f / 31.75f);
  EXPECT_EQ(k.bsums[0], 15 * 16 - 127);
  y[7] = 4.0f;
  q8k.from_float(y.data(), &k, 256);
  EXPECT_EQ(k.qs[7], -127);
  EXPECT_EQ(k.qs[0], -16);
  EXPECT_FLOAT_EQ(k.d, -1.0f / 31.75f);
}

// The quantized files of the reference set hold the same random weights as the F32 files, so the
// dequantized tensors must be close to them: this checks every block layout on real data.
TEST(KernelsOracleTest, DequantizedOracleTensorsMatchF32) {
  ARCHIVIST_SKIP_WITHOUT_ORACLE();
  for (const char* model : {"llama4_moe_dev", "qwen2moe_dev", "bert_dev", "llama_dense_dev"}) {
    auto f32 = GgufFile::Open(testing::OracleDir() + "/models/" + model + ".f32.gguf");
    ASSERT_TRUE(f32.ok());
    for (const char* variant : {"q8_0", "q4_k_m"}) {
      auto q = GgufFile::Open(testing::OracleDir() + "/models/" + model + "." + variant + ".gguf");
      ASSERT_TRUE(q.ok());
      for (const auto& t : (*q)->tensors()) {
        const GgufTensorInfo* ref = (*f32)->FindTensor(t.name);
        ASSERT_NE(ref, nullptr);
        ASSERT_TRUE(IsComputableType(t.type)) << t.name << " " << TensorTypeName(t.type);
        std::vector<float> a(t.n_elements), b(ref->n_elements);
        ASSERT_TRUE(DequantizeRow(t.type, t.data, a.data(), t.n_elements).ok());
        std::memcpy(b.data(), ref->data, 4 * b.size());
        double err = 0, norm = 0;
        for (size_t i = 0; i < a.size(); ++i) {
          err += (a[i] - b[i]) * (a[i] - b[i]);
          norm += b[i] * b[i];
        }
        const double rel = std::sqrt(err / std::max(norm, 1e-30));
        const double bound = t.type == TensorType::kF32    ? 0.0
                             : t.type == TensorType::kQ8_0 ? 0.01
                             : t.type == TensorType::kQ6_K ? 0.03
                             : t.type == TensorType::kQ5_K ? 0.05
                                                           : 0.12;
        EXPECT_LE(rel, bound) << model << "." << variant << " " << t.name << " "
                              << TensorTypeName(t.type);
      }
    }
  }
}

}  // namespace
}  // namespace archivist::engine

namespace archivist::engine {
namespace {

// The float helpers of attention (F32 and F16 K/V rows) against the scalar reference.
TEST(KernelsTest, AttentionHelpersMatchScalar) {
  const auto& ref = kernels::ForIsa(kernels::Isa::kScalar);
  for (kernels::Isa isa : {kernels::Isa::kAvx2, kernels::Isa::kAvx512}) {
    if (!kernels::IsaAvailable(isa)) continue;
    const auto& k = kernels::ForIsa(isa);
    for (int64_t n : {1, 15, 64, 128, 131}) {
      auto a = RandomFloats(n, 1), b = RandomFloats(n, 2);
      std::vector<uint16_t> bh(n);
      for (int64_t i = 0; i < n; ++i) bh[i] = kernels::Fp32ToFp16(b[i]);
      double mag = 0;
      for (int64_t i = 0; i < n; ++i) mag += std::fabs(a[i] * b[i]);
      EXPECT_NEAR(k.dot_f32(n, a.data(), b.data()), ref.dot_f32(n, a.data(), b.data()), 1e-6 * mag);
      // F16 weights x F16-rounded activations widened to F32 == the F16 x F16 dot.
      {
        std::vector<uint16_t> ah(n);
        std::vector<float> bw(n);
        for (int64_t i = 0; i < n; ++i) {
          ah[i] = kernels::Fp32ToFp16(a[i]);
          bw[i] = kernels::Fp16ToFp32(bh[i]);
        }
        const auto& f16 = ref.types[static_cast<int>(TensorType::kF16)];
        const float want = f16.vec_dot(n, ah.data(), bh.data());
        EXPECT_NEAR(k.dot_f16_f32(n, ah.data(), bw.data()), want, 1e-6 * mag + 1e-6);
        EXPECT_NEAR(ref.dot_f16_f32(n, ah.data(), bw.data()), want, 1e-6 * mag + 1e-6);
        if (k.dot_f16_f32_many != nullptr) {
          float many[3];
          std::vector<float> rows;
          for (int r = 0; r < 3; ++r) rows.insert(rows.end(), bw.begin(), bw.end());
          k.dot_f16_f32_many(n, ah.data(), rows.data(), n * sizeof(float), 3, many);
          for (float m : many) EXPECT_EQ(m, k.dot_f16_f32(n, ah.data(), bw.data()));
        }
      }
      for (int na : {1, 5, 8}) {
        std::vector<std::vector<float>> rows;
        std::vector<const float*> ptrs;
        for (int i = 0; i < na; ++i) rows.push_back(RandomFloats(n, 10 + i));
        for (auto& r : rows) ptrs.push_back(r.data());
        float got[8], want[8];
        k.dot_f32_many(n, ptrs.data(), na, b.data(), got);
        ref.dot_f32_many(n, ptrs.data(), na, b.data(), want);
        for (int i = 0; i < na; ++i) {
          EXPECT_NEAR(got[i], want[i], 1e-5 * (1 + std::fabs(want[i]))) << "na=" << na << " n=" << n;
        }
      }
      EXPECT_NEAR(k.dot_f32_f16(n, a.data(), bh.data()), ref.dot_f32_f16(n, a.data(), bh.data()),
                  1e-6 * mag + 1e-6);
      std::vector<float> y1 = a, y2 = a, y3 = a, y4 = a;
      k.axpy_f32(n, 0.37f, b.data(), y1.data());
      ref.axpy_f32(n, 0.37f, b.data(), y2.data());
      k.axpy_f16(n, -1.5f, bh.data(), y3.data());
      ref.axpy_f16(n, -1.5f, bh.data(), y4.data());
      for (int64_t i = 0; i < n; ++i) {
        EXPECT_NEAR(y1[i], y2[i], 1e-6f) << kernels::IsaName(isa);
        EXPECT_NEAR(y3[i], y4[i], 1e-6f) << kernels::IsaName(isa);
      }
      // A single query's value sum over strided rows equals the same ISA's axpy sequence, bit
      // for bit (decode and prompt tiles must agree exactly).
      for (int64_t m : {1, 7, 40}) {
        if (k.axpy_rows_f32 == nullptr) break;
        const int64_t stride = n + 3;
        auto rows = RandomFloats(m * stride, 20 + m), coef = RandomFloats(m, 30 + m);
        std::vector<float> seq = a, fused = a;
        for (int64_t r = 0; r < m; ++r) {
          k.axpy_f32(n, coef[r], rows.data() + r * stride, seq.data());
        }
        k.axpy_rows_f32(n, coef.data(), m, rows.data(), stride, fused.data());
        EXPECT_EQ(fused, seq) << kernels::IsaName(isa) << " n=" << n << " m=" << m;
        // Likewise a single query's dots with strided key rows against the tile kernel.
        if (k.dot_rows_f32 == nullptr) continue;
        std::vector<float> dots(m), want(m);
        const float* q = a.data();
        k.dot_rows_f32(n, q, m, rows.data(), stride, dots.data());
        for (int64_t r = 0; r < m; ++r) {
          k.dot_f32_many(n, &q, 1, rows.data() + r * stride, &want[r]);
        }
        EXPECT_EQ(dots, want) << kernels::IsaName(isa) << " n=" << n << " m=" << m;
      }
    }
  }
}

// The softmax exp of every table within 2 ulp of std::exp from deep underflow to near overflow
// (ulps counted as the distance of the bit patterns, so denormal results are held to the same
// bound), and the returned sum within float rounding of the exact sum.
TEST(KernelsTest, ExpShiftedSumIsWithinTwoUlp) {
  for (kernels::Isa isa : {kernels::Isa::kScalar, kernels::Isa::kAvx2, kernels::Isa::kAvx512}) {
    if (!kernels::IsaAvailable(isa)) continue;
    const auto& k = kernels::ForIsa(isa);
    ASSERT_NE(k.exp_shifted_sum, nullptr);
    constexpr int64_t kN = 200001;  // not a multiple of 16: the masked tail is covered
    std::vector<float> x(kN);
    for (int64_t i = 0; i < kN; ++i) x[i] = -103.0f + 191.5f * static_cast<float>(i) / (kN - 1);
    for (float shift : {0.0f, 3.25f}) {
      std::vector<float> y = x;
      k.exp_shifted_sum(kN, y.data(), shift);
      int64_t worst = 0;
      for (int64_t i = 0; i < kN; ++i) {
        const float want = std::exp(x[i] - shift);
        int32_t a, b;
        std::memcpy(&a, &y[i], 4);
        std::memcpy(&b, &want, 4);
        const int64_t ulp = std::abs(static_cast<int64_t>(a) - b);
        EXPECT_LE(ulp, 2) << kernels::IsaName(isa) << " x=" << x[i] << " got " << y[i] << " want "
                          << want;
        worst = std::max(worst, ulp);
        if (ulp > 2) break;
      }
      std::printf("  %-6s exp: max %lld ulp over [-103, 88.5] - %.2f\n", kernels::IsaName(isa).data(),
                  static_cast<long long>(worst), shift);
    }
    // Softmax inputs: scores minus their maximum, so every value is at most 1.
    std::vector<float> scores(1001);
    for (size_t i = 0; i < scores.size(); ++i) scores[i] = std::sin(0.37f * i) * 12.0f;
    double exact_sum = 0;
    for (float v : scores) exact_sum += std::exp(v - 12.0f);
    EXPECT_NEAR(k.exp_shifted_sum(1001, scores.data(), 12.0f), exact_sum, 1e-6 * exact_sum)
        << kernels::IsaName(isa);
  }
}

// F16 KV cache attention: the tile kernel against the scalar reference, and the single-query
// kernels bit for bit against the tile kernel / the axpy sequence of the same table (a token
// decoded alone must get the logits it gets inside a prompt tile). Every table has them.
TEST(KernelsTest, F16AttentionKernelsMatchTileAndScalar) {
  const auto& ref = kernels::ForIsa(kernels::Isa::kScalar);
  for (kernels::Isa isa : {kernels::Isa::kScalar, kernels::Isa::kAvx2, kernels::Isa::kAvx512}) {
    if (!kernels::IsaAvailable(isa)) continue;
    const auto& k = kernels::ForIsa(isa);
    ASSERT_NE(k.dot_f16_many, nullptr);
    ASSERT_NE(k.dot_rows_f16, nullptr);
    ASSERT_NE(k.axpy_rows_f16, nullptr);
    for (int64_t n : {1, 15, 64, 128, 131, 256}) {
      for (int64_t m : {1, 3, 4, 9, 40}) {
        const int64_t stride = n + 5;  // rows of several heads: the slice is strided
        auto rows_f = RandomFloats(m * stride, 50 + m);
        std::vector<uint16_t> rows(rows_f.size());
        for (size_t i = 0; i < rows.size(); ++i) rows[i] = kernels::Fp32ToFp16(rows_f[i]);
        std::vector<std::vector<float>> qs;
        std::vector<const float*> qp;
        for (int i = 0; i < 8; ++i) qs.push_back(RandomFloats(n, 60 + i));
        for (auto& q : qs) qp.push_back(q.data());
        const std::string where = std::string(kernels::IsaName(isa)) + " n=" + std::to_string(n) +
                                  " m=" + std::to_string(m);
        std::vector<float> single(m), tile(m);
        k.dot_rows_f16(n, qp[0], m, rows.data(), stride, single.data());
        for (int64_t r = 0; r < m; ++r) {
          for (int nq : {1, 5, 8}) {
            float got[8];
            k.dot_f16_many(n, qp.data(), nq, rows.data() + r * stride, got);
            if (nq == 8) tile[r] = got[0];
            for (int i = 0; i < nq; ++i) {
              const float want = ref.dot_f32_f16(n, qp[i], rows.data() + r * stride);
              double mag = 0;
              for (int64_t c = 0; c < n; ++c) {
                mag += std::fabs(qp[i][c] * kernels::Fp16ToFp32(rows[r * stride + c]));
              }
              EXPECT_NEAR(got[i], want, 1e-6 * mag + 1e-6) << where << " nq=" << nq;
              // A query's sum does not depend on the others in its tile.
              if (nq == 8) {
                float alone;
                k.dot_f16_many(n, &qp[i], 1, rows.data() + r * stride, &alone);
                EXPECT_EQ(got[i], alone) << where;
              }
            }
          }
        }
        EXPECT_EQ(single, tile) << where;
        auto coef = RandomFloats(m, 70 + m);
        std::vector<float> seq = qs[1], fused = qs[1], scalar = qs[1];
        for (int64_t r = 0; r < m; ++r)
          k.axpy_f16(n, coef[r], rows.data() + r * stride, seq.data());
        k.axpy_rows_f16(n, coef.data(), m, rows.data(), stride, fused.data());
        EXPECT_EQ(fused, seq) << where;
        ref.axpy_rows_f16(n, coef.data(), m, rows.data(), stride, scalar.data());
        for (int64_t c = 0; c < n; ++c) EXPECT_NEAR(fused[c], scalar[c], 1e-5f * m) << where;
      }
    }
  }
}

}  // namespace
}  // namespace archivist::engine
