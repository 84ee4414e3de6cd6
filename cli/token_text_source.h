// Where a run's token text comes from (sim/token_text.h): a GGUF model's own tokenizer, the
// byte-level text of generated-weights models (ids 0..255 are bytes, DESIGN §7), or ids only.
// Kept in cli/ because it is the one place that may depend on gguf/ and tokenizer/ and also
// hand the text to verify/ and viz/.
#pragma once

#include <string>

#include "sim/scenario.h"
#include "sim/token_text.h"
#include "tokenizer/tokenizer.h"

namespace lockstep::cli {

// Ids 0..255 as single bytes (the byte-level tokenizer of text prompts); other ids as "⟨id⟩".
sim::TokenText byte_level_text();
// No text: every id reads "⟨id⟩" (generated models whose vocabulary has no byte ids).
sim::TokenText ids_only_text();
// The tokenizer's bytes for every id of its vocabulary; `name` says whose it is.
sim::TokenText tokenizer_text(const tokenizer::Tokenizer& tokenizer, const std::string& name);
// The tokenizer of a GGUF model: a name in the model cache or a path (gguf::resolve_model).
// Throws InputError when the file is missing or its tokenizer metadata is bad.
sim::TokenText model_text(const std::string& name_or_path);

// The text of a scenario's tokens: its GGUF model's tokenizer when the target is loaded from a
// model file, else byte-level when the target's vocabulary holds the byte ids, else ids only.
sim::TokenText text_for_scenario(const sim::Scenario& scenario);

// `lockstep viz --text SOURCE`: "bytes", "ids", or a GGUF model name or path.
sim::TokenText text_from_option(const std::string& source);

}  // namespace lockstep::cli
