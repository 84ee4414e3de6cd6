#include "cli/verify_dist_command.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <fmt/format.h>

#include "cli/output.h"
#include "cli/scenario_overrides.h"
#include "cli/target_distribution.h"
#include "resolve/model_scenario.h"
#include "sim/error.h"
#include "sim/scenario.h"
#include "verify/dist_check.h"

namespace lockstep::cli {
namespace {

struct VerifyDistArgs {
  std::string scenario_path;
  int seeds = 1000;
  int positions = 4;
  double alpha = 1e-3;
  std::int64_t min_group = 25;
  ScenarioOverrides common;  // backend, strategy, batch size, faults, numerics, sampling
  std::string specbench;
  std::string out_dir;
};

// A group of fewer runs cannot hold two bins of expected count 5 (verify/dist_test.h).
constexpr std::int64_t kSmallestMinGroup = 10;

// Every bad value of the command's own flags, named in one message.
void check_flags(const VerifyDistArgs& a, const sim::Scenario& s) {
  std::vector<std::string> bad;
  if (a.seeds < 1) bad.push_back(fmt::format("--seeds must be >= 1, got {}", a.seeds));
  if (a.positions < 1) bad.push_back(fmt::format("--positions must be >= 1, got {}", a.positions));
  if (a.positions > s.max_new_tokens)
    bad.push_back(fmt::format("--positions {} exceeds the scenario's max_new_tokens {}",
                              a.positions, s.max_new_tokens));
  if (!(a.alpha > 0.0 && a.alpha < 1.0))
    bad.push_back(fmt::format("--alpha must be in (0, 1), got {}", a.alpha));
  if (a.min_group < kSmallestMinGroup)
    bad.push_back(fmt::format("--min-group must be >= {}, got {}", kSmallestMinGroup, a.min_group));
  if (s.sampling.greedy())
    bad.push_back(
        "verify-dist needs sampling: the scenario's sampling.temperature (or --temperature) must "
        "be > 0");
  if (!bad.empty()) throw InputError(fmt::format("{}", fmt::join(bad, "; ")));
}

sim::Scenario load(const VerifyDistArgs& a) {
  sim::ValueSources sources;
  sources.file = a.scenario_path;
  sim::Scenario s = sim::load_scenario_file(a.scenario_path, sim::CrossChecks::after_overrides);
  a.common.apply(s, sources);
  resolve::finalize_scenario(s, a.specbench, sources);
  check_flags(a, s);
  return s;
}

// Progress on stderr, at most one line a second (and the last one), for long runs.
class Progress {
 public:
  explicit Progress(std::string what) : what_(std::move(what)) {}
  void operator()(std::int64_t done, std::int64_t total) {
    const auto now = std::chrono::steady_clock::now();
    if (done != total && now - last_ < std::chrono::seconds(1)) return;
    last_ = now;
    fmt::print(stderr, "verify-dist: {} {}/{}\n", what_, done, total);
  }

