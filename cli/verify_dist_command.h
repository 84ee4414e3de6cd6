// `lockstep verify-dist` (issue 14 item 3): run a sampled scenario over many sampling seeds and
// G-test each output position's tokens, grouped by their prefix, against the exact target
// distribution (verify/dist_check.h; docs/invariants.md "Checking the distribution").
// Prints one line per test and a summary, optionally writes DIR/verify_dist.csv, and decides
// the exit status: 0 no test rejects, 5 a test rejects, 2 bad input.
#pragma once

#include <CLI/CLI.hpp>

namespace lockstep::cli {

// The exit status of a run whose distribution test rejected (docs/cli.md "Exit status").
constexpr int kExitDistributionRejected = 5;

void add_verify_dist_command(CLI::App& app, int& exit_code);

}  // namespace lockstep::cli
