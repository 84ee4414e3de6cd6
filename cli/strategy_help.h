// Help text about strategies, read from the strategy registry (sim/strategy.h), so that a
// registered strategy shows up in every subcommand's help without editing it; and about the
// drafter kinds, read from sim::drafter_kinds().
#pragma once

#include <string>
#include <vector>

#include "sim/strategy.h"

namespace lockstep::cli {

// The names of the strategies for which `trait` holds (every one when null), in registry order.
std::vector<std::string> strategy_names_with(bool (*trait)(const sim::StrategyInfo& strategy));
// The strategy names joined by `separator`, e.g. "ar | spec1 | ...".
std::string strategy_choices(const std::string& separator);
// The names of the strategies for which `trait` holds, joined by `separator`.
std::string strategy_choices(const std::string& separator,
                             bool (*trait)(const sim::StrategyInfo& strategy));
// One line per strategy, "  NAME  description", then the presets in one line.
std::string strategy_descriptions();
// One line per drafter kind (a scenario's draft.kind, sim/drafter.h), "  NAME  description".
std::string drafter_descriptions();

}  // namespace lockstep::cli
