// `lockstep bench`: measured tokens/s over a grid of strategies x batch sizes x k on any
// backend (verify/bench.h), with CSV tables, the per-pass timings `lockstep calibrate` reads,
// and gnuplot pictures.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "verify/bench.h"

namespace lockstep::cli {

void add_bench_command(CLI::App& app, int& exit_code);

// Writes DIR/throughput.{gp,png,svg} (median tokens/s vs batch size, one line per strategy, at
// the grid's first k) and DIR/stage_shares.{gp,png,svg} (each stage's share of run time per
// point). Renders with gnuplot when it is on PATH; returns false (files kept) when it is not.
bool write_bench_plots(const verify::BenchResult& result, const std::string& dir,
                       const std::string& caption);

}  // namespace lockstep::cli
