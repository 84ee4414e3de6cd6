// Scenario loading: JSON text -> Scenario, strictly. Every field is required, unknown and
// duplicated keys are errors, every number is range-checked, and every message names the
// field by its path in the document (`draft.accept_prob`, `prompts[2][5]`). Parsing checks
// what one field can say on its own; validate_scenario() checks the rules that tie fields
// together, because the command line may override batch size, k, window, strategy or the
// SpecBench source after parsing. Nothing here picks a value the file did not give, except
// the defaults the schema documents (draft seed 0 for scripts, draft model "draft-tiny").
// scenarios/SCHEMA.md is the user-facing description of the same rules.
#include "sim/scenario.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "sim/cost_model.h"
#include "sim/drafter.h"
#include "sim/error.h"
#include "sim/faults.h"
#include "sim/specbench.h"
#include "sim/strategy.h"

namespace lockstep::sim {
namespace {

using nlohmann::json;

struct Range {
  std::int64_t lo, hi;
};

// Shared by parsing and validate_scenario so that a file and a command-line override are
// held to the same limits.
constexpr Range kBatchSize{1, 4096};
constexpr Range kK{1, 64};
constexpr Range kNgram{1, 64};  // prompt lookup's n-gram sizes
constexpr Range kMaxNewTokens{1, 1000000};
constexpr Range kWindow{1, 65536};
constexpr Range kTokenId{0, std::numeric_limits<Token>::max()};
constexpr Range kNonNegative{0, std::numeric_limits<int>::max()};
constexpr Range kCount{1, std::numeric_limits<int>::max()};
constexpr Range kDimension{1, std::numeric_limits<int>::max()};
constexpr int kByteVocab = 256;

// Faults this build can inject (DESIGN §4): the registry of sim/faults.h. A scenario naming
// any other fault must fail loudly rather than run fault-free.
const std::vector<std::string>& known_faults() {
  static const std::vector<std::string> table = fault_names();
  return table;
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

std::string range_text(Range r) {
  return "[" + std::to_string(r.lo) + ", " + std::to_string(r.hi) + "]";
}

// Shortest round-trip form (1.5, not 1.500000), as the user would have written it.
std::string format_number(double value) {
  return std::isnan(value) ? std::string("NaN") : json(value).dump();
}

// A value as the user wrote it, cut short so a stray megabyte array cannot flood the error.
std::string describe(const json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// Where a value sits in the document: the origin (file name) and its field path.
struct Where {
  const std::string& origin;
  std::string path;

  Where key(const std::string& k) const { return {origin, path.empty() ? k : path + "." + k}; }
  Where at(std::size_t i) const { return {origin, path + "[" + std::to_string(i) + "]"}; }

  [[noreturn]] void fail_raw(const std::string& message) const {
    throw InputError(origin.empty() ? message : origin + ": " + message);
  }
  [[noreturn]] void fail(const std::string& message) const {
    fail_raw((path.empty() ? std::string("the document") : "field '" + path + "'") + " " + message);
  }
};

// An object whose keys must all be known. Unknown keys are reported before missing ones,
// since a misspelt key is usually also the "missing" one.
class Object {
 public:
  Object(const json& value, Where where, std::vector<std::string> allowed)
      : value_(value), where_(std::move(where)), allowed_(std::move(allowed)) {
    if (!value_.is_object()) where_.fail("must be an object, got " + describe(value_));
    for (const auto& [k, v] : value_.items()) {
      if (std::find(allowed_.begin(), allowed_.end(), k) != allowed_.end()) continue;
      std::string hint;
      for (const auto& a : allowed_) {
        if (edit_distance(k, a) <= 2) hint = " (did you mean '" + a + "'?)";
      }
      where_.fail_raw("unknown field '" + where_.key(k).path + "'" + hint);
    }
  }

  bool has(const std::string& k) const { return value_.contains(k); }
  const json& required(const std::string& k) const {
    if (!has(k)) where_.fail_raw("missing required field '" + where_.key(k).path + "'");
    return value_.at(k);
  }
  Where where(const std::string& k) const { return where_.key(k); }

 private:
  const json& value_;
  Where where_;
  std::vector<std::string> allowed_;
};

std::int64_t as_int(const json& v, const Where& w, Range r) {
  bool ok = v.is_number_integer();
  std::int64_t value = 0;
  if (ok && v.is_number_unsigned()) {
    // Unsigned values above INT64_MAX would wrap in get<int64_t>().
    auto u = v.get<std::uint64_t>();
    ok = u <= static_cast<std::uint64_t>(r.hi);
    value = ok ? static_cast<std::int64_t>(u) : 0;
  } else if (ok) {
    value = v.get<std::int64_t>();
  }
  if (!ok || value < r.lo || value > r.hi) {
    w.fail("must be an integer in " + range_text(r) + ", got " + describe(v));
  }
  return value;
}

int as_int32(const json& v, const Where& w, Range r) {
  return static_cast<int>(as_int(v, w, r));
}

std::uint64_t as_seed(const json& v, const Where& w) {
  if (!v.is_number_unsigned()) {
    w.fail("must be a non-negative integer (a seed), got " + describe(v));
  }
  return v.get<std::uint64_t>();
}

std::string as_string(const json& v, const Where& w, bool non_empty) {
  if (!v.is_string() || (non_empty && v.get_ref<const std::string&>().empty())) {
    w.fail(std::string("must be a ") + (non_empty ? "non-empty " : "") + "string, got " +
           describe(v));
  }
  return v.get<std::string>();
}

const json& as_array(const json& v, const Where& w, const char* of_what, bool non_empty) {
  if (!v.is_array() || (non_empty && v.empty())) {
    w.fail(std::string("must be a ") + (non_empty ? "non-empty " : "") + "list of " + of_what +
           ", got " + describe(v));
  }
  return v;
}

int require_int(const Object& o, const std::string& k, Range r) {
  return as_int32(o.required(k), o.where(k), r);
}

// Runs `check` and prefixes the origin to its InputError: the model and scenario validators
// know field paths but not which file they came from.
template <typename F>
void with_origin(const std::string& origin, F&& check) {
  try {
    check();
  } catch (const InputError& e) {
    if (origin.empty()) throw;
    throw InputError(origin + ": " + e.what());
  }
}

// Names the field that held an unknown preset name; preset() itself knows no field paths.
ModelConfig preset_at(const std::string& name, std::uint64_t seed, const Where& w) {
  try {
    return preset(name, seed);
  } catch (const InputError& e) {
    w.fail_raw("field '" + w.path + "': " + e.what());
  }
}

// {"gguf": NAME_OR_PATH}: a model file (a name in the model cache or a path), read later by
// the resolution phase (resolve/); nullopt for every other model form.
std::optional<std::string> model_file_of(const json& v, const Where& w) {
  if (!v.is_object() || !v.contains("gguf")) return std::nullopt;
  Object o(v, w, {"gguf"});
  return as_string(o.required("gguf"), o.where("gguf"), true);
}

// A model: "preset", {"preset": ..., "seed": ...}, or a full shape (name "custom").
ModelConfig parse_model(const json& v, const Where& w) {
  ModelConfig c;
  if (v.is_string()) {
    c = preset_at(as_string(v, w, true), 0, w);
  } else if (v.is_object() && v.contains("preset")) {
    Object o(v, w, {"preset", "seed"});
    std::string name = as_string(o.required("preset"), o.where("preset"), true);
    c = preset_at(name, as_seed(o.required("seed"), o.where("seed")), o.where("preset"));
  } else if (v.is_object()) {
    Object o(v, w, {"vocab", "d_model", "n_layers", "n_heads", "n_kv_heads", "ffn", "seed"});
    c.name = "custom";
    c.vocab = require_int(o, "vocab", kDimension);
    c.d_model = require_int(o, "d_model", kDimension);
    c.n_layers = require_int(o, "n_layers", kDimension);
    c.n_heads = require_int(o, "n_heads", kDimension);
    c.n_kv_heads = require_int(o, "n_kv_heads", kDimension);
    c.ffn = require_int(o, "ffn", kDimension);
    c.seed = as_seed(o.required("seed"), o.where("seed"));
    c.head_dim = c.d_model / c.n_heads;  // validate() rejects a d_model that does not divide
  } else {
    w.fail("must be a preset name, {\"preset\", \"seed\"} or a model shape object, got " +
           describe(v));
  }
  with_origin(w.origin, [&] { validate(c, w.path); });
  return c;
}

// {"temperature": T, "top_k": K, "top_p": P, "seed": S, "acceptance": "coupled",
// "draft_uniform": "own"}: only the temperature is required (docs/numerics.md §14.2 for the
// ranges, §14.9 for draft_uniform).
SamplingOptions parse_sampling(const json& v, const Where& w) {
  Object o(v, w, {"temperature", "top_k", "top_p", "seed", "acceptance", "draft_uniform"});
  SamplingOptions out;
  auto number = [&](const char* k) {
    const json& x = o.required(k);
    if (!x.is_number()) o.where(k).fail("must be a number, got " + describe(x));
    return x.get<double>();
  };
  const double temperature = number("temperature");
  // The decimal value is rounded once to binary32 (§14.2); one that overflows is no temperature.
  if (!(temperature >= 0.0) || !std::isfinite(static_cast<float>(temperature)))
    o.where("temperature")
        .fail("must be a finite number >= 0 (0 means greedy), got " + format_number(temperature));
  out.params.temperature = static_cast<float>(temperature);
  if (o.has("top_k"))
    out.params.top_k = as_int32(o.required("top_k"), o.where("top_k"), {1, numerics::kTopKAll});
  if (o.has("top_p")) {
    out.params.top_p = number("top_p");
    if (!(out.params.top_p > 0.0 && out.params.top_p <= 1.0))
      o.where("top_p").fail("must be a number in (0, 1], got " + format_number(out.params.top_p));
  }
  if (o.has("seed")) out.seed = as_seed(o.required("seed"), o.where("seed"));
  if (o.has("acceptance")) {
    const std::string name = as_string(o.required("acceptance"), o.where("acceptance"), true);
    with_origin(w.origin, [&] {
      out.acceptance = parse_acceptance(name, "field '" + o.where("acceptance").path + "'");
    });
  }
  if (o.has("draft_uniform")) {
    const std::string name = as_string(o.required("draft_uniform"), o.where("draft_uniform"), true);
    with_origin(w.origin, [&] {
      out.draft_uniform =
          parse_draft_uniform(name, "field '" + o.where("draft_uniform").path + "'");
    });
  }
  with_origin(w.origin, [&] { check_sampling_options(out); });
  return out;
}

DrafterSpec parse_drafter(const json& v, const Where& w) {
  if (!v.is_object() || !v.contains("kind")) {
    // Report the missing kind before anything else: it decides which fields are allowed.
    Object(v, w, {"kind", "accept_prob", "seed", "accepted", "model", "min_n", "max_n"})
        .required("kind");
  }
  DrafterSpec d;
  std::string kind = as_string(v.at("kind"), w.key("kind"), true);
  if (kind == "oracle") {
    Object o(v, w, {"kind", "accept_prob", "seed", "model"});
    d.kind = DrafterSpec::Kind::oracle;
    const json& p = o.required("accept_prob");
    if (!p.is_number() || !(p.get<double>() >= 0.0 && p.get<double>() <= 1.0)) {
      o.where("accept_prob").fail("must be a number in [0, 1], got " + describe(p));
    }
    d.accept_prob = p.get<double>();
    d.seed = as_seed(o.required("seed"), o.where("seed"));
  } else if (kind == "script") {
    Object o(v, w, {"kind", "accepted", "seed", "model"});
    d.kind = DrafterSpec::Kind::script;
    const json& rounds = as_array(o.required("accepted"), o.where("accepted"),
                                  "rounds (lists of accepted counts)", true);
    for (std::size_t r = 0; r < rounds.size(); ++r) {
      Where wr = o.where("accepted").at(r);
      const json& round = as_array(rounds[r], wr, "accepted counts, one per prompt", false);
      std::vector<int>& counts = d.accepted.emplace_back();
      for (std::size_t i = 0; i < round.size(); ++i) {
        // The upper bound is k, checked by validate_scenario once overrides are applied.
        counts.push_back(as_int32(round[i], wr.at(i), kNonNegative));
      }
    }
    d.seed = o.has("seed") ? as_seed(o.required("seed"), o.where("seed")) : 0;
  } else if (kind == "model") {
    // The draft model's own greedy tokens are the proposals: either an independent model
    // ("model") or the target's first m layers with its embeddings and head ("target_layers").
    Object o(v, w, {"kind", "model", "target_layers", "seed"});
    d.kind = DrafterSpec::Kind::model;
    if (o.has("model") == o.has("target_layers")) {
      w.fail(
          "a model drafter needs exactly one of 'model' (an independent draft model) or "
          "'target_layers' (the target's first m layers)");
    }
    if (o.has("target_layers")) {
      d.target_layers =
          as_int32(o.required("target_layers"), o.where("target_layers"), {1, 1 << 16});
    }
    d.seed = o.has("seed") ? as_seed(o.required("seed"), o.where("seed")) : 0;
  } else if (kind == "prompt-lookup") {
    // No draft model: the proposals come from the sequence's own tokens (sim/prompt_lookup.h).
    Object o(v, w, {"kind", "min_n", "max_n"});
    d.kind = DrafterSpec::Kind::prompt_lookup;
    if (o.has("min_n")) d.ngram.min_n = as_int32(o.required("min_n"), o.where("min_n"), kNgram);
    if (o.has("max_n")) d.ngram.max_n = as_int32(o.required("max_n"), o.where("max_n"), kNgram);
    if (d.ngram.max_n < d.ngram.min_n) {
      o.where("max_n").fail("= " + std::to_string(d.ngram.max_n) + " is below min_n = " +
                            std::to_string(d.ngram.min_n) + ": n runs from max_n down to min_n");
    }
  } else {
    w.key("kind").fail("must be one of " + drafter_kind_list() + ", got " + describe(v.at("kind")));
  }
  if (!v.contains("model")) {
    d.model = preset("draft-tiny", d.seed);
  } else if (auto file = model_file_of(v.at("model"), w.key("model"))) {
    d.model_file = *file;
    d.model.name = *file;
  } else {
    d.model = parse_model(v.at("model"), w.key("model"));
  }
  return d;
}

// The scenario's EOS ids: "eos_token" (one id or null) or "eos_tokens" (a list, the first is
// the primary), not both. A target named by model file may give neither: its file's EOS ids.
void parse_eos(const Object& top, Scenario& s) {
  if (top.has("eos_token") && top.has("eos_tokens")) {
    top.where("eos_tokens").fail("cannot be given together with 'eos_token' (one list holds all)");
  }
  if (top.has("eos_tokens")) {
    const json& list =
        as_array(top.required("eos_tokens"), top.where("eos_tokens"), "token ids", true);
    for (std::size_t i = 0; i < list.size(); ++i) {
      const auto t = static_cast<Token>(as_int(list[i], top.where("eos_tokens").at(i), kTokenId));
      if (std::find(s.eos_tokens.begin(), s.eos_tokens.end(), t) != s.eos_tokens.end()) {
        top.where("eos_tokens").at(i).fail("repeats EOS id " + std::to_string(t));
      }
      s.eos_tokens.push_back(t);
    }
    s.eos_token = s.eos_tokens.front();
    return;
  }
  if (!top.has("eos_token") && !s.target_file.empty()) {
    s.eos_from_file = true;
    return;
  }
  if (const json& eos = top.required("eos_token"); !eos.is_null()) {
    s.eos_token = static_cast<Token>(as_int(eos, top.where("eos_token"), kTokenId));
    s.eos_tokens = {*s.eos_token};
  }
}

// What parsing alone cannot know while the target is a model file: the draft made of the
// target's first m layers, and prompt lookup's stand-in model.
void derive_draft_model(Scenario& s) {
  if (s.draft.target_layers > 0) {
    if (s.draft.target_layers > s.target.n_layers) {
      throw InputError("field 'draft.target_layers' = " + std::to_string(s.draft.target_layers) +
                       " exceeds the target's " + std::to_string(s.target.n_layers) + " layers");
    }
    s.draft.model = derived_draft(s.target, s.draft.target_layers);
  }
  // Prompt lookup runs no draft model; the target stands in so that the scenario's model
  // checks (one vocabulary) hold, and no draft cache is ever made from it.
  if (s.draft.kind == DrafterSpec::Kind::prompt_lookup) s.draft.model = s.target;
}

std::vector<Token> parse_token_list(const json& v, const Where& w) {
  const json& ids = as_array(v, w, "token ids", true);
  std::vector<Token> tokens;
  tokens.reserve(ids.size());
  for (std::size_t j = 0; j < ids.size(); ++j) {
    tokens.push_back(static_cast<Token>(as_int(ids[j], w.at(j), kTokenId)));
  }
  return tokens;
}

void require_byte_vocab(const ModelConfig& target, const Where& w) {
  if (target.vocab < kByteVocab) {
    w.fail("needs a target vocab of at least " + std::to_string(kByteVocab) +
           " (byte tokens), but target.vocab is " + std::to_string(target.vocab));
  }
}

void parse_prompts(const json& v, const Where& w, Scenario& s) {
  if (v.is_array()) {
    const json& list = as_array(v, w, "prompts", true);
    for (std::size_t i = 0; i < list.size(); ++i) {
      s.prompts.push_back(parse_token_list(list[i], w.at(i)));
    }
    return;
  }
  if (!v.is_object()) {
    w.fail("must be a list of token-id lists, {\"text\": [...]} or {\"specbench\": {...}}, got " +
           describe(v));
  }
  Object o(v, w, {"text", "specbench", "chat"});
  if (o.has("text") == o.has("specbench")) {
    w.fail("must hold exactly one of 'text' or 'specbench', got " + describe(v));
  }
  if (o.has("chat")) {
    const json& chat = o.required("chat");
    if (!chat.is_boolean()) o.where("chat").fail("must be true or false, got " + describe(chat));
    s.chat = chat.get<bool>();
    if (s.chat && s.target_file.empty()) {
      o.where("chat").fail(
          "= true needs a target named by model file ({\"gguf\": ...}): the chat template and "
          "its special tokens are the model's");
    }
  }
  if (o.has("text")) {
    Where wt = o.where("text");
    if (s.target_file.empty()) require_byte_vocab(s.target, wt);
    const json& texts = as_array(o.required("text"), wt, "non-empty strings", true);
    for (std::size_t i = 0; i < texts.size(); ++i) {
      std::string text = as_string(texts[i], wt.at(i), true);
      // A model file's tokenizer is read by resolve/; byte tokens need none.
      if (s.target_file.empty()) {
        s.prompts.push_back(byte_tokenize(text));
      } else {
        s.prompt_texts.push_back(std::move(text));
      }
    }
    return;
  }
  Where ws = o.where("specbench");
  if (s.target_file.empty()) require_byte_vocab(s.target, ws);
  Object sb(o.required("specbench"), ws,
            {"path", "count", "offset", "stride", "max_prompt_tokens"});
  SpecBenchSource src;
  if (sb.has("path")) src.path = as_string(sb.required("path"), sb.where("path"), true);
  src.count = require_int(sb, "count", kCount);
  if (sb.has("offset")) src.offset = require_int(sb, "offset", kNonNegative);
  if (sb.has("stride")) src.stride = require_int(sb, "stride", kCount);
  if (sb.has("max_prompt_tokens"))
    src.max_prompt_tokens = require_int(sb, "max_prompt_tokens", kCount);
  s.specbench = src;
}

// Parses strict JSON and reports the first duplicated key by its path: nlohmann keeps the
// last duplicate silently, which would let a second "k" override the first unnoticed.
json parse_json(const std::string& text, const std::string& origin) {
  struct Frame {
    bool object;
    std::set<std::string> keys;
    std::string key;
    std::size_t index = 0;  // arrays: elements completed so far
  };
  std::vector<Frame> stack;
  std::string duplicate;
  auto element_done = [&] {
    if (!stack.empty() && !stack.back().object) ++stack.back().index;
  };
  json::parser_callback_t track = [&](int, json::parse_event_t event, json& parsed) {
    using E = json::parse_event_t;
    switch (event) {
      case E::object_start:
      case E::array_start:
        stack.push_back({event == E::object_start, {}, {}, 0});
        break;
      case E::object_end:
      case E::array_end:
        stack.pop_back();
        element_done();
        break;
      case E::value:
        element_done();
        break;
      case E::key:
        stack.back().key = parsed.get<std::string>();
        if (!stack.back().keys.insert(stack.back().key).second && duplicate.empty()) {
          for (const Frame& f : stack) {
            duplicate += f.object ? (duplicate.empty() ? "" : ".") + f.key
                                  : "[" + std::to_string(f.index) + "]";
          }
        }
        break;
    }
    return true;
  };
  json doc;
  try {
    doc = json::parse(text, track);
  } catch (const json::exception& e) {
    // parse_error, and out_of_range for a number too large for a double (1e999: found by
    // tests/fuzz/fuzz_scenario). Drop nlohmann's "[json.exception.parse_error.101] " tag;
    // keep line and column.
    std::string message = e.what();
    if (auto pos = message.find("] "); message.starts_with("[json.") && pos != std::string::npos) {
      message = message.substr(pos + 2);
    }
    throw InputError(origin + ": malformed JSON: " + message);
  }
  if (!duplicate.empty()) throw InputError(origin + ": duplicate field '" + duplicate + "'");
  return doc;
}

// " (SOURCE)" when the source of `field` is known, else "".
std::string source_note(const ValueSources& sources, const std::string& field) {
  const std::string source = sources.of(field);
  return source.empty() ? "" : " (" + source + ")";
}

// "VALUE" or "VALUE, SOURCE": a value quoted in a message about two fields.
std::string value_from(const ValueSources& sources, const std::string& field, int value) {
  const std::string source = sources.of(field);
  return std::to_string(value) + (source.empty() ? "" : ", " + source);
}

void check_range(std::int64_t value, const char* field, Range r, const ValueSources& sources) {
  if (value < r.lo || value > r.hi) {
    throw InputError("field '" + std::string(field) + "' must be an integer in " + range_text(r) +
                     ", got " + std::to_string(value) + source_note(sources, field));
  }
}

void check_tokens(const std::vector<Token>& tokens, const std::string& path, int vocab) {
  for (std::size_t j = 0; j < tokens.size(); ++j) {
    if (tokens[j] < 0 || tokens[j] >= vocab) {
      throw InputError(path + "[" + std::to_string(j) + "] = " + std::to_string(tokens[j]) +
                       " is not a token id of target vocab " + std::to_string(vocab));
    }
  }
}

}  // namespace

Scenario parse_scenario(const std::string& json_text, const std::string& origin,
                        CrossChecks checks) {
  json doc = parse_json(json_text, origin);
  Object top(doc, Where{origin, ""},
             {"name", "description", "backend", "target", "draft", "strategy", "batch_size", "k",
              "max_new_tokens", "window", "eos_token", "eos_tokens", "faults", "prompts", "cost",
              "numerics", "sampling"});
  Scenario s;
  auto string_field = [&](const char* k, bool non_empty) {
    return as_string(top.required(k), top.where(k), non_empty);
  };
  s.name = string_field("name", true);
  s.description = string_field("description", false);
  s.backend = string_field("backend", true);
  if (auto file = model_file_of(top.required("target"), top.where("target"))) {
    s.target_file = *file;
    s.target.name = *file;
  } else {
    s.target = parse_model(top.required("target"), top.where("target"));
  }
  s.draft = parse_drafter(top.required("draft"), top.where("draft"));
  if (s.target_file.empty()) with_origin(origin, [&] { derive_draft_model(s); });
  s.strategy = string_field("strategy", true);
  s.batch_size = require_int(top, "batch_size", kBatchSize);
  s.k = require_int(top, "k", kK);
  s.max_new_tokens = require_int(top, "max_new_tokens", kMaxNewTokens);
  s.window = require_int(top, "window", kWindow);
  parse_eos(top, s);
  const json& faults = as_array(top.required("faults"), top.where("faults"), "fault names", false);
  for (std::size_t i = 0; i < faults.size(); ++i) {
    s.faults.push_back(as_string(faults[i], top.where("faults").at(i), true));
  }
  parse_prompts(top.required("prompts"), top.where("prompts"), s);
  // Optional, unlike every other top-level field: a cost model is an addition to a run, and
  // the scenario library predates it (docs/cost-model.md).
  if (top.has("cost")) {
    s.cost = string_field("cost", true);
    try {
      parse_cost_spec(s.cost);
    } catch (const InputError& e) {
      top.where("cost").fail(std::string("is not a cost spec: ") + e.what());
    }
  }
  // Optional too: exact is the contract, float the comparison issue 13 asks for.
  if (top.has("numerics")) {
    const std::string value = string_field("numerics", true);
    if (value != "exact" && value != "float" && value != "bf16")
      top.where("numerics").fail("must be \"exact\", \"float\" or \"bf16\", got '" + value + "'");
    s.numerics = parse_numerics(value, "field 'numerics'");
    install_numerics(s);
  }
  if (top.has("sampling"))
    s.sampling = parse_sampling(top.required("sampling"), top.where("sampling"));
  with_origin(origin, [&] {
    if (checks == CrossChecks::now) {
      validate_scenario(s);
    } else {
      validate_fixed_fields(s);
    }
  });
  return s;
}

Scenario load_scenario_file(const std::string& path, CrossChecks checks) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw InputError("cannot read scenario file '" + path + "': it is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw InputError("cannot read scenario file '" + path + "': " + std::strerror(errno));
  }
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw InputError("cannot read scenario file '" + path + "': read error");
  Scenario s = parse_scenario(text, path, checks);
  // A relative SpecBench path is relative to the scenario file, so a scenario runs the same
  // from any working directory.
  if (s.specbench && !s.specbench->path.empty() &&
      std::filesystem::path(s.specbench->path).is_relative()) {
    s.specbench->path =
        (std::filesystem::path(path).parent_path() / s.specbench->path).lexically_normal().string();
  }
  return s;
}

std::string ValueSources::of(const std::string& field) const {
  if (const auto it = command_line.find(field); it != command_line.end())
    return "from the command line: " + it->second;
  return file.empty() ? std::string() : "in " + file;
}

namespace {

void validate_models(const Scenario& s) {
  if (s.name.empty()) throw InputError("field 'name' must be a non-empty string");
  // Shapes come with the model files (install_models checks them then).
  if (s.models_pending()) return;
  validate(s.target, "target");
  validate(s.draft.model, "draft.model");
  if (s.draft.model.vocab != s.target.vocab) {
    throw InputError("draft.model.vocab (" + std::to_string(s.draft.model.vocab) +
                     ") must equal target.vocab (" + std::to_string(s.target.vocab) +
                     "): draft and target share one tokenizer");
  }
  std::vector<Token> all = s.eos_tokens;
  if (s.eos_token) all.push_back(*s.eos_token);
  for (Token t : all) {
    if (t >= 0 && t < s.target.vocab) continue;
    throw InputError((s.eos_tokens.size() > 1 ? "eos_tokens: " : "eos_token = ") +
                     std::to_string(t) + " is not a token id of target vocab " +
                     std::to_string(s.target.vocab));
  }
}

void validate_strategy(const Scenario& s, const ValueSources& sources) {
  if (s.backend.empty()) {
    throw InputError("field 'backend' must be a non-empty string" +
                     source_note(sources, "backend"));
  }
  // Presets (bsp-like, dsd-like: a base strategy plus faults, sim/faults.h) are accepted
  // wherever a strategy is, but are not strategies: strategy_names() stays the correct ones.
  const StrategyInfo* strategy = lookup_strategy(s.strategy);
  if (strategy == nullptr) {
    throw InputError("field 'strategy' must be one of " + join_names(strategy_names()) + ", got '" +
                     s.strategy + "'" + source_note(sources, "strategy") +
                     " (presets with faults: " + join_names(strategy_preset_names()) + ")");
  }
  check_range(s.batch_size, "batch_size", kBatchSize, sources);
  check_range(s.k, "k", kK, sources);
  check_range(s.max_new_tokens, "max_new_tokens", kMaxNewTokens, sources);
  check_range(s.window, "window", kWindow, sources);
  if (uses_window_pool(*strategy) && s.window < s.batch_size) {
    throw InputError("field 'window' (" + value_from(sources, "window", s.window) +
                     ") must be >= batch_size (" + value_from(sources, "batch_size", s.batch_size) +
                     ") for strategy " + s.strategy + source_note(sources, "strategy") +
                     ": the pool must hold a full batch");
  }
  const auto& known = known_faults();
  for (std::size_t i = 0; i < s.faults.size(); ++i) {
    if (std::find(known.begin(), known.end(), s.faults[i]) != known.end()) continue;
    throw InputError(
        "faults[" + std::to_string(i) + "]: unknown fault '" + s.faults[i] + "'" +
        source_note(sources, "faults") + " (" +
        (known.empty() ? "this build knows no faults yet" : "known: " + join_names(known)) + ")");
  }
}

// The number of prompts, or while SpecBench prompts are unresolved, their count.
std::size_t validate_prompts(const Scenario& s) {
  if (!s.prompt_texts.empty()) return s.prompt_texts.size();  // tokenized by resolve/
  if (s.specbench) {
    if (s.target_file.empty() && s.target.vocab < kByteVocab) {
      throw InputError(
          "prompts.specbench needs a target vocab of at least 256 (byte tokens), "
          "but target.vocab is " +
          std::to_string(s.target.vocab));
    }
    check_range(s.specbench->count, "prompts.specbench.count", kCount, {});
    check_range(s.specbench->offset, "prompts.specbench.offset", kNonNegative, {});
    check_range(s.specbench->stride, "prompts.specbench.stride", kCount, {});
    check_range(s.specbench->max_prompt_tokens, "prompts.specbench.max_prompt_tokens",
                {0, kCount.hi}, {});
    return static_cast<std::size_t>(s.specbench->count);
  }
  if (s.prompts.empty()) throw InputError("field 'prompts': at least one prompt is required");
  for (std::size_t i = 0; i < s.prompts.size(); ++i) {
    std::string path = "prompts[" + std::to_string(i) + "]";
    if (s.prompts[i].empty()) throw InputError(path + " is empty: a prompt needs a token");
    if (!s.target_file.empty()) continue;  // the vocabulary comes with the file
    check_tokens(s.prompts[i], path, s.target.vocab);
  }
  return s.prompts.size();
}

// `max_k`: the upper bound of a scripted acceptance, or -1 to leave it unchecked (it depends
// on k, which the command line may still override).
void validate_drafter(const Scenario& s, std::size_t prompt_count, int max_k,
                      const ValueSources& sources) {
  if (s.draft.kind == DrafterSpec::Kind::oracle &&
      !(s.draft.accept_prob >= 0.0 && s.draft.accept_prob <= 1.0)) {
    throw InputError("field 'draft.accept_prob' must be a number in [0, 1], got " +
                     format_number(s.draft.accept_prob));
  }
  if (s.draft.kind != DrafterSpec::Kind::script) return;
  if (s.draft.accepted.empty()) {
    throw InputError("field 'draft.accepted' must be a non-empty list of rounds");
  }
  for (std::size_t r = 0; r < s.draft.accepted.size(); ++r) {
    const auto& round = s.draft.accepted[r];
    std::string path = "draft.accepted[" + std::to_string(r) + "]";
    if (round.size() != prompt_count) {
      throw InputError(path + " has " + std::to_string(round.size()) + " entries but there are " +
                       std::to_string(prompt_count) + " prompts");
    }
    for (std::size_t i = 0; i < round.size(); ++i) {
      if (round[i] >= 0 && (max_k < 0 || round[i] <= max_k)) continue;
      throw InputError(path + "[" + std::to_string(i) + "] = " + std::to_string(round[i]) +
                       (round[i] < 0
                            ? " is negative"
                            : " exceeds k = " + std::to_string(max_k) + source_note(sources, "k")));
    }
  }
}

}  // namespace

void validate_fixed_fields(const Scenario& s) {
  validate_models(s);
  validate_drafter(s, validate_prompts(s), -1, {});
}

void validate_scenario(const Scenario& s, const ValueSources& sources) {
  validate_models(s);
  validate_strategy(s, sources);
  validate_drafter(s, validate_prompts(s), s.k, sources);
  check_sampling_options(s.sampling);
}

void finalize_scenario(Scenario& s, const std::string& specbench_path,
                       const ValueSources& sources) {
  if (s.models_pending()) {
    throw InputError("model '" + (s.target_file.empty() ? s.draft.model_file : s.target_file) +
                     "' is named by file: its scenario must be finalized by resolve/ (the "
                     "lockstep command does this), not by sim alone");
  }
  install_numerics(s);
  // Cheap checks first, so a bad override is reported before any file is read.
  validate_scenario(s, sources);
  if (!s.specbench) return;
  const SpecBenchSource& src = *s.specbench;
  const std::string& path = specbench_path.empty() ? src.path : specbench_path;
  if (path.empty()) {
    throw InputError("prompts.specbench.path is not set; pass --specbench PATH");
  }
  std::vector<std::vector<Token>> prompts;
  for (const SpecBenchRecord& record : read_specbench_source(path, src)) {
    std::vector<Token> tokens = byte_tokenize(record.question);
    if (src.max_prompt_tokens > 0 &&
        tokens.size() > static_cast<std::size_t>(src.max_prompt_tokens)) {
      tokens.resize(static_cast<std::size_t>(src.max_prompt_tokens));
    }
    prompts.push_back(std::move(tokens));
  }
  s.prompts = std::move(prompts);
  s.specbench.reset();
  validate_scenario(s, sources);
}

void install_numerics(Scenario& s) {
  s.target.numerics = s.numerics;
  s.draft.model.numerics = s.numerics;
}

bool Scenario::is_eos(Token t) const {
  return (eos_token && t == *eos_token) ||
         std::find(eos_tokens.begin(), eos_tokens.end(), t) != eos_tokens.end();
}

void install_models(Scenario& s, const std::optional<ModelConfig>& target,
                    const std::optional<ModelConfig>& draft_model) {
  require(target.has_value() == !s.target_file.empty() &&
              draft_model.has_value() == !s.draft.model_file.empty(),
          "install_models: a config is given exactly for each model named by file");
  if (target) s.target = *target;
  if (draft_model) s.draft.model = *draft_model;
  s.target_file.clear();
  s.draft.model_file.clear();
  derive_draft_model(s);
  validate_fixed_fields(s);
}

std::vector<Token> byte_tokenize(const std::string& text) {
  std::vector<Token> tokens;
  tokens.reserve(text.size());
  for (unsigned char byte : text) tokens.push_back(static_cast<Token>(byte));
  return tokens;
}

const char* default_scenario_json() {
  return R"json({
  "name": "default",
  "description": "Built-in demo, run by `lockstep run` without a file: four prompts of 3, 9, 1 and 14 tokens decoded with EQSPEC on the symbolic backend. The oracle drafter proposes the target's own token with probability 0.7, so the rows accept different numbers of tokens at almost every step and the batch must be realigned (unpad, append, repad) after each one.",
  "backend": "symbolic",
  "target": {"preset": "tiny", "seed": 1},
  "draft": {"kind": "oracle", "accept_prob": 0.7, "seed": 42},
  "strategy": "eqspec",
  "batch_size": 4,
  "k": 4,
  "max_new_tokens": 24,
  "window": 8,
  "eos_token": null,
  "faults": [],
  "prompts": [
    [17, 42, 7],
    [101, 5, 99, 3, 250, 64, 12, 8, 200],
    [33],
    [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 120, 77]
  ]
}
)json";
}

bool is_padded_strategy(const std::string& strategy) {
  return pads_at_rest(find_strategy(strategy));
}

}  // namespace lockstep::sim
