// `lockstep calibrate`: fits the cost model's constants to measured pass times and prints the
// prediction error per row and overall; with --fit-rows/--holdout-rows (or --holdout FILE) it
// fits on some shapes and reports the error on shapes the fit never saw. `--probe` measures
// this machine for the `cpu` hardware profile instead (docs/cost-model.md).
#pragma once

#include <CLI/CLI.hpp>

namespace lockstep::cli {

void add_calibrate_command(CLI::App& app, int& exit_code);

}  // namespace lockstep::cli
