// The sampling block of a step's picture (issue 14 item 5, docs/strategies.md "Coupled
// sampling" and "Rejection sampling"): node "sampling" under the grid, one line per batch row
// with its judged drafts (drafted token, the target's p(d), under rejection the draft's q(d),
// coloured by the verdict) and the token drawn after them (its probability and where it came
// from: the residual norm(max(0, p - q)), the bonus from p, or under coupled acceptance the
// target's keyed sample). Probabilities are printed with 3 significant digits; the exact
// fractions are in the trace and in each cell's tooltip. Draws nothing for greedy runs.
#pragma once

#include <ostream>
#include <string>

#include "numerics/speculative_sampling.h"
#include "sim/token_text.h"
#include "viz/step_view.h"

namespace lockstep::viz {

inline constexpr const char* kSamplingNode = "sampling";

// weight / total with 3 significant digits (printf "%#.3g": "0.938", "1.00", "2.50e-05");
// "?" when total is 0 (the trace holds no probability there).
std::string probability_text(numerics::WideWeight weight, numerics::WideWeight total);

// Whether the view has a row with judged drafts (a sampled run that drafts).
bool has_sampling(const StepView& view);

// Writes node "sampling"; nothing when !has_sampling(view). With `text`, tokens read as text too.
void write_sampling(std::ostream& o, const StepView& view, const sim::TokenText* text);

// The legend's lines on the block's numbers (HTML-like label text), for a run with sampling.
std::string sampling_legend(const StepView& view);

}  // namespace lockstep::viz
