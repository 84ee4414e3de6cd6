// Token text (issue 12 item 7): sim::TokenText cuts and escapes one printable line, the run
// summary shows each sequence's acceptance and decoded output, and the step pictures carry the
// tokens' text (tooltips, grid cells, the row_text block) with every awkward character escaped
// for DOT's HTML labels. Expectations come from the raw trace records and from hand-written
// strings, not from the code under test; the real model's cases are skipped without its file.
#define BOOST_TEST_MODULE token_text
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/token_text_source.h"
#include "resolve/model_scenario.h"
#include "sim/error.h"
#include "sim/scenario.h"
#include "tests/model_support.h"
#include "tokenizer/from_gguf.h"
#include "tokenizer/printable.h"
#include "verify/verify.h"
#include "viz/viz.h"

namespace fs = std::filesystem;
using namespace lockstep;
using Tokens = std::vector<sim::Token>;

namespace {

// A table of awkward tokens: quote, angle brackets, ampersand, newline, backslash, and the
// euro sign's three bytes split 2 + 1 over two tokens.
sim::TokenText awkward_text() {
  return sim::TokenText("awkward",
                        {"\"", "<", ">", "&", "\n", "\\", "\xE2\x82", "\xAC", "ok", " b"},
                        &tokenizer::printable);
}

// A run that produced `output` after a one-token prompt, with the given acceptance.
verify::CheckedRun run_with_output(const Tokens& output, int accepted, int proposed) {
  verify::CheckedRun run;
  sim::Sequence s;
  s.id = 0;
  s.prompt_len = 1;
  s.tokens = {8};
  s.tokens.insert(s.tokens.end(), output.begin(), output.end());
  s.draft_accepted = accepted;
  s.draft_proposed = proposed;
  run.result.sequences.push_back(s);
  run.oracle.push_back(output);
  return run;
}

// A one-row step by hand: `prompt` (prompt cells), the pending token, `drafts` of which the
// first `accepted` were accepted, and the target's token `bonus`.
viz::StepView hand_step(const Tokens& prompt, sim::Token pending, const Tokens& drafts,
                        int accepted, sim::Token bonus) {
  viz::StepView v;
  v.step = v.last_step = 1;
  v.run.scenario = "hand";
  v.run.strategy = "eqspec";
  v.run.batch_size = 1;
  v.run.k = static_cast<int>(drafts.size());
  v.has_round = true;
  v.form = "padded";
  viz::GridRow g;
  g.accepted = accepted;
  g.committed = accepted + 1;
  int index = 0;
  const auto add = [&](viz::CellKind kind, sim::Token token) {
    g.cells.push_back(viz::Cell{kind, {0, index}, token, index, false});
    ++index;
  };
  for (sim::Token t : prompt) add(viz::CellKind::prompt, t);
  add(viz::CellKind::committed, pending);
  for (std::size_t i = 0; i < drafts.size(); ++i)
    add(static_cast<int>(i) < accepted ? viz::CellKind::accepted : viz::CellKind::rejected,
        drafts[i]);
  g.bonus = viz::Cell{viz::CellKind::bonus, {0, index}, bonus, index, false};
  v.grid_columns = static_cast<int>(g.cells.size());
  v.grid.push_back(g);
  return v;
}

// Renders `dot` to SVG through libgvc; the DOT must parse and draw without a warning.
std::string render_svg(const std::string& dot) {
  const fs::path svg =
      fs::temp_directory_path() / ("lockstep-token-text-" + std::to_string(::getpid()) + ".svg");
  viz::Renderer renderer;
  renderer.render(dot, svg.string(), "svg");
  BOOST_TEST(renderer.diagnostics() == "");
  std::ifstream in(svg);
  std::stringstream text;
  text << in.rdbuf();
  fs::remove(svg);
  return text.str();
}

}  // namespace

