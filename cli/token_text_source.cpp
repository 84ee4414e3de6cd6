// Token text sources for runs and pictures (see token_text_source.h).
#include "cli/token_text_source.h"

#include <filesystem>

#include "gguf/gguf.h"
#include "gguf/model_cache.h"
#include "sim/error.h"
#include "tokenizer/from_gguf.h"
#include "tokenizer/printable.h"

namespace lockstep::cli {
namespace {

constexpr int kByteIds = 256;

}  // namespace

sim::TokenText byte_level_text() {
  std::vector<std::string> bytes;
  bytes.reserve(kByteIds);
  for (int b = 0; b < kByteIds; ++b) bytes.emplace_back(1, static_cast<char>(b));
  return sim::TokenText("byte-level", std::move(bytes), &tokenizer::printable);
}

sim::TokenText ids_only_text() {
  return sim::TokenText("token ids", {}, &tokenizer::printable);
}

sim::TokenText tokenizer_text(const tokenizer::Tokenizer& tokenizer, const std::string& name) {
  std::vector<std::string> bytes;
  bytes.reserve(static_cast<std::size_t>(tokenizer.size()));
  for (int id = 0; id < tokenizer.size(); ++id) bytes.push_back(tokenizer.bytes(id));
  return sim::TokenText(name + " tokenizer", std::move(bytes), &tokenizer::printable);
}

sim::TokenText model_text(const std::string& name_or_path) {
  const gguf::File file(gguf::resolve_model(name_or_path));
  return tokenizer_text(tokenizer::from_gguf(file),
                        std::filesystem::path(name_or_path).stem().string());
}

sim::TokenText text_for_scenario(const sim::Scenario& scenario) {
  // A target named by its GGUF file (`"target": {"gguf": ...}`) is resolved to the file's
  // path: the prompts were tokenized by its tokenizer, so the same tokenizer reads them back.
  if (scenario.target.loaded()) return model_text(scenario.target.weights_file);
  return scenario.target.vocab >= kByteIds ? byte_level_text() : ids_only_text();
}

sim::TokenText text_from_option(const std::string& source) {
  if (source == "bytes") return byte_level_text();
  if (source == "ids") return ids_only_text();
  if (source.empty())
    throw InputError("--text '': expected bytes, ids, or a GGUF model name or path");
  return model_text(source);
}

}  // namespace lockstep::cli
