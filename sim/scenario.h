// A scenario: everything a run needs, loaded from JSON (scenarios/SCHEMA.md documents the
// format). Loading never guesses: a missing, unknown or out-of-range field is an InputError
// that names it. Prompts given as SpecBench references are resolved in a second phase so
// the command line can supply the data path. A model named by its file (`{"gguf": NAME}`) is
// only recorded here: sim reads no model files, so the resolution phase above it (resolve/)
// fills the model config from the file and tokenizes text prompts with the model's own
// tokenizer, then calls install_models() and finalize_scenario().
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/batch.h"
#include "sim/model_config.h"
#include "sim/pass_sampling.h"
#include "sim/prompt_lookup.h"
#include "sim/strategy.h"

namespace lockstep::sim {

struct DrafterSpec {
  enum class Kind { oracle, script, model, prompt_lookup };
  Kind kind = Kind::oracle;
  double accept_prob = 1.0;                // oracle: chance a proposal is the true token
  std::uint64_t seed = 0;                  // keys the corruption of proposals
  std::vector<std::vector<int>> accepted;  // script: [round][sequence]
  ModelConfig model;                       // the draft model whose cache is kept in sync
  int target_layers = 0;   // model drafter made of the target's first m layers (0: not derived)
  NgramRange ngram;        // prompt_lookup: the n-gram sizes matched, longest first
  std::string model_file;  // "model": {"gguf": NAME_OR_PATH}, until resolve/ fills `model`
};

struct SpecBenchSource {
  std::string path;  // empty: must come from --specbench
  int count = 0;
  int offset = 0;
  int stride = 1;             // records offset, offset + stride, ... (spread over the file)
  int max_prompt_tokens = 0;  // 0: no truncation; else keep the first N bytes-tokens
  // When not empty: exactly these records, in this order, instead of the offset / count /
  // stride slice (count must equal its size). Set by programs (`lockstep equivalence
  // --per-category`), not a scenario field.
  std::vector<int> records = {};
};

struct Scenario {
  std::string name;
  std::string description;
  std::string backend;
  ModelConfig target;
  DrafterSpec draft;
  std::string strategy;
  int batch_size = 0;
  int k = 0;
  int max_new_tokens = 0;
  int window = 0;
  // The first EOS id: what the trace header records and what `pad-equals-eos` takes for the
  // pad id. eos_tokens holds every EOS id (eos_token first, as parsing fills it); a sequence
  // ends after any of them (is_eos).
  std::optional<Token> eos_token;
  std::vector<Token> eos_tokens;
  bool is_eos(Token t) const;
  std::vector<std::string> faults;
  std::vector<std::vector<Token>> prompts;   // resolved prompts
  std::optional<SpecBenchSource> specbench;  // set until resolved
  // Set while a model is named by file (`"target": {"gguf": ...}`): cleared by install_models.
  std::string target_file;
  std::vector<std::string> prompt_texts;  // text prompts awaiting the target's tokenizer
  bool chat = false;                      // prompts are wrapped in the model's chat template
  bool eos_from_file = false;             // no eos field: the model file's EOS ids (resolve/)
  bool models_pending() const { return !target_file.empty() || !draft.model_file.empty(); }
  // Optional "cost": HW:PAIR[:PRECISION] for predicted GPU time (docs/cost-model.md); empty:
  // none. `lockstep run --cost` overrides it.
  std::string cost;
  // Optional "numerics": how real backends compute (sim::Numerics); install_numerics copies
  // it into the target and draft configs. The symbolic backend ignores it.
  Numerics numerics = Numerics::exact;
  // Optional "sampling" (issue 14): temperature, top_k, top_p, seed, acceptance. Absent, or
  // temperature 0: greedy, exactly the behaviour (and traces) before sampling existed.
  SamplingOptions sampling;
};

// Where the values of a merged scenario came from, so that an error found after
// command-line overrides says which value to fix. Default: nothing known, no note.
struct ValueSources {
  std::string file;  // the scenario file every value not overridden came from
  // Scenario field ("batch_size", "strategy", ...) -> the option that set it ("--batch-size").
  std::map<std::string, std::string> command_line;
  // "from the command line: --batch-size", "in FILE", or "" when nothing is known.
  std::string of(const std::string& field) const;
};

// When parsing runs the checks that tie the overridable fields (strategy, batch_size, k,
// max_new_tokens, window, faults, backend) together: `now`, or `after_overrides` when the
// caller merges command-line values first and then calls finalize_scenario, so that a file
// value the command line replaces cannot fail the run.
enum class CrossChecks { now, after_overrides };

// Parses and validates a scenario document. `origin` prefixes error messages (a file name).
Scenario parse_scenario(const std::string& json_text, const std::string& origin,
                        CrossChecks checks = CrossChecks::now);
Scenario load_scenario_file(const std::string& path, CrossChecks checks = CrossChecks::now);

// Re-validates after command-line overrides and reads SpecBench prompts if the scenario
// refers to them (`specbench_path` overrides the file's path when not empty). `sources`
// say where each value came from, for the error messages.
void finalize_scenario(Scenario& scenario, const std::string& specbench_path,
                       const ValueSources& sources = {});

// The resolution phase's hand-over (resolve/): the configs of the models named by file (the
// draft's only when it is named by file) and the tokenized text prompts; derives the
// target_layers draft and checks the models. Throws InputError naming the field.
void install_models(Scenario& scenario, const std::optional<ModelConfig>& target,
                    const std::optional<ModelConfig>& draft_model);

// Copies scenario.numerics into the target and draft model configs (finalize_scenario does it;
// a scenario built in code after changing `numerics` calls it).
void install_numerics(Scenario& scenario);

// Cross-field checks (strategy known, window >= batch size for exspec, tokens < vocab, ...).
void validate_scenario(const Scenario& scenario, const ValueSources& sources = {});
// The checks on fields the command line cannot override (models, prompts, drafter).
void validate_fixed_fields(const Scenario& scenario);

// Byte-level tokenizer: one token per UTF-8 byte (ids 0..255).
std::vector<Token> byte_tokenize(const std::string& text);

// First turns of SpecBench's question.jsonl: `count` records from `offset`, every `stride`-th
// (sim/specbench.h also keeps each record's category).
std::vector<std::string> read_specbench_questions(const std::string& path, int offset, int count,
                                                  int stride = 1);

// The scenario compiled into the binary, run when `lockstep run` gets no file.
const char* default_scenario_json();

// Whether `strategy` (or a preset's base) keeps the padded layout between rounds (ar, spec1,
// eqspec, rollback; see pads_at_rest in sim/strategy.h). Throws InputError when unknown.
bool is_padded_strategy(const std::string& strategy);

}  // namespace lockstep::sim
