// Scenario loader: the built-in scenario loads as documented, every prompt and model form
// parses to the values it stands for, and every kind of bad input is an InputError whose
// message names the field by its exact path (with the file it came from). SpecBench reading
// is tested on small files written to a fresh temporary directory; the real question set is
// checked only when the shared data folder is present.
#define BOOST_TEST_MODULE scenario_loader
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/error.h"
#include "sim/scenario.h"
#include "sim/specbench.h"
#include "tests/test_support.h"

using lockstep::InputError;
using nlohmann::json;
namespace fs = std::filesystem;
namespace sim = lockstep::sim;
namespace test = lockstep::test;

namespace {

const std::string kOrigin = "scenarios/x.json";

// The default scenario with one edit applied, as text: each bad case differs from a valid
// document in exactly the field under test.
std::string patched(const std::function<void(json&)>& edit) {
  json doc = json::parse(sim::default_scenario_json());
  edit(doc);
  return doc.dump();
}

// Scenario-drafted variant of the default: 4 prompts, k = 4.
void make_script(json& doc) {
  doc["draft"] = {{"kind", "script"}, {"accepted", {{0, 4, 2, 1}, {3, 3, 0, 4}}}};
}

// A named predicate rather than a lambda: Boost prints the predicate's source on failure.
struct MessageContains {
  std::string needle;
  bool operator()(const InputError& e) const {
    const bool found = std::string(e.what()).find(needle) != std::string::npos;
    BOOST_CHECK_MESSAGE(found, "error '" << e.what() << "' does not contain '" << needle << "'");
    return found;
  }
};

void check_error(const std::function<void()>& action, const std::string& needle) {
  BOOST_CHECK_EXCEPTION(action(), InputError, MessageContains{needle});
}

std::vector<sim::Token> bytes_of(const std::string& text) {
  return std::vector<sim::Token>(reinterpret_cast<const unsigned char*>(text.data()),
                                 reinterpret_cast<const unsigned char*>(text.data()) + text.size());
}

// A directory of its own per test, removed afterwards, so parallel test runs never collide.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() / ("lockstep_scenario_test_" + std::to_string(::getpid()) +
                                        "_" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return (path / name).string();
  }
};

const std::vector<std::string> kTurns = {"Write a haiku about caches.",
                                         "Explain speculative decoding in one sentence.",
                                         "Caf\xc3\xa9 menu: list three drinks."};

std::string specbench_jsonl() {
  std::string text;
  for (std::size_t i = 0; i < kTurns.size(); ++i) {
    json record = {{"question_id", 81 + i}, {"turns", {kTurns[i], "a second turn"}}};
    text += record.dump() + "\n";
  }
  return text;
}

}  // namespace

BOOST_AUTO_TEST_CASE(default_scenario_loads_with_documented_values) {
  const sim::Scenario s = sim::parse_scenario(sim::default_scenario_json(), "<default>");
  BOOST_TEST(s.name == "default");
  BOOST_TEST(!s.description.empty());
  BOOST_TEST(s.backend == "symbolic");
  BOOST_TEST(s.target.name == "tiny");
  BOOST_TEST(s.target.seed == 1u);
  BOOST_TEST(s.target.vocab == 256);
  BOOST_TEST((s.draft.kind == sim::DrafterSpec::Kind::oracle));
  BOOST_TEST(s.draft.accept_prob == 0.7);
  BOOST_TEST(s.draft.seed == 42u);
  BOOST_TEST(s.draft.model.name == "draft-tiny");
  BOOST_TEST(s.draft.model.seed == 42u);  // the default draft model takes the drafter's seed
  BOOST_TEST(s.strategy == "eqspec");
  BOOST_TEST(s.batch_size == 4);
  BOOST_TEST(s.k == 4);
  BOOST_TEST(s.max_new_tokens == 24);
  BOOST_TEST(s.window == 8);
  BOOST_TEST(!s.eos_token.has_value());
  BOOST_TEST(s.faults.empty());
  BOOST_TEST(!s.specbench.has_value());
  std::vector<std::size_t> lengths;
  for (const auto& p : s.prompts) lengths.push_back(p.size());
  BOOST_TEST(lengths == (std::vector<std::size_t>{3, 9, 1, 14}), boost::test_tools::per_element());
  BOOST_TEST(s.prompts[0] == (std::vector<sim::Token>{17, 42, 7}),
             boost::test_tools::per_element());

  sim::Scenario copy = s;
  BOOST_CHECK_NO_THROW(sim::finalize_scenario(copy, ""));
  BOOST_TEST(copy.prompts == s.prompts);
}

