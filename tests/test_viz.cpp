// viz/: the pictures must show what the trace says. A small known scenario (three rows with
// scripted acceptance 3, 0, 1 and unequal prompts) is run with a detailed trace; its DOT
// must parse back with cgraph, the grid's cells of each kind must match counts computed
// independently from the raw trace records, SVG must render without Graphviz warnings, and
// broken traces must fail with errors that name the line.
#define BOOST_TEST_MODULE viz
#include <boost/test/unit_test.hpp>

#include <graphviz/cgraph.h>

#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "reference/cpu_backend.h"
#include "sim/error.h"
#include "sim/scenario.h"
#include "tests/cpu_backend_fixture.h"
#include "tests/test_support.h"
#include "verify/verify.h"
#include "viz/dot_html.h"
#include "viz/viz.h"

namespace fs = std::filesystem;
using namespace lockstep;

namespace {

const char* kScenario = R"({
  "name": "viz_small", "description": "viz test", "backend": "symbolic",
  "target": {"preset": "tiny", "seed": 3},
  "draft": {"kind": "script", "accepted": [[3, 0, 1], [1, 3, 0]], "seed": 2},
  "strategy": "%STRATEGY%", "batch_size": 3, "k": 3, "max_new_tokens": 9, "window": 3,
  "eos_token": null, "faults": [],
  "prompts": [[5, 6, 7, 8, 9], [11, 12], [21, 22, 23, 24]]
})";

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("lockstep-test-viz-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

// Runs the small scenario with a detailed trace; returns the trace's path inside `dir`.
std::string write_trace(const TempDir& dir, const std::string& strategy = "eqspec") {
  std::string text = kScenario;
  text.replace(text.find("%STRATEGY%"), 10, strategy);
  sim::Scenario s = sim::parse_scenario(text, "viz_small");
  sim::finalize_scenario(s, "");
  verify::CheckOptions options;
  options.trace_path = (dir.path / (strategy + ".jsonl")).string();
  options.trace_details = true;
  const auto run = verify::run_checked(s, options);
  BOOST_REQUIRE(run.ok());
  return options.trace_path;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string write_lines(const TempDir& dir, const std::string& name,
                        const std::vector<std::string>& lines, bool final_newline = true) {
  const std::string path = (dir.path / name).string();
  std::ofstream out(path, std::ios::binary);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    out << lines[i];
    if (i + 1 < lines.size() || final_newline) out << '\n';
  }
  return path;
}

// The label of node `name` in DOT parsed back by cgraph ("" when absent).
struct ParsedDot {
  Agraph_t* g = nullptr;
  explicit ParsedDot(const std::string& dot) : g(agmemread(dot.c_str())) {}
  ~ParsedDot() {
    if (g) agclose(g);
  }
  std::string label(const char* name) const {
    Agnode_t* n = agnode(g, const_cast<char*>(name), 0);
    if (!n) return "";
    const char* l = agget(n, const_cast<char*>("label"));
    return l ? l : "";
  }
  bool has(const char* name) const { return agnode(g, const_cast<char*>(name), 0) != nullptr; }
};

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

// Counts per kind for the grid of `step`, straight from the raw records: the verify record
// (verdicts) and the target pass detail just before it (mask, the cached columns).
std::map<std::string, int> expected_counts(const std::string& trace, int step, int k) {
  std::map<std::string, int> want;
  nlohmann::json last_target;
  for (const auto& line : lines_of(trace)) {
    const auto j = nlohmann::json::parse(line);
    if (j["event"] == "detail" && j["what"] == "pass" && j["model"] == "target") last_target = j;
    if (j["event"] != "verify" || j["step"] != step) continue;
    for (const auto& row : j["rows"]) {
      const int a = row["accepted"];
      want["draft-accepted"] += a;
      want["draft-rejected"] += k - a;
      const int committed = row["committed"];
      if (committed == a + 1 || (!row["finished"].get<bool>() && committed >= 1 && committed <= a))
        ++want["bonus"];
      int r = 0;
      while (last_target["cache_rows"][static_cast<std::size_t>(r)] != row["row"]) ++r;
      const std::string mask = last_target["mask"][static_cast<std::size_t>(r)];
      const int past = last_target["past"];
      for (int c = 0; c < past; ++c)
        ++want[mask[static_cast<std::size_t>(c)] == '1' ? "kept" : "pad"];
      ++want["kept"];  // the pending token
    }
  }
  return want;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_step_parses_back_with_cgraph_and_has_its_parts) {
  TempDir dir;
  const auto trace = viz::read_trace_file(write_trace(dir));
  const auto views = viz::build_step_views(trace, 1, -1);
  BOOST_REQUIRE_GE(views.size(), 3u);
  BOOST_CHECK_EQUAL(views.size(), static_cast<std::size_t>(trace.last_step));
  for (const auto& v : views) {
    ParsedDot dot(viz::step_dot(v));
    BOOST_REQUIRE_MESSAGE(dot.g != nullptr, "step " << v.step << " DOT does not parse");
    for (const char* node : {"title", "legend", "grid", "kv_target_after", "kv_draft_after"})
      BOOST_CHECK_MESSAGE(dot.has(node), "step " << v.step << " lacks node " << node);
    BOOST_CHECK(!dot.has("violation"));  // a clean run
    BOOST_CHECK(!dot.has("pool"));       // not exspec
    BOOST_CHECK_NE(dot.label("legend").find("draft rejected"), std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(grid_cells_of_each_kind_match_the_trace) {
  TempDir dir;
  int checked = 0;
  for (const std::string strategy : {"eqspec", "rollback"}) {
    const std::string path = write_trace(dir, strategy);
    const auto views = viz::build_step_views(viz::read_trace_file(path), 1, -1);
    for (const auto& v : views) {
      const ParsedDot dot(viz::step_dot(v));
      BOOST_REQUIRE(dot.g != nullptr);
      const std::string grid = dot.label("grid");
      auto want = expected_counts(path, v.step, 3);
      const auto got = [&](const char* kind) {
        return count(grid, std::string("TITLE=\"") + kind);
      };
      BOOST_TEST_CONTEXT(strategy << " step " << v.step) {
        BOOST_CHECK_EQUAL(got("draft-accepted"), want["draft-accepted"]);
        BOOST_CHECK_EQUAL(got("draft-rejected"), want["draft-rejected"]);
        BOOST_CHECK_EQUAL(got("bonus"), want["bonus"]);
        BOOST_CHECK_EQUAL(got("pad "), want["pad"]);
        BOOST_CHECK_EQUAL(got("prompt") + got("committed"), want["kept"]);
        BOOST_CHECK_EQUAL(got("empty"), 0);
      }
      checked +=
          want["draft-accepted"] > 0 && want["draft-rejected"] > 0 && want["pad"] > 0 ? 1 : 0;
    }
  }
  BOOST_CHECK_GT(checked, 0);  // the scenario really exercises every kind
}

BOOST_AUTO_TEST_CASE(first_step_grid_is_exactly_the_scripted_round) {
  TempDir dir;
  const auto views = viz::build_step_views(viz::read_trace_file(write_trace(dir)), 1, 1);
  BOOST_REQUIRE_EQUAL(views.size(), 1u);
  const auto& grid = views[0].grid;
  BOOST_REQUIRE_EQUAL(grid.size(), 3u);
  // Prompts of 5, 2 and 4 tokens right-aligned at width 4 (the longest cached prefix), then
  // pending + 3 drafts; script accepts 3, 0, 1.
  const int expected_accepted[] = {3, 0, 1};
  for (std::size_t r = 0; r < 3; ++r) {
    BOOST_CHECK_EQUAL(grid[r].accepted, expected_accepted[r]);
    const auto& cells = grid[r].cells;
    const std::size_t pending = cells.size() - 4;
    BOOST_CHECK(cells[pending].kind == viz::CellKind::prompt);  // the last prompt token
    for (int d = 1; d <= 3; ++d) {
      BOOST_CHECK(cells[pending + static_cast<std::size_t>(d)].kind ==
                  (d <= expected_accepted[r] ? viz::CellKind::accepted : viz::CellKind::rejected));
      // Position ids are the logical indices: pending's + d.
      BOOST_CHECK_EQUAL(cells[pending + static_cast<std::size_t>(d)].position,
                        cells[pending].position + d);
    }
    BOOST_CHECK(grid[r].bonus.kind == viz::CellKind::bonus);
    BOOST_CHECK_EQUAL(grid[r].bonus.position, cells[pending].position + expected_accepted[r] + 1);
  }
  BOOST_CHECK(grid[1].cells[0].kind == viz::CellKind::pad);  // the 2-token prompt is padded
}

BOOST_AUTO_TEST_CASE(svg_and_png_render_without_graphviz_warnings) {
  TempDir dir;
  for (const std::string strategy : {"eqspec", "exspec", "packed"}) {
    const auto trace = viz::read_trace_file(write_trace(dir, strategy));
    const auto views = viz::build_step_views(trace, 1, 2);
    viz::Renderer renderer;
    for (const auto& v : views) {
      const std::string svg = (dir.path / (strategy + std::to_string(v.step) + ".svg")).string();
      renderer.render(viz::step_dot(v), svg, "svg");
      BOOST_CHECK_MESSAGE(renderer.diagnostics().empty(),
                          strategy << ": " << renderer.diagnostics());
      std::ifstream in(svg);
      std::stringstream body;
      body << in.rdbuf();
      BOOST_CHECK_NE(body.str().find("<svg"), std::string::npos);
      BOOST_CHECK_NE(body.str().find("draft rejected"), std::string::npos);  // the legend
    }
    if (strategy == "exspec") {
      BOOST_CHECK(ParsedDot(viz::step_dot(views[0])).has("pool"));
    }
  }
  const std::string png = (dir.path / "one.png").string();
  viz::Renderer().render("digraph { a -> b }", png, "png");
  BOOST_CHECK_GT(fs::file_size(png), 100u);
}

BOOST_AUTO_TEST_CASE(render_trace_writes_pages_and_a_static_index) {
  TempDir dir;
  const std::string trace = write_trace(dir);
  viz::VizOptions options;
  options.out_dir = (dir.path / "pics").string();
  viz::parse_step_range("2..3", "--steps", options);
  const auto result = viz::render_trace(trace, options);
  BOOST_CHECK_EQUAL(result.steps, 2);
  BOOST_CHECK(fs::exists(dir.path / "pics" / "step-002.svg"));
  BOOST_CHECK(fs::exists(dir.path / "pics" / "step-003.svg"));
  BOOST_CHECK(!fs::exists(dir.path / "pics" / "step-001.svg"));
  std::ifstream in(result.index_path);
  std::stringstream page;
  page << in.rdbuf();
  BOOST_CHECK_NE(page.str().find("src=\"step-002.svg\""), std::string::npos);
  BOOST_CHECK_NE(page.str().find("accepted per row:"), std::string::npos);
  BOOST_CHECK_NE(page.str().find("realign bytes:"), std::string::npos);
  BOOST_CHECK_EQUAL(page.str().find("<script"), std::string::npos);
  BOOST_CHECK_EQUAL(page.str().find("http"), std::string::npos);
}

BOOST_AUTO_TEST_CASE(first_violation_is_drawn_in_red_on_its_step) {
  TempDir dir;
  auto lines = lines_of(write_trace(dir));
  // As verify/run_checked.cpp writes it: before the closing timing record.
  lines.insert(
      lines.end() - 1,
      R"({"detail":"target KV of seq 1: slot holds a pad","event":"violation","invariant":"I3","row":1,"slot":2,"step":2})");
  const auto trace = viz::read_trace_file(write_lines(dir, "bad.jsonl", lines));
  const auto views = viz::build_step_views(trace, 1, 3);
  const ParsedDot step1(viz::step_dot(views[0])), step2(viz::step_dot(views[1]));
  BOOST_CHECK(!step1.has("violation"));
  BOOST_REQUIRE(step2.has("violation"));
  const std::string label = step2.label("violation");
  BOOST_CHECK_NE(label.find("I3"), std::string::npos);
  BOOST_CHECK_NE(label.find("provenance"), std::string::npos);
  BOOST_CHECK_NE(label.find("slot holds a pad"), std::string::npos);
  BOOST_CHECK_NE(label.find("#d62728"), std::string::npos);
  BOOST_CHECK(views[1].caches[0].after.rows[1][2].violation);  // the target cell is marked
}

BOOST_AUTO_TEST_CASE(broken_traces_name_the_line) {
  TempDir dir;
  const auto lines = lines_of(write_trace(dir));
  const auto error_of = [&](const std::string& path) -> std::string {
    try {
      viz::build_step_views(viz::read_trace_file(path), 1, -1);
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  };
  auto garbled = lines;
  garbled[4] = "{\"event\": \"detail\", oops";
  const std::string e1 = error_of(write_lines(dir, "garbled.jsonl", garbled));
  BOOST_CHECK_MESSAGE(e1.find("line 5: malformed JSON") != std::string::npos, e1);

  // Cut in the middle of a record, as a killed writer leaves it.
  auto cut = std::vector<std::string>(lines.begin(), lines.begin() + 20);
  cut.back() = cut.back().substr(0, cut.back().size() / 2);
  const std::string e2 = error_of(write_lines(dir, "cut.jsonl", cut, false));
  BOOST_CHECK_MESSAGE(e2.find("line 20: malformed JSON, a truncated record") != std::string::npos,
                      e2);

  // Cut at a line boundary: no closing timing record.
  const std::string e3 =
      error_of(write_lines(dir, "short.jsonl", {lines.begin(), lines.begin() + 30}));
  BOOST_CHECK_MESSAGE(
      e3.find("line 30") != std::string::npos && e3.find("timing") != std::string::npos, e3);

  // A missing field: the message names it.
  auto missing = lines;
  std::size_t at = 0;
  while (missing[at].find("\"event\":\"moves\"") == std::string::npos) ++at;
  auto j = nlohmann::json::parse(missing[at]);
  j.erase("moves");
  missing[at] = j.dump();
  const std::string e4 = error_of(write_lines(dir, "missing.jsonl", missing));
  BOOST_CHECK_MESSAGE(
      e4.find("line " + std::to_string(at + 1) + ": missing field 'moves'") != std::string::npos,
      e4);

  // A trace written without --trace-details cannot be drawn; the message says how to fix it.
  std::vector<std::string> plain;
  for (const auto& l : lines)
    if (l.find("\"event\":\"detail\"") == std::string::npos) plain.push_back(l);
  const std::string e5 = error_of(write_lines(dir, "plain.jsonl", plain));
  BOOST_CHECK_MESSAGE(e5.find("--trace-details") != std::string::npos, e5);

  // A slot outside its cache.
  auto outside = lines;
  at = 0;
  while (outside[at].find("\"what\":\"crop\"") == std::string::npos) ++at;
  j = nlohmann::json::parse(outside[at]);
  j["row"] = 99;
  outside[at] = j.dump();
  const std::string e6 = error_of(write_lines(dir, "outside.jsonl", outside));
  BOOST_CHECK_MESSAGE(
      e6.find("line " + std::to_string(at + 1) + ": crop of row 99") != std::string::npos, e6);
}

BOOST_AUTO_TEST_CASE(step_ranges_parse_or_name_the_option) {
  viz::VizOptions o;
  viz::parse_step_range("3..7", "--steps", o);
  BOOST_CHECK_EQUAL(o.first_step, 3);
  BOOST_CHECK_EQUAL(o.last_step, 7);
  viz::parse_step_range("4", "--steps", o);
  BOOST_CHECK_EQUAL(o.first_step, 4);
  BOOST_CHECK_EQUAL(o.last_step, 4);
  viz::parse_step_range("2..", "--steps", o);
  BOOST_CHECK_EQUAL(o.last_step, -1);
  for (const char* bad : {"", "a..b", "7..3", "0..2", "1...2", "-1"}) {
    BOOST_CHECK_EXCEPTION(
        viz::parse_step_range(bad, "--steps", o), InputError,
        [](const InputError& e) { return std::string(e.what()).find("--steps") == 0; });
  }
}

// Graphviz 2.43's label lexer rejects a text that is "]" alone or ends in "]]": a byte-level
// token "]" in its own grid cell broke the pictures of sampled runs. html_escape writes ']'
// as a character reference, which Graphviz reads back as ']'.
BOOST_AUTO_TEST_CASE(brackets_in_label_text_render) {
  TempDir dir;
  viz::Renderer renderer;
  for (const std::string text : {"]", "]]", "x]]>", "[", "a]b"}) {
    const std::string dot = "digraph { a [label=<<TABLE><TR><TD TITLE=\"" + viz::html_escape(text) +
                            "\" HREF=\"#\"><FONT>" + viz::html_escape(text) +
                            "</FONT></TD></TR></TABLE>>]; }";
    const std::string svg = (dir.path / "brackets.svg").string();
    BOOST_CHECK_NO_THROW(renderer.render(dot, svg, "svg"));
    std::ifstream in(svg);
    std::stringstream body;
    body << in.rdbuf();
    std::string shown = text;  // as the SVG writes it: only '>' is escaped
    if (const auto gt = shown.find('>'); gt != std::string::npos) shown.replace(gt, 1, "&gt;");
    BOOST_CHECK_MESSAGE(body.str().find(">" + shown + "</text>") != std::string::npos, text);
  }
}

namespace {

// A library sampling scenario run on the cpu backend (whose drafts are often accepted) with a
// detailed trace; returns the trace's path.
std::string write_sampled_trace(const TempDir& dir, const std::string& acceptance) {
  sim::Scenario s =
      test::load_ready(test::source_path("scenarios/sampled_" + acceptance + ".json"));
  s.backend = "cpu";
  verify::CheckOptions options;
  options.trace_path = (dir.path / (acceptance + ".jsonl")).string();
  options.trace_details = true;
  BOOST_REQUIRE(verify::run_checked(s, options).ok());
  return options.trace_path;
}

// weight / total with 3 significant digits, trailing zeros kept: the picture's documented
// print (docs/strategies.md "How to read a picture"), computed here with iostreams.
std::string three_digits(long double weight, long double total) {
  std::ostringstream o;
  o << std::showpoint << std::setprecision(3) << static_cast<double>(weight / total);
  return o.str();
}

// Logical index of the pending token of cache row `row` in a target detail pass: d_1 is at
// that index + 1.
int pending_index(const nlohmann::json& pass, int row) {
  std::size_t r = 0;
  while (pass["cache_rows"][r] != row) ++r;
  const std::size_t first = pass["form"] == "packed" ? pass["row_offsets"][r].get<std::size_t>()
                                                     : r * pass["tokens"].get<std::size_t>();
  return pass["tags"][first][1];
}

// The DOT of the sampling block of each step, by step.
std::map<int, std::string> sampling_labels(const std::string& path) {
  std::map<int, std::string> out;
  for (const auto& v : viz::build_step_views(viz::read_trace_file(path), 1, -1)) {
    const ParsedDot dot(viz::step_dot(v));
    BOOST_REQUIRE(dot.g != nullptr);
    out[v.step] = dot.label("sampling");
  }
  return out;
}

std::string cell_of(const std::string& title, std::initializer_list<std::string> lines) {
  std::string text;
  for (const auto& l : lines) text += (text.empty() ? "" : "<BR/>") + l;
  return "TITLE=\"" + title + "\" HREF=\"#\"><FONT POINT-SIZE=\"8\">" + text + "</FONT>";
}

}  // namespace

// Issue 14 item 5: each judged draft of a rejection step shows p(d) and q(d) as the trace's
// fractions say, in a cell classified by the trace's decision, and the drawn token its
// probability and source; the grid's draft cells agree with the decisions.
BOOST_AUTO_TEST_CASE(rejection_steps_show_each_judged_draft_with_p_and_q) {
  TempDir dir;
  const std::string path = write_sampled_trace(dir, "rejection");
  const auto labels = sampling_labels(path);
  const auto views = viz::build_step_views(viz::read_trace_file(path), 1, -1);
  nlohmann::json pass;
  std::map<bool, int> verdicts;
  int residuals = 0;
  for (const auto& line : lines_of(path)) {
    const auto j = nlohmann::json::parse(line);
    if (j["event"] == "detail" && j["what"] == "pass" && j["model"] == "target") pass = j;
    if (j["event"] != "verify") continue;
    const int step = j["step"];
    const std::string& label = labels.at(step);
    int judged_cells = 0;
    for (const auto& row : j["rows"]) {
      const int seq = row["seq"];
      int index = pending_index(pass, row["row"]) + 1;
      for (const auto& d : row["judged"]) {
        const bool accepted = d["accepted"];
        const std::string p = d["p_weight"].dump() + "/" + d["p_total"].dump();
        const std::string q = d["q_weight"].dump() + "/" + d["q_total"].dump();
        const std::string want = cell_of(
            std::string(accepted ? "draft-accepted" : "draft-rejected") + " seq " +
                std::to_string(seq) + " index " + std::to_string(index) + " token " +
                d["draft"].dump() + " p " + p + " q " + q,
            {"d " + d["draft"].dump(),
             "p " + three_digits(d["p_weight"].get<long double>(), d["p_total"].get<long double>()),
             "q " +
                 three_digits(d["q_weight"].get<long double>(), d["q_total"].get<long double>())});
        BOOST_CHECK_MESSAGE(label.find(want) != std::string::npos,
                            "step " << step << " lacks " << want);
        // The grid cell of the same draft carries the same verdict.
        for (const auto& g : views[static_cast<std::size_t>(step) - 1].grid) {
          for (const auto& c : g.cells) {
            if (c.tag.seq == seq && c.tag.index == index)
              BOOST_CHECK(c.kind == (accepted ? viz::CellKind::accepted : viz::CellKind::rejected));
          }
        }
        ++verdicts[accepted];
        ++judged_cells;
        ++index;
      }
      const auto& s = row["sampled"];
      const std::string source = s["source"];
      residuals += source == "residual" ? 1 : 0;
      const std::string want = cell_of(
          "drawn seq " + std::to_string(seq) + " index " +
              std::to_string(pending_index(pass, row["row"]) + 1 + row["accepted"].get<int>()) +
              " token " + s["token"].dump() + " source " + source + " p " +
              s["weight"].get<std::string>() + "/" + s["total"].get<std::string>(),
          {"→ " + s["token"].dump(),
           "p " + three_digits(std::stold(s["weight"].get<std::string>()),
                               std::stold(s["total"].get<std::string>())),
           source == "residual" ? "residual norm(max(0, p-q))" : "bonus, from p"});
      BOOST_CHECK_MESSAGE(label.find(want) != std::string::npos,
                          "step " << step << " lacks " << want);
    }
    BOOST_CHECK_EQUAL(count(label, "TITLE=\"draft-"), judged_cells);
  }
  // The run exercises every kind of cell.
  BOOST_CHECK_GT(verdicts[true], 0);
  BOOST_CHECK_GT(verdicts[false], 0);
  BOOST_CHECK_GT(residuals, 0);
}

// Coupled: the trace's "sample" detail records give p(d) and p(sample); a draft is accepted iff
// it equals the target's sample, which is the drawn token.
BOOST_AUTO_TEST_CASE(coupled_steps_show_p_of_each_draft_and_of_the_sample) {
  TempDir dir;
  const std::string path = write_sampled_trace(dir, "coupled");
  const auto labels = sampling_labels(path);
  std::map<std::pair<int, int>, nlohmann::json> samples;  // (seq, position) of the latest step
  nlohmann::json pass;
  int checked = 0, rejected = 0;
  for (const auto& line : lines_of(path)) {
    const auto j = nlohmann::json::parse(line);
    if (j["event"] == "detail" && j["what"] == "pass" && j["model"] == "target") pass = j;
    if (j["event"] == "detail" && j["what"] == "sample") samples[{j["seq"], j["position"]}] = j;
    if (j["event"] != "verify") continue;
    const std::string& label = labels.at(j["step"].get<int>());
    for (const auto& row : j["rows"]) {
      const int seq = row["seq"], a = row["accepted"];
      const int first = pending_index(pass, row["row"]) + 1;
      const auto& drafts = row["drafts"];
      for (int i = 0; i <= a && i < static_cast<int>(drafts.size()); ++i) {
        const auto& s = samples.at({seq, first + i});
        BOOST_REQUIRE_EQUAL(s["draft"], drafts[static_cast<std::size_t>(i)]);
        const bool accepted = s["draft"] == s["token"];
        BOOST_CHECK_EQUAL(accepted, i < a);
        const std::string want = cell_of(
            std::string(accepted ? "draft-accepted" : "draft-rejected") + " seq " +
                std::to_string(seq) + " index " + std::to_string(first + i) + " token " +
                s["draft"].dump() + " p " + s["draft_weight"].dump() + "/" + s["total"].dump(),
            {"d " + s["draft"].dump(), "p " + three_digits(s["draft_weight"].get<long double>(),
                                                           s["total"].get<long double>())});
        BOOST_CHECK_MESSAGE(label.find(want) != std::string::npos, "lacks " << want);
        rejected += accepted ? 0 : 1;
        ++checked;
      }
      const auto& s = samples.at({seq, first + a});
      BOOST_CHECK_EQUAL(s["token"], row["targets"][static_cast<std::size_t>(a)]);
      const std::string want = cell_of(
          "drawn seq " + std::to_string(seq) + " index " + std::to_string(first + a) + " token " +
              s["token"].dump() + " source target sample p " + s["weight"].dump() + "/" +
              s["total"].dump(),
          {"→ " + s["token"].dump(),
           "p " + three_digits(s["weight"].get<long double>(), s["total"].get<long double>()),
           "target's keyed sample"});
      BOOST_CHECK_MESSAGE(label.find(want) != std::string::npos, "lacks " << want);
    }
  }
  BOOST_CHECK_GT(checked, rejected);
  BOOST_CHECK_GT(rejected, 0);
}
