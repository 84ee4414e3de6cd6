// `lockstep run`: load a scenario (or the embedded default), apply command-line overrides,
// run it checked, print a readable summary, optionally write the trace and summary JSON.
#pragma once

#include <CLI/CLI.hpp>

namespace lockstep::cli {

// Adds the subcommand to `app`; returns a pointer to the exit code it will set.
int* add_run_command(CLI::App& app);

}  // namespace lockstep::cli
