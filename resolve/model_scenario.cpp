#include "resolve/model_scenario.h"

#include <algorithm>
#include <optional>

#include "gguf/gguf.h"
#include "gguf/model_cache.h"
#include "loaded/loaded_model.h"
#include "sim/error.h"
#include "sim/specbench.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/from_gguf.h"

namespace lockstep::resolve {
namespace {

// Prefixes the scenario field to an error of the file or tokenizer layers, which know
// neither the scenario nor the field.
template <typename F>
auto at_field(const std::string& field, F&& action) {
  try {
    return action();
  } catch (const InputError& e) {
    throw InputError("field '" + field + "': " + e.what());
  }
}

sim::ModelConfig model_of(const std::string& name_or_path, const std::string& field) {
  return at_field(
      field, [&] { return loaded::model_config(gguf::resolve_model(name_or_path), name_or_path); });
}

std::vector<sim::Token> tokenize(const tokenizer::Tokenizer& t, const std::string& text, bool chat,
                                 const std::string& field) {
  return at_field(field, [&] {
    // The chat template's turn markers are special tokens; a plain prompt's text is taken
    // literally (a "<|im_end|>" typed in it stays text, as HF's encode does by default).
    const auto ids =
        chat ? t.encode(tokenizer::format_smollm2_user_prompt(text), tokenizer::Specials::parse)
             : t.encode(text, tokenizer::Specials::as_text);
    return std::vector<sim::Token>(ids.begin(), ids.end());
  });
}

// The question cut to its first `max_tokens` tokens (0: whole), as text: the cut comes
// before the chat template, so a long question never loses the template's generation prompt.
std::string cut_to_tokens(const tokenizer::Tokenizer& t, const std::string& text, int max_tokens,
                          const std::string& field) {
  if (max_tokens <= 0) return text;
  auto ids = at_field(field, [&] { return t.encode(text, tokenizer::Specials::as_text); });
  if (ids.size() <= static_cast<std::size_t>(max_tokens)) return text;
  ids.resize(static_cast<std::size_t>(max_tokens));
  return t.decode(ids);
}

// Text and SpecBench prompts through the target's tokenizer; SpecBench's max_prompt_tokens
// keeps each question's first N tokens, as it keeps the first N bytes for a byte vocabulary.
void tokenize_prompts(sim::Scenario& s, const std::string& model_path,
                      const std::string& specbench_path) {
  if (s.prompt_texts.empty() && !s.specbench) return;
  const gguf::File file(model_path);
  const tokenizer::Tokenizer t = at_field("target", [&] { return tokenizer::from_gguf(file); });
  if (s.chat) {
    at_field("prompts.chat",
             [&] { tokenizer::require_smollm2_chat_template(t.vocabulary().chat_template); });
  }
  std::vector<std::vector<sim::Token>> prompts;
  for (std::size_t i = 0; i < s.prompt_texts.size(); ++i) {
    prompts.push_back(
        tokenize(t, s.prompt_texts[i], s.chat, "prompts.text[" + std::to_string(i) + "]"));
  }
  if (s.specbench) {
    const sim::SpecBenchSource& src = *s.specbench;
    const std::string& path = specbench_path.empty() ? src.path : specbench_path;
    if (path.empty()) throw InputError("prompts.specbench.path is not set; pass --specbench PATH");
    for (const sim::SpecBenchRecord& record : sim::read_specbench_source(path, src)) {
      const std::string field = "prompts.specbench (record " + std::to_string(record.index) + ")";
      const std::string question = cut_to_tokens(t, record.question, src.max_prompt_tokens, field);
      prompts.push_back(tokenize(t, question, s.chat, field));
    }
    s.specbench.reset();
  }
  s.prompts = std::move(prompts);
  s.prompt_texts.clear();
}

}  // namespace

std::vector<sim::Token> default_eos_tokens(const std::string& model_path) {
  const gguf::File file(model_path);
  const tokenizer::Vocabulary vocabulary = tokenizer::vocabulary_from_gguf(file);
  if (!vocabulary.eos) {
    throw InputError(model_path +
                     ": the file names no EOS id (tokenizer.ggml.eos_token_id); give the "
                     "scenario's 'eos_tokens' (or \"eos_token\": null)");
  }
  std::vector<sim::Token> ids{static_cast<sim::Token>(*vocabulary.eos)};
  const auto& tokens = vocabulary.tokens;
  const auto end_of_text = std::find(tokens.begin(), tokens.end(), "<|endoftext|>");
  if (end_of_text != tokens.end()) {
    const auto id = static_cast<sim::Token>(end_of_text - tokens.begin());
    if (id != ids.front()) ids.push_back(id);
  }
  return ids;
}

void finalize_scenario(sim::Scenario& s, const std::string& specbench_path,
                       const sim::ValueSources& sources) {
  if (!s.models_pending()) {
    sim::finalize_scenario(s, specbench_path, sources);
    return;
  }
  // Cheap checks of the overridable fields first, before any file is read.
  sim::validate_scenario(s, sources);
  std::optional<sim::ModelConfig> target, draft;
  std::string tokenizer_file;
  if (!s.target_file.empty()) {
    target = model_of(s.target_file, "target.gguf");
    tokenizer_file = target->weights_file;
  }
  if (!s.draft.model_file.empty()) draft = model_of(s.draft.model_file, "draft.model.gguf");
  if (!tokenizer_file.empty()) {
    tokenize_prompts(s, tokenizer_file, specbench_path);
    if (s.eos_from_file) {
      s.eos_tokens = at_field("target.gguf", [&] { return default_eos_tokens(tokenizer_file); });
      s.eos_token = s.eos_tokens.front();
      s.eos_from_file = false;
    }
  }
  sim::install_models(s, target, draft);
  sim::finalize_scenario(s, specbench_path, sources);
}

}  // namespace lockstep::resolve
