// bfloat16 storage rounding (issue 13, the "bf16" numerics profile; docs/numerics.md §15): the
// value an fp32 number takes once stored in bf16, returned as the fp32 number it widens back
// to. Round to nearest, ties to even, on the 16 bits dropped, the conversion GPU stacks use
// (__float2bfloat16_rn); +-inf stay inf, finite values past the largest bf16 round to inf,
// NaN stays a (quiet) NaN of the same sign. Host only; no bf16 type, no arithmetic in bf16:
// callers compute in fp32 and round at the points where a bf16 stack stores a tensor.
#pragma once

#include <bit>
#include <cstdint>

namespace lockstep::numerics {

constexpr float round_to_bf16(float x) {
  std::uint32_t bits = std::bit_cast<std::uint32_t>(x);
  if ((bits & 0x7fffffffU) > 0x7f800000U)  // NaN: keep sign and top payload, force quiet
    return std::bit_cast<float>((bits | 0x00400000U) & 0xffff0000U);
  const std::uint32_t lsb = (bits >> 16) & 1U;  // the kept part's last bit breaks ties
  bits += 0x7fffU + lsb;
  return std::bit_cast<float>(bits & 0xffff0000U);
}

}  // namespace lockstep::numerics
