// Edge cases of every function of numerics/numerics.h (and of split16.h's attention steps),
// evaluated by one template so that the g++ build, nvcc's host pass and the device all run the very
// same case list. `Api` forwards to one compiled copy of the numerics (see numerics_cxx.cpp,
// numerics_nvcc.cu). The result is the bit pattern of every output, in a fixed order; callers
// compare the arrays byte for byte.
#pragma once

#include <cstdint>

#include "numerics/numerics.h"  // for LOCKSTEP_HD only; Api decides which copy is called

namespace lockstep::test_numerics {

constexpr int kMaxCases = 32768;

template <typename Api>
LOCKSTEP_HD std::uint32_t float_bits(float f) {
  return Api::float_to_bits(f);
}

// Writes the outputs into out[0 .. return value).
template <typename Api>
LOCKSTEP_HD int evaluate_cases(std::uint32_t* out) {
  int n = 0;
  // Inputs from bit patterns, so no literal parsing differs between compilers.
  const std::uint32_t specials[] = {
      0x00000000u, 0x80000000u, 0x00000001u, 0x80000001u, 0x007fffffu, 0x00800000u, 0x3f000000u,
      0xbf000000u, 0x3fc00000u, 0xbfc00000u, 0x40200000u, 0xc0200000u, 0x42fd0000u, 0x42fe0000u,
      0x42fe8000u, 0xc2fe8000u, 0x42ff0000u, 0xc2ff0000u, 0x42fefffeu, 0x7f7fffffu, 0xff7fffffu,
      0x7f800000u, 0xff800000u, 0x7fc00000u, 0x42ae0000u, 0xc2ae0000u, 0x42b00000u, 0xc2b00000u,
      0xc2ae0001u, 0x3e800000u, 0x3c010204u, 0x3d000000u};
  constexpr int kSpecials = sizeof(specials) / sizeof(specials[0]);
  // to_int8 and quantize on specials and a grid.
  for (int i = 0; i < kSpecials; ++i)
    out[n++] = static_cast<std::uint8_t>(Api::to_int8(Api::from_bits(specials[i])));
  for (int i = -1400; i <= 1400; ++i) {
    const float x = static_cast<float>(i) * 0.125f;
    out[n++] = static_cast<std::uint8_t>(Api::to_int8(x));
    out[n++] = static_cast<std::uint8_t>(Api::quantize(x, 0.0314960629f));
    out[n++] = static_cast<std::uint8_t>(Api::quantize(x * 0.013f, Api::activation_scale(2.25f)));
  }
  // activation_scale, rms_factor, dequantize.
  for (int i = 0; i < kSpecials; ++i) {
    const float x = Api::from_bits(specials[i]);
    if (x == x && x >= 0.0f) out[n++] = float_bits<Api>(Api::activation_scale(x));
  }
  const std::int64_t sums[] = {
      0, 1, 127, 16129, 16129LL * 64, 16129LL * 4096, 123456789, 16129LL * 131072};
  const int dims[] = {1, 16, 64, 256, 4096, 11008};
  for (std::int64_t s : sums)
    for (int d : dims) out[n++] = float_bits<Api>(Api::rms_factor(s, d));
  const std::int32_t accs[] = {
      0, 1, -1, 127, -16129, 16129 * 4096, -16129 * 4096, 2147483647, -2147483647, 99991};
  const float scales[] = {1.0f, 0.0314960629f, 1.0e-3f, 7.5e-5f, 3.0e-20f, 1.7e-38f};
  for (std::int32_t a : accs)
    for (float c : scales)
      for (float t : scales) out[n++] = float_bits<Api>(Api::dequantize(a, c, t));
  // exp_exact over [-100, 100] and the clamps.
  for (int i = -2000; i <= 2000; ++i)
    out[n++] = float_bits<Api>(Api::exp_exact(static_cast<float>(i) * 0.0503f));
  for (int i = 0; i < kSpecials; ++i) {
    const float x = Api::from_bits(specials[i]);
    if (x == x) out[n++] = float_bits<Api>(Api::exp_exact(x));
  }
  // silu.
  for (int i = -900; i <= 900; ++i)
    out[n++] = float_bits<Api>(Api::silu(static_cast<float>(i) * 0.0371f));
  // rope_rotate.
  for (int i = 0; i < 200; ++i) {
    float x0 = static_cast<float>(i - 100) * 0.731f;
    float x1 = static_cast<float>(77 - i) * 0.419f;
    const float c = static_cast<float>(i) * 0.00497f - 0.5f;
    const float s = 0.87f - static_cast<float>(i) * 0.0061f;
    Api::rope_rotate(x0, x1, c, s);
    out[n++] = float_bits<Api>(x0);
    out[n++] = float_bits<Api>(x1);
  }
  // softmax_weight and attention_output.
  for (int i = 0; i < 400; ++i) {
    const float score = static_cast<float>(i) * -0.05f + 1.0f;
    out[n++] = static_cast<std::uint32_t>(Api::softmax_weight(score, 1.0f));
    out[n++] = static_cast<std::uint32_t>(Api::softmax_weight(score * 3.0f, 3.5f));
  }
  const std::int32_t normalizers[] = {0, 1, 127, 128, 5000, 16129, 1000003};
  for (std::int32_t a : accs)
    for (std::int32_t z : normalizers)
      out[n++] = float_bits<Api>(Api::attention_output(a / 64, z, 0.0314960629f));
  // The loaded path's wide attention steps (numerics/split16.h): sums past 2^24 and past int32.
  for (int i = 0; i < 400; ++i) {
    const float score = static_cast<float>(i) * -0.05f + 1.0f;
    out[n++] = static_cast<std::uint32_t>(Api::softmax_weight_wide(score, 1.0f));
    out[n++] = static_cast<std::uint32_t>(Api::softmax_weight_wide(score * 3.0f, 3.5f));
  }
  const std::int64_t wide_sums[] = {0,
                                    1,
                                    -1,
                                    32767 * 127,
                                    16777217,
                                    -16777219,
                                    4161409LL * 900,
                                    -4161409LL * 131072,
                                    9007199254740993LL};
  const std::int64_t wide_normalizers[] = {0, 1, 32767, 16777217, 32767LL * 900, 32767LL * 131072};
  for (std::int64_t a : wide_sums)
    for (std::int64_t z : wide_normalizers)
      out[n++] = float_bits<Api>(Api::attention_output_wide(a, z, 0.0314960629f));
  return n;
}

}  // namespace lockstep::test_numerics
