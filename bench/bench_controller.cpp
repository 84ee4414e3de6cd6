// Sequence-steps per second of the speculative batch controller on the symbolic backend
// (DESIGN §9 target: >= 1M per core). One sequence-step is one sequence taking part in one
// verify round: k + 1 draft-model tokens and k + 1 target tokens, plus the strategy's
// realignment and bookkeeping. Invariant checking and tracing are off (they are the
// verifier's cost, not the controller's); the batch-1 AR reference is computed once, outside
// the timed loop. BM_controller_checked/NAME/BATCH is the same run with the invariant checker
// (verify/checker.h) observing every step, reported separately: it has no target.
#include <benchmark/benchmark.h>

#include <optional>

#include "sim/runner.h"
#include "sim/strategy.h"
#include "sim/symbolic_backend.h"
#include "verify/checker.h"

namespace lockstep {
namespace {

sim::Scenario bench_scenario(const std::string& strategy, int batch, int sequences) {
  sim::Scenario s;
  s.name = "bench";
  s.backend = "symbolic";
  s.target = sim::preset("tiny", 1);
  s.draft.kind = sim::DrafterSpec::Kind::oracle;
  s.draft.accept_prob = 0.7;
  s.draft.seed = 5;
  s.draft.model = sim::preset("draft-tiny", 2);
  s.strategy = strategy;
  s.batch_size = batch;
  s.k = 5;
  s.max_new_tokens = 128;
  s.window = 2 * batch;
  std::uint64_t x = 12345;
  for (int i = 0; i < sequences; ++i) {
    std::vector<sim::Token> prompt(static_cast<std::size_t>(32 + (i * 37) % 97));
    for (auto& t : prompt) t = static_cast<sim::Token>((x = sim::mix64(x)) % 256);
    s.prompts.push_back(std::move(prompt));
  }
  return s;
}

void run_benchmark(benchmark::State& state, const std::string& strategy, bool checked) {
  const int batch = static_cast<int>(state.range(0));
  const sim::Scenario scenario = bench_scenario(strategy, batch, 2 * batch);
  sim::SymbolicBackend reference_backend;
  const sim::ReferenceContinuation reference = sim::compute_reference(reference_backend, scenario);
  const auto oracle = sim::oracle_outputs(reference, scenario);
  std::int64_t sequence_steps = 0;
  std::int64_t violations = 0;
  double realign_share = 0;
  for (auto _ : state) {
    sim::SymbolicBackend backend;
    sim::RunResult result;
    result.sequences = sim::make_sequences(scenario);
    sim::RunOptions options;
    std::optional<verify::InvariantChecker> checker;
    if (checked) {
      checker.emplace(result.sequences, oracle, backend);
      options.observers.push_back(&*checker);
    }
    sim::run_scenario(backend, scenario, reference, result, options);
    if (checker) violations += checker->violation_count();
    sequence_steps += result.metrics.rounds;
    realign_share = result.metrics.realign_share();
    benchmark::DoNotOptimize(result.metrics.generated_tokens);
  }
  if (violations > 0) state.SkipWithError("the invariant checker reported violations");
  state.counters["seq_steps_per_s"] =
      benchmark::Counter(static_cast<double>(sequence_steps), benchmark::Counter::kIsRate);
  state.counters["realign_share"] = realign_share;
}

void BM_controller(benchmark::State& state, const std::string& strategy) {
  run_benchmark(state, strategy, false);
}

void BM_controller_checked(benchmark::State& state, const std::string& strategy) {
  run_benchmark(state, strategy, true);
}

// One benchmark per drafting strategy that batches, read from the registry
// (sim/strategy.h): BM_controller/NAME/BATCH, then BM_controller_checked/NAME/BATCH.
void register_benchmarks() {
  for (const auto checked : {false, true}) {
    for (const auto& strategy : sim::strategy_registry()) {
      if (!strategy.drafts || !sim::batches_several(strategy)) continue;
      const std::string name =
          std::string(checked ? "BM_controller_checked/" : "BM_controller/") + strategy.name;
      benchmark::RegisterBenchmark(name.c_str(), checked ? BM_controller_checked : BM_controller,
                                   strategy.name)
          ->Arg(8)
          ->Arg(64)
          ->Unit(benchmark::kMillisecond);
    }
  }
}

}  // namespace
}  // namespace lockstep

int main(int argc, char** argv) {
  lockstep::register_benchmarks();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
