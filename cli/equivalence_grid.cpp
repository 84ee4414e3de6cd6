// The equivalence grid (cli/equivalence_grid.h): references, cells, and the two CSV tables.
#include "cli/equivalence_grid.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>

#include <fmt/core.h>

#include "sim/backend.h"
#include "sim/error.h"
#include "sim/runner.h"
#include "sim/strategy.h"
#include "verify/divergence.h"
#include "verify/verify.h"

namespace lockstep::cli {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void check_grid(const sim::Scenario& base, const PromptLabels& labels, const EquivalenceGrid& g) {
  if (labels.labels.size() != base.prompts.size() ||
      labels.categories.size() != base.prompts.size()) {
    throw ContractError("run_equivalence_grid: one label and one category per prompt");
  }
  if (g.strategies.empty() || g.batch_sizes.empty() || g.numerics.empty())
    throw InputError("equivalence: the grid is empty (strategies, batch sizes and numerics)");
  const auto known = sim::strategy_names();
  for (const auto& s : g.strategies) {
    if (std::find(known.begin(), known.end(), s) == known.end()) {
      std::string list;
      for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
      throw InputError("--strategies: unknown strategy '" + s + "' (known: " + list + ")");
    }
  }
  for (int b : g.batch_sizes) {
    if (b < 1 || b > 4096)
      throw InputError("--batch-sizes: " + std::to_string(b) + " is not in 1..4096");
  }
}

// The base scenario under one numerics: ar at batch 1, the shape of the reference.
sim::Scenario with_numerics(const sim::Scenario& base, sim::Numerics numerics) {
  sim::Scenario s = base;
  s.numerics = numerics;
  sim::install_numerics(s);
  return s;
}

sim::Scenario cell_scenario(const sim::Scenario& numerics_base, const std::string& strategy,
                            int batch) {
  sim::Scenario s = numerics_base;
  s.strategy = strategy;
  s.batch_size = batch;
  s.window = std::max(s.window, batch);  // exspec's pool holds at least one batch
  sim::validate_scenario(s);
  return s;
}

CellOutcome run_cell(const sim::Scenario& s, const sim::ReferenceContinuation& reference,
                     const PromptLabels& labels) {
  auto backend = sim::make_backend(s.backend);  // fresh: no cell sees another's caches
  verify::CheckOptions options;
  options.check_invariants = true;
  options.reference = &reference;
  options.backend = backend.get();
  const auto run = verify::run_checked(s, options);
  CellOutcome cell;
  cell.strategy = s.strategy;
  cell.batch_size = s.batch_size;
  cell.numerics = s.numerics;
  cell.violations = run.violation_count;
  cell.run_seconds = run.run_seconds;
  if (!run.violations.empty()) {
    const auto& v = run.violations.front();
    cell.first_violation = fmt::format("{} at step {}: {}", v.invariant, v.step, v.detail);
  }
  const auto outputs = run.result.outputs();
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    cell.sequences.push_back(
        {.prompt = static_cast<int>(i),
         .label = labels.labels[i],
         .category = labels.categories[i],
         .first_divergence = verify::first_difference(outputs[i], run.oracle[i]).value_or(-1),
         .generated = static_cast<int>(outputs[i].size()),
         .oracle_generated = static_cast<int>(run.oracle[i].size())});
  }
  return cell;
}

std::string describe(const CellOutcome& c, double seconds) {
  std::string line = fmt::format("{} {} batch {}: {}/{} identical, {} violations, {:.0f} s",
                                 sim::numerics_name(c.numerics), c.strategy, c.batch_size,
                                 c.identical(), c.sequences.size(), c.violations, seconds);
  if (!c.first_violation.empty()) line += " (first: " + c.first_violation + ")";
  return line;
}

}  // namespace

int CellOutcome::identical() const {
  return static_cast<int>(std::count_if(sequences.begin(), sequences.end(),
                                        [](const auto& s) { return s.first_divergence < 0; }));
}

