// Drafters: where the k proposals of a verify round come from (DESIGN §4). Every drafter
// still runs the draft model's passes (so the draft cache is exercised and kept in sync);
// `oracle` and `script` then replace the model's choice by a proposal derived from the
// target's true continuation, keyed on (seed, sequence, position) so that every strategy
// sees the same acceptance pattern.
#pragma once

#include <memory>
#include <vector>

#include "sim/scenario.h"
#include "sim/sequence.h"

namespace lockstep::sim {

// Target's greedy continuation of every prompt, computed by batch-1 AR (the oracle of I5),
// long enough to cover every draft position: [sequence][generated index].
struct ReferenceContinuation {
  std::vector<std::vector<Token>> tokens;
};

class Drafter {
 public:
  virtual ~Drafter() = default;
  // Proposal d_i (i in 1..k) of `seq`'s verify round `round`, to take logical index `index`.
  // `model_choice` is the draft model's greedy output of the previous draft pass.
  virtual Token propose(const Sequence& seq, int round, int i, int index,
                        Token model_choice) const = 0;
};

std::unique_ptr<Drafter> make_drafter(const DrafterSpec& spec, const ReferenceContinuation& truth,
                                      int vocab);

// A token guaranteed to differ from `token`, drawn uniformly from the rest of the vocabulary.
Token corrupt_token(Token token, std::uint64_t key, int vocab);

}  // namespace lockstep::sim
