// The device-usable half of sampling (docs/numerics.md §14.2-§14.3): the integer weight of
// one logit, and the inverse-CDF pick of a 64-bit uniform from cumulative integer weights.
// Like numerics.h, __host__ __device__ under nvcc (LOCKSTEP_HD) and nothing but the C++
// headers numerics.h includes: the CPU (numerics/sampling.cpp) and a kernel (gpu/k_sample.cu)
// run this very code.
//
// Why integers: a weight is rint(2^24 * exp(z)), so every sum of weights is exact in any
// order, a probability is the exact rational weight / total, and the pick compares integers:
// nothing can round differently on another device, thread count or summation order.
// Not here: sorting, top-k, top-p and input checks (numerics/sampling.h, host only).
#pragma once

#include <cstdint>

#include "numerics/numerics.h"

namespace lockstep::numerics {

// The weight of the most likely token: exp_exact(0) = 1 scaled by 2^24.
constexpr std::uint32_t kSampleWeightOne = 1u << 24;

// The exponent of a weight: rn(rn(logit - max_logit) / temperature). logit <= max_logit and
// temperature > 0, so it is <= 0 (or -inf) and never NaN.
LOCKSTEP_HD float sample_exponent(float logit, float max_logit, float temperature) {
  return (logit - max_logit) / temperature;
}

// Every exponent below this has weight 0 (exp_exact(x) * 2^24 rounds to 0): checked over every
// f32 in [-90, -17.5) (exp_exact is 0 below -87); the lowest exponent of positive weight is
// -17.3286781. Lets the host skip the sort of candidates that cannot be drawn.
constexpr float kSampleZeroBelow = -17.5f;

// w = rint(exp_exact(sample_exponent(...)) * 2^24), in [0, 2^24]: exp_exact(x) <= 1 for every
// x <= 0 (measured over every f32 in [-1, 0]), so the weight never exceeds 2^24. Multiplying by
// 2^24 is exact; the rounding is half to even.
LOCKSTEP_HD std::uint32_t sample_weight(float logit, float max_logit, float temperature) {
  const float e = exp_exact(sample_exponent(logit, max_logit, temperature));
  return static_cast<std::uint32_t>(round_even(e * 16777216.0f));
}

// floor(a * b / 2^64), exactly, from 32-bit halves (the same code on every compiler).
LOCKSTEP_HD constexpr std::uint64_t mul_high64(std::uint64_t a, std::uint64_t b) {
  const std::uint64_t a_lo = a & 0xffffffffu, a_hi = a >> 32;
  const std::uint64_t b_lo = b & 0xffffffffu, b_hi = b >> 32;
  const std::uint64_t lo_lo = a_lo * b_lo;
  const std::uint64_t hi_lo = a_hi * b_lo;
  const std::uint64_t lo_hi = a_lo * b_hi;
  const std::uint64_t cross = (lo_lo >> 32) + (hi_lo & 0xffffffffu) + (lo_hi & 0xffffffffu);
  return a_hi * b_hi + (hi_lo >> 32) + (lo_hi >> 32) + (cross >> 32);
}

// An unsigned 128-bit integer: the residual weights of rejection sampling (§14.8) and the
// products of the exact accept test. GCC, Clang and nvcc (host and device) all provide it;
// __extension__ keeps -Wpedantic quiet about a non-ISO type.
__extension__ typedef unsigned __int128 WideWeight;

// floor(bits * a / 2^64), exactly, for every a < 2^128: bits * a = bits * hi(a) * 2^64 +
// bits * lo(a), and the first term is a multiple of 2^64. The result is < a, so nothing wraps.
LOCKSTEP_HD constexpr WideWeight mul_high64_wide(std::uint64_t bits, WideWeight a) {
  const auto a_hi = static_cast<std::uint64_t>(a >> 64);
  const auto a_lo = static_cast<std::uint64_t>(a);
  return static_cast<WideWeight>(bits) * a_hi + mul_high64(bits, a_lo);
}

// The first index i with target < cumulative[i] (inclusive prefix sums, non-decreasing, so an
// entry of weight 0 is never found); count - 1 when none is (callers pass target < total).
template <typename Weight>
LOCKSTEP_HD int first_index_above(const Weight* cumulative, int count, Weight target) {
  int lo = 0, hi = count - 1;
  while (lo < hi) {
    const int mid = lo + (hi - lo) / 2;
    if (target < cumulative[mid]) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

// The inverse-CDF pick: with total = cumulative[count - 1] > 0 and the uniform bits / 2^64,
// target = floor(bits * total / 2^64) is in [0, total), and the result is the first index i
// with target < cumulative[i]. `cumulative` holds inclusive prefix sums (non-decreasing), so
// an entry of weight 0 is never picked. Requires count >= 1 (callers check).
LOCKSTEP_HD int sample_pick(const std::uint64_t* cumulative, int count, std::uint64_t bits) {
  return first_index_above(cumulative, count, mul_high64(bits, cumulative[count - 1]));
}

// sample_pick over 128-bit cumulative weights (a residual distribution, §14.8). Requires
// count >= 1 and a positive total.
LOCKSTEP_HD int sample_pick_wide(const WideWeight* cumulative, int count, std::uint64_t bits) {
  return first_index_above(cumulative, count, mul_high64_wide(bits, cumulative[count - 1]));
}

}  // namespace lockstep::numerics
