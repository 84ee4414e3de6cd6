// The sampling flags of the commands that run scenarios (`lockstep run`, `lockstep bench`,
// `lockstep verify-dist`): --temperature --top-k --top-p --sampling-seed --acceptance
// --draft-uniform override the scenario's "sampling" object field by field (docs/cli.md,
// docs/numerics.md §14). `--sampling-seed`, not `--seed`: `lockstep run --seed` already names
// the drafter's seed.
//
// Contract: a bad value is an InputError naming the flag and the value; no flag given leaves
// the scenario's sampling as it is. Not here: what the values mean (sim/pass_sampling.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "sim/scenario.h"

namespace lockstep::cli {

struct SamplingFlags {
  std::optional<double> temperature, top_p;
  std::optional<std::int64_t> top_k;
  std::optional<std::uint64_t> seed;
  std::optional<std::string> acceptance, draft_uniform;

  void add_to(CLI::App& command);
  // Throws InputError naming the flag and its value.
  void apply(sim::Scenario& scenario) const;
};

}  // namespace lockstep::cli