 private:
  std::string what_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

std::string prefix_text(const std::vector<sim::Token>& prefix) {
  return prefix.empty() ? std::string("-") : fmt::format("{}", fmt::join(prefix, " "));
}

void print_test(const verify::DistTestRow& r) {
  const auto& t = r.test;
  fmt::print(
      "  seq {:<3} t {:<3} prefix {:<3} runs {:<6} bins {:<3} G {:<10.3f} dof {:<3} "
      "p {:<10.3e} level {:.3e}{}{}\n",
      r.sequence, r.position, r.prefix.size(), t.runs, t.bins, t.g, t.dof, t.p_value, r.level,
      t.impossible > 0 ? fmt::format("  {} tokens of probability 0", t.impossible) : "",
      r.rejected() ? "  REJECT" : "");
}

std::string csv(const verify::DistCheck& check) {
  std::string out =
      "sequence,position,prefix_length,prefix,runs,bins,g,dof,p_value,level,impossible,rejected\n";
  for (const auto& r : check.tests) {
    const auto& t = r.test;
    out += fmt::format("{},{},{},{},{},{},{:.6f},{},{:.6e},{:.6e},{},{}\n", r.sequence, r.position,
                       r.prefix.size(), prefix_text(r.prefix), t.runs, t.bins, t.g, t.dof,
                       t.p_value, r.level, t.impossible, r.rejected() ? 1 : 0);
  }
  return out;
}

void print_header(const sim::Scenario& s, const VerifyDistArgs& a) {
  const auto& p = s.sampling.params;
  fmt::print(
      "lockstep verify-dist: {} ({} backend, strategy {}, batch {}, k {}; temperature {}, top_k "
      "{}, top_p {}, {} acceptance{})\n",
      s.name, s.backend, s.strategy, s.batch_size, s.k, p.temperature,
      p.top_k == numerics::kTopKAll ? std::string("all") : std::to_string(p.top_k), p.top_p,
      sim::acceptance_name(s.sampling.acceptance),
      s.faults.empty() ? "" : fmt::format("; faults {}", fmt::join(s.faults, ",")));
  fmt::print("  runs           {} sampling seeds {}..{}, {} sequences, positions 1..{}\n", a.seeds,
             s.sampling.seed, s.sampling.seed + static_cast<std::uint64_t>(a.seeds - 1),
             s.prompts.size(), a.positions);
  fmt::print(
      "  test           G-test per (sequence, position, prefix) group of >= {} runs; "
      "family alpha {}\n",
      a.min_group, a.alpha);
}

int execute(const VerifyDistArgs& a) {
  const sim::Scenario s = load(a);
  TargetDistribution target(s, a.positions - 1);  // refuses an unsupported backend before runs
  print_header(s, a);
  const verify::RunOutputs outputs =
      verify::sampled_outputs(s, s.sampling.seed, a.seeds, a.positions, Progress("runs"));
  const verify::DistCheck check = verify::check_distribution(
      outputs, {.positions = a.positions, .min_group = a.min_group, .alpha = a.alpha},
      [&](int seq, const std::vector<sim::Token>& prefix) { return target.at(seq, prefix); },
      Progress("distributions"));
  for (const auto& r : check.tests) print_test(r);
  const int rejected = check.rejections();
  fmt::print(
      "  summary        {} tests, {} rejected; {} groups under {} runs and {} with one bin not "
      "tested\n",
      check.tests.size(), rejected, check.small_groups, a.min_group, check.untestable_groups);
  if (!a.out_dir.empty()) {
    std::filesystem::create_directories(a.out_dir);
    const auto path = (std::filesystem::path(a.out_dir) / "verify_dist.csv").string();
    write_file_atomically(path, csv(check));
    fmt::print("  csv            written to {}\n", path);
  }
  fmt::print("  result         {}\n",
             rejected == 0 ? fmt::format("OK: no test rejects the target distribution (false-alarm "
                                         "rate of a correct sampler <= {})",
                                         a.alpha)
                           : fmt::format("REJECTED: {} of {} tests reject the target distribution: "
                                         "the sampler is biased",
                                         rejected, check.tests.size()));
  return rejected == 0 ? 0 : kExitDistributionRejected;
}

constexpr const char* kFooter =
    "What it tests: a correct sampler's output token t of a sequence, given the prompt and the\n"
    "tokens before it (x_1..x_{t-1}), is a draw from the target's distribution p(. | prompt,\n"
    "x_1..x_{t-1}) under the run's temperature/top-k/top-p, independent across sampling seeds;\n"
    "coupled and standard (rejection) speculative sampling both promise exactly that. The runs\n"
    "use seeds S..S+N-1 (S: the scenario's sampling.seed or --sampling-seed), the scenario's\n"
    "strategy and batch. For each sequence and position t <= P, runs with the same prefix form\n"
    "a group; a group of >= --min-group runs gets a G-test of its next tokens against p, which\n"
    "a batch-1 forward of the target computes exactly (symbolic and cpu backends). Tokens of\n"
    "expected count < 5 are pooled into one bin; a token of probability 0 rejects outright.\n"
    "alpha bounds the chance that a whole run on a correct sampler rejects anything (each test\n"
    "gets alpha x group runs / (N x sequences x P)); a rejection says the output distribution\n"
    "differs from the target's: a biased acceptance rule, residual or bonus, or a layout bug\n"
    "that changes the logits. Small biases need more seeds: on sampled_coupled.json 1000 seeds\n"
    "caught 5% of the mass moved between two tokens every time, 4000 seeds 2% (docs/invariants.md\n"
    "\"Checking the distribution\"). Invariants are not checked: use `lockstep run`.\n"
    "Exit status: 0 no test rejects; 5 a test rejects; 2 bad input or usage.\n"
    "Example: lockstep verify-dist scenarios/sampled_coupled.json --seeds 2000 --positions 4";

}  // namespace

void add_verify_dist_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<VerifyDistArgs>();
  CLI::App* cmd = app.add_subcommand(
      "verify-dist",
      "G-test sampled outputs over many seeds against the exact target distribution");
  cmd->footer(kFooter);
  cmd->add_option("SCENARIO", args->scenario_path, "Scenario JSON file with sampling")->required();
  cmd->add_option("--seeds", args->seeds, "Runs, one per sampling seed S..S+N-1 (default 1000)");
  cmd->add_option("--positions", args->positions,
                  "Test output positions 1..P of every sequence (default 4, <= max_new_tokens)");
  cmd->add_option("--alpha", args->alpha,
                  "False-alarm bound of the whole run, in (0, 1) (default 1e-3)");
  cmd->add_option("--min-group", args->min_group,
                  "Test only prefix groups of at least this many runs (>= 10, default 25)");
  cmd->add_option("--backend", args->common.backend, "Backend: symbolic or cpu");
  cmd->add_option("--strategy", args->common.strategy, "Replaces the scenario's strategy");
  cmd->add_option("--batch-size", args->common.batch_size, "Replaces the scenario's batch size");
  cmd->add_option("--numerics", args->common.numerics,
                  "exact | float | bf16: the cpu backend's arithmetic (docs/numerics.md)");
  args->common.sampling.add_to(*cmd);
  cmd->add_option("--fault", args->common.faults,
                  "Inject a named fault (repeatable; replaces the file's list)");
  cmd->add_option("--specbench", args->specbench,
                  "Path of SpecBench question.jsonl for scenarios that use it");
  cmd->add_option("--out", args->out_dir, "Write DIR/verify_dist.csv (one row per test)");
  cmd->callback([args, &exit_code] { exit_code = execute(*args); });
}

}  // namespace lockstep::cli
