#include "cli/target_distribution.h"

#include <algorithm>

#include "reference/cpu_backend.h"
#include "sim/error.h"
#include "sim/one_row_pass.h"
#include "sim/symbolic_sampling.h"

namespace lockstep::cli {
TargetDistribution::TargetDistribution(const sim::Scenario& scenario, int max_prefix)
    : scenario_(scenario), backend_(sim::make_backend(scenario.backend)) {
  if (backend_->name() == "cpu") {
    cpu_ = dynamic_cast<reference::CpuBackend*>(backend_.get());
    require(cpu_ != nullptr, "TargetDistribution: the cpu backend is not reference::CpuBackend");
    cpu_->keep_logits(true);
  } else if (backend_->name() != "symbolic") {
    throw InputError("verify-dist: backend '" + scenario.backend +
                     "' is not supported (symbolic or cpu: the exact distribution needs the "
                     "target's logits read back)");
  }
  std::size_t longest = 1;
  for (const auto& p : scenario.prompts) longest = std::max(longest, p.size());
  capacity_ = static_cast<int>(longest) + std::max(max_prefix, 0);
  cache_ = backend_->create_cache(scenario.target, 1, capacity_);
}

TargetDistribution::~TargetDistribution() = default;

numerics::SampleDistribution TargetDistribution::at(int sequence,
                                                    const std::vector<sim::Token>& prefix) {
  require(sequence >= 0 && sequence < static_cast<int>(scenario_.prompts.size()),
          "TargetDistribution::at: no such sequence");
  std::vector<sim::Token> tokens = scenario_.prompts[static_cast<std::size_t>(sequence)];
  tokens.insert(tokens.end(), prefix.begin(), prefix.end());
  require(static_cast<int>(tokens.size()) <= capacity_,
          "TargetDistribution::at: prefix longer than the cache was made for");
  backend_->crop(cache_, 0, 0);  // every query starts from an empty row
  backend_->run_packed(sim::one_row_pass(cache_, tokens, sequence), out_);
  const int vocab = scenario_.target.vocab;
  const auto& params = scenario_.sampling.params;
  if (cpu_ == nullptr) return sim::symbolic_distribution(out_.digest.back(), vocab, params);
  const auto& logits = cpu_->last_logits();  // [L, vocab]
  require(logits.size() == tokens.size() * static_cast<std::size_t>(vocab),
          "TargetDistribution::at: the cpu backend kept no logits for the pass");
  return numerics::sample_distribution(logits.data() + (tokens.size() - 1) * vocab, vocab, params);
}

}  // namespace lockstep::cli
