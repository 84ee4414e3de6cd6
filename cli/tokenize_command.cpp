// `lockstep tokenize` (see tokenize_command.h). Only reads the model's metadata; no weights.
#include "cli/tokenize_command.h"

#include <fstream>
#include <memory>
#include <optional>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "gguf/gguf.h"
#include "gguf/model_cache.h"
#include "sim/error.h"
#include "sim/scenario.h"
#include "tokenizer/chat_template.h"
#include "tokenizer/from_gguf.h"
#include "tokenizer/printable.h"

namespace lockstep::cli {
namespace {

using tokenizer::Specials;
using tokenizer::TokenId;
using tokenizer::Tokenizer;

struct TokenizeArgs {
  std::string model, specbench;
  std::optional<std::string> text;  // may be given and empty
  std::optional<int> offset, count;
  bool chat = false, parse_specials = false, json = false;
};

// Records in a SpecBench file (non-blank lines, as sim::read_specbench_questions counts them).
int count_specbench_records(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot open SpecBench questions '" + path + "'");
  int records = 0;
  for (std::string line; std::getline(in, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos) ++records;
  return records;
}

std::vector<std::string> input_texts(const TokenizeArgs& a) {
  if (a.specbench.empty()) return {*a.text};
  const int offset = a.offset.value_or(0);
  const int count = a.count ? *a.count : count_specbench_records(a.specbench) - offset;
  if (offset < 0 || count < 0)
    throw InputError("--offset and --count must be >= 0 (and --offset within the file)");
  return sim::read_specbench_questions(a.specbench, offset, count);
}

void print_table(const Tokenizer& t, const std::string& label, const std::vector<TokenId>& ids) {
  fmt::print("{}: {} tokens\n", label, ids.size());
  for (TokenId id : ids)
    fmt::print("  {:>6}  {:<20}  \"{}\"\n", id, t.piece(id), tokenizer::printable(t.bytes(id)));
}

void print_json_line(const Tokenizer& t, std::optional<int> index, const std::string& text,
                     const std::vector<TokenId>& ids) {
  nlohmann::json line;
  if (index) line["index"] = *index;
  line["text"] = text;
  line["ids"] = ids;
  nlohmann::json pieces = nlohmann::json::array();
  for (TokenId id : ids) pieces.push_back(t.piece(id));
  line["pieces"] = std::move(pieces);
  line["decoded"] = t.decode(ids);
  // A text that is not UTF-8 is shown with U+FFFD; ids and pieces stay exact.
  fmt::print("{}\n", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void run_tokenize(const TokenizeArgs& a) {
  if (a.text.has_value() == !a.specbench.empty())
    throw InputError("give exactly one of TEXT or --specbench PATH");
  if ((a.offset || a.count) && a.specbench.empty())
    throw InputError("--offset and --count select SpecBench records: they need --specbench");
  const gguf::File file(gguf::resolve_model(a.model));
  const Tokenizer t = tokenizer::from_gguf(file);
  if (a.chat) tokenizer::require_smollm2_chat_template(t.vocabulary().chat_template);
  const std::vector<std::string> texts = input_texts(a);
  const int first = a.offset.value_or(0);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const std::string text = a.chat ? tokenizer::format_smollm2_user_prompt(texts[i]) : texts[i];
    const bool parse = a.chat || a.parse_specials;
    const std::vector<TokenId> ids = t.encode(text, parse ? Specials::parse : Specials::as_text);
    const std::optional<int> index =
        a.specbench.empty() ? std::nullopt : std::optional<int>(first + static_cast<int>(i));
    if (a.json) {
      print_json_line(t, index, text, ids);
    } else {
      print_table(t, index ? fmt::format("SpecBench #{}", *index) : std::string("text"), ids);
    }
  }
}

}  // namespace

void add_tokenize_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<TokenizeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "tokenize", "Tokenize text with a model's own tokenizer (byte-level BPE from its GGUF)");
  cmd->footer(
      "MODEL is a name in the model cache ($LOCKSTEP_MODELS, default ~/.cache/lockstep/models;\n"
      "fetch with scripts/fetch-model.sh NAME) or a path to a .gguf file.\n"
      "Special tokens written in TEXT stay text unless --parse-specials; --chat wraps each text\n"
      "as one user turn of the model's chat template (default system prompt included) and\n"
      "parses the template's specials. Output: per text, each token's id, its piece as the\n"
      "vocabulary writes it and the bytes it stands for; --json prints one JSON object per\n"
      "text (index, text, ids, pieces, decoded).\n"
      "Exit status: 0 done; 2 bad input (unknown model, bad file, bad option).\n"
      "Examples: lockstep tokenize --model smollm2-135m 'Hello world'\n"
      "          lockstep tokenize --model smollm2-135m --specbench question.jsonl --chat --json");
  cmd->add_option("--model", args->model, "Model: a name in the model cache or a .gguf path")
      ->required();
  cmd->add_option("TEXT", args->text, "Text to tokenize");
  cmd->add_option("--specbench", args->specbench,
                  "Tokenize the first turn of every record of this SpecBench question.jsonl");
  cmd->add_option("--offset", args->offset, "With --specbench: first record (default 0)");
  cmd->add_option("--count", args->count, "With --specbench: number of records (default all)");
  cmd->add_flag("--chat", args->chat, "Wrap each text in the model's chat template (a user turn)");
  cmd->add_flag("--parse-specials", args->parse_specials,
                "Special tokens written in the text become their ids");
  cmd->add_flag("--json", args->json, "One JSON object per text (JSON Lines)");
  cmd->callback([args, &exit_code] {
    run_tokenize(*args);
    exit_code = 0;
  });
}

}  // namespace lockstep::cli
