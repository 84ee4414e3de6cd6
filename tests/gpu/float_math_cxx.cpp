// The case list of float_math_cases.h on the g++-compiled gpu/float_math.h (the CPU twins'
// copy).
#include "gpu/float_math.h"
#include "tests/gpu/float_math_cases.h"

namespace lockstep::test_numerics {
namespace {

namespace fm = lockstep::gpu::float_math;
struct CxxFloatApi {
  static float from_bits(std::uint32_t b) { return numerics::bits_to_float(b); }
  static std::uint32_t float_to_bits(float f) { return fm::float_to_bits(f); }
  static float round_bf16(float x) { return fm::round_bf16(x); }
  static std::uint32_t bf16_bits(float x) { return fm::bf16_bits(x); }
  static float dequantized_weight(std::int8_t v, float s) { return fm::dequantized_weight(v, s); }
  static float rms_inverse(const float* x, int d, float eps) { return fm::rms_inverse(x, d, eps); }
  static float rms_apply(float x, float r, float g) { return fm::rms_apply(x, r, g); }
  static float swiglu(float g, float u) { return fm::swiglu(g, u); }
  static void attend(const float* q, const float* k, const float* v, int kvw, int dh,
                     const std::int32_t* slots, int count, float scale, float* w, float* out) {
    fm::attend(q, k, v, kvw, dh, slots, count, scale, w, out);
  }
};

}  // namespace

int cxx_float_cases(std::uint32_t* out) {
  return evaluate_float_cases<CxxFloatApi>(out);
}

}  // namespace lockstep::test_numerics
