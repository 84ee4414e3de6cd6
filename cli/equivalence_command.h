// `lockstep equivalence`: the equivalence rate of every strategy x batch size x numerics
// against batch-1 AR on one model and one prompt set, per SpecBench category, with the mean
// position of the first divergence and the invariant violations (cli/equivalence_grid.h).
#pragma once

#include <CLI/CLI.hpp>

namespace lockstep::cli {

void add_equivalence_command(CLI::App& app, int& exit_code);

}  // namespace lockstep::cli
