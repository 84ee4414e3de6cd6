// `lockstep sweep` (docs/cost-model.md, "Sweeps"). The CSV is deterministic (no wall times);
// the timing of the sweep itself goes to stderr only.
#include "cli/sweep_command.h"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

#include <unistd.h>

#include <fmt/core.h>

#include "cli/output.h"
#include "cli/shard.h"
#include "cli/strategy_help.h"
#include "cli/sweep_shard.h"
#include "sim/cost_model.h"
#include "sim/error.h"

namespace lockstep::cli {
namespace {

struct SweepArgs {
  // The default grid: every strategy that batches (spec1 is batch size 1 of a grid row).
  std::vector<std::string> strategies = strategy_names_with(sim::batches_several);
  std::vector<int> batch_sizes{1, 2, 4, 8, 16, 32, 64, 128, 256};
  std::vector<int> ks{5};
  // 0.584 gives Spec-Bench's 2.28 tokens per step for Vicuna-7B/68M at k = 5
  // (docs/results/cost-model.md).
  std::vector<double> accept{0.584};
  std::vector<std::string> costs{"h200:vicuna-7b/vicuna-68m:bf16"};
  std::string specbench;
  int prompts = 0;  // 0: 480 SpecBench questions, or 256 synthetic prompts
  int max_prompt_tokens = 256;
  int max_new_tokens = 128;
  int window_factor = 2;
  std::uint64_t seed = 31;
  int jobs = 0;
  std::string out_path;
  std::string plots_dir;
  bool quiet = false;
  std::string shard;  // "I/M"; empty: the whole grid
};

// The grid as command-line options, for the plots' captions (paths reduced to file names
// so no machine path ends up in a picture).
std::string describe(const SweepArgs& a) {
  auto join = [](const auto& values) {
    std::string out;
    for (const auto& v : values) out += (out.empty() ? "" : ",") + fmt::format("{}", v);
    return out;
  };
  std::string out = fmt::format(
      "lockstep sweep --strategies {} --batch-sizes {} --k {} --accept {} --cost {}",
      join(a.strategies), join(a.batch_sizes), join(a.ks), join(a.accept), join(a.costs));
  if (!a.specbench.empty()) {
    const auto slash = a.specbench.find_last_of('/');
    out += " --specbench " +
           (slash == std::string::npos ? a.specbench : a.specbench.substr(slash + 1));
  }
  if (a.prompts > 0) out += fmt::format(" --prompts {}", a.prompts);
  if (a.max_new_tokens != 128) out += fmt::format(" --max-new-tokens {}", a.max_new_tokens);
  return out;
}

// One stderr line redrawn in place: the grid can take minutes at batch 256. When stderr is
// not a terminal (CI logs), one line per tenth of the grid instead of a carriage-return storm.
void draw_progress(int done, int total, std::chrono::steady_clock::time_point start) {
  static const bool tty = isatty(STDERR_FILENO) != 0;
  if (!tty && done != total && (done * 10 / total) == ((done - 1) * 10 / total)) return;
  constexpr int kWidth = 30;
  const int filled = total == 0 ? kWidth : done * kWidth / total;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double eta = done == 0 ? 0.0 : elapsed * (total - done) / done;
  std::cerr << fmt::format("\rsweep [{}{}] {}/{} runs, {:.0f}s elapsed, ~{:.0f}s left  ",
                           std::string(static_cast<std::size_t>(filled), '#'),
                           std::string(static_cast<std::size_t>(kWidth - filled), '.'), done, total,
                           elapsed, eta)
            << (tty ? "" : "\n") << std::flush;
}

sim::SweepGrid make_grid(const SweepArgs& a) {
  sim::SweepGrid grid;
  grid.strategies = a.strategies;
  grid.batch_sizes = a.batch_sizes;
  grid.ks = a.ks;
  grid.accept_probs = a.accept;
  grid.costs = a.costs;
  grid.max_new_tokens = a.max_new_tokens;
  grid.window_factor = a.window_factor;
  grid.seed = a.seed;
  if (!a.specbench.empty()) {
    const int count = a.prompts > 0 ? a.prompts : 480;
    grid.prompts = sim::specbench_prompts(a.specbench, count, a.max_prompt_tokens);
    grid.prompts_label = fmt::format("specbench:{}", grid.prompts.size());
  } else {
    const int count = a.prompts > 0 ? a.prompts : 256;
    grid.prompts = sim::synthetic_prompts(count);
    grid.prompts_label = fmt::format("synthetic:{}", count);
  }
  return grid;
}

// The sweep's own speed, on stderr (the CSV holds no wall times).
void report_speed(const std::vector<sim::SweepRow>& rows, double seconds, int jobs) {
  std::int64_t sequence_steps = 0;
  std::size_t points = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    // Count each controller run once (a run yields one row per cost spec and mode).
    if (i == 0 || rows[i].grid_point != rows[i - 1].grid_point) {
      sequence_steps += rows[i].rounds;
      ++points;
    }
  }
  std::cerr << fmt::format(
      "sweep: {} controller runs, {} rows, {} sequence-steps in {:.2f} s ({:.0f} per second, "
      "{} jobs)\n",
      points, rows.size(), sequence_steps, seconds, static_cast<double>(sequence_steps) / seconds,
      jobs);
}

void write_output(const std::string& path, const std::string& text, const std::string& what) {
  if (path.empty() || path == "-") {
    std::cout << text;
  } else {
    write_file_atomically(path, text);
    std::cerr << "sweep: " << what << " written to " << path << "\n";
  }
}

int execute(const SweepArgs& a) {
  const ShardSpec shard = a.shard.empty() ? ShardSpec{} : parse_shard(a.shard);
  if (!a.shard.empty() && !a.plots_dir.empty()) {
    throw InputError("--plots cannot be drawn from one shard (--shard " + a.shard +
                     "): give --plots to `lockstep merge` instead");
  }
  const sim::SweepGrid grid = make_grid(a);
  const int jobs =
      a.jobs > 0 ? a.jobs : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const auto start = std::chrono::steady_clock::now();
  std::function<void(int, int)> progress;
  if (!a.quiet) progress = [start](int done, int total) { draw_progress(done, total, start); };
  const auto rows = sim::run_sweep(grid, jobs, progress, {shard.index, shard.count});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!a.quiet && isatty(STDERR_FILENO) != 0) std::cerr << "\n";
  report_speed(rows, seconds, jobs);
  if (!a.shard.empty()) {
    write_output(a.out_path, sweep_shard_text(grid, rows, shard, describe(a)),
                 "shard " + shard.label() + " CSV");
    return 0;
  }
  write_output(a.out_path, sim::sweep_csv(grid, rows), "CSV");
  if (!a.plots_dir.empty() && !write_sweep_plots(grid, rows, a.plots_dir, describe(a))) return 2;
  return 0;
}

