// The loaded path's 16-bit split activations (docs/numerics.md §13.2), independent of any
// model file: the radix-255 digits reconstruct every 16-bit value exactly and stay in
// [-127, 127]; quantize_rows_split -> gemm -> dequantize_split equals the same formula
// computed directly with int64 dot products, for every GEMM kernel; the wide attention steps
// (§13.5: 16-bit q, 15-bit softmax weights, int64 sums) equal the same formulas with plain
// loops, also where the sums leave int32.
#define BOOST_TEST_MODULE split16
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>

#include "numerics/host_math.h"
#include "numerics/split16.h"
#include "reference/gemm_avx2.h"
#include "reference/gemm_kernels.h"
#include "reference/ops.h"
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

BOOST_AUTO_TEST_CASE(wide_softmax_weights_and_outputs) {
  BOOST_TEST(numerics::softmax_weight_wide(2.5f, 2.5f) == numerics::kWideSoftmaxMax);
  BOOST_TEST(numerics::softmax_weight_wide(-1.0f, 0.0f) == 12054);  // 32767 e^-1 = 12054.4
  BOOST_TEST(numerics::softmax_weight_wide(-12.0f, 0.0f) == 0);     // 32767 e^-12 = 0.2
  BOOST_TEST(bits(numerics::attention_output_wide(5, 0, 0.5f)) == 0u);
  // 2^33 * 0.5 / 2^30 = 4: sums past int32 convert and divide exactly.
  BOOST_TEST(numerics::attention_output_wide(std::int64_t{1} << 33, std::int64_t{1} << 30, 0.5f) ==
             4.0f);
}

// One (token, head) of §13.5 with plain loops over every slot of a row, in int64.
float wide_direct(const float* q, const reference::KvRow& row, int head_dim, int slots, int j,
                  float score_scale, float v_scale) {
  float amax = 0.0f;
  for (int c = 0; c < head_dim; ++c) amax = std::max(amax, std::fabs(q[c]));
  const float qs = numerics::split_scale(amax);
  std::vector<float> scores(static_cast<std::size_t>(slots));
  float max_score = -INFINITY;
  for (int s = 0; s < slots; ++s) {
    std::int32_t acc = 0;
    for (int c = 0; c < head_dim; ++c)
      acc += numerics::quantize_split16(q[c], qs) *
             row.k[0][static_cast<std::size_t>(s * head_dim + c)];
    scores[static_cast<std::size_t>(s)] = numerics::dequantize(acc, qs, score_scale);
    max_score = std::max(max_score, scores[static_cast<std::size_t>(s)]);
  }
  std::int64_t pv = 0, z = 0;
  for (int s = 0; s < slots; ++s) {
    const std::int64_t w =
        numerics::softmax_weight_wide(scores[static_cast<std::size_t>(s)], max_score);
    pv += w * row.vt[0][static_cast<std::size_t>(j * slots + s)];
    z += w;
  }
  return numerics::attention_output_wide(pv, z, v_scale);
}

BOOST_AUTO_TEST_CASE(wide_attention_equals_its_formula_past_int32_sums) {
  const int head_dim = 64, slots = 900;  // 32767 * 127 * 900 > 2^31
  test::Draw draw{7};
  reference::KvRow row;
  row.k.assign(1, std::vector<std::int8_t>(static_cast<std::size_t>(slots * head_dim)));
  row.vt.assign(1, std::vector<std::int8_t>(row.k[0].size()));
  for (auto& v : row.k[0]) v = static_cast<std::int8_t>(static_cast<int>(draw(9)) - 4);
  for (auto& v : row.vt[0]) v = static_cast<std::int8_t>(120 + static_cast<int>(draw(8)));
  numerics::PassPlan plan;
  plan.tokens = {5};
  plan.positions = {slots - 1};
  plan.rows = {0};
  plan.write_slots = {slots - 1};
  plan.visible_offsets = {0, slots};
  for (int s = 0; s < slots; ++s) plan.visible.push_back(s);
  Activations q(1, head_dim);
  for (int c = 0; c < head_dim; ++c) q(0, c) = (static_cast<float>(draw(2001)) - 1000.0f) * 1.0e-4f;
  const float score_scale = numerics::attention_score_scale(head_dim, 0.08f), v_scale = 0.05f;
  const Activations out =
      reference::ops::attention(q, {.heads = 1, .kv_heads = 1, .head_dim = head_dim}, plan, {row},
                                0, slots, score_scale, v_scale, numerics::AttentionSteps::wide);
  for (int j = 0; j < head_dim; ++j) {
    const float expected = wide_direct(q.data(), row, head_dim, slots, j, score_scale, v_scale);
    BOOST_REQUIRE_EQUAL(bits(out(0, j)), bits(expected));
    BOOST_REQUIRE(out(0, j) > 120 * v_scale && out(0, j) < 128 * v_scale);  // no int32 wrap
  }
}

}  // namespace
}  // namespace lockstep
