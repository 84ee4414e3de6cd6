// The numerics-divergence parts of a step's picture (issue 13, docs/strategies.md "numerics
// or layout?"): the colour that marks the grid cell where a sequence's output first differs
// from batch-1 AR (its own colour, never the violation red: every invariant held), and a box
// "divergence" under the title with each such token's anatomy: both runs' tokens, their top
// two logits and gap, and the shapes of the passes that chose them.
#pragma once

#include <ostream>

#include "viz/step_view.h"

namespace lockstep::viz {

inline constexpr const char* kDivergencePurple = "#6a3d9a";
inline constexpr const char* kDivergenceLabel = "differs from batch-1 AR";

// Writes node "divergence" for view.divergences; nothing when there are none.
void write_divergences(std::ostream& o, const StepView& view);

}  // namespace lockstep::viz
