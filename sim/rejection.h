// Rejection sampling (issue 14 item 3, docs/strategies.md "Rejection sampling"): how the
// controller judges one row's k drafts under `acceptance: "rejection"`, the one rule every
// backend's run executes. Draft d_i (at position n_i) is accepted iff u_i < p_i(d_i) / q_i(d_i),
// u_i the keyed uniform (seed, sequence, n_i, accept_test), decided exactly
// (numerics/speculative_sampling.h); at the first rejection the correction is drawn from
// norm(max(0, p_i - q_i)) with key (seed, sequence, n_i, residual_sample); after k accepted
// drafts the bonus is drawn from p_k+1 with key (seed, sequence, n_k + 1, target_sample).
// Nothing is keyed on a batch row or a pass count.
//
// Not here: where p and q come from (the backends' ForwardOutput::distributions, asked for by
// Engine::stamp_sampling), the commit (sim/round.cpp). Faults injected here (sim/faults.h):
// rejection-residual-unnormalized, rejection-bonus-from-q, rejection-accept-if-p-ge-q.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "numerics/speculative_sampling.h"
#include "sim/faults.h"
#include "sim/sequence.h"

namespace lockstep::sim {

// One judged draft, as the verify record holds it (sim/trace_schema.h): the draft, its target
// and draft probabilities as exact weight / total pairs, and the decision.
struct JudgedDraft {
  Token draft = 0;
  std::uint64_t p_weight = 0, p_total = 0;
  std::uint64_t q_weight = 0, q_total = 0;
  bool accepted = false;
  friend bool operator==(const JudgedDraft&, const JudgedDraft&) = default;
};

// The token drawn after the accepted drafts: the correction of the first rejected draft
// ("residual", probability weight / total under norm(max(0, p - q))) or the bonus ("bonus",
// under p_k+1). Weights are 128-bit: a residual weight is a difference of products.
struct SampledToken {
  std::string source;  // "residual" | "bonus"
  Token token = 0;
  numerics::WideWeight weight = 0, total = 0;
  friend bool operator==(const SampledToken&, const SampledToken&) = default;
};

// One row's verdict: `judged` holds the accepted drafts and, if any, the first rejected one.
struct RowVerdict {
  int accepted = 0;
  std::vector<JudgedDraft> judged;
  SampledToken sampled;
};

// What a row's judgement reads. `p` [k + 1]: the target's distributions at the positions of
// d_1..d_k and of the bonus. `q` [k] or [k + 1]: the draft distributions (one-hot for a
// deterministic proposal); the (k + 1)-th, when the draft model ran that pass, is read only
// by the fault rejection-bonus-from-q.
struct RowJudgement {
  const std::vector<Token>* drafts = nullptr;  // [k]
  const std::vector<numerics::SampleDistribution>* p = nullptr;
  const std::vector<numerics::SampleDistribution>* q = nullptr;
  std::uint64_t seed = 0;
  int sequence = 0;
  int first_position = 0;  // the position of d_1
};

// Judges the row's drafts in order, stopping at the first rejection. Throws ContractError
// when the distributions do not match the drafts' count.
RowVerdict judge_drafts(const RowJudgement& row, const FaultSet& faults);

// The correction at a rejected position (also what the checker recomputes).
SampledToken residual_draw(const numerics::SampleDistribution& p,
                           const numerics::SampleDistribution& q, const numerics::SampleKey& key,
                           const FaultSet& faults);

}  // namespace lockstep::sim
