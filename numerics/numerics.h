// The elementwise half of the "exact" numerics contract (docs/numerics.md), written once for
// the CPU reference (reference/ops.cpp) and the CUDA runtime (gpu/k_*.cu). Compiled by nvcc, every
// function is
// __host__ __device__; the file includes nothing but <cmath>, <cstdint> and <cstring> so a
// .cu file can include it unchanged.
//
// Rules every function obeys, so that any IEEE-754 binary32 implementation that rounds each
// operation correctly to nearest-even (x86-64 SSE; CUDA with --fmad=false --prec-div=true
// --prec-sqrt=true --ftz=false) produces the same bits:
//   * only +, -, *, / and sqrt, each rounded once, in the order written (no FMA contraction:
//     -ffp-contract=off / --fmad=false);
//   * no library transcendental: exp is our own range reduction and polynomial, 2^n is built
//     from exponent bits, RoPE tables are built on the host;
//   * float -> int conversions clamp first, then round half to even (rintf / __float2int_rn);
//   * int -> float conversions are the correctly rounded ones (static_cast / __int2float_rn).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define LOCKSTEP_HD __host__ __device__ inline
#else
#define LOCKSTEP_HD inline
#endif

namespace lockstep::numerics {

constexpr int kInt8Max = 127;
// Bound on K for an int8 x int8 dot product: 127 * 127 * K < 2^31 holds up to K = 133144;
// 2^17 is the round, conservative limit every shape check uses.
constexpr int kMaxExactK = 131072;

LOCKSTEP_HD float bits_to_float(std::uint32_t bits) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(bits);
#else
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
#endif
}

// Round half to even, the one rounding of every float -> int conversion.
LOCKSTEP_HD float round_even(float x) {
#if defined(__CUDA_ARCH__)
  return rintf(x);
#else
  return std::rint(x);
#endif
}

// Clamp to [-127, 127], then round half to even. NaN maps to 0 (callers reject NaN earlier;
// the clamp must still never produce an out-of-range value).
LOCKSTEP_HD std::int8_t to_int8(float x) {
  if (!(x > -127.0f)) x = x == x ? -127.0f : 0.0f;
  if (x > 127.0f) x = 127.0f;
  return static_cast<std::int8_t>(static_cast<int>(round_even(x)));
}

// Per-token (or per-head) activation scale: amax / 127. A vector whose amax is below the
// smallest normal float counts as all-zero (scale 1, so quantization yields exact zeros):
// amax / 127 would otherwise be denormal or even 0.
LOCKSTEP_HD float activation_scale(float amax) {
  return amax >= 1.17549435e-38f ? amax / 127.0f : 1.0f;
}

// q = to_int8(x / scale): one correctly rounded division, then clamp and round.
LOCKSTEP_HD std::int8_t quantize(float x, float scale) {
  return to_int8(x / scale);
}

// An exact int32 accumulator back to float: (float)acc * (channel_scale * token_scale).
LOCKSTEP_HD float dequantize(std::int32_t acc, float channel_scale, float token_scale) {
  const float scale = channel_scale * token_scale;
  return static_cast<float>(acc) * scale;
}

// RMSNorm as a per-token factor on the int8 quantized hidden state q (the gain is folded into
// the next projection): r = 1 / sqrt(sum(q^2) / d + eps). The sum is exact (int64); eps is in
// units of q^2 (int8 units), not of the float hidden state.
LOCKSTEP_HD float rms_factor(std::int64_t sum_of_squares, int d) {
  const float mean = static_cast<float>(sum_of_squares) / static_cast<float>(d);
  return 1.0f / sqrtf(mean + 1.0e-6f);
}

// exp(x) for x in float, own implementation: x is clamped to [-87, 88]; n = rint(x / ln 2);
// r = (x - n * ln2_hi) - n * ln2_lo; a degree-6 Taylor polynomial in Horner form; the result
// times 2^n built from exponent bits. Below -87 the result is exactly 0 (never a denormal).
LOCKSTEP_HD float exp_exact(float x) {
  if (!(x >= -87.0f)) return x != x ? x : 0.0f;  // NaN stays NaN (callers reject it), no UB cast
  if (x > 88.0f) x = 88.0f;
  const float n = round_even(x * 1.44269502f);
  const float r = (x - n * 0.693145752f) - n * 1.42860677e-06f;
  float p = 1.38888889e-03f;    // 1/720
  p = p * r + 8.33333377e-03f;  // 1/120
  p = p * r + 4.16666679e-02f;  // 1/24
  p = p * r + 1.66666672e-01f;  // 1/6
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int e = static_cast<int>(n);
  if (e < -126) return 0.0f;
  return p * bits_to_float(static_cast<std::uint32_t>(e + 127) << 23);
}

// SiLU(g) = g / (1 + exp(-g)); below -87 exp(-g) would be clamped, so the limit value is
// returned instead: g * exp(g), which is -0 in float there (also for g = -inf).
LOCKSTEP_HD float silu(float g) {
  if (g < -87.0f) return -0.0f;
  return g / (1.0f + exp_exact(-g));
}

// One RoPE rotation of the pair (x0, x1) by a host-built (cos, sin).
LOCKSTEP_HD void rope_rotate(float& x0, float& x1, float c, float s) {
  const float a = x0 * c;
  const float b = x1 * s;
  const float d = x0 * s;
  const float e = x1 * c;
  x0 = a - b;
  x1 = d + e;
}

// Softmax weight of one visible slot as an integer: rint(top * exp(score - max)), top an
// integer-valued float (127 here, 32767 for the loaded path's wide steps, split16.h).
// Integer weights make the normalizer and P.V exact sums.
LOCKSTEP_HD std::int32_t softmax_weight_of(float score, float max_score, float top) {
  const float p = exp_exact(score - max_score);
  return static_cast<std::int32_t>(round_even(p * top));
}

// The int8-range weight: rint(127 * exp(score - max)).
LOCKSTEP_HD std::int32_t softmax_weight(float score, float max_score) {
  return softmax_weight_of(score, max_score, 127.0f);
}

// Attention output of one channel: (float)(sum_s P_s v_s) * v_scale / (float)(sum_s P_s);
// an empty (all-masked) query yields exactly 0. Sum: int32, or int64 for the wide steps (each
// sum converted to float with one correct rounding either way).
template <typename Sum>
LOCKSTEP_HD float attention_output_of(Sum weighted_sum, Sum normalizer, float v_scale) {
  if (normalizer == 0) return 0.0f;
  return static_cast<float>(weighted_sum) * v_scale / static_cast<float>(normalizer);
}

LOCKSTEP_HD float attention_output(std::int32_t weighted_sum, std::int32_t normalizer,
                                   float v_scale) {
  return attention_output_of(weighted_sum, normalizer, v_scale);
}

}  // namespace lockstep::numerics
