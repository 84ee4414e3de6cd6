// The `lockstep` command. Exit status everywhere: 0 success, 1 a violation was found,
// 2 bad input or usage, 3 an internal error (a bug in lockstep: please report it); 4 and 5
// belong to run and verify-dist (docs/cli.md "Exit status").
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/bench_command.h"
#include "cli/calibrate_command.h"
#include "cli/equivalence_command.h"
#include "cli/faults_command.h"
#include "cli/merge_command.h"
#include "cli/model_info_command.h"
#include "cli/replay_command.h"
#include "cli/run_command.h"
#include "cli/sweep_command.h"
#include "cli/tokenize_command.h"
#include "cli/verify_dist_command.h"
#include "cli/viz_command.h"
#include "reference/cpu_backend.h"
#include "sim/error.h"
#if defined(LOCKSTEP_HAVE_CUDA)
#include "gpu/gpu_backend.h"
#endif

int main(int argc, char** argv) {
  CLI::App app{
      "lockstep: batch speculative decoding, proved by replay.\n"
      "Runs ragged-batch speculative decoding scenarios under one controller, checks the\n"
      "synchronization invariants I1-I5 at every step and compares every output with plain\n"
      "batch-1 autoregressive decoding (100% equivalence is the only acceptable result).",
      "lockstep"};
  app.require_subcommand(1);
  app.footer("Run `lockstep run --help` for the options of a run.");
  // Each subcommand's callback sets the exit status; add one line per subcommand here.
  int exit_code = 0;
  lockstep::cli::add_run_command(app, exit_code);
  lockstep::cli::add_replay_command(app, exit_code);
  lockstep::cli::add_faults_command(app, exit_code);
  lockstep::cli::add_sweep_command(app, exit_code);
  lockstep::cli::add_merge_command(app, exit_code);
  lockstep::cli::add_calibrate_command(app, exit_code);
  lockstep::cli::add_bench_command(app, exit_code);
  lockstep::cli::add_equivalence_command(app, exit_code);
  lockstep::cli::add_viz_command(app, exit_code);
  lockstep::cli::add_tokenize_command(app, exit_code);
  lockstep::cli::add_model_info_command(app, exit_code);
  lockstep::cli::add_verify_dist_command(app, exit_code);
  try {
    lockstep::reference::register_cpu_backend();
#if defined(LOCKSTEP_HAVE_CUDA)
    lockstep::gpu::register_gpu_backend();  // constructing it without a device is an InputError
                                            // (exit 2)
#endif
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const lockstep::InputError& e) {
    std::cerr << "lockstep: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "lockstep: internal error: " << e.what() << "\n";
    return 3;
  }
  return exit_code;
}
