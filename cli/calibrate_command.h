// `lockstep calibrate MEASURED.csv`: fits the cost model's achieved bandwidth fraction and
// launch overhead to measured pass times and prints the prediction error per row and overall.
#pragma once

#include <CLI/CLI.hpp>

namespace lockstep::cli {

void add_calibrate_command(CLI::App& app, int& exit_code);

}  // namespace lockstep::cli
