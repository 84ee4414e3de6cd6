// Standard speculative sampling (Leviathan et al. 2023, Chen et al. 2023) decided exactly in
// integers (docs/numerics.md §14.8): the accept test of one draft token d drawn from the draft
// distribution q, judged against the target distribution p, and the residual distribution
// norm(max(0, p - q)) a rejected position's correction is drawn from.
//
// Why integers: p(x) = p_w(x) / P and q(x) = q_w(x) / Q are exact rationals
// (numerics/sampling.h), so "u < p(d) / q(d)" and every residual weight are integer
// comparisons and integer differences of 128-bit products: no rounding, the same decision on
// every machine. Not here: which keys the uniforms come from and what the controller commits
// (sim/rejection.h), the distributions themselves (numerics/sampling.h).
//
// Header-only (host), like sampling.h; the wide pick it uses (sample_draw.h's
// sample_pick_wide) is host and device code.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "numerics/sample_draw.h"
#include "numerics/sampling.h"

namespace lockstep::numerics {

// p(d) / q(d) >= u, decided exactly: with u = bits / 2^64, A = q_w * P and B = p_w * Q (each
// a product of two integers below 2^64, so below 2^128), u < B / A iff bits * A < B * 2^64 iff
// floor(bits * A / 2^64) < B (the remainder is below 2^64). p_w >= q_w * P / Q (p(d) >= q(d))
// always accepts, since floor(bits * A / 2^64) < A <= B.
inline bool accept_draft(std::uint64_t p_weight, std::uint64_t p_total, std::uint64_t q_weight,
                         std::uint64_t q_total, std::uint64_t bits) {
  require(q_weight > 0 && p_total > 0 && q_total > 0,
          "accept_draft: the draft must have positive draft weight and both totals be positive");
  const WideWeight a = static_cast<WideWeight>(q_weight) * p_total;
  const WideWeight b = static_cast<WideWeight>(p_weight) * q_total;
  return mul_high64_wide(bits, a) < b;
}

// A draft proposed deterministically (no draft model, or a drafter that replaces the model's
// choice): q is one-hot at `token`, so it is accepted with probability p(token) and the
// residual is p without `token`, renormalized.
inline SampleDistribution one_hot_distribution(std::int32_t token) {
  return SampleDistribution{
      .tokens = {token}, .weights = {kSampleWeightOne}, .cumulative = {1u << 24}};
}

// norm(max(0, p - q)) in integers: r(x) = max(0, p_w(x) * Q - q_w(x) * P) over p's support,
// in p's draw order, only the positive ones. A weight is below 2^24 * 2^55 (P, Q <= 2^31
// tokens * 2^24), and the total is at most P * Q <= 2^110, so 128 bits hold every prefix sum.
struct ResidualDistribution {
  std::vector<std::int32_t> tokens;    // [n]
  std::vector<WideWeight> weights;     // [n], each > 0
  std::vector<WideWeight> cumulative;  // [n], inclusive prefix sums
  int size() const { return static_cast<int>(tokens.size()); }
  WideWeight total() const { return cumulative.empty() ? 0 : cumulative.back(); }
  WideWeight weight_of(std::int32_t token) const {
    const auto it = std::find(tokens.begin(), tokens.end(), token);
    return it == tokens.end() ? 0 : weights[static_cast<std::size_t>(it - tokens.begin())];
  }
};

inline ResidualDistribution residual_distribution(const SampleDistribution& p,
                                                  const SampleDistribution& q) {
  require(p.total() > 0 && q.total() > 0, "residual_distribution: an empty distribution");
  // q's weights by token, for a lookup per p token (a real vocabulary is 10^4-10^5 tokens).
  std::vector<std::pair<std::int32_t, std::uint32_t>> q_by_token;
  for (int i = 0; i < q.size(); ++i)
    q_by_token.emplace_back(q.tokens[static_cast<std::size_t>(i)],
                            q.weights[static_cast<std::size_t>(i)]);
  std::sort(q_by_token.begin(), q_by_token.end());
  ResidualDistribution r;
  WideWeight running = 0;
  for (int i = 0; i < p.size(); ++i) {
    const std::int32_t token = p.tokens[static_cast<std::size_t>(i)];
    const auto it = std::lower_bound(q_by_token.begin(), q_by_token.end(),
                                     std::pair<std::int32_t, std::uint32_t>{token, 0});
    const std::uint32_t q_w = it != q_by_token.end() && it->first == token ? it->second : 0;
    const WideWeight have =
        static_cast<WideWeight>(p.weights[static_cast<std::size_t>(i)]) * q.total();
    const WideWeight take = static_cast<WideWeight>(q_w) * p.total();
    if (have <= take) continue;
    r.tokens.push_back(token);
    r.weights.push_back(have - take);
    r.cumulative.push_back(running += have - take);
  }
  return r;
}

// The inverse-CDF pick of the 64 uniform bits from the residual (sample_pick_wide).
inline std::int32_t sample_residual(const ResidualDistribution& r, std::uint64_t bits) {
  require(r.size() >= 1 && r.total() > 0, "sample_residual: the residual is empty (p == q)");
  return r.tokens[static_cast<std::size_t>(sample_pick_wide(r.cumulative.data(), r.size(), bits))];
}

// A 128-bit integer in decimal (trace records and messages: JSON has no 128-bit integers).
inline std::string wide_decimal(WideWeight value) {
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  } while (value != 0);
  return {digits.rbegin(), digits.rend()};
}

}  // namespace lockstep::numerics
