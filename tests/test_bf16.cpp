// numerics/bf16.h: round_to_bf16 on known bit patterns: exact values, rounding down and up,
// ties to even both ways, the carry into the exponent, overflow to inf, +-inf, NaN, signed
// zero and subnormals (docs/numerics.md §15).
#define BOOST_TEST_MODULE bf16
#include <boost/test/unit_test.hpp>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "numerics/bf16.h"

namespace {

using lockstep::numerics::round_to_bf16;

std::uint32_t rounded_bits(std::uint32_t bits) {
  return std::bit_cast<std::uint32_t>(round_to_bf16(std::bit_cast<float>(bits)));
}

BOOST_AUTO_TEST_CASE(representable_values_stay) {
  BOOST_TEST(round_to_bf16(1.0f) == 1.0f);
  BOOST_TEST(round_to_bf16(-2.5f) == -2.5f);
  BOOST_TEST(rounded_bits(0x3f810000U) == 0x3f810000U);
}

BOOST_AUTO_TEST_CASE(nearest_below_and_above_half) {
  BOOST_TEST(rounded_bits(0x3f807fffU) == 0x3f800000U);   // just below half: down
  BOOST_TEST(rounded_bits(0x3f808001U) == 0x3f810000U);   // just above half: up
  BOOST_TEST(rounded_bits(0xbf808001U) == 0xbf810000U);   // sign does not matter
  BOOST_TEST(round_to_bf16(1.0f + 1.0f / 1024) == 1.0f);  // 2^-10 < half an ulp (2^-8)
}

BOOST_AUTO_TEST_CASE(ties_go_to_even) {
  BOOST_TEST(rounded_bits(0x3f808000U) == 0x3f800000U);  // kept lsb 0: stays
  BOOST_TEST(rounded_bits(0x3f818000U) == 0x3f820000U);  // kept lsb 1: up to even
  BOOST_TEST(rounded_bits(0xbf818000U) == 0xbf820000U);
}

BOOST_AUTO_TEST_CASE(carries_into_the_exponent_and_overflows_to_inf) {
  BOOST_TEST(rounded_bits(0x3fffffffU) == 0x40000000U);  // just under 2: rounds to 2
  BOOST_TEST(rounded_bits(0x7f7fffffU) == 0x7f800000U);  // FLT_MAX: past bf16's max, inf
  BOOST_TEST(rounded_bits(0x7f7f7fffU) == 0x7f7f0000U);  // bf16's max stays
}

BOOST_AUTO_TEST_CASE(inf_nan_zero_and_subnormals) {
  const float inf = std::numeric_limits<float>::infinity();
  BOOST_TEST(round_to_bf16(inf) == inf);
  BOOST_TEST(round_to_bf16(-inf) == -inf);
  BOOST_TEST(std::isnan(round_to_bf16(std::numeric_limits<float>::quiet_NaN())));
  BOOST_TEST(rounded_bits(0x7f800001U) == 0x7fc00000U);  // payload only in low bits: still NaN
  BOOST_TEST(rounded_bits(0xff800001U) == 0xffc00000U);  // sign kept
  BOOST_TEST(rounded_bits(0x80000000U) == 0x80000000U);  // -0 stays -0
  BOOST_TEST(rounded_bits(0x00008000U) == 0x00000000U);  // subnormal tie to even: 0
  BOOST_TEST(rounded_bits(0x00018000U) == 0x00020000U);  // subnormal tie to even: up
}

static_assert(round_to_bf16(3.0f) == 3.0f, "usable in constant expressions");

}  // namespace
