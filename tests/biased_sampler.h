// A sampler with a known bias for checking `lockstep verify-dist`'s power (issue 14 item 3):
// sampled batch-1 AR written token by token from the exact target distribution, each token
// drawn with the target's key (seed, sequence, position), optionally after moving a fraction of
// the total mass from each position's most likely token to its second. Unbiased, it reproduces
// coupled sampling's outputs draw for draw (test_dist_check checks that).
#pragma once

#include <cstdint>
#include <vector>

#include "numerics/sampling.h"
#include "sim/error.h"
#include "sim/scenario.h"
#include "verify/dist_check.h"

namespace lockstep::test {

inline numerics::SampleDistribution distribution_of_weights(std::vector<std::int32_t> tokens,
                                                            std::vector<std::uint32_t> weights) {
  numerics::SampleDistribution d;
  d.tokens = std::move(tokens);
  d.weights = std::move(weights);
  std::uint64_t running = 0;
  for (auto w : d.weights) d.cumulative.push_back(running += w);
  return d;
}

// `fraction` of the total mass moved from the first token (draw order) to the second; p itself
// when it has one token or its first holds no more than `fraction`.
inline numerics::SampleDistribution moved_mass(const numerics::SampleDistribution& p,
                                               double fraction) {
  const auto moved = static_cast<std::uint32_t>(fraction * static_cast<double>(p.total()));
  if (p.size() < 2 || p.weights[0] <= moved) return p;
  auto weights = p.weights;
  weights[0] -= moved;
  weights[1] += moved;
  return distribution_of_weights(p.tokens, weights);
}

inline std::uint64_t target_draw_bits(std::uint64_t seed, int sequence, int position) {
  return numerics::key_bits(numerics::SampleKey{.seed = seed,
                                                .sequence = sequence,
                                                .position = position,
                                                .purpose = numerics::SamplePurpose::target_sample,
                                                .draw = 0});
}

// One run's first `positions` output tokens per sequence, each drawn from
// moved_mass(exact(sequence, prefix), bias) with the target's key for `seed`.
inline std::vector<std::vector<sim::Token>> biased_run(const sim::Scenario& s, std::uint64_t seed,
                                                       int positions,
                                                       const verify::DistributionOf& exact,
                                                       double bias) {
  std::vector<std::vector<sim::Token>> out(s.prompts.size());
  for (std::size_t seq = 0; seq < s.prompts.size(); ++seq) {
    const int prompt_len = static_cast<int>(s.prompts[seq].size());
    for (int t = 1; t <= positions; ++t) {
      const auto p = moved_mass(exact(static_cast<int>(seq), out[seq]), bias);
      out[seq].push_back(numerics::sample_token(
          p, target_draw_bits(seed, static_cast<int>(seq), prompt_len + t - 1)));
    }
  }
  return out;
}

// `count` biased runs with seeds first_seed, first_seed + 1, ...
inline verify::RunOutputs biased_runs(const sim::Scenario& s, std::uint64_t first_seed, int count,
                                      int positions, const verify::DistributionOf& exact,
                                      double bias) {
  verify::RunOutputs out;
  for (int r = 0; r < count; ++r)
    out.push_back(
        biased_run(s, first_seed + static_cast<std::uint64_t>(r), positions, exact, bias));
  return out;
}

}  // namespace lockstep::test
