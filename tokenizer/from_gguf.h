// Builds the tokenizer from a GGUF file's metadata (tokenizer.ggml.* and
// tokenizer.chat_template). Reads only metadata; the weights are gguf/'s and reference/'s.
#pragma once

#include "gguf/gguf.h"
#include "tokenizer/tokenizer.h"

namespace lockstep::tokenizer {

// The vocabulary as the file stores it; a missing or mistyped key is an InputError naming it.
Vocabulary vocabulary_from_gguf(const gguf::File& file);

// Tokenizer(vocabulary_from_gguf(file)): also checks model "gpt2" and a known pre type.
Tokenizer from_gguf(const gguf::File& file);

}  // namespace lockstep::tokenizer
