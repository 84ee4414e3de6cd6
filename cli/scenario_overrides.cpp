#include "cli/scenario_overrides.h"

namespace lockstep::cli {

void ScenarioOverrides::apply(sim::Scenario& s, sim::ValueSources& sources) const {
  override_field(s.backend, backend, sources, "backend", "--backend");
  override_field(s.strategy, strategy, sources, "strategy", "--strategy");
  override_field(s.batch_size, batch_size, sources, "batch_size", "--batch-size");
  if (!faults.empty()) {
    s.faults = faults;
    sources.command_line["faults"] = "--fault";
  }
  if (numerics) s.numerics = sim::parse_numerics(*numerics, "--numerics");
  sampling.apply(s);
}

}  // namespace lockstep::cli
