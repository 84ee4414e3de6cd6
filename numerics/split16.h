// The elementwise functions of the loaded-weights path (docs/numerics.md §13): activations
// quantized per token to 16-bit integers, split into two int8 digits in radix 255 so that ONE
// int8 x int8 -> int32 GEMM over 2N rows (weights read once) computes both halves, recombined
// exactly in int64. Radix 255 (not 256) keeps both digits in [-127, 127], so every bound of
// §3 and every int8 GEMM kernel (CPU and cuBLASLt) holds unchanged.
// Like numerics.h, __host__ __device__ under nvcc and nothing but the C++ headers it includes.
// Not here: the generated-weights path (numerics.h alone), tables and scales (host_math.h).
#pragma once

#include <cstdint>

#include "numerics/numerics.h"

namespace lockstep::numerics {

// The largest 16-bit magnitude: 127 * 256, so that q = 255 * hi + lo with hi, lo in
// [-127, 127] (hi = 127, lo = 127 reaches 32512 exactly).
constexpr int kSplitMax = 32512;
constexpr int kSplitRadix = 255;

// Per-token scale of the 16-bit activations: amax / 32512; all-zero (or denormal-only) rows
// get scale 1, as activation_scale does for int8.
LOCKSTEP_HD float split_scale(float amax) {
  return amax >= 1.17549435e-38f ? amax / 32512.0f : 1.0f;
}

// Clamp to [-32512, 32512] (NaN -> 0), then round half to even.
LOCKSTEP_HD std::int32_t to_split16(float x) {
  if (!(x > -32512.0f)) x = x == x ? -32512.0f : 0.0f;
  if (x > 32512.0f) x = 32512.0f;
  return static_cast<std::int32_t>(round_even(x));
}

LOCKSTEP_HD std::int32_t quantize_split16(float x, float scale) {
  return to_split16(x / scale);
}

// q = 255 * hi + lo: hi = floor((q + 127) / 255) (the shift by 255 * 128 keeps the integer
// division's numerator non-negative), lo = q - 255 * hi; both in [-127, 127] for |q| <= 32512.
LOCKSTEP_HD std::int8_t split_high(std::int32_t q) {
  return static_cast<std::int8_t>((q + 127 + 255 * 128) / 255 - 128);
}
LOCKSTEP_HD std::int8_t split_low(std::int32_t q) {
  return static_cast<std::int8_t>(q - 255 * static_cast<std::int32_t>(split_high(q)));
}

// The exact product of a 16-bit row and an int8 channel from the two int8 accumulators.
LOCKSTEP_HD std::int64_t combine_split(std::int32_t acc_high, std::int32_t acc_low) {
  return static_cast<std::int64_t>(acc_high) * 255 + acc_low;
}

// dequantize for an int64 accumulator: (float)acc rounded once, times (channel * token).
LOCKSTEP_HD float dequantize_split(std::int64_t acc, float channel_scale, float token_scale) {
  const float scale = channel_scale * token_scale;
  return static_cast<float>(acc) * scale;
}

// RMSNorm factor of a 16-bit row with the model file's epsilon, which is in units of x^2:
// in units of q^2 it is eps / scale^2, formed as (eps / scale) / scale (no underflow of
// scale^2 for tiny scales; an overflow to inf gives the factor 0, the limit of x / sqrt(eps)
// for x -> 0 at this resolution). r = 1 / sqrt(sum(q^2) / d + eps_q).
LOCKSTEP_HD float rms_factor_split(std::int64_t sum_of_squares, int d, float eps, float scale) {
  const float eps_q = eps / scale / scale;
  const float mean = static_cast<float>(sum_of_squares) / static_cast<float>(d);
  return 1.0f / sqrtf(mean + eps_q);
}

// The loaded path's attention (§13.5): q of each (token, head) quantized to 16 bits with
// split_scale / quantize_split16 (kept whole as one int32, not split: the score q16 . k8 is a
// plain integer sum, |acc| <= 32512 * 127 * D < 2^31 for D <= kWideMaxHeadDim), softmax
// weights of 15 bits, and P.V and the normalizer summed in int64 (32767 * 127 per slot would
// leave int32 past 516 slots).
constexpr int kWideSoftmaxMax = 32767;
constexpr int kWideMaxHeadDim = 512;

// rint(32767 * exp(score - max)): 32767 for the maximum score, 0 once the product is <= 0.5.
LOCKSTEP_HD std::int32_t softmax_weight_wide(float score, float max_score) {
  return softmax_weight_of(score, max_score, 32767.0f);
}

// attention_output with int64 sums (cvtsi2ss / __ll2float_rn: one correct rounding each).
LOCKSTEP_HD float attention_output_wide(std::int64_t weighted_sum, std::int64_t normalizer,
                                        float v_scale) {
  return attention_output_of(weighted_sum, normalizer, v_scale);
}

}  // namespace lockstep::numerics
