// `lockstep equivalence` (cli/equivalence_command.h): loads the scenario, swaps in SpecBench
// prompts spread over the file when asked, keeps each prompt's category, runs the grid with a
// progress line per cell on stderr and rewrites both CSV files (each whole, by rename) after
// every cell. Decides the exit status; computes nothing itself.
#include "cli/equivalence_command.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/core.h>
#include <fmt/format.h>

#include "cli/equivalence_grid.h"
#include "cli/output.h"
#include "cli/strategy_help.h"
#include "resolve/model_scenario.h"
#include "sim/error.h"
#include "sim/scenario.h"
#include "sim/specbench.h"
#include "sim/strategy.h"

namespace lockstep::cli {
namespace {

struct EquivalenceArgs {
  std::string scenario_path;
  std::string specbench;
  std::optional<std::string> backend;
  std::optional<int> prompts, per_category, new_tokens, k;
  int offset = 0;
  int stride = 1;
  int prompt_tokens = 0;
  // Every strategy that drafts: all but batch-1 AR, the reference.
  std::vector<std::string> strategies =
      strategy_names_with([](const sim::StrategyInfo& s) { return s.drafts; });
  std::vector<int> batch_sizes{1, 4, 8, 16};
  std::vector<std::string> numerics{"exact", "float"};
  std::string out_dir = "out/equivalence";
};

// --prompts replaces the scenario's prompts by SpecBench records offset, offset + stride, ...
void apply_overrides(const EquivalenceArgs& a, sim::Scenario& s) {
  if (a.backend) s.backend = *a.backend;
  if (a.new_tokens) s.max_new_tokens = *a.new_tokens;
  if (a.k) s.k = *a.k;
  if (a.prompts && a.per_category) throw InputError("give --prompts or --per-category, not both");
  if (!a.prompts && (a.offset != 0 || a.stride != 1))
    throw InputError("--offset and --stride choose the records of --prompts N; add --prompts");
  if (a.prompts || a.per_category) {
    if (a.prompts && *a.prompts < 1)
      throw InputError("--prompts must be >= 1, got " + std::to_string(*a.prompts));
    sim::SpecBenchSource src{.path = s.specbench ? s.specbench->path : std::string(),
                             .count = a.prompts.value_or(0),
                             .offset = a.offset,
                             .stride = a.stride,
                             .max_prompt_tokens = s.specbench ? s.specbench->max_prompt_tokens : 0};
    if (a.per_category) {
      const std::string& path = a.specbench.empty() ? src.path : a.specbench;
      if (path.empty()) throw InputError("--per-category needs --specbench PATH");
      src.records = sim::spread_over_categories(sim::read_specbench_all(path), *a.per_category);
      src.count = static_cast<int>(src.records.size());
    }
    s.prompts.clear();
    s.prompt_texts.clear();
    s.specbench = src;
  }
  if (a.prompt_tokens < 0)
    throw InputError("--prompt-tokens must be >= 0, got " + std::to_string(a.prompt_tokens));
  if (a.prompt_tokens > 0) {
    if (!s.specbench)
      throw InputError(
          "--prompt-tokens cuts SpecBench prompts; this scenario has none (add --prompts N)");
    s.specbench->max_prompt_tokens = a.prompt_tokens;
  }
}

// Each prompt's record and category, read before the scenario resolves its SpecBench source.
PromptLabels labels_of(const sim::Scenario& s, const std::string& specbench_path) {
  PromptLabels labels;
  if (!s.specbench) return labels;
  const auto& src = *s.specbench;
  const std::string& path = specbench_path.empty() ? src.path : specbench_path;
  if (path.empty()) throw InputError("the scenario's SpecBench prompts need --specbench PATH");
  for (const auto& r : sim::read_specbench_source(path, src)) {
    labels.labels.push_back(std::to_string(r.index));
    labels.categories.push_back(r.category.empty() ? "-" : r.category);
  }
  return labels;
}

sim::Scenario load(const EquivalenceArgs& a, PromptLabels& labels) {
  sim::Scenario s = sim::load_scenario_file(a.scenario_path, sim::CrossChecks::after_overrides);
  apply_overrides(a, s);
  labels = labels_of(s, a.specbench);
  resolve::finalize_scenario(s, a.specbench);
  if (labels.labels.empty()) {  // prompts given in the file: their index, no category
    for (std::size_t i = 0; i < s.prompts.size(); ++i) {
      labels.labels.push_back(std::to_string(i));
      labels.categories.push_back("-");
    }
  }
  return s;
}

void print_table(const EquivalenceResult& r) {
  fmt::print("  {:<10} {:>5} {:>8} {:>12} {:>10} {:>10}\n", "strategy", "batch", "numerics",
             "identical", "rate", "violations");
  for (const auto& c : r.cells) {
    const auto n = c.sequences.size();
    fmt::print("  {:<10} {:>5} {:>8} {:>12} {:>9.1f}% {:>10}\n", c.strategy, c.batch_size,
               sim::numerics_name(c.numerics), fmt::format("{}/{}", c.identical(), n),
               n == 0 ? 0.0 : 100.0 * c.identical() / static_cast<double>(n), c.violations);
  }
}

// 0: done, no violation, every exact cell 100%. 1: otherwise (float divergences alone are
// the measurement, not a failure).
int verdict(const EquivalenceResult& r) {
  bool ok = true;
  for (const auto& c : r.cells) {
    const bool exact_short =
        c.numerics == sim::Numerics::exact && c.identical() != static_cast<int>(c.sequences.size());
    if (c.violations > 0 || exact_short) {
      ok = false;
      fmt::print("  FAILED         {} {} batch {}: {}\n", sim::numerics_name(c.numerics),
                 c.strategy, c.batch_size,
                 c.violations > 0 ? c.first_violation : "exact numerics, not 100% equivalent");
    }
  }
  return ok ? 0 : 1;
}

int execute(const EquivalenceArgs& a) {
  EquivalenceGrid grid{.strategies = a.strategies, .batch_sizes = a.batch_sizes, .numerics = {}};
  for (const auto& n : a.numerics) grid.numerics.push_back(sim::parse_numerics(n, "--numerics"));
  PromptLabels labels;
  const sim::Scenario base = load(a, labels);
  if (base.backend == "symbolic" &&
      std::any_of(grid.numerics.begin(), grid.numerics.end(), sim::is_float)) {
    throw InputError(
        "--numerics float or bf16 needs a backend that computes (cpu): the symbolic backend "
        "ignores numerics; give --backend cpu or --numerics exact");
  }
  fmt::print("lockstep equivalence: {} ({} backend, {} prompts, {} new tokens, k {}), {} cells\n",
             base.name, base.backend, base.prompts.size(), base.max_new_tokens, base.k,
             grid.strategies.size() * grid.batch_sizes.size() * grid.numerics.size());
  std::fflush(stdout);
  std::filesystem::create_directories(a.out_dir);
  const std::string csv = a.out_dir + "/equivalence.csv";
  const std::string sequences = a.out_dir + "/sequences.csv";
  const auto start = std::chrono::steady_clock::now();
  auto progress = [&](int done, int total, const std::string& what) {
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cerr << fmt::format("equivalence [{}/{}] {:.0f} s: {}\n", done, total, elapsed, what)
              << std::flush;
  };
  auto snapshot = [&](const EquivalenceResult& r) {
    write_file_atomically(csv, equivalence_csv(r));
    write_file_atomically(sequences, sequences_csv(r));
  };
  const EquivalenceResult result = run_equivalence_grid(base, labels, grid, progress, snapshot);
  print_table(result);
  fmt::print("  written        {}, {}\n", csv, sequences);
  return verdict(result);
}

}  // namespace

void add_equivalence_command(CLI::App& app, int& exit_code) {
  auto a = std::make_shared<EquivalenceArgs>();
  CLI::App* cmd = app.add_subcommand(
      "equivalence",
      "Measure how many sequences equal batch-1 AR, per strategy x batch size x numerics");
  cmd->footer(
      "For each numerics, batch-1 AR computes the reference once; then every strategy x batch\n"
      "size runs with the invariant checker on (I1-I5 every step) and each sequence is compared\n"
      "with that reference token for token. Exact numerics must give 100%; float numerics (the\n"
      "fp32 cpu backend, docs/numerics.md) may diverge with every invariant holding: that rate\n"
      "is what the paper calls ~95% equivalence. Writes, rewritten whole after every cell:\n"
      "  OUT/equivalence.csv  strategy,batch,numerics,category,sequences,identical,rate,\n"
      "                       mean_first_divergence,violations,seconds (one row per cell and\n"
      "                       SpecBench category, plus category \"all\")\n"
      "  OUT/sequences.csv    strategy,batch,numerics,prompt,record,category,first_divergence,\n"
      "                       generated,oracle_generated (first_divergence -1: identical)\n"
      "Progress, one line per cell, goes to stderr.\n"
      "Exit status: 0 done, no violation, every exact cell 100%; 1 otherwise; 2 bad input.\n"
      "Example (2 records of each of SpecBench's 13 categories, in the model's chat template):\n"
      "  lockstep equivalence scenarios/models/smollm2_walkthrough.json --specbench \\\n"
      "    PATH/question.jsonl --per-category 2 --prompt-tokens 32 --new-tokens 64 --k 3");
  cmd->add_option("SCENARIO", a->scenario_path, "Scenario JSON file (model, drafter, k)")
      ->required();
  cmd->add_option("--backend", a->backend, "symbolic | cpu | gpu (default: the scenario's)");
  cmd->add_option("--specbench", a->specbench, "SpecBench question.jsonl");
  cmd->add_option("--prompts", a->prompts,
                  "Replace the prompts by N SpecBench records (default: the scenario's prompts)");
  cmd->add_option("--per-category", a->per_category,
                  "Replace the prompts by N SpecBench records of each category, evenly spread "
                  "inside it (13 categories: 13 N prompts)");
  cmd->add_option("--offset", a->offset, "With --prompts: the first record (default 0)");
  cmd->add_option("--stride", a->stride,
                  "With --prompts: take every S-th record (default 1; 7 spreads 64 prompts over "
                  "all 13 categories)");
  cmd->add_option("--prompt-tokens", a->prompt_tokens,
                  "Cut each SpecBench question to its first N tokens (default: the scenario's)");
  cmd->add_option("--new-tokens", a->new_tokens, "Tokens generated per prompt (max_new_tokens)");
  cmd->add_option("--k", a->k, "Draft tokens per round (default: the scenario's)");
  cmd->add_option(
         "--strategies", a->strategies,
         "Comma-separated (default " + fmt::format("{}", fmt::join(a->strategies, ",")) + ")")
      ->delimiter(',');
  cmd->add_option("--batch-sizes", a->batch_sizes, "Comma-separated (default 1,4,8,16)")
      ->delimiter(',');
  cmd->add_option("--numerics", a->numerics,
                  "Comma-separated exact,float,bf16 (default exact,float)")
      ->delimiter(',');
  cmd->add_option("--out", a->out_dir, "Folder for the CSV files (default out/equivalence)");
  cmd->callback([a, &exit_code] { exit_code = execute(*a); });
}

}  // namespace lockstep::cli
