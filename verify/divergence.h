// The anatomy of a numerics divergence (issue 13, docs/strategies.md "numerics or layout?"):
// for a sequence whose output differs from batch-1 AR while every invariant holds, the first
// generated position where the two differ, each run's token there, the two top logits and
// their gap in each run (when the backend has logits), and the shape of the pass that chose
// each token. A gap near zero in either run says the token was a near tie that a different
// reduction order (a different pass shape) could flip.
//
// Not a judgement: whether a difference is numerics or a layout bug is the invariants' call
// (verify.h, CheckedRun::verdict); this only describes it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/batch.h"
#include "sim/trace_schema.h"
#include "verify/commit_sources.h"

namespace lockstep::verify {

struct DivergenceAnatomy {
  int seq = 0;
  int position = 0;  // first generated position (0-based) where the outputs differ
  int index = 0;     // its logical index: prompt length + position
  std::optional<sim::Token> run_token{}, ar_token{};  // nullopt: that run had already stopped
  // What chose each token; nullopt when unknown (a run that stopped, or an oracle given
  // precomputed to run_checked, whose passes were not watched).
  std::optional<CommitSource> run{}, ar{};
};

// The first position where `run` and `ar` differ, or nullopt when they are equal.
std::optional<int> first_difference(const std::vector<sim::Token>& run,
                                    const std::vector<sim::Token>& ar);

// The anatomy of sequence `seq` at its first difference; `run_sources` and `ar_sources` may
// be null. Throws ContractError when the outputs do not differ.
DivergenceAnatomy anatomy_of(int seq, int prompt_len, const std::vector<sim::Token>& run,
                             const std::vector<sim::Token>& ar, const CommitSources* run_sources,
                             const CommitSources* ar_sources);

// The trace's "detail" record of a divergence (sim/trace_schema.h).
sim::trace::DetailDivergenceRecord divergence_record(const DivergenceAnatomy& d);

// "best 12.5 / second 12.49 (token 7), gap 0.01" or "no logits (symbolic backend)".
std::string describe_top2(const std::optional<sim::LogitTop2>& top2);
// One side in a line: "token 42 from a verify pass at step 7 (padded 4x3 past 12): best ...".
std::string describe_side(const std::optional<sim::Token>& token,
                          const std::optional<CommitSource>& source);

}  // namespace lockstep::verify
