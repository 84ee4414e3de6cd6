// DOT text of one step's picture (Graphviz, HTML-like labels). Node names are stable so
// tests and tools can find the parts: "title", "legend", "grid" (the batch grid of the
// verify pass), "pool" (exspec), "violation", "divergence" (viz/dot_divergence.h), and
// "kv_<model>_before" / "kv_<model>_after" (KV slot maps; move-plan arrows run from before to
// after). Every grid and KV cell carries TITLE="<kind> ..." (kind_name) so the classification can
// be read back from the DOT and shows as a tooltip in SVG. With a text source (sim/token_text.h)
// every cell's tooltip also carries its token's text (text "..."), grid cells show it under the
// position id, and a "row_text" block (viz/dot_row_text.h) reads each row's drafted, accepted and
// rejected tokens as text; without one the DOT is exactly what it was before text existed.
#pragma once

#include <string>

#include "sim/token_text.h"
#include "viz/step_view.h"

namespace lockstep::viz {

std::string step_dot(const StepView& view, const sim::TokenText* text = nullptr);

}  // namespace lockstep::viz
