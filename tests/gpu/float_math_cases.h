// Cases of every function of gpu/float_math.h (the float profiles' steps shared by the
// kernels and their CPU twins), evaluated by one template so that the g++ build, nvcc's host
// pass and the device run the same list; `Api` forwards to one compiled copy (see
// float_math_cxx.cpp, float_math_nvcc.cu). Outputs are bit patterns in a fixed order.
#pragma once

#include <cstdint>

#include "numerics/numerics.h"  // for LOCKSTEP_HD only; Api decides which copy is called

namespace lockstep::test_numerics {

constexpr int kMaxFloatCases = 16384;

// Writes the outputs into out[0 .. return value).
template <typename Api>
LOCKSTEP_HD int evaluate_float_cases(std::uint32_t* out) {
  int n = 0;
  // round_bf16 and bf16_bits on a spread of bit patterns: ties, NaNs, infinities, the
  // largest finite values (which round to inf), subnormals.
  const std::uint32_t specials[] = {0x00000000u, 0x80000000u, 0x00000001u, 0x00008000u,
                                    0x00018000u, 0x3f808000u, 0x3f818000u, 0x3f80ffffu,
                                    0x7f7fffffu, 0xff7fffffu, 0x7f7f8000u, 0x7f800000u,
                                    0xff800000u, 0x7fc00000u, 0xffc00001u, 0x7f800001u};
  for (std::uint32_t b : specials) {
    out[n++] = Api::float_to_bits(Api::round_bf16(Api::from_bits(b)));
    out[n++] = Api::bf16_bits(Api::from_bits(b));
  }
  for (std::uint32_t i = 0; i < 4000; ++i) {
    const std::uint32_t b = i * 1073741u + (i << 3);  // spread over every exponent
    out[n++] = Api::float_to_bits(Api::round_bf16(Api::from_bits(b)));
  }
  // dequantized_weight.
  for (int v = -127; v <= 127; v += 7)
    out[n++] = Api::float_to_bits(Api::dequantized_weight(static_cast<std::int8_t>(v), 0.0123f));
  // rms_inverse and rms_apply over rows of growing width.
  float row[96];
  for (int j = 0; j < 96; ++j) row[j] = static_cast<float>(j * 37 % 23 - 11) * 0.173f;
  for (int d = 1; d <= 96; d += 5) {
    const float r = Api::rms_inverse(row, d, d % 2 ? 1.0e-6f : 1.0e-5f);
    out[n++] = Api::float_to_bits(r);
    out[n++] = Api::float_to_bits(Api::rms_apply(row[d - 1], r, 0.75f + 0.01f * d));
  }
  // swiglu across silu's clamps.
  for (int i = -1000; i <= 1000; ++i)
    out[n++] = Api::float_to_bits(Api::swiglu(static_cast<float>(i) * 0.0917f, 1.0f - 0.001f * i));
  // attend: one head over growing visible lists (slots out of order, repeated scores).
  float k[16 * 8], v[16 * 8], q[8], weights[16], o[8];
  for (int e = 0; e < 128; ++e) {
    k[e] = static_cast<float>(e * 29 % 31 - 15) * 0.21f;
    v[e] = static_cast<float>(e * 13 % 17 - 8) * 0.37f;
  }
  for (int d = 0; d < 8; ++d) q[d] = static_cast<float>(d * 5 % 7 - 3) * 0.9f;
  const std::int32_t slots[] = {3, 0, 7, 15, 1, 9, 4, 12, 2, 11, 5, 14, 6, 10, 8, 13};
  for (int count = 1; count <= 16; ++count) {
    Api::attend(q, k, v, 8, 8, slots, count, 0.35355339f, weights, o);
    for (int d = 0; d < 8; ++d) out[n++] = Api::float_to_bits(o[d]);
  }
  return n;
}

}  // namespace lockstep::test_numerics