BOOST_AUTO_TEST_CASE(cut_line_never_splits_a_character_or_an_escape) {
  BOOST_TEST(sim::cut_line("abcdef", 6) == "abcdef");
  BOOST_TEST(sim::cut_line("abcdefg", 6) == "abcde…");
  BOOST_TEST(sim::cut_line("\\x0a\\x0bcd", 9) == "\\x0a\\x0b…");  // an escape is 4 columns
  BOOST_TEST(sim::cut_line("\\x0a\\x0bcd", 8) == "\\x0a…");
  BOOST_TEST(sim::cut_line("\\n\\\"xyz", 5) == "\\n\\\"…");
  BOOST_TEST(sim::cut_line("日本語です", 3) == "日本…");
  BOOST_TEST(sim::cut_line_tail("日本語です", 3) == "…です");
  BOOST_TEST(sim::cut_line_tail("ab\\x0acd", 3) == "…cd");
  BOOST_TEST(sim::cut_line_tail("ab\\x0acd", 7) == "…\\x0acd");
  BOOST_TEST(sim::cut_line_tail("ab\\x0acd", 6) == "…cd");
  BOOST_TEST(sim::cut_line("⟨300⟩⟨7⟩x", 8) == "⟨300⟩…");  // an unknown-id mark stays whole
  BOOST_TEST(sim::cut_line_tail("ab⟨300⟩", 6) == "…⟨300⟩");
  BOOST_CHECK_THROW(sim::cut_line("abc", 1), ContractError);
}

BOOST_AUTO_TEST_CASE(byte_level_text_joins_a_character_split_over_tokens) {
  const sim::TokenText bytes = cli::byte_level_text();
  BOOST_TEST(bytes.source() == "byte-level");
  BOOST_TEST(bytes.token(0xC3) == "\\xc3");  // half a character alone
  BOOST_TEST(bytes.text(Tokens{'c', 'a', 'f', 0xC3, 0xA9}) == "café");
  BOOST_TEST(bytes.text(Tokens{'"', '\n', '\t', '\\', 0x01}) == "\\\"\\n\\t\\\\\\x01");
  BOOST_TEST(bytes.text(Tokens{'a', 300, 'b'}) == "a⟨300⟩b");  // past the byte ids
  BOOST_TEST(cli::ids_only_text().text(Tokens{65, 7}) == "⟨65⟩⟨7⟩");
}

BOOST_AUTO_TEST_CASE(text_sources_by_scenario_and_by_option) {
  sim::Scenario s;
  s.target.vocab = 256;
  BOOST_TEST(cli::text_for_scenario(s).source() == "byte-level");
  s.target.vocab = 100;  // no byte ids: ids only
  BOOST_TEST(cli::text_for_scenario(s).source() == "token ids");
  BOOST_TEST(cli::text_from_option("bytes").source() == "byte-level");
  BOOST_TEST(cli::text_from_option("ids").source() == "token ids");
  BOOST_CHECK_THROW(cli::text_from_option(""), InputError);
  BOOST_CHECK_THROW(cli::text_from_option("no-such-model-xyz"), InputError);
}

BOOST_AUTO_TEST_CASE(summary_line_shows_acceptance_and_the_output_cut_to_a_line) {
  const sim::TokenText text = awkward_text();
  // "ok<"  "\n&\ (then the euro sign split over two tokens, then 40 x "ok".
  Tokens output = {8, 1, 0, 4, 3, 5, 6, 7};
  for (int i = 0; i < 40; ++i) output.push_back(8);
  const auto run = run_with_output(output, 7, 12);
  const std::string line = verify::sequence_line(run, 0, text, 20);
  BOOST_TEST(line == "  seq 0      7/12   accepted  \"ok<\\\"\\n&\\\\€okokokok…\"");
  BOOST_CHECK_THROW(verify::sequence_line(run, 1, text), ContractError);
  const auto json = verify::summary_json(run, &text);
  BOOST_TEST(json["text_source"] == "awkward");
  BOOST_TEST(json["per_sequence"][0]["prompt_text"] == "ok");
  BOOST_TEST(json["per_sequence"][0]["text"].get<std::string>().rfind("ok<\\\"\\n&\\\\€ok", 0) ==
             0u);
  BOOST_TEST(!verify::summary_json(run).contains("text_source"));
}

