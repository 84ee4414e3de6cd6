#include <algorithm>
#include <chrono>
#include <memory>

#include "sim/error.h"
#include "sim/hash.h"
#include "verify/verify.h"

namespace lockstep::verify {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

CheckedRun run_checked(const sim::Scenario& scenario, const CheckOptions& options) {
  sim::validate_scenario(scenario);
  CheckedRun run;
  run.scenario = scenario;
  const auto reference_start = std::chrono::steady_clock::now();
  sim::ReferenceContinuation computed;
  const bool float_numerics = sim::is_float(scenario.target.numerics);
  // Under float numerics the AR run's passes are watched too: a divergence's anatomy shows
  // both runs' logits.
  std::optional<CommitSources> ar_sources;
  if (options.reference == nullptr) {
    // A separate backend instance: the oracle must not share caches with the run it judges.
    auto oracle_backend = sim::make_backend(scenario.backend);
    if (float_numerics) ar_sources.emplace(static_cast<int>(scenario.prompts.size()));
    computed =
        sim::compute_reference(*oracle_backend, scenario, ar_sources ? &*ar_sources : nullptr);
  }
  const sim::ReferenceContinuation& reference =
      options.reference != nullptr ? *options.reference : computed;
  const auto needed = static_cast<std::size_t>(scenario.max_new_tokens + scenario.k);
  require(reference.tokens.size() == scenario.prompts.size() &&
              std::all_of(reference.tokens.begin(), reference.tokens.end(),
                          [&](const auto& t) { return t.size() >= needed; }),
          "run_checked: the given reference is too short for these prompts, max_new_tokens and k");
  run.reference_seconds = seconds_since(reference_start);
  run.oracle = sim::oracle_outputs(reference, scenario);

  std::unique_ptr<sim::Backend> own_backend;
  if (options.backend == nullptr) own_backend = sim::make_backend(scenario.backend);
  sim::Backend* const backend = options.backend != nullptr ? options.backend : own_backend.get();
  std::optional<sim::TraceWriter> trace;
  if (options.trace_path.empty()) {
    trace.emplace();
  } else {
    trace.emplace(options.trace_path);
  }
  run.result.sequences = sim::make_sequences(scenario);
  std::optional<InvariantChecker> checker;
  sim::RunOptions run_options;
  run_options.trace = &*trace;
  run_options.trace_details = options.trace_details && !options.trace_path.empty();
  run.invariants_checked = options.check_invariants;
  if (options.check_invariants) {
    checker.emplace(run.result.sequences, run.oracle, *backend, EquivalenceRule::of(scenario));
    run_options.observers.push_back(&*checker);
  }
  // The command line's spec, else the scenario's; observes after the checker.
  std::optional<sim::CostObserver> cost;
  const std::string& cost_spec = options.cost.empty() ? scenario.cost : options.cost;
  if (!cost_spec.empty()) {
    cost.emplace(sim::parse_cost_spec(cost_spec), scenario);
    run_options.observers.push_back(&*cost);
  }
  const auto start = std::chrono::steady_clock::now();
  sim::run_scenario(*backend, scenario, reference, run.result, run_options);
  run.run_seconds = seconds_since(start);
  if (cost) {
    run.predicted = cost->prediction();
    run.cost_spec = cost->model().spec();
  }
  if (checker) {
    checker->finish();
    run.violations = checker->violations();
    run.violation_count = checker->violation_count();
  }
  const auto outputs = run.result.outputs();
  for (std::size_t i = 0; i < outputs.size(); ++i)
    run.equivalent_sequences += outputs[i] == run.oracle[i] ? 1 : 0;
  run.rejection = EquivalenceRule::of(scenario).rejection;
  if (run.invariants_hold() && !run.rejection) {
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      if (outputs[i] == run.oracle[i]) continue;
      run.divergences.push_back(anatomy_of(static_cast<int>(i), run.result.sequences[i].prompt_len,
                                           outputs[i], run.oracle[i], checker->commit_sources(),
                                           ar_sources ? &*ar_sources : nullptr));
    }
    run.numerics_divergences = static_cast<int>(run.divergences.size());
  }
  // One record per kept violation, before the timing record, so pictures and tools can
  // point at the step; a clean run has none, so its digest is unchanged.
  for (const auto& v : run.violations) {
    trace->record(sim::trace::ViolationRecord{.invariant = v.invariant,
                                              .step = v.step,
                                              .row = v.row,
                                              .slot = v.slot,
                                              .detail = v.detail});
  }
  // The anatomy of each numerics divergence, for pictures (detail records: not in the digest).
  if (run_options.trace_details) {
    for (const auto& d : run.divergences) trace->record(divergence_record(d));
  }
  const auto& seconds = run.result.metrics.seconds;
  trace->record(sim::trace::TimingRecord{.backend = scenario.backend,
                                         .run_seconds = run.run_seconds,
                                         .reference_seconds = run.reference_seconds,
                                         .stage_seconds = {.draft = seconds.draft,
                                                           .verify = seconds.verify,
                                                           .realign = seconds.realign,
                                                           .prefill = seconds.prefill,
                                                           .other = seconds.other}});
  trace->close();
  run.trace_digest = trace->digest();
  return run;
}

}  // namespace lockstep::verify
