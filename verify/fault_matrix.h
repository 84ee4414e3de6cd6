// The fault-detection matrix (DESIGN §4, `lockstep faults`): every registered fault is
// injected, alone, into every scenario of a library; each run is checked as usual and the
// matrix records which invariant fired first (step, row, slot) and whether output
// equivalence broke. A fault counts as detected when at least one scenario reports a
// violation. Fault-free baselines of the same scenarios are run too, so a dirty library
// cannot pass for detection.
//
// Under float numerics (issue 13) an output may differ from batch-1 AR by numerics alone
// (every invariant holding): such a cell is a numerics divergence. It never counts as
// detecting a fault (only an invariant does), and it leaves a baseline clean.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario.h"
#include "verify/checker.h"

namespace lockstep::verify {

struct FaultCell {
  bool applies = false;            // the scenario's strategy reaches the fault's code path
  std::optional<Violation> first;  // first violation the checker reported, if any
  std::int64_t violations = 0;
  bool equivalence_broken = false;   // some output differs from batch-1 AR
  bool numerics_divergence = false;  // ... while every invariant held (float numerics)
  std::uint64_t outputs_digest = 0;  // of every output, to compare with the fault-free run
  std::string error;                 // a run that threw (never expected): its message
};

struct FaultRow {
  std::string fault;             // registry name, or "" for the fault-free baseline
  std::vector<FaultCell> cells;  // one per scenario, library order
  bool detected() const;
  bool equivalence_broken() const;
  // Index of the first scenario (library order) that detected the fault, or -1.
  int first_detecting() const;
  // Whether the fault changed some output of some scenario against `baseline`, the
  // fault-free row (under float numerics the honest "did it do anything": batch-1 AR
  // differs from the fault-free run too).
  bool changed_outputs(const FaultRow& baseline) const;
};

struct FaultMatrix {
  std::vector<sim::Scenario> scenarios;  // as run (backend override applied)
  FaultRow baseline;                     // no fault: must be clean
  std::vector<FaultRow> rows;            // one per registered fault, registry order
  bool float_numerics = false;           // some scenario ran float numerics

  // No fault-free run broke an invariant or threw, and every output equals batch-1 AR or
  // differs by numerics alone.
  bool baseline_clean() const;
  // Every fault detected somewhere, no run threw, and the baseline is clean.
  bool ok() const;
  // Every fault that changed an output is detected, no run threw, and the baseline is
  // clean: a fault that changes nothing on this library cannot be caught, and need not be.
  bool every_effective_fault_detected() const;
};

// Runs the matrix; `faults` empty means every registered fault. `numerics`, when given,
// replaces every scenario's (target and draft model); otherwise each runs its own.
FaultMatrix run_fault_matrix(std::vector<sim::Scenario> scenarios,
                             const std::vector<std::string>& faults = {},
                             std::optional<sim::Numerics> numerics = std::nullopt);

// {"faults":[{"name","detected","equivalence_broken","first":{"scenario","invariant","step",
//  "row","slot"}}, ...]} ("first" is null for an undetected fault), plus per-scenario cells
// under "cells" (with "numerics_divergence"), the baseline's status and "float_numerics".
nlohmann::json fault_matrix_json(const FaultMatrix& matrix);

}  // namespace lockstep::verify