BOOST_AUTO_TEST_CASE(awkward_tokens_are_escaped_in_the_picture) {
  const sim::TokenText text = awkward_text();
  // Prompt: quote, <, >, &; pending newline; drafts: euro (2 tokens, accepted), backslash
  // (rejected); the target's token " b".
  const viz::StepView v = hand_step({0, 1, 2, 3}, 4, {6, 7, 5}, 2, 9);
  const std::string dot = viz::step_dot(v, &text);
  BOOST_TEST(dot.find("row_text [label=<") != std::string::npos);
  // Context, drafted, accepted, rejected and the target's token, each quoted and escaped.
  BOOST_TEST(dot.find(">&quot;\\&quot;&lt;&gt;&amp;\\n&quot;<") != std::string::npos);
  BOOST_TEST(dot.find(">&quot;€\\\\&quot;<") != std::string::npos);
  BOOST_TEST(dot.find(">&quot;€&quot;<") != std::string::npos);
  BOOST_TEST(dot.find(">&quot;\\\\&quot;<") != std::string::npos);
  BOOST_TEST(dot.find(">&quot; b&quot;<") != std::string::npos);
  // A cell alone shows its half character as bytes; its tooltip names it.
  BOOST_TEST(dot.find("text &quot;\\xe2\\x82&quot;") != std::string::npos);
  BOOST_TEST(dot.find("␣b") != std::string::npos);  // the grid cell of " b"
  // No raw newline inside the block's label: the first one after it opens is after it closes.
  const auto block = dot.find("row_text [label=<");
  BOOST_TEST(dot.find('\n', block) > dot.find("</TABLE>>]", block));
  const std::string svg = render_svg(dot);
  BOOST_TEST(
      svg.find("xlink:title=\"prompt seq 0 index 1 token 1 position 1 text &quot;&lt;&quot;\"") !=
      std::string::npos);
  BOOST_TEST(svg.find("&quot;€&quot;</text>") != std::string::npos);
  // Without a text source the picture is what it was: no text block, no links.
  const std::string plain = viz::step_dot(v);
  BOOST_TEST(plain.find("row_text") == std::string::npos);
  BOOST_TEST(plain.find("HREF") == std::string::npos);
  BOOST_TEST(plain.find(" text ") == std::string::npos);
}

// The text_prompts scenario (byte-level prompts, packed): every step's row_text block shows
// exactly the verify record's drafts, split into accepted and rejected, and the target's
// token, decoded independently here from the raw trace records.
BOOST_AUTO_TEST_CASE(pictures_of_a_run_show_the_trace_s_drafts_as_text) {
  sim::Scenario s = sim::load_scenario_file("scenarios/text_prompts.json");
  sim::finalize_scenario(s, "");
  verify::CheckOptions options;
  options.trace_path =
      (fs::temp_directory_path() / ("lockstep-token-text-" + std::to_string(::getpid()) + ".jsonl"))
          .string();
  options.trace_details = true;
  const auto run = verify::run_checked(s, options);
  BOOST_REQUIRE(run.ok());
  const sim::TokenText text = cli::byte_level_text();
  const auto trace = viz::read_trace_file(options.trace_path);
  const auto views = viz::build_step_views(trace, 1, -1);
  std::map<int, std::string> dots;
  for (const auto& v : views) dots[v.step] = viz::step_dot(v, &text);
  BOOST_TEST(dots[1].find("&quot;Hello, ragged batch!&quot;") != std::string::npos);
  const auto quoted = [](const std::string& bytes) {
    std::string p = tokenizer::printable(bytes), out;
    for (char c : p)
      out += c == '"'   ? std::string("&quot;")
             : c == '&' ? std::string("&amp;")
             : c == '<' ? std::string("&lt;")
             : c == '>' ? std::string("&gt;")
             : c == ']' ? std::string("&#93;")  // Graphviz 2.43 misreads a bare "]" (dot_html.cpp)
                        : std::string(1, c);
    return ">&quot;" + out + "&quot;<";
  };
  std::ifstream in(options.trace_path);
  int rows = 0;
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j["event"] != "verify") continue;
    const std::string& dot = dots[j["step"].get<int>()];
    for (const auto& row : j["rows"]) {
      std::string drafted, accepted, rejected;
      const int a = row["accepted"];
      for (std::size_t i = 0; i < row["drafts"].size(); ++i) {
        const char b = static_cast<char>(row["drafts"][i].get<int>());
        drafted += b;
        (static_cast<int>(i) < a ? accepted : rejected) += b;
      }
      BOOST_TEST(dot.find(quoted(drafted)) != std::string::npos);
      if (!accepted.empty()) BOOST_TEST(dot.find(quoted(accepted)) != std::string::npos);
      if (!rejected.empty()) BOOST_TEST(dot.find(quoted(rejected)) != std::string::npos);
      const int committed = row["committed"];
      if (committed == a + 1) {
        const char bonus = static_cast<char>(row["targets"][committed - 1].get<int>());
        BOOST_TEST(dot.find(quoted(std::string(1, bonus))) != std::string::npos);
      }
      ++rows;
    }
  }
  BOOST_TEST(rows > 10);
  render_svg(dots[1]);
  fs::remove(options.trace_path);
}

