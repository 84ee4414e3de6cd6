// The case list of numerics_cases.h on the g++-compiled numerics (the reference's copy).
#include <cstring>

#include "numerics/numerics.h"
#include "numerics/split16.h"
#include "tests/gpu/numerics_cases.h"

namespace lockstep::test_numerics {
namespace {

namespace nx = lockstep::numerics;
struct CxxApi {
  static float from_bits(std::uint32_t b) { return nx::bits_to_float(b); }
  static std::uint32_t float_to_bits(float f) {
    std::uint32_t b;
    std::memcpy(&b, &f, sizeof b);
    return b;
  }
  static std::int8_t to_int8(float x) { return nx::to_int8(x); }
  static float activation_scale(float a) { return nx::activation_scale(a); }
  static std::int8_t quantize(float x, float s) { return nx::quantize(x, s); }
  static float dequantize(std::int32_t a, float c, float t) { return nx::dequantize(a, c, t); }
  static float rms_factor(std::int64_t s, int d) { return nx::rms_factor(s, d); }
  static float exp_exact(float x) { return nx::exp_exact(x); }
  static float silu(float g) { return nx::silu(g); }
  static void rope_rotate(float& a, float& b, float c, float s) { nx::rope_rotate(a, b, c, s); }
  static std::int32_t softmax_weight(float s, float m) { return nx::softmax_weight(s, m); }
  static float attention_output(std::int32_t w, std::int32_t z, float v) {
    return nx::attention_output(w, z, v);
  }
  static std::int32_t softmax_weight_wide(float s, float m) {
    return nx::softmax_weight_wide(s, m);
  }
  static float attention_output_wide(std::int64_t w, std::int64_t z, float v) {
    return nx::attention_output_wide(w, z, v);
  }
};

}  // namespace

int cxx_numerics(std::uint32_t* out) {
  return evaluate_cases<CxxApi>(out);
}

}  // namespace lockstep::test_numerics
