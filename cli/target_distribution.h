// The exact target distribution p(. | prompt, prefix) a correct sampler draws the next output
// token from (`lockstep verify-dist`, issue 14 item 3): one batch-1 forward of the target over
// prompt + prefix (one packed pass into row 0 of an emptied cache, positions 0..L-1), then the
// backend's own rule for turning that forward into a distribution, with the run's sampling
// parameters:
//   symbolic: the last token's state hash -> sim::symbolic_distribution (docs/numerics.md §14.6);
//   cpu:      the last token's logits row -> numerics::sample_distribution (§14.2).
// Exact numerics give the same logits in this pass as in any batched pass (the batch
// invariance I5 relies on). Under float numerics the logits' last bits depend on the pass
// shape, so p is this pass's: rounding far below what a G-test can see.
//
// Not here: the gpu backend (refused: its logits are not read back in this build's verify-dist).
#pragma once

#include <memory>
#include <vector>

#include "numerics/sampling.h"
#include "sim/backend.h"
#include "sim/scenario.h"

namespace lockstep::reference {
class CpuBackend;
}

namespace lockstep::cli {

class TargetDistribution {
 public:
  // `scenario` finalized and sampled; `max_prefix` the longest prefix that will be asked for.
  // Throws InputError naming the backend when it is neither symbolic nor cpu.
  TargetDistribution(const sim::Scenario& scenario, int max_prefix);
  ~TargetDistribution();

  // p(. | prompts[sequence], prefix). Throws ContractError for a sequence out of range or a
  // prefix longer than max_prefix.
  numerics::SampleDistribution at(int sequence, const std::vector<sim::Token>& prefix);

 private:
  sim::Scenario scenario_;
  std::unique_ptr<sim::Backend> backend_;
  reference::CpuBackend* cpu_ = nullptr;  // backend_ when it is the cpu backend
  sim::CacheId cache_;
  int capacity_ = 0;
  sim::ForwardOutput out_;
};

}  // namespace lockstep::cli
