// `lockstep bench` (verify/bench.h): loads a scenario (or the embedded default), optionally
// swaps its prompts for SpecBench's, runs the grid with a progress bar on stderr, and writes
// the results only when every point was exact, each file whole or not at all.
#include "cli/bench_command.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/core.h>

#include "cli/output.h"
#include "cli/sampling_flags.h"
#include "reference/parallel.h"
#include "resolve/model_scenario.h"
#include "sim/cost_cpu.h"
#include "sim/error.h"
#include "sim/scenario.h"
#include "sim/timed_backend.h"

namespace lockstep::cli {
namespace {

struct BenchArgs {
  std::string scenario_path;
  std::optional<std::string> backend, numerics;
  std::vector<std::string> strategies;
  std::vector<int> batch_sizes{1, 4, 8, 16};
  std::vector<int> ks;
  int warmup = 1;
  int repeats = 3;
  std::optional<int> max_new_tokens;
  std::string specbench;
  int specbench_prompts = 0;
  int max_prompt_tokens = 0;
  std::string out_dir = "out/bench";
  std::string cost;
  std::string clock = "wall";
  SamplingFlags sampling;
};

sim::Scenario load(const BenchArgs& a) {
  sim::Scenario s = a.scenario_path.empty() ? sim::parse_scenario(sim::default_scenario_json(),
                                                                  "embedded default scenario")
                                            : sim::load_scenario_file(a.scenario_path);
  if (a.backend) s.backend = *a.backend;
  if (a.numerics) s.numerics = sim::parse_numerics(*a.numerics, "--numerics");
  if (a.max_new_tokens) s.max_new_tokens = *a.max_new_tokens;
  a.sampling.apply(s);
  if (a.specbench_prompts > 0) {
    s.prompts.clear();
    s.specbench = sim::SpecBenchSource{.path = a.specbench,
                                       .count = a.specbench_prompts,
                                       .offset = 0,
                                       .max_prompt_tokens = a.max_prompt_tokens};
  }
  resolve::finalize_scenario(s, a.specbench);
  return s;
}

// --cost, else the scenario's, else for the cpu backend the cpu profile's spec of its own
// models (calibrate then needs --profile), else "none".
std::string cost_spec(const BenchArgs& a, const sim::Scenario& s) {
  if (!a.cost.empty()) return a.cost;
  if (!s.cost.empty()) return s.cost;
  const std::string pair = s.target.name + "/" + s.draft.model.name;
  if (s.backend == "cpu" && sim::cpu_pair(pair)) return sim::cpu_cost_spec(s.target, s.draft.model);
  return "none";
}

// One line redrawn in place on a terminal; one line per run in a log.
void show_progress(int done, int total, const std::string& what) {
  static const bool tty = isatty(fileno(stderr)) != 0;
  constexpr int kWidth = 30;
  const int filled = total == 0 ? kWidth : kWidth * done / total;
  const std::string bar = std::string(filled, '#') + std::string(kWidth - filled, '.');
  std::cerr << (tty ? "\r\033[K" : "") << fmt::format("bench [{}] {}/{} {}", bar, done, total, what)
            << (tty && done < total ? "" : "\n") << std::flush;
}

void print_table(const verify::BenchResult& r) {
  fmt::print("  {:<10} {:>5} {:>3} {:>8} {:>12} {:>17} {:>9} {:>8}\n", "strategy", "batch", "k",
             "steps", "tokens/step", "tokens/s (min..max)", "realign", "verify");
  for (const auto& p : r.points) {
    const double total = p.stage_median.total() > 0 ? p.stage_median.total() : 1;
    fmt::print(
        "  {:<10} {:>5} {:>3} {:>8} {:>12.3f} {:>8.0f} ({:.0f}..{:.0f}) {:>8.1f}% {:>7.1f}%\n",
        p.strategy, p.batch_size, p.k, p.steps, p.tokens_per_step, p.tokens_per_second.median,
        p.tokens_per_second.min, p.tokens_per_second.max, 100 * p.stage_median.realign / total,
        100 * p.stage_median.verify / total);
  }
}

int execute(const BenchArgs& a) {
  const sim::Scenario base = load(a);
  if (a.clock == "thread" && base.backend != "cpu")
    throw InputError(
        "bench: --clock thread times the calling thread's CPU seconds, which is "
        "right for the cpu backend only (got backend " +
        base.backend + ")");
  if (a.clock == "thread") {
    // The cpu backend spreads a pass over reference threads whose CPU time the calling
    // thread's clock does not see: on that clock the pass must run on the calling thread alone.
    reference::set_reference_threads(1);
    sim::set_pass_clock(sim::PassClock::thread_cpu);
  }
  verify::BenchGrid grid{.strategies = a.strategies.empty() ? sim::strategy_names() : a.strategies,
                         .batch_sizes = a.batch_sizes,
                         .ks = a.ks.empty() ? std::vector<int>{base.k} : a.ks,
                         .warmup = a.warmup,
                         .repeats = a.repeats};
  fmt::print(
      "lockstep bench: {} ({} backend, {} prompts, {} new tokens each), {} points x {} "
      "timed runs\n",
      base.name, base.backend, base.prompts.size(), base.max_new_tokens,
      grid.strategies.size() * grid.batch_sizes.size() * grid.ks.size(), grid.repeats);
  verify::BenchResult result;
  try {
    result = verify::run_bench(base, grid, show_progress);
  } catch (const verify::BenchRefused& e) {
    std::cerr << "\nlockstep bench: REFUSED, nothing written: " << e.what() << "\n";
    return 1;
  }
  print_table(result);
  std::filesystem::create_directories(a.out_dir);
  const std::string cost = cost_spec(a, base);
  write_file_atomically(a.out_dir + "/bench.csv", verify::bench_csv(result));
  write_file_atomically(a.out_dir + "/passes.csv", verify::bench_passes_csv(result, cost));
  const std::string caption =
      fmt::format("measured: lockstep bench {} --backend {}, median of {} runs after {} warm-up",
                  a.scenario_path.empty() ? "(default scenario)" : a.scenario_path, base.backend,
                  grid.repeats, grid.warmup);
  const bool drawn = write_bench_plots(result, a.out_dir, caption);
  fmt::print("  written        {0}/bench.csv, {0}/passes.csv ({1} pass shapes, cost {2}){3}\n",
             a.out_dir, result.passes.size(), cost,
             drawn ? ", throughput.png, stage_shares.png" : " (gnuplot not found: .gp kept)");
  if (cost == "none")
    fmt::print(
        "  note           give --cost HW:PAIR to make passes.csv `lockstep calibrate` input\n");
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "bench", "Measure tokens/s over strategies x batch sizes x k; refuse inexact results");
  cmd->footer(
      "Every grid point runs once checked (invariants every step, outputs vs batch-1 AR) and\n"
      "untimed, then --warmup untimed runs, then --repeats timed runs whose outputs are compared\n"
      "with batch-1 AR again. One inexact run refuses the whole bench: exit 1, nothing written.\n"
      "Writes OUT/bench.csv (one row per point: medians, min, max, stage seconds), OUT/passes.csv\n"
      "(median seconds of every timed pass shape, the input of `lockstep calibrate`), and\n"
      "OUT/throughput.png, OUT/stage_shares.png with their gnuplot scripts. exspec's window is\n"
      "raised to the batch size where the scenario's is smaller (bench.csv says which).\n"
      "Exit status: 0 done; 1 refused (a run was not exact); 2 bad input.\n"
      "Example: lockstep bench scenarios/ragged_worst_case.json --backend cpu \\\n"
      "           --strategies ar,eqspec,packed --batch-sizes 1,4,8 --repeats 5 --out out/bench");
  cmd->add_option("SCENARIO", a->scenario_path, "Scenario JSON file (default: the embedded one)");
  cmd->add_option("--backend", a->backend, "symbolic | cpu | gpu (default: the scenario's)");
  cmd->add_option("--numerics", a->numerics, "exact | float | bf16 (default: the scenario's)");
  a->sampling.add_to(*cmd);
  cmd->add_option("--strategies", a->strategies, "Comma-separated strategies (default: all)")
      ->delimiter(',');
  cmd->add_option("--batch-sizes", a->batch_sizes, "Comma-separated batch sizes (default 1,4,8,16)")
      ->delimiter(',');
  cmd->add_option("--k", a->ks, "Comma-separated draft lengths (default: the scenario's k)")
      ->delimiter(',');
  cmd->add_option("--warmup", a->warmup,
                  "Untimed runs per point after the checked one (default 1)");
  cmd->add_option("--repeats", a->repeats, "Timed runs per point (default 3)");
  cmd->add_option("--max-new-tokens", a->max_new_tokens, "Override the scenario's max_new_tokens");
  cmd->add_option("--specbench", a->specbench, "SpecBench question.jsonl");
  cmd->add_option("--specbench-prompts", a->specbench_prompts,
                  "Replace the prompts by SpecBench's first N questions (byte tokens)");
  cmd->add_option("--max-prompt-tokens", a->max_prompt_tokens,
                  "With --specbench-prompts: keep each prompt's first N tokens (0: all)");
  cmd->add_option("--out", a->out_dir, "Folder for the CSV files and pictures (default out/bench)");
  cmd->add_option("--cost", a->cost,
                  "Cost spec HW:PAIR[:PRECISION] written in passes.csv (default: the scenario's; "
                  "on the cpu backend cpu:TARGET/DRAFT:int8)");
  cmd->add_option(
         "--clock", a->clock,
         "Pass times in passes.csv: wall (default) or thread (the thread's CPU seconds; "
         "cpu backend only, robust to a loaded machine; the backend then runs on one thread)")
      ->check(CLI::IsMember({"wall", "thread"}));
  cmd->callback([a, &exit_code] { exit_code = execute(*a); });
}

}  // namespace lockstep::cli
