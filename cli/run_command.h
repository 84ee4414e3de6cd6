// `lockstep run`: load a scenario (or the embedded default), apply command-line overrides,
// run it checked, print a readable summary, optionally write the trace and summary JSON.
#pragma once

#include <CLI/CLI.hpp>

namespace lockstep::cli {

// Adds the subcommand to `app`; when it runs, its callback stores the process exit status in
// `exit_code` (every subcommand follows this pattern: see cli/main.cpp).
void add_run_command(CLI::App& app, int& exit_code);

}  // namespace lockstep::cli
