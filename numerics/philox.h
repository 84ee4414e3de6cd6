// The counter-based generator of sampling (docs/numerics.md §14.1): Philox-4x32-10 (Salmon,
// Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC 2011), with the
// constants of Random123's philox.h, keyed on (seed, sequence id, position, purpose) so that
// a draw is a pure function of what it is for: no state is carried between calls, so no
// result can depend on the batch row, the pass, the schedule or the device.
//
// Written once for the host and the device: every function is constexpr and, under nvcc,
// __host__ __device__ (LOCKSTEP_HD); only 32- and 64-bit unsigned integer arithmetic, which
// is exact everywhere. What it does not do: turn the bits into a token (numerics/sample_draw.h
// and numerics/sampling.h do), or keep a stream (there is none to keep).
#pragma once

#include <cstdint>

#include "numerics/numerics.h"  // LOCKSTEP_HD

namespace lockstep::numerics {

// Random123's PHILOX_M4x32_0/1 (round multipliers) and PHILOX_W32_0/1 (key increments:
// the golden ratio and sqrt(3) - 1 as 32-bit fractions).
constexpr std::uint32_t kPhiloxM0 = 0xD2511F53u;
constexpr std::uint32_t kPhiloxM1 = 0xCD9E8D57u;
constexpr std::uint32_t kPhiloxW0 = 0x9E3779B9u;
constexpr std::uint32_t kPhiloxW1 = 0xBB67AE85u;
constexpr int kPhiloxRounds = 10;

struct PhiloxBlock {
  std::uint32_t word[4];
};

// One round: the two 32x32 -> 64 products of words 0 and 2, their high halves xored with
// the other words and the round key, the words permuted (Random123's _philox4x32round).
LOCKSTEP_HD constexpr PhiloxBlock philox4x32_round(PhiloxBlock c, std::uint32_t key0,
                                                   std::uint32_t key1) {
  const std::uint64_t p0 = static_cast<std::uint64_t>(kPhiloxM0) * c.word[0];
  const std::uint64_t p1 = static_cast<std::uint64_t>(kPhiloxM1) * c.word[2];
  return PhiloxBlock{
      {static_cast<std::uint32_t>(p1 >> 32) ^ c.word[1] ^ key0, static_cast<std::uint32_t>(p1),
       static_cast<std::uint32_t>(p0 >> 32) ^ c.word[3] ^ key1, static_cast<std::uint32_t>(p0)}};
}

// Philox-4x32-10 of `counter` under the key (key0, key1); the key is bumped by (W0, W1)
// before every round but the first.
LOCKSTEP_HD constexpr PhiloxBlock philox4x32_10(PhiloxBlock counter, std::uint32_t key0,
                                                std::uint32_t key1) {
  for (int round = 0; round < kPhiloxRounds; ++round) {
    if (round > 0) {
      key0 += kPhiloxW0;
      key1 += kPhiloxW1;
    }
    counter = philox4x32_round(counter, key0, key1);
  }
  return counter;
}

// What a draw is for. The value is the counter's word 2, so two purposes never share bits.
enum class SamplePurpose : std::uint32_t {
  target_sample = 1,    // the target model's token at a position
  draft_sample = 2,     // a drafter's proposal at a position
  accept_test = 3,      // the accept/reject coin of rejection sampling
  residual_sample = 4,  // the correction drawn from norm(max(0, p - q)) after a rejection
};

// The Philox block of one draw: key = (seed mod 2^32, seed >> 32), counter = (position,
// sequence, purpose, draw). `draw` tells apart several uniforms one purpose needs at one
// position (0 for the first; every purpose above uses only 0 today).
LOCKSTEP_HD constexpr PhiloxBlock sample_block(std::uint64_t seed, std::uint32_t sequence,
                                               std::uint32_t position, SamplePurpose purpose,
                                               std::uint32_t draw = 0) {
  return philox4x32_10(PhiloxBlock{{position, sequence, static_cast<std::uint32_t>(purpose), draw}},
                       static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32));
}

// The 64 uniform bits of a draw: word 1 above word 0. Read as the fixed-point number
// bits / 2^64 in [0, 1 - 2^-64], this is the uniform the inverse-CDF pick takes.
LOCKSTEP_HD constexpr std::uint64_t sample_bits(std::uint64_t seed, std::uint32_t sequence,
                                                std::uint32_t position, SamplePurpose purpose,
                                                std::uint32_t draw = 0) {
  const PhiloxBlock b = sample_block(seed, sequence, position, purpose, draw);
  return (static_cast<std::uint64_t>(b.word[1]) << 32) | b.word[0];
}

// The same draw as a double in [0, 1): the top 53 bits times 2^-53 (exact: k * 2^-53 for an
// integer k < 2^53), so 1 is never reached and every value is a multiple of 2^-53.
LOCKSTEP_HD constexpr double uniform_double(std::uint64_t bits) {
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

}  // namespace lockstep::numerics