// The real model's tokenizer: the summary line and a picture read as the text that was
// encoded, an emoji split over two tokens included.
BOOST_AUTO_TEST_CASE(real_model_text_in_the_summary_and_the_picture,
                     *boost::unit_test::precondition(test::real_model_present)) {
  const sim::TokenText text = cli::model_text(test::kRealModel);
  BOOST_TEST(text.source() == std::string(test::kRealModel) + " tokenizer");
  const gguf::File file(test::real_model_path());
  const tokenizer::Tokenizer t = tokenizer::from_gguf(file);
  const std::string said = "The capital of France is Paris \xF0\x9F\x98\x80 <b>\"yes\"</b>";
  const auto ids = t.encode(said, tokenizer::Specials::as_text);
  const Tokens output(ids.begin(), ids.end());
  bool split = false;  // some token alone is half the emoji
  for (sim::Token id : output) split = split || text.token(id).find("\\x") != std::string::npos;
  BOOST_TEST(split);
  const std::string line = verify::sequence_line(run_with_output(output, 3, 5), 0, text);
  BOOST_TEST(line ==
             "  seq 0      3/5    accepted  \"The capital of France is Paris \xF0\x9F\x98\x80 "
             "<b>\\\"yes\\\"</b>\"");
  const auto paris = t.encode(" Paris", tokenizer::Specials::as_text);
  const auto france = t.encode("The capital of France is", tokenizer::Specials::as_text);
  Tokens prompt(france.begin(), france.end() - 1);
  const viz::StepView v =
      hand_step(prompt, france.back(), Tokens(paris.begin(), paris.end()), 1, 13);
  const std::string dot = viz::step_dot(v, &text);
  BOOST_TEST(dot.find("&quot;The capital of France is&quot;") != std::string::npos);
  BOOST_TEST(dot.find(">&quot; Paris&quot;<") != std::string::npos);
  render_svg(dot);
}

// A scenario whose target is named by its GGUF file reads its tokens with that file's
// tokenizer: the text prompts come back as written (resolution only, no weights loaded).
BOOST_AUTO_TEST_CASE(a_scenario_naming_the_real_model_reads_in_its_tokenizer,
                     *boost::unit_test::precondition(test::real_model_present)) {
  sim::Scenario s = sim::parse_scenario(R"({
    "name": "gguf_text", "description": "token text", "backend": "cpu",
    "target": {"gguf": "smollm2-135m"}, "draft": {"kind": "prompt-lookup"},
    "strategy": "eqspec", "batch_size": 2, "k": 3, "max_new_tokens": 4, "window": 2,
    "faults": [], "prompts": {"text": ["Grüße, \"Welt\" <3", "Line one\nline two"]}
  })",
                                        "gguf_text");
  resolve::finalize_scenario(s, "");
  const sim::TokenText text = cli::text_for_scenario(s);
  BOOST_TEST(text.source() == std::string(test::kRealModel) + " tokenizer");
  BOOST_REQUIRE(s.prompts.size() == 2u);
  BOOST_TEST(text.text(s.prompts[0]) == "Grüße, \\\"Welt\\\" <3");
  BOOST_TEST(text.text(s.prompts[1]) == "Line one\\nline two");
  BOOST_TEST(s.prompts[0].size() < 16u);  // BPE tokens, not one per byte
}
