// Drafters: where the k proposals of a verify round come from (DESIGN §4). The drafters of a
// draft model (`oracle`, `script`, `model`) run its passes (so the draft cache is exercised
// and kept in sync); `oracle` and `script` then replace the model's choice by a proposal
// derived from the target's true continuation, keyed on (seed, sequence, position) so that
// every strategy sees the same acceptance pattern. `prompt-lookup` needs no draft model and
// runs no draft pass: it matches n-grams of the sequence's own tokens (sim/prompt_lookup.h),
// so a strategy's draft cache, its prefill and its realignment are skipped too
// (Engine::has_draft_model).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/scenario.h"
#include "sim/sequence.h"

namespace lockstep::sim {

// Target's greedy continuation of every prompt, computed by batch-1 AR (the oracle of I5),
// long enough to cover every draft position: [sequence][generated index].
struct ReferenceContinuation {
  std::vector<std::vector<Token>> tokens;
};

// The drafter kinds a scenario's `draft.kind` names, for help texts and error messages.
struct DrafterKindInfo {
  DrafterSpec::Kind kind;
  const char* name;
  const char* description;
};
const std::vector<DrafterKindInfo>& drafter_kinds();
// "oracle, script, model, prompt-lookup"
std::string drafter_kind_list();

// What a drafter without a draft model passes as `model_choice`.
inline constexpr Token kNoModelChoice = -1;

class Drafter {
 public:
  virtual ~Drafter() = default;
  // Proposal d_i (i in 1..k) of `seq`'s verify round `round`, to take logical index `index`.
  // `model_choice` is the draft model's greedy output of the previous draft pass, or
  // kNoModelChoice when the drafter runs no draft model.
  virtual Token propose(const Sequence& seq, int round, int i, int index,
                        Token model_choice) const = 0;
  // Whether the draft model's passes run (and its cache exists) for this drafter.
  virtual bool runs_draft_model() const { return true; }
  // Whether the proposal is the draft model's own (sampled) choice, so that under rejection
  // sampling its draft distribution q is the draft model's; otherwise the proposal is a
  // deterministic token and q is one-hot at it (docs/strategies.md "Rejection sampling").
  virtual bool proposes_model_choice() const { return false; }
};

// `k`: proposals per round (the scenario's k).
std::unique_ptr<Drafter> make_drafter(const DrafterSpec& spec, const ReferenceContinuation& truth,
                                      int vocab, int k);

// A token guaranteed to differ from `token`, drawn uniformly from the rest of the vocabulary.
Token corrupt_token(Token token, std::uint64_t key, int vocab);

}  // namespace lockstep::sim
