#include "cli/sampling_flags.h"

#include <cmath>

#include <fmt/core.h>

#include "sim/error.h"

namespace lockstep::cli {

void SamplingFlags::add_to(CLI::App& command) {
  command.add_option("--temperature", temperature,
                     "Sample at this temperature (0: greedy, the default; docs/numerics.md §14)");
  command.add_option("--top-k", top_k, "Sampling: keep the K most likely tokens (>= 1)");
  command.add_option("--top-p", top_p, "Sampling: keep the smallest prefix of mass >= P, (0, 1]");
  command.add_option("--sampling-seed", seed,
                     "Sampling: the seed of every draw (a non-negative 64-bit integer)");
  command.add_option("--acceptance", acceptance,
                     "Sampling: how drafts are judged: coupled (token-exact with sampled AR) or "
                     "rejection (standard speculative sampling: the target's distribution)");
  command.add_option("--draft-uniform", draft_uniform,
                     "Sampling: whose uniform a draft model draws with: own (independent of the "
                     "target's draw) or target (the target's, coupled acceptance only)");
}

void SamplingFlags::apply(sim::Scenario& s) const {
  sim::SamplingOptions& o = s.sampling;
  if (temperature) {
    if (!(*temperature >= 0.0) || !std::isfinite(static_cast<float>(*temperature)))
      throw InputError(
          fmt::format("--temperature must be a finite number >= 0 (0 means greedy), "
                      "got {}",
                      *temperature));
    o.params.temperature = static_cast<float>(*temperature);
  }
  if (top_k) {
    if (*top_k < 1 || *top_k > numerics::kTopKAll)
      throw InputError(
          fmt::format("--top-k must be an integer in [1, {}], got {}", numerics::kTopKAll, *top_k));
    o.params.top_k = static_cast<std::int32_t>(*top_k);
  }
  if (top_p) {
    if (!(*top_p > 0.0 && *top_p <= 1.0))
      throw InputError(fmt::format("--top-p must be a number in (0, 1], got {}", *top_p));
    o.params.top_p = *top_p;
  }
  if (seed) o.seed = *seed;
  if (acceptance) o.acceptance = sim::parse_acceptance(*acceptance, "--acceptance");
  if (draft_uniform) o.draft_uniform = sim::parse_draft_uniform(*draft_uniform, "--draft-uniform");
}

}  // namespace lockstep::cli
