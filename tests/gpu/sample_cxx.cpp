// The case list of sample_cases.h on the g++-compiled sampling headers (the CPU's copy).
#include "numerics/philox.h"
#include "numerics/sample_draw.h"
#include "tests/gpu/sample_cases.h"

namespace lockstep::test_numerics {
namespace {

namespace nx = lockstep::numerics;
struct CxxSampleApi {
  static std::uint64_t sample_bits(std::uint64_t seed, std::uint32_t seq, std::uint32_t pos,
                                   std::uint32_t purpose) {
    return nx::sample_bits(seed, seq, pos, static_cast<nx::SamplePurpose>(purpose));
  }
  static int sample_pick(const std::uint64_t* cumulative, int count, std::uint64_t bits) {
    return nx::sample_pick(cumulative, count, bits);
  }
  static std::uint32_t sample_weight(float logit, float max, float t) {
    return nx::sample_weight(logit, max, t);
  }
  static std::uint64_t mul_high64(std::uint64_t a, std::uint64_t b) { return nx::mul_high64(a, b); }
};

}  // namespace

int cxx_sample_cases(std::uint64_t* out) {
  return evaluate_sample_cases<CxxSampleApi>(out);
}

}  // namespace lockstep::test_numerics
