#include "cli/run_command.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/core.h>

#include "cli/output.h"
#include "cli/scenario_overrides.h"
#include "cli/strategy_help.h"
#include "cli/token_text_source.h"
#include "cli/viz_command.h"
#include "resolve/model_scenario.h"
#include "sim/error.h"
#include "sim/hash.h"
#include "sim/scenario.h"
#include "verify/verify.h"

namespace lockstep::cli {
namespace {

// `lockstep run`'s exit status when every invariant held but some output differs from
// batch-1 AR: numerics, not layout (docs/cli.md "Exit status"; 3 is an internal error).
constexpr int kExitNumericsDivergence = 4;

struct RunArgs {
  std::string scenario_path;
  ScenarioOverrides common;  // backend, strategy, batch size, faults, numerics, sampling
  std::optional<std::string> specbench;
  std::optional<int> k, max_new_tokens, window;
  std::optional<std::uint64_t> seed;
  std::string trace_path, summary_path;
  std::string viz_dir;  // --viz: render every step there (implies a detailed trace)
  bool no_check = false;
  bool trace_details = false;
  std::string cost;  // --cost HW:PAIR[:PRECISION]
};

// Merges the command-line values into `s` and records which fields they set, so that the
// merged scenario's validation can say where a bad value came from.
void apply_overrides(const RunArgs& a, sim::Scenario& s, sim::ValueSources& sources) {
  a.common.apply(s, sources);
  override_field(s.k, a.k, sources, "k", "--k");
  override_field(s.max_new_tokens, a.max_new_tokens, sources, "max_new_tokens", "--max-new-tokens");
  override_field(s.window, a.window, sources, "window", "--window");
  override_field(s.draft.seed, a.seed, sources, "draft.seed", "--seed");
}

// The cost model's figures beside the measured ones (docs/cost-model.md); labelled as
// predictions because they are arithmetic on the run's passes, not timings.
void print_prediction(const verify::CheckedRun& run) {
  const auto& p = *run.predicted;
  const auto s = p.stages(sim::RealignMode::inplace);
  const auto generated = run.result.metrics.generated_tokens;
  fmt::print(
      "  predicted      {}: draft {:.4f}  verify {:.4f}  realign {:.4f}  prefill {:.4f}  "
      "other {:.4f} s\n",
      run.cost_spec, s.draft, s.verify, s.realign, s.prefill, s.other);
  fmt::print(
      "  predicted      {:.0f} tokens/s, realignment {:.1f}% of step time "
      "(published realignment: {:.0f} tokens/s, {:.1f}%)\n",
      p.tokens_per_second(generated, sim::RealignMode::inplace),
      100.0 * p.realign_share(sim::RealignMode::inplace),
      p.tokens_per_second(generated, sim::RealignMode::paper),
      100.0 * p.realign_share(sim::RealignMode::paper));
}

// Each sequence's acceptance and decoded output, one line each; long runs show the first few.
void print_sequences(const verify::CheckedRun& run, const sim::TokenText& text) {
  constexpr int kShown = 16;
  const int n = static_cast<int>(run.result.sequences.size());
  fmt::print("  outputs        as text ({}), drafts accepted/proposed per sequence:\n",
             text.source());
  for (int i = 0; i < n && i < kShown; ++i) fmt::print("{}\n", verify::sequence_line(run, i, text));
  if (n > kShown) fmt::print("  ... {} more sequences (see --summary-json)\n", n - kShown);
}

// Float numerics only: how many outputs differ by numerics alone, and where each first
// differs, with both runs' top logits and the passes that chose them.
void print_numerics(const verify::CheckedRun& run) {
  fmt::print(
      "  numerics       {}: {} sequences differ from batch-1 AR with every invariant "
      "holding (numerics divergences)\n",
      sim::numerics_name(run.scenario.target.numerics), run.numerics_divergences);
  constexpr std::size_t kShown = 10;
  for (std::size_t i = 0; i < run.divergences.size() && i < kShown; ++i) {
    const auto& d = run.divergences[i];
    fmt::print("  DIVERGENCE seq {} at output position {} (index {}):\n", d.seq, d.position,
               d.index);
    fmt::print("      run  {}\n", verify::describe_side(d.run_token, d.run));
    fmt::print("      AR   {}\n", verify::describe_side(d.ar_token, d.ar));
  }
  if (run.divergences.size() > kShown)
    fmt::print("  ... {} more divergences (see --summary-json)\n", run.divergences.size() - kShown);
}

std::string result_line(const verify::CheckedRun& run) {
  switch (run.verdict()) {
    case verify::Verdict::equivalent:
      if (run.rejection) {
        return fmt::format(
            "OK: no invariant broken; rejection sampling ({} of {} sequences equal sampled "
            "batch-1 AR, which it does not promise)",
            run.equivalent_sequences, run.oracle.size());
      }
      return "OK: every sequence equals batch-1 AR, no invariant broken";
    case verify::Verdict::numerics_divergence:
      return fmt::format(
          "NUMERICS: every invariant holds; {} of {} sequences differ from batch-1 AR by "
          "numerics alone",
          run.numerics_divergences, run.oracle.size());
    case verify::Verdict::violation:
      break;
  }
  return "FAILED: see the violations above";
}

int exit_status(const verify::CheckedRun& run) {
  switch (run.verdict()) {
    case verify::Verdict::equivalent:
      return 0;
    case verify::Verdict::numerics_divergence:
      return kExitNumericsDivergence;
    case verify::Verdict::violation:
      break;
  }
  return 1;
}

void print_summary(const verify::CheckedRun& run, const sim::TokenText& text) {
  const auto& s = run.scenario;
  const auto& m = run.result.metrics;
  fmt::print("lockstep run: {} ({} backend{}, strategy {}, batch {}, k {}{})\n", s.name, s.backend,
             sim::is_float(s.target.numerics)
                 ? fmt::format(", {} numerics", sim::numerics_name(s.target.numerics))
                 : "",
             s.strategy, s.batch_size, s.k,
             sim::uses_window_pool(sim::find_strategy(s.strategy))
                 ? fmt::format(", window {}", s.window)
                 : "");
  if (!s.sampling.greedy()) {
    const auto& o = s.sampling;
    fmt::print(
        "  sampling       temperature {}, top_k {}, top_p {}, seed {}, {} acceptance{}: {}\n",
        o.params.temperature,
        o.params.top_k == numerics::kTopKAll ? std::string("all") : std::to_string(o.params.top_k),
        o.params.top_p, o.seed, sim::acceptance_name(o.acceptance),
        o.draft_uniform == sim::DraftUniform::own ? "" : ", draft uniform target",
        o.acceptance == sim::Acceptance::rejection
            ? "I5 recomputes each commit (outputs follow the target's distribution)"
            : "the oracle is sampled batch-1 AR");
  }
  fmt::print("  sequences      {} prompts, {} output-equivalent to batch-1 AR\n", run.oracle.size(),
             run.equivalent_sequences);
  fmt::print("  invariants     {}\n",
             run.invariants_checked
                 ? fmt::format("I1-I5 checked every step: {} violations", run.violation_count)
                 : std::string("not checked (--no-check); equivalence still compared"));
  if (sim::is_float(s.target.numerics)) print_numerics(run);
  fmt::print("  steps          {} verify steps, {} forward passes, {} tokens generated\n", m.steps,
             m.forward_passes, m.generated_tokens);
  fmt::print("  drafts         {} of {} accepted ({:.1f}%), {:.2f} tokens per step per sequence\n",
             m.draft_accepted, m.draft_proposed, 100.0 * m.acceptance_rate(),
             m.mean_tokens_per_step());
  if (sim::find_strategy(s.strategy).realignment == sim::Realignment::group_by_length) {
    fmt::print("  grouping       {} of {} steps served by a same-length group ({:.1f}%)\n",
               m.grouped_steps, m.steps, 100.0 * m.grouping_rate());
  }
  fmt::print("  realignment    {} moves, {} KV bytes\n", m.realign_moves, m.realign_bytes);
  fmt::print(
      "  stage seconds  draft {:.4f}  verify {:.4f}  realign {:.4f}  prefill {:.4f}  other "
      "{:.4f}\n",
      m.seconds.draft, m.seconds.verify, m.seconds.realign, m.seconds.prefill, m.seconds.other);
  if (run.predicted) print_prediction(run);
  print_sequences(run, text);
  fmt::print("  trace digest   {}\n", sim::hex64(run.trace_digest));
  constexpr std::size_t kShown = 10;
  for (std::size_t i = 0; i < run.violations.size() && i < kShown; ++i) {
    const auto& v = run.violations[i];
    fmt::print("  VIOLATION {} at step {} row {} slot {}: {}\n", v.invariant, v.step, v.row, v.slot,
               v.detail);
  }
  if (run.violation_count > static_cast<std::int64_t>(kShown)) {
    fmt::print("  ... {} more violations (see --summary-json)\n",
               run.violation_count - static_cast<std::int64_t>(kShown));
  }
  fmt::print("  result         {}\n", result_line(run));
}

int execute(const RunArgs& a) {
  // The file's cross-field checks wait for the command line: `FILE --strategy ar` must not
  // fail on an exspec window the override makes irrelevant.
  constexpr auto kLater = sim::CrossChecks::after_overrides;
  sim::ValueSources sources;
  sources.file = a.scenario_path.empty() ? "embedded default scenario" : a.scenario_path;
  sim::Scenario scenario =
      a.scenario_path.empty()
          ? sim::parse_scenario(sim::default_scenario_json(), sources.file, kLater)
          : sim::load_scenario_file(a.scenario_path, kLater);
  apply_overrides(a, scenario, sources);
  resolve::finalize_scenario(scenario, a.specbench.value_or(""), sources);
  verify::CheckOptions options;
  options.check_invariants = !a.no_check;
  options.trace_path = a.trace_path;
  options.trace_details = a.trace_details;
  // --viz needs the detail records; without --trace they go to a temporary file.
  std::optional<TemporaryTrace> viz_trace;
  if (!a.viz_dir.empty()) {
    if (options.trace_path.empty()) options.trace_path = viz_trace.emplace().path();
    options.trace_details = true;
  }
  options.cost = a.cost;
  const verify::CheckedRun run = verify::run_checked(scenario, options);
  const sim::TokenText text = text_for_scenario(run.scenario);
  print_summary(run, text);
  if (!a.summary_path.empty())
    write_file_atomically(a.summary_path, verify::summary_json(run, &text).dump(2) + "\n");
  if (!a.trace_path.empty()) fmt::print("  trace          written to {}\n", a.trace_path);
  if (!a.viz_dir.empty()) render_for_run(options.trace_path, a.viz_dir, &text);
  return exit_status(run);
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* run = app.add_subcommand(
      "run", "Run a scenario, check every invariant at every step, compare with batch-1 AR");
  run->footer(
      "Without SCENARIO the embedded default scenario runs (4 prompts, eqspec, symbolic backend).\n"
      "Command-line values override the scenario file. --seed replaces the drafter's seed (the\n"
      "acceptance pattern); model seeds stay as the file says.\n"
      "Exit status: 0 all outputs equal batch-1 AR and no invariant broke; 1 a violation was\n"
      "found (printed); 2 bad input or usage; 4 every invariant held but some output differs\n"
      "from batch-1 AR: a numerics divergence (float numerics only).\n"
      "Example: lockstep run scenarios/ragged_worst_case.json --strategy packed --trace t.jsonl\n" +
      strategy_descriptions() + drafter_descriptions());
  run->add_option("SCENARIO", args->scenario_path, "Scenario JSON file (see scenarios/SCHEMA.md)");
  run->add_option("--backend", args->common.backend,
                  "Backend: symbolic (more when built: cpu, gpu)");
  run->add_option("--strategy", args->common.strategy, strategy_choices(" | ") + " (or a preset)");
  run->add_option("--numerics", args->common.numerics,
                  "exact | float | bf16: the real backends' arithmetic (docs/numerics.md)");
  run->add_option("--batch-size", args->common.batch_size, "Rows per batch (1..4096)");
  run->add_option("--k", args->k, "Draft tokens per round (1..64)");
  run->add_option("--max-new-tokens", args->max_new_tokens, "Tokens generated per prompt at most");
  run->add_option(
      "--window", args->window,
      "Pool size W of " + strategy_choices(", ", sim::uses_window_pool) + " (>= batch size)");
  run->add_option("--seed", args->seed, "Drafter seed (which proposals are corrupted)");
  args->common.sampling.add_to(*run);
  run->add_option("--fault", args->common.faults,
                  "Inject a named fault (repeatable; replaces the file's list)");
  run->add_option("--trace", args->trace_path, "Write the canonical JSON Lines trace to FILE");
  run->add_flag("--trace-details", args->trace_details,
                "Also write every pass's tensors and every crop to the trace (\"detail\" records)");
  run->add_option(
      "--viz", args->viz_dir,
      "Render every step as a picture into DIR, with DIR/index.html (see lockstep viz)");
  run->add_option("--summary-json", args->summary_path,
                  "Write the run summary as one JSON object to FILE");
  run->add_option("--specbench", args->specbench,
                  "Path of SpecBench question.jsonl for scenarios that use it");
  run->add_option("--cost", args->cost,
                  "Predict GPU time: [PROFILE@]HW:PAIR[:int8|bf16[:BW_FRACTION:LAUNCH_US]], e.g. "
                  "h200:vicuna-7b/vicuna-68m or hf-eager@h200:vicuna-7b/vicuna-68m; overrides the "
                  "scenario's \"cost\" "
                  "(docs/cost-model.md; `lockstep sweep --help` lists the presets)");
  run->add_flag("--no-check", args->no_check,
                "Skip the per-step invariant checks (outputs are still compared)");
  run->callback([args, &exit_code] { exit_code = execute(*args); });
}

}  // namespace lockstep::cli
