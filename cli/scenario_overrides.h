// The command-line values that replace scenario fields, shared by the commands that run one
// scenario (`lockstep run`, `lockstep verify-dist`): backend, strategy, batch size, faults,
// numerics and the sampling flags. Each value the command line gives is merged into the
// scenario and recorded in sim::ValueSources, so the merged scenario's validation can say
// "from the command line: --batch-size". Not here: the flags themselves (each command words
// its own help), validation (sim::finalize_scenario after the merge).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/sampling_flags.h"
#include "sim/scenario.h"

namespace lockstep::cli {

// field = *value when the command line gave it, and the source of `name` becomes `option`.
template <typename Field, typename Value>
void override_field(Field& field, const std::optional<Value>& value, sim::ValueSources& sources,
                    const char* name, const char* option) {
  if (!value) return;
  field = *value;
  sources.command_line[name] = option;
}

struct ScenarioOverrides {
  std::optional<std::string> backend, strategy, numerics;
  std::optional<int> batch_size;
  std::vector<std::string> faults;  // empty: the file's list
  SamplingFlags sampling;

  // Throws InputError for a bad --numerics or sampling value (naming the flag).
  void apply(sim::Scenario& scenario, sim::ValueSources& sources) const;
};

}  // namespace lockstep::cli
