// The resolution phase of a scenario whose models are named by file (`"target": {"gguf":
// "smollm2-135m"}`, a name in the model cache or a path): the shapes, RoPE base and epsilon
// come from the file's hyperparameters, text and SpecBench prompts are tokenized with the
// target's own tokenizer (optionally inside its chat template), and the EOS ids default to the
// file's. It sits above sim because sim reads no model files (DESIGN §2): sim parses and
// records the names, this phase reads the files and hands the configs back through
// sim::install_models, then finishes with sim::finalize_scenario. A scenario without model
// files goes straight to sim::finalize_scenario. Loads no weights (reference/ and gpu/ do).
#pragma once

#include <string>
#include <vector>

#include "sim/scenario.h"

namespace lockstep::resolve {

// sim::finalize_scenario for every scenario, model files included. Throws InputError naming
// the field: a model missing from the cache (and how to fetch it), a draft whose vocabulary
// differs from the target's, a text byte the tokenizer has no token for.
void finalize_scenario(sim::Scenario& scenario, const std::string& specbench_path,
                       const sim::ValueSources& sources = {});

// The EOS ids a target file implies when the scenario gives none: the file's
// tokenizer.ggml.eos_token_id, then `<|endoftext|>` if the vocabulary has it and it differs.
// Both end a reply in practice: an instruct model closes its turn with its EOS
// (`<|im_end|>`), and a GPT-2-family vocabulary's end-of-text token ends a document.
std::vector<sim::Token> default_eos_tokens(const std::string& model_path);

}  // namespace lockstep::resolve
