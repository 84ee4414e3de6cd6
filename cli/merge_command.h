// `lockstep merge`: joins the shard outputs of `lockstep replay --shard I/M --report FILE` or
// `lockstep sweep --shard I/M --out FILE` into exactly the single run's output (the replay
// report and exit status; the sweep CSV, byte for byte, and optionally its plots). Refuses an
// incomplete, duplicated or mixed set of shards (exit 2, naming what is wrong).
#pragma once

#include <CLI/CLI.hpp>

namespace lockstep::cli {

void add_merge_command(CLI::App& app, int& exit_code);

}  // namespace lockstep::cli
