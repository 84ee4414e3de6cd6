// The equivalence measurement of `lockstep equivalence` (issue 13 item 2): one scenario run
// under every strategy x batch size x numerics with the invariant checker on, each sequence
// compared with batch-1 AR under the same numerics. The batch-1 reference is computed once per
// numerics and shared by that numerics' cells (verify::CheckOptions::reference); every cell
// runs on a fresh backend, so no cell sees another's caches. Prints nothing: progress goes to
// the caller's callback. What it does not do: judge (float divergences are the measurement,
// the command decides the exit status) or parallelize cells.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/model_config.h"
#include "sim/scenario.h"

namespace lockstep::cli {

struct EquivalenceGrid {
  std::vector<std::string> strategies;
  std::vector<int> batch_sizes;
  std::vector<sim::Numerics> numerics;
};

// One sequence of one cell. first_divergence: the first generated position (from 0) where the
// run's output and batch-1 AR's differ, a shorter output counting as differing where it ends;
// -1 when the two are identical.
struct SequenceOutcome {
  int prompt = 0;        // index into the scenario's prompts
  std::string label;     // the prompt's SpecBench record ("480" style) or its index
  std::string category;  // SpecBench category, "-" when the prompts are not SpecBench's
  int first_divergence = -1;
  int generated = 0;         // tokens the run output
  int oracle_generated = 0;  // tokens batch-1 AR output
};

struct CellOutcome {
  std::string strategy;
  int batch_size = 0;
  sim::Numerics numerics = sim::Numerics::exact;
  std::int64_t violations = 0;
  std::string first_violation;  // "I2 at step 3: ..." or empty
  double run_seconds = 0;
  std::vector<SequenceOutcome> sequences;
  int identical() const;
};

// The prompts' identity beside the scenario: one label and one category per prompt.
struct PromptLabels {
  std::vector<std::string> labels;
  std::vector<std::string> categories;
};

struct EquivalenceResult {
  std::vector<CellOutcome> cells;
  std::vector<double> reference_seconds;  // per numerics, in grid order
};

// Called after each reference and each cell: (cells done, cells in all, a one-line report).
using EquivalenceProgress = std::function<void(int, int, const std::string&)>;
// Called after each cell with the result so far (to save it as it grows).
using EquivalenceSnapshot = std::function<void(const EquivalenceResult&)>;

// Runs the grid. `base` is finalized (prompts resolved); `labels` has one entry per prompt.
// Throws InputError for an unknown strategy, a batch size out of range or mismatched labels.
EquivalenceResult run_equivalence_grid(const sim::Scenario& base, const PromptLabels& labels,
                                       const EquivalenceGrid& grid,
                                       const EquivalenceProgress& progress,
                                       const EquivalenceSnapshot& snapshot);

// One row per cell x category, plus one row per cell with category "all":
// strategy,batch,numerics,category,sequences,identical,rate,mean_first_divergence,
// violations,seconds. mean_first_divergence is over the divergent sequences (empty when
// none); violations and seconds are the cell's (repeated on its category rows).
std::string equivalence_csv(const EquivalenceResult& result);

// One row per cell x sequence:
// strategy,batch,numerics,prompt,record,category,first_divergence,generated,oracle_generated.
std::string sequences_csv(const EquivalenceResult& result);

}  // namespace lockstep::cli
