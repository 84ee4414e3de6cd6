// `lockstep tokenize`: the model's own tokenizer on a text or on SpecBench's first turns,
// printing ids and pieces (as a table, or JSON Lines with --json for other programs, such as
// tests/tools/tokenizer_crosscheck.py).
#pragma once

#include <CLI/CLI.hpp>

namespace lockstep::cli {

// Adds the subcommand to `app`; its callback stores 0 in `exit_code` (bad input throws
// lockstep::InputError, which main maps to 2).
void add_tokenize_command(CLI::App& app, int& exit_code);

}  // namespace lockstep::cli
