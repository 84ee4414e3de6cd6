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
//
// Header-only (host): sim/ may include it (the symbolic backend's distribution,
// sim/symbolic_sampling.h) without linking lockstep_numerics, which links lockstep_sim and
// never the reverse.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "numerics/philox.h"
#include "numerics/sample_draw.h"
#include "sim/error.h"

namespace lockstep::numerics {

// top_k at or above the vocabulary keeps every token; this is the "no top-k" value.
constexpr std::int32_t kTopKAll = std::numeric_limits<std::int32_t>::max();

struct SamplingParams {
  float temperature = 0.0f;       // 0: greedy; else finite and > 0 (binary32, as given)
  std::int32_t top_k = kTopKAll;  // >= 1
  double top_p = 1.0;             // in (0, 1]; used in units of 2^-24 (top_p_units)
  bool greedy() const { return temperature == 0.0f; }
};

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
  double probability(int i) const {
    require(i >= 0 && i < size(), "SampleDistribution::probability: index out of range");
    return static_cast<double>(weights[static_cast<std::size_t>(i)]) / static_cast<double>(total());
  }
  // The weight of `token`, 0 when it is outside the support.
  std::uint32_t weight_of(std::int32_t token) const {
    const auto it = std::find(tokens.begin(), tokens.end(), token);
    return it == tokens.end() ? 0u : weights[static_cast<std::size_t>(it - tokens.begin())];
  }
};

// What a draw is keyed on. sequence and position must be >= 0 (InputError otherwise).
struct SampleKey {
  std::uint64_t seed = 0;
  std::int32_t sequence = 0;
  std::int32_t position = 0;
  SamplePurpose purpose = SamplePurpose::target_sample;
  std::uint32_t draw = 0;
};

namespace sampling_detail {

template <typename T>
std::string text(T value) {
  std::ostringstream s;
  s.precision(17);
  s << value;
  return s.str();
}

// a * 2^24 >= b * c, compared exactly as 128-bit products.
inline bool scaled_at_least(std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  const std::uint64_t left_hi = a >> 40, left_lo = a << 24;
  const std::uint64_t right_hi = mul_high64(b, c), right_lo = b * c;
  return left_hi != right_hi ? left_hi > right_hi : left_lo >= right_lo;
}

// Candidate i's token: tokens[i], or i for a dense row (tokens == nullptr).
inline std::int32_t token_at(const std::int32_t* tokens, int i) {
  return tokens != nullptr ? tokens[i] : i;
}

// Every logit finite; listed tokens >= 0 and distinct (a dense row's ids are by construction).
inline void check_candidates(const std::int32_t* tokens, const float* logits, int count) {
  require(logits != nullptr && count >= 1,
          "sample_distribution: needs logits and at least one token");
  for (int i = 0; i < count; ++i) {
    if (!std::isfinite(logits[i])) {
      throw InputError("sampling: the logit of token " + std::to_string(token_at(tokens, i)) +
                       " is not finite (" + text(logits[i]) + ")");
    }
  }
  if (tokens == nullptr) return;
  std::vector<std::int32_t> ids(tokens, tokens + count);
  std::sort(ids.begin(), ids.end());
  require(ids.front() >= 0 && std::adjacent_find(ids.begin(), ids.end()) == ids.end(),
          "sample_distribution: candidate tokens must be distinct and >= 0");
}

}  // namespace sampling_detail

// Throws InputError naming the first bad field and its value.
inline void check_sampling_params(const SamplingParams& p) {
  using sampling_detail::text;
  if (!(p.temperature >= 0.0f) || std::isinf(p.temperature)) {
    throw InputError("sampling: temperature must be finite and >= 0 (0 means greedy), got " +
                     text(p.temperature));
  }
  if (p.top_k < 1) {
    throw InputError("sampling: top_k must be >= 1, got " + std::to_string(p.top_k));
  }
  if (!(p.top_p > 0.0 && p.top_p <= 1.0)) {
    throw InputError("sampling: top_p must be in (0, 1], got " + text(p.top_p));
  }
}

// top_p as the integer P = max(1, rint(top_p * 2^24)) in [1, 2^24] (the product is exact).
inline std::uint32_t top_p_units(double top_p) {
  const double units = std::rint(top_p * 16777216.0);
  return units < 1.0 ? 1u : static_cast<std::uint32_t>(units);
}

// The length of the shortest prefix whose weight reaches top_p of the whole (top-p).
inline std::size_t top_p_length(const std::vector<std::uint32_t>& weights, double top_p) {
  const std::uint64_t total = std::accumulate(weights.begin(), weights.end(), std::uint64_t{0});
  const std::uint64_t units = top_p_units(top_p);
  std::uint64_t running = 0;
  for (std::size_t m = 0; m < weights.size(); ++m) {
    running += weights[m];
    if (sampling_detail::scaled_at_least(running, units, total)) return m + 1;
  }
  return weights.size();  // unreachable: the full sum reaches any top_p <= 1
}