BOOST_AUTO_TEST_CASE(strategy_table) {
  BOOST_TEST(sim::strategy_names() == (std::vector<std::string>{"ar", "spec1", "eqspec", "exspec",
                                                                "rollback", "packed"}),
             boost::test_tools::per_element());
  for (const char* padded : {"ar", "spec1", "eqspec", "rollback"}) {
    BOOST_TEST(sim::is_padded_strategy(padded), padded);
  }
  BOOST_TEST(!sim::is_padded_strategy("exspec"));
  BOOST_TEST(!sim::is_padded_strategy("packed"));
  check_error([] { sim::is_padded_strategy("bogus"); }, "unknown strategy 'bogus'");
}

BOOST_AUTO_TEST_CASE(byte_tokenizer_gives_one_token_per_utf8_byte) {
  BOOST_TEST(sim::byte_tokenize("A\xc3\xa9\xff") == (std::vector<sim::Token>{65, 195, 169, 255}),
             boost::test_tools::per_element());
  BOOST_TEST(sim::byte_tokenize("").empty());
}

BOOST_AUTO_TEST_CASE(text_prompts_are_byte_tokenized) {
  const std::string text = patched([](json& d) {
    d["prompts"] = {{"text", {"hi", "\xc3\xa9t\xc3\xa9", "x", "four"}}};
  });
  const sim::Scenario s = sim::parse_scenario(text, kOrigin);
  BOOST_TEST_REQUIRE(s.prompts.size() == 4u);
  BOOST_TEST(s.prompts[0] == (std::vector<sim::Token>{'h', 'i'}), boost::test_tools::per_element());
  BOOST_TEST(s.prompts[1] == (std::vector<sim::Token>{0xc3, 0xa9, 't', 0xc3, 0xa9}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(model_forms) {
  sim::Scenario s = sim::parse_scenario(patched([](json& d) { d["target"] = "tiny"; }), kOrigin);
  BOOST_TEST(s.target.name == "tiny");
  BOOST_TEST(s.target.seed == 0u);  // the bare preset name means seed 0

  // A full shape: head_dim follows from d_model / n_heads; the draft model shares the vocab.
  s = sim::parse_scenario(
      patched([](json& d) {
        d["target"] = {{"vocab", 300},    {"d_model", 48}, {"n_layers", 3}, {"n_heads", 6},
                       {"n_kv_heads", 2}, {"ffn", 96},     {"seed", 9}};
        d["draft"]["model"] = {{"vocab", 300},    {"d_model", 16}, {"n_layers", 1}, {"n_heads", 2},
                               {"n_kv_heads", 1}, {"ffn", 32},     {"seed", 3}};
      }),
      kOrigin);
  BOOST_TEST(s.target.name == "custom");
  BOOST_TEST(s.target.vocab == 300);
  BOOST_TEST(s.target.head_dim == 8);
  BOOST_TEST(s.target.n_kv_heads == 2);
  BOOST_TEST(s.target.seed == 9u);
  BOOST_TEST(s.draft.model.name == "custom");
  BOOST_TEST(s.draft.model.head_dim == 8);
  BOOST_TEST(s.draft.model.seed == 3u);

  s = sim::parse_scenario(patched([](json& d) {
                            d["draft"]["model"] = {{"preset", "draft-tiny"}, {"seed", 5}};
                          }),
                          kOrigin);
  BOOST_TEST(s.draft.model.seed == 5u);
  BOOST_TEST(s.draft.seed == 42u);
}

BOOST_AUTO_TEST_CASE(script_drafter) {
  sim::Scenario s = sim::parse_scenario(patched(make_script), kOrigin);
  BOOST_TEST((s.draft.kind == sim::DrafterSpec::Kind::script));
  BOOST_TEST_REQUIRE(s.draft.accepted.size() == 2u);
  BOOST_TEST(s.draft.accepted[1] == (std::vector<int>{3, 3, 0, 4}),
             boost::test_tools::per_element());
  BOOST_TEST(s.draft.seed == 0u);  // documented default for scripts
  BOOST_TEST(s.draft.model.name == "draft-tiny");

  // k is validated again after a command-line override: 4 was fine, 3 is not.
  s.k = 3;
  check_error([&] { sim::validate_scenario(s); }, "draft.accepted[0][1] = 4 exceeds k = 3");
}

BOOST_AUTO_TEST_CASE(prompt_lookup_drafter) {
  sim::Scenario s = sim::parse_scenario(patched([](json& d) {
                                          d["draft"] = {{"kind", "prompt-lookup"}};
                                        }),
                                        kOrigin);
  BOOST_TEST((s.draft.kind == sim::DrafterSpec::Kind::prompt_lookup));
  BOOST_TEST(s.draft.ngram.min_n == 1);  // documented defaults
  BOOST_TEST(s.draft.ngram.max_n == 3);
  BOOST_TEST(s.draft.model.name == s.target.name);  // no draft model: the target stands in
  s = sim::parse_scenario(patched([](json& d) {
                            d["draft"] = {{"kind", "prompt-lookup"}, {"min_n", 2}, {"max_n", 4}};
                          }),
                          kOrigin);
  BOOST_TEST(s.draft.ngram.min_n == 2);
  BOOST_TEST(s.draft.ngram.max_n == 4);
}

BOOST_AUTO_TEST_CASE(bad_inputs_name_the_field) {
  struct Case {
    const char* label;
    std::function<void(json&)> edit;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {"missing k", [](json& d) { d.erase("k"); }, kOrigin + ": missing required field 'k'"},
      {"typo", [](json& d) { d["batchsize"] = 4; },
       kOrigin + ": unknown field 'batchsize' (did you mean 'batch_size'?)"},
      {"accept_prob range", [](json& d) { d["draft"]["accept_prob"] = 1.5; },
       kOrigin + ": field 'draft.accept_prob' must be a number in [0, 1], got 1.5"},
      {"accept_prob type", [](json& d) { d["draft"]["accept_prob"] = "high"; },
       "field 'draft.accept_prob' must be a number in [0, 1], got \"high\""},
      {"k zero", [](json& d) { d["k"] = 0; }, "field 'k' must be an integer in [1, 64], got 0"},
      {"k fractional", [](json& d) { d["k"] = 4.5; }, "field 'k' must be an integer in [1, 64]"},
      {"batch too big", [](json& d) { d["batch_size"] = 5000; }, "field 'batch_size'"},
      {"max_new_tokens negative", [](json& d) { d["max_new_tokens"] = -1; },
       "field 'max_new_tokens' must be an integer in [1, 1000000], got -1"},
      {"window zero", [](json& d) { d["window"] = 0; }, "field 'window'"},
      {"exspec window",
       [](json& d) {
         d["strategy"] = "exspec";
         d["window"] = 2;
       },
       "field 'window' (2) must be >= batch_size (4)"},
      {"strategy", [](json& d) { d["strategy"] = "bsp"; },
       "field 'strategy' must be one of ar, spec1, eqspec, exspec, rollback, packed, got 'bsp'"},
      {"eos past vocab", [](json& d) { d["eos_token"] = 256; },
       kOrigin + ": eos_token = 256 is not a token id of target vocab 256"},
      {"eos negative", [](json& d) { d["eos_token"] = -1; }, "field 'eos_token'"},
      {"unknown fault", [](json& d) { d["faults"] = {"stale_kv"}; },
       "faults[0]: unknown fault 'stale_kv' (known: stale-kv-after-rejection, "},
      {"fault not a string", [](json& d) { d["faults"] = {1}; }, "field 'faults[0]'"},
      {"token past vocab", [](json& d) { d["prompts"][1][5] = 300; },
       "prompts[1][5] = 300 is not a token id of target vocab 256"},
      {"token not int", [](json& d) { d["prompts"][0][1] = "a"; }, "field 'prompts[0][1]'"},
      {"no prompts", [](json& d) { d["prompts"] = json::array(); }, "field 'prompts'"},
      {"empty prompt", [](json& d) { d["prompts"][2] = json::array(); }, "field 'prompts[2]'"},
      {"prompts both forms",
       [](json& d) {
         d["prompts"] = {{"text", {"a"}}, {"specbench", {{"count", 1}}}};
       },
       "field 'prompts' must hold exactly one of 'text' or 'specbench'"},
      {"empty text",
       [](json& d) {
         d["prompts"] = {{"text", {"ok", ""}}};
       },
       "field 'prompts.text[1]' must be a non-empty string"},
      {"text needs byte vocab",
       [](json& d) {
         d["target"] = {{"vocab", 128},    {"d_model", 64}, {"n_layers", 1}, {"n_heads", 4},
                        {"n_kv_heads", 2}, {"ffn", 64},     {"seed", 0}};
         d["draft"]["model"] = d["target"];
         d["prompts"] = {{"text", {"a"}}};
       },
       "field 'prompts.text' needs a target vocab of at least 256"},
      {"specbench count",
       [](json& d) {
         d["prompts"] = {{"specbench", {{"count", 0}}}};
       },
       "field 'prompts.specbench.count' must be an integer in [1, "},
      {"specbench unknown",
       [](json& d) {
         d["prompts"] = {{"specbench", {{"count", 1}, {"n", 2}}}};
       },
       "unknown field 'prompts.specbench.n'"},
      {"unknown preset", [](json& d) { d["target"] = "huge"; },
       "field 'target': unknown model preset 'huge'"},
      {"preset without seed",
       [](json& d) {
         d["target"] = {{"preset", "tiny"}};
       },
       "missing required field 'target.seed'"},
      {"negative seed", [](json& d) { d["target"]["seed"] = -3; }, "field 'target.seed'"},
      {"custom missing ffn",
       [](json& d) {
         d["target"] = {{"vocab", 256}, {"d_model", 64},   {"n_layers", 1},
                        {"n_heads", 4}, {"n_kv_heads", 2}, {"seed", 0}};
       },
       "missing required field 'target.ffn'"},
      {"custom zero heads",
       [](json& d) {
         d["target"] = {{"vocab", 256},    {"d_model", 64}, {"n_layers", 1}, {"n_heads", 0},
                        {"n_kv_heads", 2}, {"ffn", 64},     {"seed", 0}};
       },
       "field 'target.n_heads'"},
      {"custom inconsistent",
       [](json& d) {
         d["target"] = {{"vocab", 256},    {"d_model", 64}, {"n_layers", 1}, {"n_heads", 3},
                        {"n_kv_heads", 1}, {"ffn", 64},     {"seed", 0}};
       },
       kOrigin + ": target: d_model (64) must equal n_heads * head_dim"},
      {"draft model field",
       [](json& d) {
         d["draft"]["model"] = {{"preset", "draft-tiny"}, {"sed", 1}};
       },
       "unknown field 'draft.model.sed' (did you mean 'seed'?)"},
      {"draft vocab mismatch", [](json& d) { d["draft"]["model"] = "vicuna-68m"; },
       "draft.model.vocab (32000) must equal target.vocab (256)"},
      {"draft kind", [](json& d) { d["draft"]["kind"] = "telepathy"; },
       "field 'draft.kind' must be one of oracle, script, model, prompt-lookup, got \"telepathy\""},
      {"prompt lookup n range",
       [](json& d) {
         d["draft"] = {{"kind", "prompt-lookup"}, {"min_n", 3}, {"max_n", 2}};
       },
       "field 'draft.max_n' = 2 is below min_n = 3"},
      {"prompt lookup n zero",
       [](json& d) {
         d["draft"] = {{"kind", "prompt-lookup"}, {"min_n", 0}};
       },
       "field 'draft.min_n' must be an integer in [1, 64], got 0"},
      {"prompt lookup with a draft model",
       [](json& d) {
         d["draft"] = {{"kind", "prompt-lookup"}, {"model", "draft-tiny"}};
       },
       "unknown field 'draft.model'"},
      {"model drafter with both sources",
       [](json& d) {
         d["draft"] = {{"kind", "model"}, {"target_layers", 1}, {"model", "draft-tiny"}};
       },
       "needs exactly one of 'model'"},
      {"model drafter deeper than the target",
       [](json& d) {
         d["draft"] = {{"kind", "model"}, {"target_layers", 9}};
       },
       "field 'draft.target_layers' = 9 exceeds the target's 2 layers"},
      {"draft without kind", [](json& d) { d["draft"].erase("kind"); },
       "missing required field 'draft.kind'"},
      {"oracle without seed", [](json& d) { d["draft"].erase("seed"); },
       "missing required field 'draft.seed'"},
      {"oracle with script field", [](json& d) { d["draft"]["accepted"] = {{1}}; },
       "unknown field 'draft.accepted'"},
      {"script round size",
       [](json& d) {
         make_script(d);
         d["draft"]["accepted"][0] = {1, 2, 3};
       },
       "draft.accepted[0] has 3 entries but there are 4 prompts"},
      {"script exceeds k",
       [](json& d) {
         make_script(d);
         d["k"] = 5;
         d["draft"]["accepted"] = {{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {1, 7, 0, 0}};
       },
       "draft.accepted[3][1] = 7 exceeds k = 5"},
      {"script empty",
       [](json& d) {
         make_script(d);
         d["draft"]["accepted"] = json::array();
       },
       "field 'draft.accepted' must be a non-empty list"},
      {"script negative",
       [](json& d) {
         make_script(d);
         d["draft"]["accepted"][1][2] = -1;
       },
       "field 'draft.accepted[1][2]' must be an integer in [0, "},
      {"empty name", [](json& d) { d["name"] = ""; }, "field 'name' must be a non-empty string"},
      {"missing backend", [](json& d) { d.erase("backend"); }, "missing required field 'backend'"},
      {"description type", [](json& d) { d["description"] = 3; }, "field 'description'"},
  };
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT(c.label) {
      const std::string text = patched(c.edit);
      check_error([&] { sim::parse_scenario(text, kOrigin); }, c.needle);
    }
  }
}

BOOST_AUTO_TEST_CASE(document_level_errors) {
  check_error([] { sim::parse_scenario("{\"name\": \"a\",\n  \"k\": }", kOrigin); },
              kOrigin + ": malformed JSON: parse error at line 2, column");
  check_error([] { sim::parse_scenario("", kOrigin); }, kOrigin + ": malformed JSON");
  check_error([] { sim::parse_scenario("[1, 2]", kOrigin); },
              kOrigin + ": the document must be an object");
  // nlohmann keeps the last of two equal keys; the loader refuses to pick one.
  check_error([] { sim::parse_scenario("{\"k\": 4, \"k\": 5}", kOrigin); },
              kOrigin + ": duplicate field 'k'");
  check_error(
      [] {
        sim::parse_scenario("{\"prompts\": [[1], {\"a\": 1, \"b\": {\"c\": 1, \"c\": 2}}]}",
                            kOrigin);
      },
      "duplicate field 'prompts[1].b.c'");
  check_error([] { sim::load_scenario_file("no/such/scenario.json"); },
              "cannot read scenario file 'no/such/scenario.json'");
}

BOOST_AUTO_TEST_CASE(overrides_are_revalidated) {
  const sim::Scenario base = sim::parse_scenario(sim::default_scenario_json(), "<default>");
  sim::Scenario s = base;
  s.k = 65;
  check_error([&] { sim::validate_scenario(s); },
              "field 'k' must be an integer in [1, 64], got 65");
  s = base;
  s.strategy = "exspec";
  s.batch_size = 16;
  check_error([&] { sim::finalize_scenario(s, ""); },
              "field 'window' (8) must be >= batch_size (16)");
  s.window = 16;
  BOOST_CHECK_NO_THROW(sim::validate_scenario(s));
  s = base;
  s.batch_size = 0;
  check_error([&] { sim::validate_scenario(s); }, "field 'batch_size'");
  s = base;
  s.strategy = "nope";
  check_error([&] { sim::validate_scenario(s); }, "field 'strategy'");
}

// Issue 10 item 7: command-line values are merged before the cross-field checks, and an
// error says where the bad value came from.
BOOST_AUTO_TEST_CASE(command_line_values_are_merged_before_validation) {
  const std::string exspec_small_window = patched([](json& d) {
    d["strategy"] = "exspec";
    d["batch_size"] = 4;
    d["window"] = 2;
  });
  // Validated on its own, the file is wrong, and the message names the file.
  check_error([&] { sim::parse_scenario(exspec_small_window, kOrigin); },
              kOrigin + ": field 'window' (2) must be >= batch_size (4)");

  // Overridden to ar, the window no longer matters: the merged scenario is valid.
  sim::Scenario s =
      sim::parse_scenario(exspec_small_window, kOrigin, sim::CrossChecks::after_overrides);
  sim::ValueSources sources{.file = kOrigin, .command_line = {{"strategy", "--strategy"}}};
  s.strategy = "ar";
  BOOST_CHECK_NO_THROW(sim::finalize_scenario(s, "", sources));
  BOOST_TEST(s.window == 2);

  // The file's values alone are wrong: the message says "in FILE" for each.
  s = sim::parse_scenario(exspec_small_window, kOrigin, sim::CrossChecks::after_overrides);
  check_error([&] { sim::finalize_scenario(s, "", {.file = kOrigin, .command_line = {}}); },
              "field 'window' (2, in " + kOrigin + ") must be >= batch_size (4, in " + kOrigin +
                  ") for strategy exspec (in " + kOrigin + ")");

  // A valid file that --batch-size makes invalid: the batch size is the command line's.
  s = sim::parse_scenario(patched([](json& d) {
                            d["strategy"] = "exspec";
                            d["window"] = 8;
                          }),
                          kOrigin, sim::CrossChecks::after_overrides);
  s.batch_size = 16;
  sources = {.file = kOrigin, .command_line = {{"batch_size", "--batch-size"}}};
  check_error([&] { sim::finalize_scenario(s, "", sources); },
              "field 'window' (8, in " + kOrigin +
                  ") must be >= batch_size (16, from the command line: --batch-size)");

  // Range errors carry the source too.
  s.batch_size = 0;
  check_error([&] { sim::finalize_scenario(s, "", sources); },
              "field 'batch_size' must be an integer in [1, 4096], got 0 (from the command "
              "line: --batch-size)");
  s.batch_size = 4;
  s.k = 99;
  check_error([&] { sim::finalize_scenario(s, "", sources); },
              "field 'k' must be an integer in [1, 64], got 99 (in " + kOrigin + ")");
}

// Deferring the cross-field checks still checks what one field says on its own.
BOOST_AUTO_TEST_CASE(deferred_checks_still_check_the_fixed_fields) {
  check_error(
      [] {
        sim::parse_scenario(patched([](json& d) { d["prompts"] = json::array(); }), kOrigin,
                            sim::CrossChecks::after_overrides);
      },
      kOrigin + ": field 'prompts'");
  check_error(
      [] {
        sim::parse_scenario(patched([](json& d) { d["eos_token"] = 100000; }), kOrigin,
                            sim::CrossChecks::after_overrides);
      },
      kOrigin + ": eos_token = 100000 is not a token id of target vocab");
}

BOOST_AUTO_TEST_CASE(specbench_reader) {
  TempDir dir;
  const std::string path = dir.write("questions.jsonl", specbench_jsonl());

  const auto middle = sim::read_specbench_questions(path, 1, 2);
  BOOST_TEST(middle == (std::vector<std::string>{kTurns[1], kTurns[2]}),
             boost::test_tools::per_element());
  BOOST_TEST(sim::read_specbench_questions(path, 0, 3).size() == 3u);

  check_error([&] { sim::read_specbench_questions(path, 2, 2); }, "has 3 records");
  check_error([&] { sim::read_specbench_questions(path, 5, 1); }, "has 3 records");
  check_error([&] { sim::read_specbench_questions(path, 0, 0); }, "count");
  check_error([&] { sim::read_specbench_questions((dir.path / "absent.jsonl").string(), 0, 1); },
              "absent.jsonl");

  // Line 2 is broken; the error names it even though record 0 alone was asked for.
  const std::string broken =
      dir.write("broken.jsonl", "{\"turns\": [\"ok\"]}\n{\"turns\": [\"a\"\n");
  check_error([&] { sim::read_specbench_questions(broken, 0, 1); },
              "broken.jsonl: line 2: malformed JSON");
  const std::string no_turns =
      dir.write("no_turns.jsonl", "{\"turns\": [\"ok\"]}\n\n{\"question\": \"x\"}\n");
  check_error([&] { sim::read_specbench_questions(no_turns, 0, 1); }, "no_turns.jsonl: line 3:");
}

// Records keep their category and position; a stride spreads the slice over the file, and a
// stride reaching past the end is an error that counts the records.
BOOST_AUTO_TEST_CASE(specbench_records_keep_their_category_and_stride) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 7; ++i) {
    json record = {{"turns", {"q" + std::to_string(i)}}};
    if (i != 3) record["category"] = "c" + std::to_string(i % 3);
    text += record.dump() + "\n";
  }
  const std::string path = dir.write("categories.jsonl", text);
  const auto records = sim::read_specbench_records(path, 1, 3, 2);
  BOOST_TEST_REQUIRE(records.size() == 3u);
  BOOST_TEST(records[0].index == 1);
  BOOST_TEST(records[0].question == "q1");
  BOOST_TEST(records[0].category == "c1");
  BOOST_TEST(records[1].index == 3);
  BOOST_TEST(records[1].category.empty());  // record 3 names none
  BOOST_TEST(records[2].index == 5);
  BOOST_TEST(records[2].category == "c2");
  BOOST_TEST(
      (sim::read_specbench_questions(path, 0, 3, 3) == std::vector<std::string>{"q0", "q3", "q6"}));
  check_error([&] { sim::read_specbench_records(path, 1, 4, 2); }, "has 7 records");
  check_error([&] { sim::read_specbench_records(path, 0, 1, 0); }, "stride");
  const std::string bad =
      dir.write("bad_category.jsonl", "{\"turns\": [\"q\"], \"category\": 3}\n");
  check_error([&] { sim::read_specbench_records(bad, 0, 1); },
              "bad_category.jsonl: line 1: 'category' must be a string");
  // The scenario field: "stride" is read and range-checked.
  const std::string spread = patched([](json& d) {
    d["prompts"] = {{"specbench", {{"count", 2}, {"stride", 3}}}};
    d["draft"] = {{"kind", "script"}, {"accepted", {{1, 2}}}};
  });
  sim::Scenario s = sim::parse_scenario(spread, kOrigin);
  BOOST_TEST_REQUIRE(s.specbench.has_value());
  BOOST_TEST(s.specbench->stride == 3);
  sim::finalize_scenario(s, path);
  BOOST_TEST(s.prompts.size() == 2u);
  BOOST_TEST((s.prompts[1] == sim::byte_tokenize("q3")));
  check_error(
      [] {
        sim::parse_scenario(patched([](json& d) {
                              d["prompts"] = {{"specbench", {{"count", 2}, {"stride", 0}}}};
                            }),
                            kOrigin);
      },
      "stride");
}

// --per-category: each category's picks evenly spread inside it, in file order; a record
// list replaces the slice; too few records or a record without category is an error.
BOOST_AUTO_TEST_CASE(specbench_records_spread_over_categories) {
  std::vector<sim::SpecBenchRecord> all;
  const std::vector<std::string> categories = {"a", "b", "a", "a", "b", "a", "c"};
  for (std::size_t i = 0; i < categories.size(); ++i)
    all.push_back({.index = static_cast<int>(i), .question = "q", .category = categories[i]});
  // a = {0, 2, 3, 5}: picks 0 and floor(4 / 2) = 2nd member = 3; b = {1, 4}; c = {6}.
  BOOST_TEST((sim::spread_over_categories(all, 1) == std::vector<int>{0, 1, 6}));
  check_error([&] { sim::spread_over_categories(all, 2); }, "category 'c' has 1 records");
  check_error([&] { sim::spread_over_categories(all, 0); }, "must be >= 1");
  all[6].category.clear();
  check_error([&] { sim::spread_over_categories(all, 1); }, "record 6 has no category");
  all.pop_back();
  BOOST_TEST((sim::spread_over_categories(all, 2) == std::vector<int>{0, 1, 3, 4}));

  TempDir dir;
  const std::string path = dir.write("questions.jsonl", specbench_jsonl());
  sim::SpecBenchSource listed;
  listed.count = 2;
  listed.records = {2, 0};
  const auto records = sim::read_specbench_source(path, listed);
  BOOST_TEST_REQUIRE(records.size() == 2u);
  BOOST_TEST(records[0].question == kTurns[2]);
  BOOST_TEST(records[1].index == 0);
  listed.records = {0, 3};
  check_error([&] { sim::read_specbench_source(path, listed); }, "record 3 does not exist");
}

BOOST_AUTO_TEST_CASE(specbench_prompts_resolve_in_finalize) {
  TempDir dir;
  const std::string path = dir.write("questions.jsonl", specbench_jsonl());
  const std::string text = patched([](json& d) {
    d["prompts"] = {{"specbench", {{"count", 2}, {"offset", 1}, {"max_prompt_tokens", 12}}}};
    d["draft"] = {{"kind", "script"}, {"accepted", {{1, 2}}}};  // one entry per SpecBench prompt
  });
  sim::Scenario s = sim::parse_scenario(text, kOrigin);
  BOOST_TEST_REQUIRE(s.specbench.has_value());
  BOOST_TEST(s.prompts.empty());
  BOOST_TEST(s.specbench->count == 2);
  BOOST_TEST(s.specbench->offset == 1);
  BOOST_TEST(s.specbench->path.empty());

  sim::Scenario unresolved = s;
  check_error([&] { sim::finalize_scenario(unresolved, ""); },
              "prompts.specbench.path is not set; pass --specbench PATH");

  sim::finalize_scenario(s, path);
  BOOST_TEST(!s.specbench.has_value());
  BOOST_TEST_REQUIRE(s.prompts.size() == 2u);
  BOOST_TEST(s.prompts[0] == bytes_of(kTurns[1].substr(0, 12)), boost::test_tools::per_element());
  BOOST_TEST(s.prompts[1] == bytes_of(kTurns[2].substr(0, 12)), boost::test_tools::per_element());

  // Without max_prompt_tokens the whole first turn is kept; a path in the file is used
  // relative to the scenario file itself.
  const std::string scenario_path =
      dir.write("run.json", patched([](json& d) {
                  d["prompts"] = {{"specbench", {{"path", "questions.jsonl"}, {"count", 3}}}};
                  d["batch_size"] = 3;
                }));
  s = sim::load_scenario_file(scenario_path);
  BOOST_TEST(fs::equivalent(s.specbench->path, path));
  sim::finalize_scenario(s, "");
  BOOST_TEST_REQUIRE(s.prompts.size() == 3u);
  BOOST_TEST(s.prompts[2] == bytes_of(kTurns[2]), boost::test_tools::per_element());

  // The command line wins over the file, and a bad override path is named.
  s = sim::load_scenario_file(scenario_path);
  check_error([&] { sim::finalize_scenario(s, (dir.path / "other.jsonl").string()); },
              "other.jsonl");

  // The script was sized for 2 prompts; asking for 3 is a cross-field error.
  s = sim::parse_scenario(text, kOrigin);
  s.specbench->count = 3;
  check_error([&] { sim::finalize_scenario(s, path); },
              "draft.accepted[0] has 2 entries but there are 3 prompts");
}

// Needs the real SpecBench data: reported skipped (not passed) when it is absent.
BOOST_AUTO_TEST_CASE(real_specbench_questions,
                     *boost::unit_test::precondition(test::specbench_present)) {
  const std::string path = test::specbench_path();
  const auto all = sim::read_specbench_questions(path, 0, 480);
  BOOST_TEST(all.size() == 480u);
  BOOST_TEST(all[0].starts_with("Compose an engaging travel blog"));
  check_error([&] { sim::read_specbench_questions(path, 479, 2); }, "has 480 records");
}

namespace lockstep {
namespace {

BOOST_AUTO_TEST_CASE(several_eos_ids) {
  sim::Scenario s = sim::parse_scenario(patched([](json& d) {
                                          d.erase("eos_token");
                                          d["eos_tokens"] = {7, 3};
                                        }),
                                        kOrigin);
  BOOST_TEST((s.eos_tokens == std::vector<sim::Token>{7, 3}));
  BOOST_TEST((s.eos_token == sim::Token{7}));  // the first: traces, pad-equals-eos
  BOOST_TEST((s.is_eos(7) && s.is_eos(3) && !s.is_eos(4)));
  s = sim::parse_scenario(patched([](json& d) { d["eos_token"] = 5; }), kOrigin);
  BOOST_TEST((s.eos_tokens == std::vector<sim::Token>{5}));
  check_error([] { sim::parse_scenario(patched([](json& d) { d["eos_tokens"] = {1}; }), kOrigin); },
              "field 'eos_tokens' cannot be given together with 'eos_token'");
  check_error(
      [] {
        sim::parse_scenario(patched([](json& d) {
                              d.erase("eos_token");
                              d["eos_tokens"] = {1, 2, 1};
                            }),
                            kOrigin);
      },
      "field 'eos_tokens[2]' repeats EOS id 1");
  check_error(
      [] {
        sim::parse_scenario(patched([](json& d) {
                              d.erase("eos_token");
                              d["eos_tokens"] = {1, 256};
                            }),
                            kOrigin);
      },
      "eos_tokens: 256 is not a token id of target vocab 256");
  // Without a model file the EOS field stays required.
  check_error([] { sim::parse_scenario(patched([](json& d) { d.erase("eos_token"); }), kOrigin); },
              "missing required field 'eos_token'");
}

BOOST_AUTO_TEST_CASE(a_model_named_by_file_waits_for_the_resolution_phase) {
  const std::string text = patched([](json& d) {
    d["target"] = {{"gguf", "some-model"}};
    d["draft"] = {{"kind", "model"}, {"target_layers", 3}};
    d.erase("eos_token");
    d["prompts"] = {{"text", {"Hello", "Bonjour"}}, {"chat", true}};
  });
  sim::Scenario s = sim::parse_scenario(text, kOrigin);
  BOOST_TEST(s.models_pending());
  BOOST_TEST(s.target_file == "some-model");
  BOOST_TEST(s.eos_from_file);
  BOOST_TEST(s.chat);
  BOOST_TEST((s.prompt_texts == std::vector<std::string>{"Hello", "Bonjour"}));
  BOOST_TEST(s.prompts.empty());  // the model's tokenizer makes them
  // sim alone cannot finish it: the file is read above sim.
  check_error([&] { sim::finalize_scenario(s, ""); }, "is named by file");
  // What the resolution phase hands back: the file's config, tokens and EOS ids.
  sim::ModelConfig file_model = sim::preset("small", 0);
  file_model.name = "some-model";
  s.prompts = {{1, 2}, {3}};
  s.prompt_texts.clear();
  s.eos_tokens = {2, 0};
  s.eos_token = 2;
  sim::install_models(s, file_model, std::nullopt);
  BOOST_TEST(!s.models_pending());
  BOOST_TEST(s.draft.model.n_layers == 3);  // derived once the target's layers are known
  BOOST_CHECK_NO_THROW(sim::finalize_scenario(s, ""));
  // Too many layers for the file's model is named then.
  sim::Scenario deep = sim::parse_scenario(text, kOrigin);
  deep.draft.target_layers = 99;
  check_error([&] { sim::install_models(deep, file_model, std::nullopt); },
              "draft.target_layers' = 99 exceeds the target's");
  // The chat template belongs to a model file.
  check_error(
      [] {
        sim::parse_scenario(patched([](json& d) {
                              d["prompts"] = {{"text", {"a"}}, {"chat", true}};
                            }),
                            kOrigin);
      },
      "field 'prompts.chat' = true needs a target named by model file");
  check_error(
      [] {
        sim::parse_scenario(patched([](json& d) { d["target"] = {{"gguf", 3}}; }), kOrigin);
      },
      "field 'target.gguf' must be a non-empty string");
  check_error(
      [] {
        sim::parse_scenario(patched([](json& d) {
                              d["target"] = {{"gguf", "m"}, {"seed", 1}};
                            }),
                            kOrigin);
      },
      "unknown field 'target.seed'");
}

}  // namespace
}  // namespace lockstep
