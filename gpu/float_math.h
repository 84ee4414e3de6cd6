// The elementwise and per-row steps of the gpu float and bf16 profiles (issue 13;
// docs/numerics.md §15.2), one __host__ __device__ definition each: the kernels of
// gpu/k_float_*.cu call them on the device, their CPU twins (gpu/float_twins.h) call the
// g++-compiled copy, and tests/gpu compares the two byte for byte. Every transcendental goes
// through numerics/numerics.h (exp_exact, silu), whose device and host bits are already
// pinned equal, and every other operation is a correctly rounded fp32 op in a fixed order (the
// CUDA flags forbid contraction: --fmad=false), so the twins agree bit for bit.
//
// Not the cpu float model's arithmetic: reference/float_model.cpp uses std::exp, these use
// exp_exact; the float profiles promise no cross-backend bytes (their GEMMs differ anyway).
#pragma once

#include <cstdint>
#include <cstring>

#include "numerics/numerics.h"

namespace lockstep::gpu::float_math {

LOCKSTEP_HD std::uint32_t float_to_bits(float x) {
#if defined(__CUDA_ARCH__)
  return __float_as_uint(x);
#else
  std::uint32_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
#endif
}

// numerics/bf16.h round_to_bf16 (nearest, ties to even; NaN stays a quiet NaN of its sign):
// the value an fp32 number keeps once stored in bf16.
LOCKSTEP_HD float round_bf16(float x) {
  std::uint32_t bits = float_to_bits(x);
  if ((bits & 0x7fffffffU) > 0x7f800000U)
    return numerics::bits_to_float((bits | 0x00400000U) & 0xffff0000U);
  bits += 0x7fffU + ((bits >> 16) & 1U);
  return numerics::bits_to_float(bits & 0xffff0000U);
}

// The 16 bits cuBLAS reads as CUDA_R_16BF for `x` rounded to bf16.
LOCKSTEP_HD std::uint16_t bf16_bits(float x) {
  return static_cast<std::uint16_t>(float_to_bits(round_bf16(x)) >> 16);
}

// A dequantized generated weight: (float)value * channel scale, one rounding (the cpu float
// profile's WeightStore::dequantized).
LOCKSTEP_HD float dequantized_weight(std::int8_t value, float scale) {
  return static_cast<float>(value) * scale;
}

// 1 / sqrt(mean(x^2) + eps) of one row, the squares summed in index order.
LOCKSTEP_HD float rms_inverse(const float* x, int d, float eps) {
  float sum = 0.0f;
  for (int j = 0; j < d; ++j) sum += x[j] * x[j];
  return 1.0f / sqrtf(sum / static_cast<float>(d) + eps);
}

// One normalized element: (x * r) * gain.
LOCKSTEP_HD float rms_apply(float x, float r, float gain) {
  return x * r * gain;
}

// silu(gate) * up.
LOCKSTEP_HD float swiglu(float gate, float up) {
  return numerics::silu(gate) * up;
}

// One query token and head over its visible slots: scores q.k * scale in fp32 (the head's dot
// in index order), softmax by exp_exact against the running max, then sum_s p_s * V[s] in slot
// order. `k` and `v` point at slot 0 of this layer and kv head ([S, kv_width] rows);
// `weights` holds `count` floats.
LOCKSTEP_HD void attend(const float* q, const float* k, const float* v, int kv_width, int head_dim,
                        const std::int32_t* slots, int count, float scale, float* weights,
                        float* out) {
  float max_score = -INFINITY;
  for (int s = 0; s < count; ++s) {
    const float* key = k + static_cast<std::int64_t>(slots[s]) * kv_width;
    float dot = 0.0f;
    for (int d = 0; d < head_dim; ++d) dot += q[d] * key[d];
    weights[s] = dot * scale;
    if (max_score < weights[s]) max_score = weights[s];
  }
  float sum = 0.0f;
  for (int s = 0; s < count; ++s) {
    weights[s] = numerics::exp_exact(weights[s] - max_score);
    sum += weights[s];
  }
  for (int d = 0; d < head_dim; ++d) out[d] = 0.0f;
  for (int s = 0; s < count; ++s) {
    const float* value = v + static_cast<std::int64_t>(slots[s]) * kv_width;
    const float p = weights[s] / sum;
    for (int d = 0; d < head_dim; ++d) out[d] += p * value[d];
  }
}

}  // namespace lockstep::gpu::float_math
