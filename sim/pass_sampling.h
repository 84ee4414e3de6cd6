// Sampling as a run asks for it (the scenario's "sampling", issue 14) and as the controller
// hands it to a backend with every pass (docs/numerics.md §14, docs/strategies.md "Coupled
// sampling"): the parameters, the seed and, per output token, the site its draw is keyed on.
//
// Contract: the controller decides every key (sequence id and position of the token being
// drawn, never a batch row or a pass count in a correct run) and passes it as data, like
// positions and masks, so a keying bug is a controller fault every backend executes alike;
// a backend only turns "logits + site" into a token, by numerics/sampling.h's rules. A pass
// whose `sites` is empty is greedy (argmax_lowest): exactly the behaviour before sampling.
// Not here: the acceptance rule (coupled acceptance needs none beyond "a draft is accepted
// iff it equals the target's sample", sim/round.h; rejection sampling, sim/rejection.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "numerics/sampling.h"

namespace lockstep::sim {

struct ForwardOutput;  // sim/batch.h, which includes this header

// How drafts are judged under sampling: coupled (issue 14 item 2, docs/strategies.md "Coupled
// sampling") or standard speculative sampling (item 3, "Rejection sampling").
enum class Acceptance : std::uint8_t { coupled, rejection };
const char* acceptance_name(Acceptance acceptance);
// "coupled" or "rejection". Throws InputError naming `what` (a field or a flag) and the value.
Acceptance parse_acceptance(const std::string& value, const std::string& what);

// Whose uniform a draft model's sampled proposal is drawn with (docs/numerics.md §14.9): its
// own (purpose draft_sample, independent of the target's draw) or the target's (purpose
// target_sample at the same (sequence, position): common random numbers, so a drafter equal
// to the target proposes exactly the target's token). Coupled acceptance only.
enum class DraftUniform : std::uint8_t { own, target };
const char* draft_uniform_name(DraftUniform draft_uniform);
// "own" or "target". Throws InputError naming `what` (a field or a flag) and the value.
DraftUniform parse_draft_uniform(const std::string& value, const std::string& what);

// The scenario's "sampling" object; temperature 0 (the default) is greedy.
struct SamplingOptions {
  numerics::SamplingParams params;
  std::uint64_t seed = 0;
  Acceptance acceptance = Acceptance::coupled;
  DraftUniform draft_uniform = DraftUniform::own;
  bool greedy() const { return params.greedy(); }
};
// Throws InputError naming the first bad field ("sampling.temperature", ...) and its value,
// or both fields when draft_uniform "target" meets acceptance "rejection".
void check_sampling_options(const SamplingOptions& options);

// Where one output token's draw is keyed: the token at `position` of sequence `sequence`
// (the position of the token being drawn, one past the fed token's index). sequence < 0: the
// output is not sampled (pads, prefill outputs nobody reads): argmax_lowest.
struct SampleSite {
  std::int32_t sequence = -1;
  std::int32_t position = 0;
  std::uint32_t draw = 0;  // 0 in a correct run
};

// One pass's sampling: empty `sites` for a greedy pass, else one site per output token
// ([R * T] padded, [N] packed).
struct PassSampling {
  numerics::SamplingParams params;
  std::uint64_t seed = 0;
  numerics::SamplePurpose purpose = numerics::SamplePurpose::target_sample;
  std::vector<SampleSite> sites;
  // Whether the backend returns each sampled output's distribution (ForwardOutput::
  // distributions): set only for the passes rejection sampling judges.
  bool want_distributions = false;

  bool active() const { return !sites.empty(); }
  // Whether output token i is drawn (i < sites.size(), the site names a sequence).
  bool sampled(std::size_t i) const { return i < sites.size() && sites[i].sequence >= 0; }
  numerics::SampleKey key(std::size_t i) const;
};

// Replaces out.argmax[i] by the keyed draw from the dense logits row i ([n, vocab] row-major,
// n = out.argmax.size()) for every sampled output; the others keep their argmax. When the pass
// wants distributions, out.distributions gets one per output (empty where not sampled); else
// it is cleared. Throws ContractError when an active pass has a site count other than n.
void choose_sampled_tokens(const PassSampling& sampling, const float* logits, int vocab,
                           ForwardOutput& out);

}  // namespace lockstep::sim
