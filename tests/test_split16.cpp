// The loaded path's 16-bit split activations (docs/numerics.md §13.2), independent of any
// model file: the radix-255 digits reconstruct every 16-bit value exactly and stay in
// [-127, 127]; quantize_rows_split -> gemm -> dequantize_split equals the same formula
// computed directly with int64 dot products, for every GEMM kernel.
#define BOOST_TEST_MODULE split16
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "numerics/split16.h"
#include "reference/gemm_avx2.h"
#include "reference/gemm_kernels.h"
#include "reference/ops_split.h"
#include "tests/random_batch.h"

namespace lockstep {
namespace {

using reference::Activations;

std::uint32_t bits(float f) {
  std::uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

BOOST_AUTO_TEST_CASE(digits_reconstruct_every_16_bit_value_within_int8_range) {
  for (std::int32_t q = -numerics::kSplitMax; q <= numerics::kSplitMax; ++q) {
    const int hi = numerics::split_high(q), lo = numerics::split_low(q);
    BOOST_REQUIRE(hi >= -127 && hi <= 127 && lo >= -127 && lo <= 127);
    BOOST_REQUIRE_EQUAL(255 * hi + lo, q);
  }
  BOOST_TEST(numerics::to_split16(1.0e30f) == 32512);
  BOOST_TEST(numerics::to_split16(-INFINITY) == -32512);
  BOOST_TEST(numerics::to_split16(NAN) == 0);
  BOOST_TEST(numerics::to_split16(2.5f) == 2);  // ties to even
  BOOST_TEST(numerics::split_scale(0.0f) == 1.0f);
}

// The contract's formula with plain loops: q, digits, an int64 dot product, one conversion.
float direct(const Activations& x, const reference::QuantMatrix& w, Eigen::Index i, int o, bool rms,
             float eps) {
  float amax = 0.0f;
  for (Eigen::Index j = 0; j < x.cols(); ++j) amax = std::max(amax, std::fabs(x(i, j)));
  const float s = numerics::split_scale(amax);
  std::int64_t dot = 0, ss = 0;
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    const std::int64_t q = numerics::quantize_split16(x(i, j), s);
    dot += q * static_cast<std::int64_t>(w.values(o, j));
    ss += q * q;
  }
  const float factor = rms ? numerics::rms_factor_split(ss, static_cast<int>(x.cols()), eps, s) : s;
  return static_cast<float>(dot) * (w.scales[static_cast<std::size_t>(o)] * factor);
}

BOOST_AUTO_TEST_CASE(one_gemm_over_both_digit_halves_equals_the_int64_product) {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    test::Draw draw{seed};
    const int n = 1 + draw(9), k = 1 + draw(1600);
    const int out = 1 + draw(40);
    Activations x(n, k);
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index j = 0; j < k; ++j)
        x(i, j) = (static_cast<float>(draw(20001)) - 10000.0f) * 1.0e-3f *
                  (j == 0 ? 300.0f : 1.0f);  // an outlier channel, as real residuals have
    reference::QuantMatrix w;
    w.values.resize(out, k);
    w.scales.resize(static_cast<std::size_t>(out));
    for (int o = 0; o < out; ++o) {
      for (int j = 0; j < k; ++j) w.values(o, j) = static_cast<double>(draw(255)) - 127.0;
      w.scales[static_cast<std::size_t>(o)] = 1.0e-3f * static_cast<float>(1 + draw(100));
    }
    w.values_i8 = reference::pack_int8_rows(w.values);
    const bool rms = seed % 2 == 0;
    const float eps = 1.0e-5f;
    const auto before = reference::gemm_kernel();
    for (auto kernel : {reference::GemmKernel::double_serial, reference::GemmKernel::float_threaded,
                        reference::GemmKernel::int8_avx2}) {
      if (kernel == reference::GemmKernel::int8_avx2 && !reference::avx2_available()) continue;
      reference::set_gemm_kernel(kernel);
      const auto xq = reference::ops::quantize_rows_split(x, rms, eps);
      BOOST_REQUIRE_EQUAL(xq.values.rows(), 2 * n);
      Activations y;
      reference::ops::dequantize_split(reference::ops::gemm(xq, w), w.scales, xq.factor, y, false);
      for (Eigen::Index i = 0; i < n; ++i)
        for (int o = 0; o < out; ++o)
          BOOST_REQUIRE_EQUAL(bits(y(i, o)), bits(direct(x, w, i, o, rms, eps)));
    }
    reference::set_gemm_kernel(before);
  }
}

}  // namespace
}  // namespace lockstep
