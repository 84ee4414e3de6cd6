// I5 under rejection sampling (issue 14 item 3, docs/invariants.md): outputs differ from
// batch-1 AR by design, so a commit is judged by recomputing it from what the passes returned.
// An Observer that keeps, per sequence, the latest target pass over it (the tokens fed at each
// index and each query's target distribution) and the latest draft distribution predicted for
// each position; when the controller commits index j it recomputes the token standard
// speculative sampling must commit there (sim/rejection.h, with no fault):
//   the target pass fed d at index j: accept_draft(p_j(d), q_j(d), u(accept_test, j)) ? d
//     : the residual draw from norm(max(0, p_j - q_j)) keyed (residual_sample, j);
//   it fed nothing at j: the bonus, drawn from p_j keyed (target_sample, j).
// q_j is the draft pass's distribution when one predicted position j, else one-hot at d.
// So the committed tokens are checked to be the deterministic function of the keys and the
// distributions. Not here: the stop rule and reporting (verify/checker.cpp).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "numerics/sampling.h"
#include "sim/observer.h"
#include "sim/sequence.h"

namespace lockstep::verify {

class RejectionCommits final : public sim::Observer {
 public:
  RejectionCommits(int sequences, std::uint64_t seed);

  void on_forward_padded(sim::ModelRole role, const sim::PaddedBatch& batch,
                         const sim::ForwardOutput& out) override;
  void on_forward_packed(sim::ModelRole role, const sim::PackedBatch& batch,
                         const sim::ForwardOutput& out) override;

  // Why the token at `index` of `seq` is not what rejection sampling commits there; empty
  // when it is. Called at the commit, before the next pass over the sequence; forgets the
  // draft distributions up to `index`, which no later commit reads.
  std::string check(const sim::Sequence& seq, int index);

 private:
  struct LatestPass {
    std::int64_t pass = -1;
    std::map<int, sim::Token> fed;                         // index -> token fed there
    std::map<int, numerics::SampleDistribution> predicts;  // index -> p of index + 1
  };
  std::string judge(const sim::Sequence& seq, int index) const;
  void note(sim::ModelRole role, const sim::TokenTag& tag, sim::Token fed, std::size_t i,
            const sim::ForwardOutput& out);

  std::uint64_t seed_;
  std::int64_t passes_ = 0;
  std::vector<LatestPass> target_;                                    // [seq]
  std::vector<std::map<int, numerics::SampleDistribution>> draft_q_;  // [seq] position -> q
};

}  // namespace lockstep::verify
