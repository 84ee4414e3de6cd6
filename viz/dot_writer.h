// DOT text of one step's picture (Graphviz, HTML-like labels). Node names are stable so
// tests and tools can find the parts: "title", "legend", "grid" (the batch grid of the
// verify pass), "pool" (exspec), "violation", and "kv_<model>_before" / "kv_<model>_after"
// (KV slot maps; move-plan arrows run from before to after). Every grid and KV cell carries
// TITLE="<kind> ..." (kind_name) so the classification can be read back from the DOT and
// shows as a tooltip in SVG.
#pragma once

#include <string>

#include "viz/step_view.h"

namespace lockstep::viz {

std::string step_dot(const StepView& view);

}  // namespace lockstep::viz