std::string join_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

void add_sweep_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<SweepArgs>();
  CLI::App* sweep = app.add_subcommand(
      "sweep", "Predict GPU throughput over a grid of strategies, batch sizes, k and models");
  sweep->footer(
      "Every grid point runs the real controller on the symbolic backend (no checking); the\n"
      "cost model then prices each pass and move plan it issued with the real dimensions of\n"
      "the model pair on the named hardware (docs/cost-model.md). All figures are predictions.\n"
      "Hardware: " +
      join_list(sim::hardware_names()) + ".  Pairs: " + join_list(sim::pair_names()) +
      ".\n"
      "Cost spec: [PROFILE@]HW:PAIR[:int8|bf16[:BANDWIDTH_FRACTION:LAUNCH_US]] (default bf16;\n"
      "the two constants are what `lockstep calibrate` fits and prints). Profiles: " +
      join_list(sim::implementation_names()) +
      " (hf-eager prices the paper's Python/transformers code: host calls and syncs).\n"
      "Rows: one per run, cost spec and realignment mode; " +
      strategy_choices(" and ", sim::has_paper_realignment) +
      " also get a 'paper'\n"
      "row pricing the published implementation's realignment (fresh zero-filled cache and a\n"
      "full copy of every row's KV each step). The CSV is byte-identical for the same grid.\n"
      "Example (SpecBench, 3 strategies, plots):\n"
      "  lockstep sweep --specbench question.jsonl --strategies eqspec,exspec,packed \\\n"
      "      --batch-sizes 1,4,8,16,32,64 --k 5 --out sweep.csv --plots plots/\n"
      "Over several machines: --shard I/M on each (I = 0..M-1), then\n"
      "  lockstep merge shard-*.csv --out sweep.csv --plots plots/   (docs/cli.md, Sharding)");
  sweep
      ->add_option("--strategies", args->strategies,
                   "Comma-separated strategies: " + strategy_choices(", "))
      ->delimiter(',')
      ->capture_default_str();
  sweep->add_option("--batch-sizes", args->batch_sizes, "Comma-separated batch sizes (1..4096)")
      ->delimiter(',')
      ->capture_default_str();
  sweep->add_option("--k", args->ks, "Comma-separated draft lengths")
      ->delimiter(',')
      ->capture_default_str();
  sweep
      ->add_option("--accept", args->accept,
                   "Comma-separated oracle acceptance probabilities p (each draft token is the "
                   "target's with probability p; 0.584 ~ Spec-Bench's 2.28 tokens/step at k=5)")
      ->delimiter(',')
      ->capture_default_str();
  sweep->add_option("--cost", args->costs, "Comma-separated HW:PAIR[:PRECISION] specs")
      ->delimiter(',')
      ->capture_default_str();
  sweep->add_option("--specbench", args->specbench,
                    "SpecBench question.jsonl: prompts are its first turns (byte tokens)");
  sweep->add_option("--prompts", args->prompts,
                    "Number of prompts (default 480 SpecBench questions, else 256 synthetic)");
  sweep
      ->add_option("--max-prompt-tokens", args->max_prompt_tokens,
                   "Cut SpecBench prompts to N tokens")
      ->capture_default_str();
  sweep->add_option("--max-new-tokens", args->max_new_tokens, "Tokens generated per prompt")
      ->capture_default_str();
  sweep->add_option("--window-factor", args->window_factor, "exspec pool = factor x batch size")
      ->capture_default_str();
  sweep->add_option("--seed", args->seed, "Oracle drafter seed")->capture_default_str();
  sweep->add_option("--jobs", args->jobs, "Worker threads (default: all cores)");
  sweep->add_option("--out", args->out_path, "CSV file (default: stdout)");
  sweep->add_option("--plots", args->plots_dir,
                    "Directory for throughput, realignment-share and tokens-per-step plots "
                    "(SVG and PNG, rendered with gnuplot)");
  sweep->add_flag("--quiet", args->quiet, "No progress bar");
  sweep->add_option("--shard", args->shard,
                    "Run only shard I of M (0-based): grid points whose index mod M is I; the "
                    "output is a shard CSV for `lockstep merge`");
  sweep->callback([args, &exit_code] { exit_code = execute(*args); });
}

}  // namespace lockstep::cli
