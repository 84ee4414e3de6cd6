// Cases of the sampling headers (numerics/philox.h, numerics/sample_draw.h), evaluated by one
// template so that the g++ build, nvcc's host pass and the device run the very same list, as
// numerics_cases.h does for numerics.h. `Api` forwards to one compiled copy (sample_cxx.cpp,
// sample_nvcc.cu). The result is a list of 64-bit words in a fixed order: keyed bits over
// seeds, sequences, positions and purposes; weights over a logit grid and five temperatures;
// picks of those bits from fixed cumulative sums; mul_high64 over edge values.
#pragma once

#include <cstdint>

#include "numerics/numerics.h"  // for LOCKSTEP_HD only; Api decides which copy is called

namespace lockstep::test_numerics {

constexpr int kMaxSampleCases = 4096;

template <typename Api>
LOCKSTEP_HD int evaluate_sample_cases(std::uint64_t* out) {
  int n = 0;
  const std::uint64_t seeds[] = {0ULL, 0x0123456789abcdefULL, ~0ULL};
  const std::uint32_t sequences[] = {0u, 3u, 2147483647u};
  const std::uint32_t positions[] = {0u, 1u, 77u, 2147483647u};
  const std::uint64_t cumulative[] = {3, 3, 10, 1000003, 1000004, 17777220, 17777221, 34554437};
  for (std::uint64_t seed : seeds) {
    for (std::uint32_t seq : sequences) {
      for (std::uint32_t pos : positions) {
        for (std::uint32_t purpose = 1; purpose <= 4; ++purpose) {
          const std::uint64_t bits = Api::sample_bits(seed, seq, pos, purpose);
          out[n++] = bits;
          out[n++] = static_cast<std::uint64_t>(Api::sample_pick(cumulative, 8, bits));
        }
      }
    }
  }
  const float temperatures[] = {1.0f, 0.7f, 0.013f, 100.0f, 1.0e-30f};
  for (float t : temperatures) {
    for (int i = 0; i < 240; ++i) {
      out[n++] = Api::sample_weight(static_cast<float>(i) * -0.0731f, 0.0f, t);
    }
    out[n++] = Api::sample_weight(-3.40282347e38f, 3.40282347e38f, t);
  }
  const std::uint64_t edges[] = {0,     1,          0xffffffffULL,        0x100000000ULL,
                                 ~0ULL, 1ULL << 63, 0xdeadbeefcafef00dULL};
  for (std::uint64_t a : edges) {
    for (std::uint64_t b : edges) out[n++] = Api::mul_high64(a, b);
  }
  return n;
}

}  // namespace lockstep::test_numerics
