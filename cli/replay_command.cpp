#include "cli/replay_command.h"

#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "sim/error.h"
#include "sim/hash.h"
#include "sim/scenario.h"
#include "verify/replay.h"

namespace lockstep::cli {
namespace {

struct ReplayArgs {
  std::vector<std::string> scenarios;
  std::string backends = "cpu,gpu";
  std::string specbench;
  int random = 0;
  std::uint64_t seed = 1;
  bool no_check = false;
};

verify::ReplayOptions parse_backends(const ReplayArgs& a) {
  const auto comma = a.backends.find(',');
  if (comma == std::string::npos || a.backends.find(',', comma + 1) != std::string::npos ||
      comma == 0 || comma + 1 == a.backends.size()) {
    throw InputError("--backends must name exactly two backends, as A,B (e.g. cpu,gpu), got '" +
                     a.backends + "'");
  }
  verify::ReplayOptions options;
  options.backend_a = a.backends.substr(0, comma);
  options.backend_b = a.backends.substr(comma + 1);
  options.check_invariants = !a.no_check;
  return options;
}

void print_backend(const verify::BackendReplay& r) {
  fmt::print(
      "  {:<9} trace {}  logits {}  final KV {}  {} records  run {} ({} violations)  {:.2f} s\n",
      r.backend, sim::hex64(r.trace_digest), sim::hex64(r.logits_digest),
      sim::hex64(r.final_kv_digest), r.records, r.ok ? "OK" : "FAILED", r.violations, r.seconds);
}

void print_full(const verify::ReplayResult& r, const verify::ReplayOptions& o) {
  fmt::print("lockstep replay: {} on {} and {}\n", r.scenario, o.backend_a, o.backend_b);
  print_backend(r.a);
  print_backend(r.b);
  if (r.identical()) {
    fmt::print("  result    identical: {} records, trace digest {}\n", r.a.records,
               sim::hex64(r.a.trace_digest));
  } else {
    fmt::print("  result    DIVERGENT: {}\n",
               verify::describe(r.divergence, o.backend_a, o.backend_b));
  }
}

int execute(const ReplayArgs& a) {
  const verify::ReplayOptions options = parse_backends(a);
  if (a.random < 0) throw InputError("--random must be >= 0");
  if (a.scenarios.empty() && a.random == 0)
    throw InputError("replay needs SCENARIO files or --random N");
  int divergent = 0;
  int total = 0;
  for (const auto& path : a.scenarios) {
    sim::Scenario s = sim::load_scenario_file(path);
    sim::finalize_scenario(s, a.specbench);
    const auto r = verify::replay(s, options);
    print_full(r, options);
    ++total;
    divergent += r.identical() ? 0 : 1;
  }
  for (int i = 0; i < a.random; ++i) {
    const sim::Scenario s = verify::random_scenario(a.seed, i);
    const auto r = verify::replay(s, options);
    ++total;
    if (r.identical()) {
      fmt::print("{}: identical ({} {}, batch {}, k {}; {} records, trace digest {})\n", s.name,
                 s.strategy, s.target.name, s.batch_size, s.k, r.a.records,
                 sim::hex64(r.a.trace_digest));
    } else {
      ++divergent;
      fmt::print(
          "{}: DIVERGENT: {}\n  reproduce: save the scenario below (index {} of seed {}) as FILE, "
          "then "
          "lockstep replay FILE --backends {}\n  scenario: {}\n",
          s.name, verify::describe(r.divergence, options.backend_a, options.backend_b), i, a.seed,
          a.backends, verify::random_scenario_json(a.seed, i));
    }
  }
  if (total > 1) {
    fmt::print("lockstep replay: {} of {} scenarios identical on {} and {}\n", total - divergent,
               total, options.backend_a, options.backend_b);
  }
  return divergent == 0 ? 0 : 1;
}

}  // namespace

void add_replay_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ReplayArgs>();
  CLI::App* cmd = app.add_subcommand(
      "replay",
      "Run scenarios on two backends and compare their canonical traces byte by byte (I7)");
  cmd->footer(
      "Each scenario runs checked on backend A and on backend B, each with its trace; the traces "
      "are\n"
      "compared record by record (timing records excluded). Reports \"identical\" with the trace\n"
      "digest, or the first divergence: record index, step, event, field and both values.\n"
      "--random N replays N seeded random scenarios instead of (or after) the files.\n"
      "Exit status: 0 identical, 1 a divergence, 2 bad input (or a backend that cannot run here).\n"
      "Example: lockstep replay scenarios/ragged_worst_case.json --backends cpu,gpu");
  cmd->add_option("SCENARIO", args->scenarios, "Scenario JSON files (see scenarios/SCHEMA.md)");
  cmd->add_option("--backends", args->backends, "The two backends, A,B (default cpu,gpu)");
  cmd->add_option("--specbench", args->specbench,
                  "Path of SpecBench question.jsonl for scenarios that use it");
  cmd->add_option("--random", args->random,
                  "Also replay N random scenarios (verify/replay.h random_scenario)");
  cmd->add_option("--seed", args->seed, "Seed of the random scenarios (default 1)");
  cmd->add_flag("--no-check", args->no_check,
                "Skip the per-step invariant checks (traces are still compared)");
  cmd->callback([args, &exit_code] { exit_code = execute(*args); });
}

}  // namespace lockstep::cli
