#include "cli/strategy_help.h"

#include <fmt/core.h>

#include "sim/faults.h"

namespace lockstep::cli {

std::string strategy_choices(const std::string& separator,
                             bool (*trait)(const sim::StrategyInfo& strategy)) {
  std::string out;
  for (const auto& s : sim::strategy_registry()) {
    if (trait != nullptr && !trait(s)) continue;
    out += (out.empty() ? "" : separator) + s.name;
  }
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

}  // namespace lockstep::cli
