#include "cli/faults_command.h"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include <fmt/core.h>

#include "cli/output.h"
#include "resolve/model_scenario.h"
#include "sim/backend.h"
#include "sim/error.h"
#include "sim/faults.h"
#include "sim/scenario.h"
#include "verify/fault_matrix.h"
#include "verify/verify.h"

namespace lockstep::cli {
namespace {

struct FaultsArgs {
  std::string backend = "symbolic";
  std::optional<std::string> numerics;
  std::string json_path;
  std::string scenario_dir = "scenarios";
  std::string specbench;
  std::optional<int> prompts;
  std::vector<std::string> faults;
};

// The library, sorted by file name; specbench.json only when its data path is given.
std::vector<sim::Scenario> load_library(const FaultsArgs& a) {
  std::error_code ec;
  if (!std::filesystem::is_directory(a.scenario_dir, ec))
    throw InputError("scenario directory '" + a.scenario_dir + "' does not exist");
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(a.scenario_dir)) {
    if (e.path().extension() != ".json") continue;
    if (e.path().stem() == "specbench" && a.specbench.empty()) continue;
    files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<sim::Scenario> out;
  for (const auto& f : files) {
    sim::Scenario s = sim::load_scenario_file(f);
    s.backend = a.backend;
    if (a.numerics) s.numerics = sim::parse_numerics(*a.numerics, "--numerics");
    resolve::finalize_scenario(s, s.specbench ? a.specbench : std::string());
    out.push_back(std::move(s));
  }
  if (out.empty()) throw InputError("no scenario files in '" + a.scenario_dir + "'");
  return out;
}

std::string cell_text(const verify::FaultCell& c, bool baseline) {
  if (!c.error.empty()) return "ERR";
  std::string t = c.first ? c.first->invariant : (c.applies ? "-" : "n/a");
  if (!c.first && !c.applies && (!c.equivalence_broken || c.numerics_divergence) && baseline)
    t = "ok";
  if (c.numerics_divergence) {
    t += "~";
  } else if (c.equivalence_broken) {
    t += "*";
  }
  if (c.first && !c.applies) t += "!";  // fired where the registry says it cannot reach
  return t;
}

void print_matrix(const verify::FaultMatrix& m) {
  fmt::print("lockstep faults: {} faults x {} scenarios ({} backend)\n", m.rows.size(),
             m.scenarios.size(), m.scenarios.front().backend);
  fmt::print("scenarios:\n");
  for (std::size_t i = 0; i < m.scenarios.size(); ++i)
    fmt::print("  S{:<3} {} ({})\n", i + 1, m.scenarios[i].name, m.scenarios[i].strategy);
  std::size_t name_width = 8;
  for (const auto& r : m.rows) name_width = std::max(name_width, r.fault.size());
  fmt::print("\n{:<{}}", "fault", name_width);
  for (std::size_t i = 0; i < m.scenarios.size(); ++i)
    fmt::print(" {:>5}", fmt::format("S{}", i + 1));
  fmt::print("\n");
  auto row = [&](const std::string& name, const verify::FaultRow& r) {
    fmt::print("{:<{}}", name, name_width);
    for (const auto& c : r.cells) fmt::print(" {:>5}", cell_text(c, r.fault.empty()));
    fmt::print("\n");
  };
  row("(none)", m.baseline);
  for (const auto& r : m.rows) row(r.fault, r);
  fmt::print(
      "\ncell: first invariant violated; * output equivalence broke; - the fault's code path "
      "ran, nothing changed; n/a the strategy never reaches it; ERR the run threw\n");
  if (m.float_numerics) {
    fmt::print(
        "float numerics: ~ output differs from batch-1 AR with every invariant holding (a "
        "numerics divergence: never a detection)\n");
  }
  fmt::print("\n");
  fmt::print("first violation per fault (first scenario in library order that caught it):\n");
  for (const auto& r : m.rows) {
    const int i = r.first_detecting();
    if (i < 0) {
      fmt::print("  {:<{}}  NOT DETECTED on any scenario{}\n", r.fault, name_width,
                 r.changed_outputs(m.baseline) ? "" : " (it changed no output: nothing to catch)");
      continue;
    }
    const auto& c = r.cells[static_cast<std::size_t>(i)];
    fmt::print("  {:<{}}  {} {} step {} row {} slot {}{}: {}\n", r.fault, name_width,
               m.scenarios[static_cast<std::size_t>(i)].name, c.first->invariant, c.first->step,
               c.first->row, c.first->slot, r.equivalence_broken() ? " (equivalence broke)" : "",
               c.first->detail);
  }
  for (std::size_t i = 0; i < m.scenarios.size(); ++i) {
    for (const auto* r : [&] {
           std::vector<const verify::FaultRow*> all{&m.baseline};
           for (const auto& x : m.rows) all.push_back(&x);
           return all;
         }()) {
      const auto& c = r->cells[i];
      if (!c.error.empty())
        fmt::print("  ERROR {} on {}: {}\n", r->fault.empty() ? "(none)" : r->fault,
                   m.scenarios[i].name, c.error);
    }
  }
  std::size_t detected = 0;
  for (const auto& r : m.rows) detected += r.detected() ? 1 : 0;
  const bool clean = m.baseline_clean();
  fmt::print("\nresult  {} of {} faults detected by an invariant; fault-free baseline {}\n",
             detected, m.rows.size(), clean ? "clean" : "NOT clean");
}

// The rows of the presets table: the correct batching strategies that keep every accepted
// draft (rollback discards some by design, so it is no fair comparison), then the presets.
std::vector<std::string> preset_comparison() {
  std::vector<std::string> out;
  for (const auto& s : sim::strategy_registry()) {
    if (s.drafts && sim::batches_several(s) && s.realignment != sim::Realignment::rollback)
      out.push_back(s.name);
  }
  for (const auto& name : sim::strategy_preset_names()) out.push_back(name);
  return out;
}

// Equivalence of the presets against the correct strategies on the same SpecBench prompts.
void print_presets(const FaultsArgs& a) {
  sim::Scenario base =
      sim::load_scenario_file((std::filesystem::path(a.scenario_dir) / "specbench.json").string());
  base.backend = a.backend;
  if (a.numerics) base.numerics = sim::parse_numerics(*a.numerics, "--numerics");
  if (a.prompts && base.specbench) base.specbench->count = *a.prompts;
  resolve::finalize_scenario(base, a.specbench);
  fmt::print("\npresets on SpecBench: {} prompts, batch {}, k {}, max_new_tokens {} ({} backend)\n",
             base.prompts.size(), base.batch_size, base.k, base.max_new_tokens, base.backend);
  fmt::print("  {:<10} {:>12} {:>12} {:>11}  faults\n", "strategy", "equivalent", "rate",
             "violations");
  for (const std::string& strategy : preset_comparison()) {
    sim::Scenario s = base;
    s.strategy = strategy;
    s.window = std::max(s.window, s.batch_size);
    const verify::CheckedRun run = verify::run_checked(s, verify::CheckOptions{});
    std::string faults;
    if (const auto* p = sim::find_strategy_preset(strategy)) {
      for (const auto& f : p->faults) faults += (faults.empty() ? "" : ", ") + f;
    }
    fmt::print("  {:<10} {:>6} / {:<4} {:>11.1f}% {:>11}  {}\n", strategy, run.equivalent_sequences,
               run.oracle.size(),
               100.0 * run.equivalent_sequences / static_cast<double>(run.oracle.size()),
               run.violation_count, faults.empty() ? "-" : faults);
  }
}

int execute(const FaultsArgs& a) {
  sim::make_backend(a.backend);  // an unknown or unbuilt backend fails here, clearly
  const auto scenarios = load_library(a);
  const verify::FaultMatrix m = verify::run_fault_matrix(scenarios, a.faults);
  print_matrix(m);
  if (!a.json_path.empty())
    write_file_atomically(a.json_path, verify::fault_matrix_json(m).dump(2) + "\n");
  if (!a.specbench.empty()) print_presets(a);
  // Under float numerics a fault may change nothing (the outputs it needs never appear);
  // then only the faults that changed an output must be caught.
  return (m.float_numerics ? m.every_effective_fault_detected() : m.ok()) ? 0 : 1;
}

}  // namespace

void add_faults_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<FaultsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "faults", "Inject every known fault into every library scenario: the detection matrix");
  cmd->footer(
      "Each cell runs one scenario with one fault injected and reports the first invariant\n"
      "the checker caught. With --specbench, also compares the equivalence rate of the\n"
      "bsp-like and dsd-like presets with eqspec, exspec and packed on SpecBench prompts.\n"
      "Exit status: 0 every fault detected and the fault-free runs clean (under float\n"
      "numerics: every fault that changed an output, and fault-free runs with no violation);\n"
      "1 otherwise; 2 bad input. Faults: docs/faults.md.");
  cmd->add_option("--backend", args->backend, "Backend: symbolic (default) or cpu when built");
  cmd->add_option("--numerics", args->numerics, "exact | float | bf16 (default: each scenario's)");
  cmd->add_option("--json", args->json_path, "Write the matrix as JSON to FILE");
  cmd->add_option("--scenarios", args->scenario_dir, "Scenario library directory (scenarios)");
  cmd->add_option("--specbench", args->specbench,
                  "SpecBench question.jsonl: include specbench.json and compare the presets");
  cmd->add_option("--prompts", args->prompts, "SpecBench prompts for the preset comparison");
  cmd->add_option("--fault", args->faults, "Only these faults (repeatable)")
      ->check(CLI::IsMember(sim::fault_names()));
  cmd->callback([args, &exit_code] { exit_code = execute(*args); });
}

}  // namespace lockstep::cli
