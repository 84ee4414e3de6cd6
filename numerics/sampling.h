// Sampling at temperature > 0 as a deterministic function of the exact logits
// (docs/numerics.md §14): the sampling distribution (temperature, then top-k, then top-p, then
// renormalization, over integer weights in a fixed token order) and the draw (the
// inverse-CDF pick of a Philox uniform keyed on seed, sequence, position and purpose).
//
// Contract: the same logits, parameters and key give the same token on every machine, thread
// count, batch composition and device; temperature 0 is greedy and returns exactly what
// argmax_lowest returns (ties to the lowest id). Every input is checked (InputError naming
// the field and the value). Not here: which uniform the speculative controller uses where
// (coupled or rejection acceptance: issue 14 items 2-3), the scenario fields and flags.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "numerics/philox.h"

namespace lockstep::numerics {

// top_k at or above the vocabulary keeps every token; this is the "no top-k" value.
constexpr std::int32_t kTopKAll = std::numeric_limits<std::int32_t>::max();

struct SamplingParams {
  float temperature = 0.0f;       // 0: greedy; else finite and > 0 (binary32, as given)
  std::int32_t top_k = kTopKAll;  // >= 1
  double top_p = 1.0;             // in (0, 1]; used in units of 2^-24 (top_p_units)
  bool greedy() const { return temperature == 0.0f; }
};

// Throws InputError naming the first bad field and its value.
void check_sampling_params(const SamplingParams& params);

// top_p as the integer P = max(1, rint(top_p * 2^24)) in [1, 2^24] (the product is exact).
std::uint32_t top_p_units(double top_p);

// The distribution a draw picks from: its support in draw order (logit descending, then id
// ascending), each token's integer weight (in [1, 2^24]) and their inclusive prefix sums.
// Probabilities are the exact rationals weight / total.
struct SampleDistribution {
  std::vector<std::int32_t> tokens;       // [n]
  std::vector<std::uint32_t> weights;     // [n]
  std::vector<std::uint64_t> cumulative;  // [n], cumulative[n - 1] == total()

  int size() const { return static_cast<int>(tokens.size()); }
  std::uint64_t total() const { return cumulative.empty() ? 0 : cumulative.back(); }
  // weights[i] / total as a double (one rounding); for display and statistics only.
  double probability(int i) const;
  // The weight of `token`, 0 when it is outside the support.
  std::uint32_t weight_of(std::int32_t token) const;
};

// logits [vocab], all finite (else InputError naming the token); vocab >= 1.
SampleDistribution sample_distribution(const float* logits, int vocab,
                                       const SamplingParams& params);

// The inverse-CDF pick (sample_draw.h's sample_pick) of the 64 uniform bits.
std::int32_t sample_token(const SampleDistribution& distribution, std::uint64_t bits);

// What a draw is keyed on. sequence and position must be >= 0 (InputError otherwise).
struct SampleKey {
  std::uint64_t seed = 0;
  std::int32_t sequence = 0;
  std::int32_t position = 0;
  SamplePurpose purpose = SamplePurpose::target_sample;
  std::uint32_t draw = 0;
};
std::uint64_t key_bits(const SampleKey& key);

// sample_token(sample_distribution(logits, vocab, params), key_bits(key)).
std::int32_t sample(const float* logits, int vocab, const SamplingParams& params,
                    const SampleKey& key);

// "target_sample", "draft_sample", "accept_test", "residual_sample".
const char* purpose_name(SamplePurpose purpose);

}  // namespace lockstep::numerics
