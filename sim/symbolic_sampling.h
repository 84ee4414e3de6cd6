// The symbolic backend's sampling distribution (docs/numerics.md §14.6, issue 14 item 2): the
// symbolic model keeps no logits, so it gets a documented, hash-derived set of logits over a
// few candidate tokens, and sampling is numerics/sampling.h's rules applied to them (every
// other token has probability 0). A pure function of the query's state hash (the backend's
// per-token digest, ForwardOutput::digest), so sampling runs at simulator speed and is
// exactly as reproducible as the real backends' sampling.
//
// Invariant: the greedy token (temperature 0) is the symbolic backend's argmax,
// state mod vocab, so greedy runs are unchanged. Not here: where the controller draws (its
// sample sites, sim/pass_sampling.h); the symbolic backend draws from this distribution.
#pragma once

#include <cstdint>
#include <vector>

#include "numerics/sampling.h"
#include "sim/batch.h"

namespace lockstep::sim {

// How many candidates a state gets (fewer only when the vocabulary is smaller).
constexpr int kSymbolicCandidates = 8;

// The symbolic model's sparse logits for a query whose output state is `state`.
struct SymbolicLogits {
  std::vector<Token> tokens;  // [K] distinct; tokens[0] = state mod vocab, the argmax
  std::vector<float> logits;  // [K] logits[0] = 0 > logits[j] for j >= 1
};

// K = min(8, vocab) candidates and their logits (vocab >= 1):
//   tokens[0] = state mod vocab;
//   tokens[j], j = 1..K-1: the first distinct values of mix64(combine(state, i)) mod vocab for
//     i = 1, 2, ... (at most 8 K tries), then, if still short, the ids after tokens[0]
//     ((tokens[0] + n) mod vocab, n = 1, 2, ...) that are not taken yet;
//   s = 0.1 + 1.9 * unit_interval(combine(state, 2^33))   (how peaked this query is);
//   logits[0] = 0, logits[j] = (float)(-(s * (j + unit_interval(combine(state, 2^32 + j))))),
//     in double, one rounding to float.
SymbolicLogits symbolic_logits(std::uint64_t state, int vocab);

// numerics::sample_distribution over symbolic_logits(state, vocab).
numerics::SampleDistribution symbolic_distribution(std::uint64_t state, int vocab,
                                                   const numerics::SamplingParams& params);

}  // namespace lockstep::sim