EquivalenceResult run_equivalence_grid(const sim::Scenario& base, const PromptLabels& labels,
                                       const EquivalenceGrid& grid,
                                       const EquivalenceProgress& progress,
                                       const EquivalenceSnapshot& snapshot) {
  check_grid(base, labels, grid);
  const int total =
      static_cast<int>(grid.numerics.size() * grid.strategies.size() * grid.batch_sizes.size());
  EquivalenceResult result;
  for (sim::Numerics numerics : grid.numerics) {
    const sim::Scenario numerics_base = with_numerics(base, numerics);
    // Every cell is checked before the long reference runs: bad values fail at once.
    for (const auto& strategy : grid.strategies)
      for (int batch : grid.batch_sizes) cell_scenario(numerics_base, strategy, batch);
    const auto start = std::chrono::steady_clock::now();
    auto oracle_backend = sim::make_backend(base.backend);
    const sim::ReferenceContinuation reference =
        sim::compute_reference(*oracle_backend, numerics_base);
    result.reference_seconds.push_back(seconds_since(start));
    progress(static_cast<int>(result.cells.size()), total,
             fmt::format("{} batch-1 AR reference: {:.0f} s", sim::numerics_name(numerics),
                         result.reference_seconds.back()));
    for (const auto& strategy : grid.strategies) {
      for (int batch : grid.batch_sizes) {
        const auto cell_start = std::chrono::steady_clock::now();
        result.cells.push_back(
            run_cell(cell_scenario(numerics_base, strategy, batch), reference, labels));
        progress(static_cast<int>(result.cells.size()), total,
                 describe(result.cells.back(), seconds_since(cell_start)));
        snapshot(result);
      }
    }
  }
  return result;
}

namespace {

struct Tally {
  int sequences = 0;
  int identical = 0;
  double divergence_sum = 0;
  void add(const SequenceOutcome& s) {
    ++sequences;
    if (s.first_divergence < 0) {
      ++identical;
    } else {
      divergence_sum += s.first_divergence;
    }
  }
};

std::string tally_row(const CellOutcome& c, const std::string& category, const Tally& t) {
  const int divergent = t.sequences - t.identical;
  const std::string mean =
      divergent == 0 ? std::string() : fmt::format("{:.2f}", t.divergence_sum / divergent);
  return fmt::format("{},{},{},{},{},{},{:.4f},{},{},{:.1f}\n", c.strategy, c.batch_size,
                     sim::numerics_name(c.numerics), category, t.sequences, t.identical,
                     t.sequences == 0 ? 0.0 : static_cast<double>(t.identical) / t.sequences, mean,
                     c.violations, c.run_seconds);
}

}  // namespace

std::string equivalence_csv(const EquivalenceResult& result) {
  std::string csv =
      "strategy,batch,numerics,category,sequences,identical,rate,mean_first_divergence,"
      "violations,seconds\n";
  for (const auto& c : result.cells) {
    Tally all;
    std::map<std::string, Tally> by_category;  // sorted: stable row order
    for (const auto& s : c.sequences) {
      all.add(s);
      by_category[s.category].add(s);
    }
    csv += tally_row(c, "all", all);
    for (const auto& [category, tally] : by_category) csv += tally_row(c, category, tally);
  }
  return csv;
}

std::string sequences_csv(const EquivalenceResult& result) {
  std::string csv =
      "strategy,batch,numerics,prompt,record,category,first_divergence,generated,"
      "oracle_generated\n";
  for (const auto& c : result.cells) {
    for (const auto& s : c.sequences) {
      csv += fmt::format("{},{},{},{},{},{},{},{},{}\n", c.strategy, c.batch_size,
                         sim::numerics_name(c.numerics), s.prompt, s.label, s.category,
                         s.first_divergence, s.generated, s.oracle_generated);
    }
  }
  return csv;
}

}  // namespace lockstep::cli
