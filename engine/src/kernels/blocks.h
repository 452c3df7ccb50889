#pragma once
// On-disk block layouts of the quantized types (GGUF / ggml), byte-exact.

#include <cstdint>

namespace archivist::engine::kernels {

constexpr int kQK8_0 = 32;
constexpr int kQK4_0 = 32;
constexpr int kQK_K = 256;

struct BlockQ8_0 {
  uint16_t d;  // fp16
  int8_t qs[kQK8_0];
};
static_assert(sizeof(BlockQ8_0) == 34);

struct BlockQ4_0 {
  uint16_t d;  // fp16
  uint8_t qs[kQK4_0 / 2];
};
static_assert(sizeof(BlockQ4_0) == 18);

struct BlockQ4_K {
  uint16_t d;     // fp16 super-block scale
  uint16_t dmin;  // fp16 super-block scale of the mins
  uint8_t scales[12];
  uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(BlockQ4_K) == 144);

struct BlockQ5_K {
  uint16_t d;
  uint16_t dmin;
  uint8_t scales[12];
  uint8_t qh[kQK_K / 8];
  uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(BlockQ5_K) == 176);

struct BlockQ6_K {
  uint8_t ql[kQK_K / 2];
  uint8_t qh[kQK_K / 4];
  int8_t scales[kQK_K / 16];
  uint16_t d;
};
static_assert(sizeof(BlockQ6_K) == 210);

// Activation blocks for the K-quant dot products.
struct BlockQ8_K {
  float d;
  int8_t qs[kQK_K];
  int16_t bsums[kQK_K / 16];  // sums of each group of 16 qs
};
static_assert(sizeof(BlockQ8_K) == 292);

// The 6-bit scale and min of sub-block j of a Q4_K/Q5_K block.
inline void ScaleMinK4(int j, const uint8_t* q, uint8_t* sc, uint8_t* m) {
  if (j < 4) {
    *sc = q[j] & 63;
    *m = q[j + 4] & 63;
  } else {
    *sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
    *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
  }
}

// The fields of block i of a Q4_K or Q5_K row (qh is null for Q4_K), so one kernel body serves both.
struct K45Fields {
  const uint8_t* scales;
  const uint8_t* qs;
  const uint8_t* qh;
  uint16_t d, dmin;
};

template <bool kFiveBit>
inline K45Fields K45BlockFields(const void* w, int64_t i) {
  if constexpr (kFiveBit) {
    const BlockQ5_K& a = static_cast<const BlockQ5_K*>(w)[i];
    return {a.scales, a.qs, a.qh, a.d, a.dmin};
  } else {
    const BlockQ4_K& a = static_cast<const BlockQ4_K*>(w)[i];
    return {a.scales, a.qs, nullptr, a.d, a.dmin};
  }
}

}  // namespace archivist::engine::kernels
