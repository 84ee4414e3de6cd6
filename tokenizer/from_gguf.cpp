// GGUF metadata -> Vocabulary (see from_gguf.h).
#include "tokenizer/from_gguf.h"

#include <limits>

#include "sim/error.h"

namespace lockstep::tokenizer {
namespace {

std::optional<TokenId> find_token_id(const gguf::File& file, const char* key) {
  const std::optional<std::uint64_t> id = file.find_uint(key);
  if (!id) return std::nullopt;
  if (*id > static_cast<std::uint64_t>(std::numeric_limits<TokenId>::max()))
    throw InputError(file.origin() + ": " + key + " = " + std::to_string(*id) + " is too large");
  return static_cast<TokenId>(*id);
}

}  // namespace

Vocabulary vocabulary_from_gguf(const gguf::File& file) {
  Vocabulary v;
  v.model = file.get_string("tokenizer.ggml.model");
  // Required: guessing the regexes of an unnamed pre-tokenizer would change ids silently.
  v.pre = file.get_string("tokenizer.ggml.pre");
  v.tokens = file.get_string_array("tokenizer.ggml.tokens");
  v.merges = file.get_string_array("tokenizer.ggml.merges");
  if (file.has("tokenizer.ggml.token_type"))
    v.token_types = file.get_i32_array("tokenizer.ggml.token_type");
  v.bos = find_token_id(file, "tokenizer.ggml.bos_token_id");
  v.eos = find_token_id(file, "tokenizer.ggml.eos_token_id");
  v.pad = find_token_id(file, "tokenizer.ggml.padding_token_id");
  v.unknown = find_token_id(file, "tokenizer.ggml.unknown_token_id");
  v.chat_template = file.find_string("tokenizer.chat_template").value_or("");
  return v;
}

Tokenizer from_gguf(const gguf::File& file) {
  try {
    return Tokenizer(vocabulary_from_gguf(file));
  } catch (const InputError& e) {
    // The tokenizer's messages name the field; say which file it came from.
    const std::string what = e.what();
    if (what.rfind(file.origin(), 0) == 0) throw;
    throw InputError(file.origin() + ": " + what);
  }
}

}  // namespace lockstep::tokenizer
