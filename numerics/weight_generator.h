// The counter-based synthetic weight generator (DESIGN §6), written once for the host
// (reference/weights.cpp) and the device (gpu/k_weights.cu): every function is
// __host__ __device__ under nvcc (LOCKSTEP_HD) and uses only sim/hash.h's constexpr mix64 and
// combine (callable on the device with --expt-relaxed-constexpr) and double +, *, / and sqrt,
// which are correctly rounded on both. It stores nothing; callers decide the layout.
//
//   value(seed, tensor, i)   = (mix64(combine(combine(seed, tensor), i)) mod 255) - 127
//   scale(seed, tensor, o)   = (float)((0.75 + u / 2) / (gain * sqrt(K))), u = top 24 bits of
//                              mix64(combine(combine(seed, tensor), 2^62 + o)) / 2^24
#pragma once

#include <cmath>
#include <cstdint>

#include "numerics/numerics.h"  // LOCKSTEP_HD
#include "sim/hash.h"

namespace lockstep::numerics {

// Element `index` (row-major, r * cols + c) of tensor `tensor`: an integer in [-127, 127].
LOCKSTEP_HD std::int8_t weight_value(std::uint64_t seed, std::uint64_t tensor,
                                     std::uint64_t index) {
  const std::uint64_t h = sim::mix64(sim::combine(sim::combine(seed, tensor), index));
  return static_cast<std::int8_t>(static_cast<int>(h % 255) - 127);
}

// Scale of output channel `channel` of a tensor with `k` inputs, for a tensor of `gain`.
LOCKSTEP_HD float channel_scale(std::uint64_t seed, std::uint64_t tensor, std::uint64_t channel,
                                int k, double gain) {
  const std::uint64_t h =
      sim::mix64(sim::combine(sim::combine(seed, tensor), (1ULL << 62) + channel));
  const double u = static_cast<double>(h >> 40) / 16777216.0;
#if defined(__CUDA_ARCH__)
  const double root = sqrt(static_cast<double>(k));
#else
  const double root = std::sqrt(static_cast<double>(k));
#endif
  return static_cast<float>((0.75 + u / 2.0) / (gain * root));
}

}  // namespace lockstep::numerics
