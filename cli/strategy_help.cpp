#include "cli/strategy_help.h"

#include <algorithm>
#include <string>

#include <fmt/core.h>

#include "sim/drafter.h"
#include "sim/faults.h"

namespace lockstep::cli {

std::vector<std::string> strategy_names_with(bool (*trait)(const sim::StrategyInfo& strategy)) {
  std::vector<std::string> out;
  for (const auto& s : sim::strategy_registry()) {
    if (trait == nullptr || trait(s)) out.push_back(s.name);
  }
  return out;
}

std::string strategy_choices(const std::string& separator,
                             bool (*trait)(const sim::StrategyInfo& strategy)) {
  std::string out;
  for (const auto& name : strategy_names_with(trait)) out += (out.empty() ? "" : separator) + name;
  return out;
}

std::string strategy_choices(const std::string& separator) {
  return strategy_choices(separator, nullptr);
}

std::string strategy_descriptions() {
  std::size_t width = 0;
  for (const auto& s : sim::strategy_registry()) width = std::max(width, s.name.size());
  std::string out = "Strategies:\n";
  for (const auto& s : sim::strategy_registry())
    out += fmt::format("  {:<{}}  {}\n", s.name, width, s.description);
  std::string presets;
  for (const auto& p : sim::strategy_presets())
    presets += fmt::format("{}{} ({} with faults)", presets.empty() ? "" : ", ", p.name, p.base);
  return out + "Presets: " + presets + ".\n";
}

std::string drafter_descriptions() {
  std::size_t width = 0;
  for (const auto& d : sim::drafter_kinds()) width = std::max(width, std::string(d.name).size());
  std::string out = "Drafters (the scenario's draft.kind, scenarios/SCHEMA.md):\n";
  for (const auto& d : sim::drafter_kinds())
    out += fmt::format("  {:<{}}  {}\n", d.name, width, d.description);
  return out;
}

}  // namespace lockstep::cli
