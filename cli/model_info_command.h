// `lockstep model-info PATH|NAME [--json]`: what a GGUF model file holds: its Llama
// hyperparameters (gguf::llama_hparams) and a table of its tensors (name, type, shape,
// bytes). NAME is a model of the cache (scripts/fetch-model.sh). Reads the file only.
#pragma once

#include <CLI/CLI.hpp>

namespace lockstep::cli {

// Exit status: 0 printed; 2 the file is missing, not a valid GGUF or not a usable llama model.
void add_model_info_command(CLI::App& app, int& exit_code);

}  // namespace lockstep::cli
