#include "sim/runner.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "sim/engine.h"
#include "sim/error.h"
#include "sim/hash.h"
#include "sim/strategies.h"
#include "sim/strategy.h"

namespace lockstep::sim {
namespace {

// The trace header's numerics: "float" or "bf16" when the target computes in floating point,
// empty (not written) for exact, so exact traces keep their bytes and digests.
std::string float_numerics_name(const Scenario& scenario) {
  return is_float(scenario.target.numerics) ? numerics_name(scenario.target.numerics) : "";
}

// The trace header's sampling: only for sampled runs, so greedy traces keep their bytes.
std::optional<SamplingOptions> traced_sampling(const Scenario& scenario) {
  if (scenario.sampling.greedy()) return std::nullopt;
  return scenario.sampling;
}

}  // namespace

std::vector<Sequence> make_sequences(const Scenario& scenario) {
  std::vector<Sequence> out;
  out.reserve(scenario.prompts.size());
  for (std::size_t i = 0; i < scenario.prompts.size(); ++i) {
    Sequence s;
    s.id = static_cast<std::int32_t>(i);
    s.prompt_len = static_cast<std::int32_t>(scenario.prompts[i].size());
    s.tokens = scenario.prompts[i];
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::vector<Token>> RunResult::outputs() const {
  std::vector<std::vector<Token>> out;
  for (const auto& s : sequences) out.emplace_back(s.tokens.begin() + s.prompt_len, s.tokens.end());
  return out;
}

ReferenceContinuation compute_reference(Backend& backend, const Scenario& scenario,
                                        Observer* observer) {
  Scenario ar = scenario;
  ar.strategy = reference_strategy().name;
  ar.batch_size = 1;
  ar.eos_token.reset();
  ar.eos_tokens.clear();
  ar.max_new_tokens = scenario.max_new_tokens + scenario.k;
  ar.faults.clear();
  std::vector<Sequence> sequences = make_sequences(ar);
  Engine engine(backend, ar, sequences, nullptr, observer, nullptr);
  run_strategy(engine);
  ReferenceContinuation out;
  for (const auto& s : sequences)
    out.tokens.emplace_back(s.tokens.begin() + s.prompt_len, s.tokens.end());
  return out;
}

std::vector<std::vector<Token>> oracle_outputs(const ReferenceContinuation& reference,
                                               const Scenario& scenario) {
  std::vector<std::vector<Token>> out;
  for (const auto& continuation : reference.tokens) {
    std::vector<Token> tokens;
    for (Token t : continuation) {
      if (static_cast<int>(tokens.size()) >= scenario.max_new_tokens) break;
      tokens.push_back(t);
      if (scenario.is_eos(t)) break;
    }
    out.push_back(std::move(tokens));
  }
  return out;
}

namespace {

// The trace's draft model and seed: "none" and 0 for a drafter that runs no draft model.
std::pair<std::string, std::uint64_t> traced_draft_model(const Scenario& scenario) {
  if (scenario.draft.kind == DrafterSpec::Kind::prompt_lookup) return {"none", 0};
  return {scenario.draft.model.name, scenario.draft.model.seed};
}

}  // namespace

void run_scenario(Backend& backend, const Scenario& scenario,
                  const ReferenceContinuation& reference, RunResult& result,
                  const RunOptions& options) {
  validate_scenario(scenario);
  require(reference.tokens.size() == scenario.prompts.size(),
          "run_scenario: reference does not match the prompts");
  require(result.sequences.size() == scenario.prompts.size() &&
              std::all_of(result.sequences.begin(), result.sequences.end(),
                          [](const Sequence& s) { return s.generated() == 0 && !s.prefilled; }),
          "run_scenario: sequences must come fresh from make_sequences");
  const bool drafting = find_strategy(scenario.strategy).drafts;
  std::unique_ptr<Drafter> drafter;
  if (drafting)
    drafter = make_drafter(scenario.draft, reference, scenario.target.vocab, scenario.k);
  ObserverList observers;
  for (Observer* o : options.observers) observers.add(o);
  Engine engine(backend, scenario, result.sequences, drafter.get(),
                observers.empty() ? nullptr : &observers, options.trace);
  engine.set_trace_details(options.trace_details);
  if (options.trace) {
    const auto [draft_model, draft_seed] = traced_draft_model(scenario);
    std::uint64_t prompts = mix64(scenario.prompts.size());
    for (const auto& p : scenario.prompts) {
      for (Token t : p) prompts = combine(prompts, static_cast<std::uint64_t>(t));
      prompts = combine(prompts, ~0ULL);
    }
    options.trace->record(trace::RunRecord{.scenario = scenario.name,
                                           .strategy = scenario.strategy,
                                           .batch_size = scenario.batch_size,
                                           .k = scenario.k,
                                           .max_new_tokens = scenario.max_new_tokens,
                                           .window = scenario.window,
                                           .eos_token = scenario.eos_token,
                                           .target = scenario.target.name,
                                           .target_seed = scenario.target.seed,
                                           .draft_model = draft_model,
                                           .draft_seed = draft_seed,
                                           .sequences = static_cast<int>(scenario.prompts.size()),
                                           .prompts = prompts,
                                           .faults = scenario.faults,
                                           .numerics = float_numerics_name(scenario),
                                           .sampling = traced_sampling(scenario)});
  }
  const auto start = std::chrono::steady_clock::now();
  run_strategy(engine);
  result.metrics = engine.metrics();
  // Whatever the stages did not account for: bookkeeping, drafting logic, observers, trace.
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.metrics.seconds.other = std::max(0.0, wall - result.metrics.seconds.total());
}

}  // namespace lockstep::sim
