#include "cli/replay_command.h"

#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "cli/output.h"
#include "cli/replay_shard.h"
#include "resolve/model_scenario.h"
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
  std::string shard;   // "I/M"; empty: the whole run
  std::string report;  // shard report for `lockstep merge`
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

std::string format_backend(const verify::BackendReplay& r) {
  return fmt::format(
      "  {:<9} trace {}  logits {}  final KV {}  {} records  run {} ({} violations)  {:.2f} s\n",
      r.backend, sim::hex64(r.trace_digest), sim::hex64(r.logits_digest),
      sim::hex64(r.final_kv_digest), r.records,
      r.ok ? "OK" : (r.numerics_divergences > 0 && r.violations == 0 ? "NUMERICS" : "FAILED"),
      r.violations, r.seconds);
}

ReplayShardEntry entry_of(int index, const std::string& name, const verify::ReplayResult& r,
                          const verify::ReplayOptions& o) {
  ReplayShardEntry e;
  e.index = index;
  e.name = name;
  e.identical = r.identical();
  e.digest = sim::hex64(r.a.trace_digest);
  if (!r.identical()) e.divergence = verify::describe(r.divergence, o.backend_a, o.backend_b);
  return e;
}

// Float numerics: each backend's GEMMs reduce in their own order, so cross-backend bytes are
// not expected to match. Each backend was checked against the invariants and its own batch-1
// AR (verify::run_checked); the verdict is that neither broke an invariant, and the trace
// comparison is reported beside it, not judged.
void judge_float(const verify::ReplayResult& r, sim::Numerics numerics, ReplayShardEntry& e) {
  e.identical = r.a.violations == 0 && r.b.violations == 0;
  e.numerics_divergences = r.a.numerics_divergences + r.b.numerics_divergences;
  e.text += fmt::format(
      "  result    {}: {}; sequences off their own batch-1 AR by numerics alone: {} {}, {} {}; "
      "cross-backend traces {} (not compared under float numerics)\n",
      sim::numerics_name(numerics),
      e.identical ? "every invariant holds on both backends" : "INVARIANT VIOLATED", r.a.backend,
      r.a.numerics_divergences, r.b.backend, r.b.numerics_divergences,
      r.identical() ? "identical" : "differ");
}

// A scenario file: the full report (both backends' digests and times, then the verdict).
ReplayShardEntry replay_file(const std::string& path, int index, const ReplayArgs& a,
                             const verify::ReplayOptions& o) {
  sim::Scenario s = sim::load_scenario_file(path);
  resolve::finalize_scenario(s, a.specbench);
  const auto r = verify::replay(s, o);
  ReplayShardEntry e = entry_of(index, r.scenario, r, o);
  e.text = fmt::format("lockstep replay: {} on {} and {}\n", r.scenario, o.backend_a, o.backend_b);
  e.text += format_backend(r.a) + format_backend(r.b);
  if (sim::is_float(s.target.numerics)) {
    judge_float(r, s.target.numerics, e);
  } else if (r.identical()) {
    e.text += fmt::format("  result    identical: {} records, trace digest {}\n", r.a.records,
                          sim::hex64(r.a.trace_digest));
  } else {
    e.text += fmt::format("  result    DIVERGENT: {}\n", e.divergence);
  }
  return e;
}

// Random scenario `i` of the seed: one line, or the divergence with a reproducer. No wall
// times, so the text is a pure function of (seed, i, backends).
ReplayShardEntry replay_random(int i, int index, const ReplayArgs& a,
                               const verify::ReplayOptions& o) {
  const sim::Scenario s = verify::random_scenario(a.seed, i);
  const auto r = verify::replay(s, o);
  ReplayShardEntry e = entry_of(index, s.name, r, o);
  if (r.identical()) {
    e.text =
        fmt::format("{}: identical ({} {}, batch {}, k {}; {} records, trace digest {})\n", s.name,
                    s.strategy, s.target.name, s.batch_size, s.k, r.a.records, e.digest);
  } else {
    e.text = fmt::format(
        "{}: DIVERGENT: {}\n  reproduce: save the scenario below (index {} of seed {}) as FILE, "
        "then "
        "lockstep replay FILE --backends {}\n  scenario: {}\n",
        s.name, e.divergence, i, a.seed, a.backends, verify::random_scenario_json(a.seed, i));
  }
  return e;
}

ReplayRunIdentity identity_of(const ReplayArgs& a) {
  ReplayRunIdentity run;
  run.backends = a.backends;
  run.files = a.scenarios;
  run.random = a.random;
  run.seed = a.seed;
  run.specbench = a.specbench;
  run.check = !a.no_check;
  run.total = static_cast<int>(a.scenarios.size()) + a.random;
  return run;
}

int execute(const ReplayArgs& a) {
  const verify::ReplayOptions options = parse_backends(a);
  if (a.random < 0) throw InputError("--random must be >= 0");
  if (a.scenarios.empty() && a.random == 0)
    throw InputError("replay needs SCENARIO files or --random N");
  ReplayShardReport report;
  report.run = identity_of(a);
  report.shard = a.shard.empty() ? ShardSpec{} : parse_shard(a.shard);
  const int files = static_cast<int>(a.scenarios.size());
  int identical = 0;
  // Files first, then the random scenarios: index i runs in shard i mod M.
  for (int index = 0; index < report.run.total; ++index) {
    if (!report.shard.owns(static_cast<std::size_t>(index))) continue;
    auto entry = index < files
                     ? replay_file(a.scenarios[static_cast<std::size_t>(index)], index, a, options)
                     : replay_random(index - files, index, a, options);
    fmt::print("{}", entry.text);
    identical += entry.identical ? 1 : 0;
    report.entries.push_back(std::move(entry));
  }
  const int ran = static_cast<int>(report.entries.size());
  if (report.shard.count > 1) {
    fmt::print(
        "lockstep replay shard {}: {} of {} scenarios identical ({} in all shards; "
        "lockstep merge joins the --report files)\n",
        report.shard.label(), identical, ran, report.run.total);
  } else if (ran > 1) {
    fmt::print("{}", replay_closing_line(identical, ran, a.backends));
  }
  if (!a.report.empty()) write_file_atomically(a.report, replay_report_text(report));
  std::vector<const ReplayShardEntry*> entries;
  for (const auto& e : report.entries) entries.push_back(&e);
  return replay_exit_status(entries);
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
      "--shard I/M runs only scenarios i with i mod M = I (files first, then the random ones);\n"
      "--report FILE writes the shard's report, and `lockstep merge` joins the reports of all M\n"
      "shards into exactly the single run's report and exit status (docs/cli.md, Sharding).\n"
      "A float or bf16 scenario is not compared byte by byte across backends: each backend is\n"
      "checked against the invariants and its own batch-1 AR (docs/gpu.md, lockstep replay).\n"
      "Exit status: 0 identical, 1 a divergence or a violation, 4 float numerics divergences\n"
      "only, 2 bad input (or a backend that cannot run here).\n"
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
  cmd->add_option("--shard", args->shard,
                  "Run only shard I of M (0-based): scenarios whose index mod M is I");
  cmd->add_option("--report", args->report,
                  "Write a machine-readable shard report (JSON Lines) for `lockstep merge`");
  cmd->callback([args, &exit_code] { exit_code = execute(*args); });
}

}  // namespace lockstep::cli
