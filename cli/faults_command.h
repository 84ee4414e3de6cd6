// `lockstep faults`: the fault-detection matrix over the scenario library (every registered
// fault x every scenario -> first invariant violated, and whether equivalence broke), and,
// given SpecBench, the equivalence rates of the bsp-like / dsd-like presets beside eqspec,
// exspec and packed on the same prompts. docs/faults.md shows its output.
#pragma once

#include <CLI/CLI.hpp>

namespace lockstep::cli {

// Exit status: 0 every fault detected on some scenario and the fault-free baseline clean;
// 1 otherwise; 2 bad input.
void add_faults_command(CLI::App& app, int& exit_code);

}  // namespace lockstep::cli