namespace sampling_detail {

// One candidate in draw order: logit descending, then token id ascending (a strict total
// order on finite logits, so any sort gives the same sequence; -0 == +0).
struct Ranked {
  float logit;
  std::int32_t token;
  std::uint32_t weight;
  bool operator<(const Ranked& o) const {
    return logit != o.logit ? logit > o.logit : token < o.token;
  }
};

// The first top_k candidates in draw order with their weights, leaving out those whose
// exponent is below kSampleZeroBelow: they have weight 0 and, the exponent being monotone in
// the logit, come after every candidate kept, so leaving them out changes neither the positive
// weights of the top-k prefix nor any top-p sum (§14.2; a test compares with a full sort).
inline std::vector<Ranked> ranked_candidates(const std::int32_t* tokens, const float* logits,
                                             int count, const SamplingParams& params) {
  const float max_logit = *std::max_element(logits, logits + count);
  std::vector<Ranked> ranked;
  for (int i = 0; i < count; ++i) {
    if (sample_exponent(logits[i], max_logit, params.temperature) >= kSampleZeroBelow) {
      ranked.push_back({logits[i], token_at(tokens, i), 0});
    }
  }
  const auto k = std::min(ranked.size(), static_cast<std::size_t>(params.top_k));
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(k), ranked.end());
  ranked.resize(k);
  for (auto& r : ranked) r.weight = sample_weight(r.logit, max_logit, params.temperature);
  return ranked;
}

// The distribution of candidates (token_at(tokens, i), logits[i]), i < count.
inline SampleDistribution distribution(const std::int32_t* tokens, const float* logits, int count,
                                       const SamplingParams& params) {
  check_sampling_params(params);
  check_candidates(tokens, logits, count);
  SampleDistribution d;
  if (params.greedy()) {  // the first in draw order: the lowest id among the maximal logits
    Ranked best{logits[0], token_at(tokens, 0), kSampleWeightOne};
    for (int i = 1; i < count; ++i) {
      const Ranked c{logits[i], token_at(tokens, i), kSampleWeightOne};
      if (c < best) best = c;
    }
    d.tokens = {best.token};
    d.weights = {kSampleWeightOne};
  } else {
    const auto ranked = ranked_candidates(tokens, logits, count, params);
    std::vector<std::uint32_t> weights;
    for (const auto& r : ranked) weights.push_back(r.weight);
    const std::size_t kept = top_p_length(weights, params.top_p);
    for (std::size_t i = 0; i < kept; ++i) {
      if (weights[i] == 0) continue;  // probability 0: never picked, left out of the support
      d.tokens.push_back(ranked[i].token);
      d.weights.push_back(weights[i]);
    }
  }
  std::uint64_t running = 0;  // in 64 bits: std::partial_sum would sum in the weights' 32
  for (const std::uint32_t w : d.weights) d.cumulative.push_back(running += w);
  return d;
}

}  // namespace sampling_detail

// The distribution over a candidate list: tokens [count] (distinct, >= 0) with their logits
// [count] (finite); every other token has probability 0. Ties are ordered by token id, not by
// place in the list, so the order of the list does not matter.
inline SampleDistribution sample_distribution(const std::int32_t* tokens, const float* logits,
                                              int count, const SamplingParams& params) {
  require(tokens != nullptr, "sample_distribution: the candidate list has no tokens");
  return sampling_detail::distribution(tokens, logits, count, params);
}

// logits [vocab] in id order, all finite (else InputError naming the token); vocab >= 1.
inline SampleDistribution sample_distribution(const float* logits, int vocab,
                                              const SamplingParams& params) {
  return sampling_detail::distribution(nullptr, logits, vocab, params);
}

// The inverse-CDF pick (sample_draw.h's sample_pick) of the 64 uniform bits.
inline std::int32_t sample_token(const SampleDistribution& d, std::uint64_t bits) {
  require(d.size() >= 1 && d.cumulative.size() == d.tokens.size() && d.total() > 0,
          "sample_token: the distribution is empty or malformed");
  return d.tokens[static_cast<std::size_t>(sample_pick(d.cumulative.data(), d.size(), bits))];
}

inline std::uint64_t key_bits(const SampleKey& key) {
  if (key.sequence < 0 || key.position < 0) {
    throw InputError("sampling: sequence id and position must be >= 0, got sequence " +
                     std::to_string(key.sequence) + ", position " + std::to_string(key.position));
  }
  return sample_bits(key.seed, static_cast<std::uint32_t>(key.sequence),
                     static_cast<std::uint32_t>(key.position), key.purpose, key.draw);
}

// sample_token(sample_distribution(logits, vocab, params), key_bits(key)).
inline std::int32_t sample(const float* logits, int vocab, const SamplingParams& params,
                           const SampleKey& key) {
  return sample_token(sample_distribution(logits, vocab, params), key_bits(key));
}

// "target_sample", "draft_sample", "accept_test", "residual_sample".
inline const char* purpose_name(SamplePurpose purpose) {
  switch (purpose) {
    case SamplePurpose::target_sample:
      return "target_sample";
    case SamplePurpose::draft_sample:
      return "draft_sample";
    case SamplePurpose::accept_test:
      return "accept_test";
    case SamplePurpose::residual_sample:
      return "residual_sample";
  }
  throw ContractError("purpose_name: unknown SamplePurpose " +
                      std::to_string(static_cast<std::uint32_t>(purpose)));
}

}  // namespace lockstep::numerics
