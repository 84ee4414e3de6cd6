#include "sim/pass_sampling.h"

#include <utility>

#include "sim/batch.h"
#include "sim/error.h"

namespace lockstep::sim {

const char* acceptance_name(Acceptance acceptance) {
  return acceptance == Acceptance::coupled ? "coupled" : "rejection";
}

Acceptance parse_acceptance(const std::string& value, const std::string& what) {
  if (value == "coupled") return Acceptance::coupled;
  if (value == "rejection") return Acceptance::rejection;
  throw InputError(what + " must be \"coupled\" or \"rejection\", got '" + value + "'");
}

const char* draft_uniform_name(DraftUniform draft_uniform) {
  return draft_uniform == DraftUniform::own ? "own" : "target";
}

DraftUniform parse_draft_uniform(const std::string& value, const std::string& what) {
  if (value == "own") return DraftUniform::own;
  if (value == "target") return DraftUniform::target;
  throw InputError(what + " must be \"own\" or \"target\", got '" + value + "'");
}

void check_sampling_options(const SamplingOptions& options) {
  // numerics' messages name the field ("sampling: top_k must be >= 1, got 0").
  numerics::check_sampling_params(options.params);
  if (options.draft_uniform == DraftUniform::target &&
      options.acceptance == Acceptance::rejection) {
    throw InputError(
        "sampling.draft_uniform \"target\" cannot be combined with sampling.acceptance "
        "\"rejection\": standard speculative sampling needs each draft drawn independently of "
        "the target's own draws at its position (docs/numerics.md §14.9); use "
        "draft_uniform \"own\" or acceptance \"coupled\"");
  }
}

numerics::SampleKey PassSampling::key(std::size_t i) const {
  require(sampled(i), "PassSampling::key: output token is not sampled");
  const SampleSite& s = sites[i];
  return numerics::SampleKey{.seed = seed,
                             .sequence = s.sequence,
                             .position = s.position,
                             .purpose = purpose,
                             .draw = s.draw};
}

void choose_sampled_tokens(const PassSampling& sampling, const float* logits, int vocab,
                           ForwardOutput& out) {
  out.distributions.clear();
  if (!sampling.active()) return;
  std::vector<std::int32_t>& choices = out.argmax;
  require(sampling.sites.size() == choices.size(), [&] {
    return "choose_sampled_tokens: " + std::to_string(sampling.sites.size()) +
           " sample sites for " + std::to_string(choices.size()) + " output tokens";
  });
  require(logits != nullptr && vocab >= 1, "choose_sampled_tokens: needs the logits rows");
  if (sampling.want_distributions) out.distributions.resize(choices.size());
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (!sampling.sampled(i)) continue;
    auto d = numerics::sample_distribution(logits + i * static_cast<std::size_t>(vocab), vocab,
                                           sampling.params);
    choices[i] = numerics::sample_token(d, numerics::key_bits(sampling.key(i)));
    if (sampling.want_distributions) out.distributions[i] = std::move(d);
  }
}

}  // namespace lockstep::sim
