// The `lockstep` command. Exit status everywhere: 0 success, 1 a violation was found,
// 2 bad input or usage, 3 an internal error (a bug in lockstep: please report it).
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/run_command.h"
#include "sim/error.h"

int main(int argc, char** argv) {
  CLI::App app{
      "lockstep: batch speculative decoding, proved by replay.\n"
      "Runs ragged-batch speculative decoding scenarios under one controller, checks the\n"
      "synchronization invariants I1-I5 at every step and compares every output with plain\n"
      "batch-1 autoregressive decoding (100% equivalence is the only acceptable result).",
      "lockstep"};
  app.require_subcommand(1);
  app.footer("Run `lockstep run --help` for the options of a run.");
  int* run_exit = lockstep::cli::add_run_command(app);
  try {
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
  return *run_exit;
}
