// `lockstep replay`: run scenarios on two backends and compare their canonical traces record
// by record (invariant I7). Exit status: 0 identical, 1 divergent, 2 bad input (including a
// backend that cannot run here, e.g. gpu without a CUDA device). `--shard I/M --report FILE`
// runs scenario i only when i mod M = I and writes a shard report for `lockstep merge`.
#pragma once

#include <CLI/CLI.hpp>

namespace lockstep::cli {

void add_replay_command(CLI::App& app, int& exit_code);

}  // namespace lockstep::cli
