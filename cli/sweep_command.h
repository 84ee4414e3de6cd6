// `lockstep sweep`: predicted GPU throughput over a grid of strategies, batch sizes, k,
// oracle acceptance and hardware/model pairs; CSV out, optional gnuplot SVG/PNG plots.
// `--shard I/M` runs grid point i only when i mod M = I and writes a shard CSV (cli/sweep_shard.h)
// that `lockstep merge` joins; write_sweep_plots also draws the merged result's plots.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sim/cost_sweep.h"

namespace lockstep::cli {

void add_sweep_command(CLI::App& app, int& exit_code);

// Writes the data files and `plots.gp` for the three sweep plots into `dir` (created if
// needed) and renders them with gnuplot when it is on PATH. Returns false (after saying why
// on stderr) when gnuplot is missing or fails; the script stays for a later run.
bool write_sweep_plots(const sim::SweepGrid& grid, const std::vector<sim::SweepRow>& rows,
                       const std::string& dir, const std::string& command_line);

}  // namespace lockstep::cli
