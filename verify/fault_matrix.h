// The fault-detection matrix (DESIGN §4, `lockstep faults`): every registered fault is
// injected, alone, into every scenario of a library; each run is checked as usual and the
// matrix records which invariant fired first (step, row, slot) and whether output
// equivalence broke. A fault counts as detected when at least one scenario reports a
// violation. Fault-free baselines of the same scenarios are run too, so a dirty library
// cannot pass for detection.
#pragma once

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
  bool equivalence_broken = false;  // some output differs from batch-1 AR
  std::string error;                // a run that threw (never expected): its message
};

struct FaultRow {
  std::string fault;             // registry name, or "" for the fault-free baseline
  std::vector<FaultCell> cells;  // one per scenario, library order
  bool detected() const;
  bool equivalence_broken() const;
  // Index of the first scenario (library order) that detected the fault, or -1.
  int first_detecting() const;
};

struct FaultMatrix {
  std::vector<sim::Scenario> scenarios;  // as run (backend override applied)
  FaultRow baseline;                     // no fault: must be clean
  std::vector<FaultRow> rows;            // one per registered fault, registry order

  // Every fault detected somewhere, no run threw, and the baseline is clean.
  bool ok() const;
};

// Runs the matrix; `faults` empty means every registered fault.
FaultMatrix run_fault_matrix(std::vector<sim::Scenario> scenarios,
                             const std::vector<std::string>& faults = {});

// {"faults":[{"name","detected","equivalence_broken","first":{"scenario","invariant","step",
//  "row","slot"}}, ...]} ("first" is null for an undetected fault), plus per-scenario cells
// under "cells" and the baseline's status.
nlohmann::json fault_matrix_json(const FaultMatrix& matrix);

}  // namespace lockstep::verify
