// Numerics or layout? (issue 13): the verifier tells an output that differs from batch-1 AR
// by numerics alone (every invariant holding: a numerics divergence, with its anatomy) from a
// layout or commit bug (a violation naming the invariant and the step), and the fault matrix
// under float numerics still catches every fault by an invariant.
//
// Float numerics are simulated by tests/flip_backend.h (a symbolic backend whose batched
// passes flip an argmax): it works whether or not a real float backend is built, and every
// expectation below is exact. The real cpu float backend is exercised by
// tests/numerics_divergence_test.sh when it is built.
#define BOOST_TEST_MODULE numerics_divergence
#include <boost/test/unit_test.hpp>

#include <unistd.h>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reference/cpu_backend.h"
#include "sim/faults.h"
#include "sim/scenario.h"
#include "tests/flip_backend.h"
#include "tests/test_support.h"
#include "verify/fault_matrix.h"
#include "verify/verify.h"
#include "viz/dot_divergence.h"
#include "viz/viz.h"

namespace lockstep {
namespace {

struct Registered {
  Registered() {
    test::register_flip_backend();
    reference::register_cpu_backend();
  }
};
BOOST_TEST_GLOBAL_FIXTURE(Registered);

sim::Scenario scenario(const std::string& file, const std::string& backend, sim::Numerics n) {
  sim::Scenario s = test::load_ready(test::source_path("scenarios/" + file));
  s.backend = backend;
  s.numerics = n;
  sim::install_numerics(s);
  return s;
}

std::string describe(const verify::CheckedRun& run) {
  std::string out = run.scenario.name + ": " + std::to_string(run.violation_count) +
                    " violations, " + std::to_string(run.equivalent_sequences) + "/" +
                    std::to_string(run.oracle.size()) + " equivalent";
  if (!run.violations.empty())
    out += ", first " + run.violations.front().invariant + ": " + run.violations.front().detail;
  return out;
}

BOOST_AUTO_TEST_CASE(float_divergence_with_every_invariant_holding_is_numerics) {
  for (const char* file : {"ragged_worst_case.json", "text_prompts.json", "exspec_pool.json"}) {
    const auto run = verify::run_checked(scenario(file, "flip-test", sim::Numerics::float32), {});
    BOOST_TEST_INFO(describe(run));
    BOOST_TEST(run.violation_count == 0);
    BOOST_TEST(run.equivalent_sequences < static_cast<int>(run.oracle.size()));
    BOOST_TEST(run.numerics_divergences ==
               static_cast<int>(run.oracle.size()) - run.equivalent_sequences);
    BOOST_TEST((run.verdict() == verify::Verdict::numerics_divergence));
    BOOST_TEST(!run.ok());
    BOOST_TEST(run.invariants_hold());
  }
}

BOOST_AUTO_TEST_CASE(the_anatomy_names_position_logits_and_passes_of_both_runs) {
  const auto run = verify::run_checked(
      scenario("ragged_worst_case.json", "flip-test", sim::Numerics::float32), {});
  BOOST_TEST_REQUIRE(!run.divergences.empty());
  const auto outputs = run.result.outputs();
  for (const auto& d : run.divergences) {
    const auto& out = outputs[static_cast<std::size_t>(d.seq)];
    const auto& ar = run.oracle[static_cast<std::size_t>(d.seq)];
    BOOST_TEST_INFO("seq " << d.seq << " position " << d.position);
    BOOST_TEST_REQUIRE(d.run_token.has_value());
    BOOST_TEST_REQUIRE(d.ar_token.has_value());
    BOOST_TEST(*d.run_token != *d.ar_token);
    BOOST_TEST(std::equal(out.begin(), out.begin() + d.position, ar.begin()));
    BOOST_TEST(*d.run_token == out[static_cast<std::size_t>(d.position)]);
    BOOST_TEST(d.index ==
               run.result.sequences[static_cast<std::size_t>(d.seq)].prompt_len + d.position);
    // The batched side: a flipped query of a batched pass, a near tie whose runner-up is
    // AR's token.
    BOOST_TEST_REQUIRE(d.run.has_value());
    BOOST_TEST(d.run->pass.rows >= 2);
    BOOST_TEST_REQUIRE(d.run->top2.has_value());
    BOOST_TEST(d.run->top2->best - d.run->top2->second == test::kFlipGap);
    BOOST_TEST(d.run->top2->second_token == *d.ar_token);
    BOOST_TEST(d.run->commit_step >= 1);
    // The AR side: one row, untouched, a clear winner.
    BOOST_TEST_REQUIRE(d.ar.has_value());
    BOOST_TEST(d.ar->pass.rows == 1);
    BOOST_TEST(d.ar->predicted == *d.ar_token);
    BOOST_TEST_REQUIRE(d.ar->top2.has_value());
    BOOST_TEST(d.ar->top2->best - d.ar->top2->second == 1.0f);
  }
  const nlohmann::json j = verify::summary_json(run);
  BOOST_TEST(j["numerics_divergences"].get<int>() == run.numerics_divergences);
  BOOST_TEST_REQUIRE(j["divergences"].size() == run.divergences.size());
  const auto& first = j["divergences"][0];
  for (const char* key : {"token", "kind", "step", "form", "rows", "tokens", "past", "best",
                          "second", "second_token", "gap"}) {
    BOOST_TEST(first["run"].contains(key), key);
    BOOST_TEST(first["ar"].contains(key), key);
  }
}

BOOST_AUTO_TEST_CASE(under_exact_numerics_the_same_difference_is_an_i5_violation) {
  const auto run = verify::run_checked(
      scenario("ragged_worst_case.json", "flip-test", sim::Numerics::exact), {});
  BOOST_TEST_REQUIRE(run.violation_count > 0);
  BOOST_TEST(run.violations.front().invariant == "I5");
  BOOST_TEST((run.verdict() == verify::Verdict::violation));
  BOOST_TEST(run.numerics_divergences == 0);
  BOOST_TEST(run.divergences.empty());
}

BOOST_AUTO_TEST_CASE(symbolic_float_runs_are_still_equivalent) {
  // The symbolic backend has no arithmetic: float numerics change nothing there, and the
  // float rule of I5 accepts every correct run.
  for (const auto& file : test::scenario_files()) {
    sim::Scenario s = test::load_ready(file);
    s.backend = "symbolic";
    s.numerics = sim::Numerics::float32;
    sim::install_numerics(s);
    const auto run = verify::run_checked(s, {});
    BOOST_TEST(run.ok(), describe(run));
  }
}

BOOST_AUTO_TEST_CASE(a_layout_fault_under_float_still_names_the_invariant_and_step) {
  struct Expect {
    const char* fault;
    const char* invariant;
  };
  for (const Expect e : {Expect{"positions-from-padded-index", "I1"}, Expect{"pads-visible", "I2"},
                         Expect{"accept-first-rejected", "I5"}}) {
    sim::Scenario s = scenario("eos_inside_draft.json", "flip-test", sim::Numerics::float32);
    s.faults = {e.fault};
    const auto run = verify::run_checked(s, {});
    BOOST_TEST_INFO(e.fault << ": " << describe(run));
    BOOST_TEST_REQUIRE(run.violation_count > 0);
    BOOST_TEST(run.violations.front().invariant == e.invariant);
    BOOST_TEST(run.violations.front().step >= 1);
    BOOST_TEST((run.verdict() == verify::Verdict::violation));
    BOOST_TEST(run.numerics_divergences == 0);
  }
}

BOOST_AUTO_TEST_CASE(first_eos_only_under_float_breaks_the_stop_rule) {
  sim::Scenario s = scenario("multi_eos.json", "symbolic", sim::Numerics::float32);
  s.faults = {"first-eos-only"};
  const auto run = verify::run_checked(s, {});
  BOOST_TEST_REQUIRE(run.violation_count > 0, describe(run));
  BOOST_TEST(run.violations.front().invariant == "I5");
  BOOST_TEST(run.violations.front().detail.find("after EOS") != std::string::npos,
             run.violations.front().detail);
}

BOOST_AUTO_TEST_CASE(the_trace_details_and_the_picture_carry_the_anatomy) {
  const sim::Scenario s = scenario("ragged_worst_case.json", "flip-test", sim::Numerics::float32);
  const auto path = std::filesystem::temp_directory_path() /
                    ("lockstep_divergence_" + std::to_string(::getpid()) + ".jsonl");
  verify::CheckOptions options;
  options.trace_path = path.string();
  options.trace_details = true;
  const auto detailed = verify::run_checked(s, options);
  const auto plain = verify::run_checked(s, {});
  // Detail records stay out of the digest.
  BOOST_TEST(detailed.trace_digest == plain.trace_digest);
  const viz::Trace trace = viz::read_trace_file(path.string());
  std::filesystem::remove(path);
  BOOST_TEST_REQUIRE(trace.divergences.size() == detailed.divergences.size());
  BOOST_TEST(trace.violations.empty());
  for (std::size_t i = 0; i < trace.divergences.size(); ++i) {
    const auto& r = trace.divergences[i];
    const auto& d = detailed.divergences[i];
    BOOST_TEST(r.seq == d.seq);
    BOOST_TEST(r.index == d.index);
    BOOST_TEST(r.step == d.run->commit_step);
    BOOST_TEST_REQUIRE((r.run && r.run->pass && r.run->top2 && r.ar && r.ar->top2));
    BOOST_TEST(r.run->token == *d.run_token);
    BOOST_TEST(r.ar->token == *d.ar_token);
    BOOST_TEST(r.run->top2->best - r.run->top2->second == double{test::kFlipGap});
  }
  // The step that committed the first divergence marks its cell in the divergence colour,
  // never as a violation, and explains it in the legend and a box.
  const auto& first = trace.divergences.front();
  const auto views = viz::build_step_views(trace, first.step, first.step);
  BOOST_TEST_REQUIRE(views.size() == 1u);
  const auto& v = views.front();
  BOOST_TEST(v.trace_has_divergences);
  int marked = 0;
  for (const auto& g : v.grid) {
    for (const auto& c : g.cells) marked += c.divergence ? 1 : 0;
    marked += g.bonus.divergence ? 1 : 0;
    for (const auto& c : g.cells) BOOST_TEST(!c.violation);
  }
  BOOST_TEST(marked == static_cast<int>(v.divergences.size()));
  const std::string dot = viz::step_dot(v);
  BOOST_TEST(dot.find("divergence [label=") != std::string::npos);
  BOOST_TEST(dot.find(std::string("COLOR=\"") + viz::kDivergencePurple + "\" BORDER=\"3\"") !=
             std::string::npos);
  BOOST_TEST(dot.find(viz::kDivergenceLabel) != std::string::npos);
  // Graphviz takes it without a word; kept beside the trace for a look (LOCKSTEP_KEEP_PNG).
  viz::Renderer renderer;
  const auto png = std::filesystem::temp_directory_path() /
                   ("lockstep_divergence_" + std::to_string(::getpid()) + ".png");
  renderer.render(dot, png.string(), "png");
  BOOST_TEST(renderer.diagnostics().empty(), renderer.diagnostics());
  BOOST_TEST(std::filesystem::file_size(png) > 0u);
  if (std::getenv("LOCKSTEP_KEEP_PNG") == nullptr) std::filesystem::remove(png);
}

std::vector<sim::Scenario> library(const std::string& backend) {
  std::vector<sim::Scenario> out;
  for (const auto& f : test::scenario_files()) {
    out.push_back(test::load_ready(f));
    out.back().backend = backend;
  }
  return out;
}

// `all`: every fault must be detected (as under exact); otherwise every fault that changed
// some output (against the fault-free run of the same numerics) must be.
// `expect_divergences`: whether some fault-free run must diverge by numerics (nullopt: may).
void check_matrix_catches_everything(const verify::FaultMatrix& m,
                                     std::optional<bool> expect_divergences, bool all) {
  // Every fault but those only batch-1 AR can see (sim::caught_only_against_the_oracle) and
  // those only the distribution test can (sim::is_distribution_fault).
  std::size_t expected_rows = 0;
  for (const auto& f : sim::fault_registry()) {
    expected_rows +=
        sim::caught_only_against_the_oracle(f.fault) || sim::is_distribution_fault(f.fault) ? 0 : 1;
  }
  BOOST_TEST_REQUIRE(m.rows.size() == expected_rows);
  for (const auto& r : m.rows)
    BOOST_TEST(r.fault.rfind("sample-key-", 0) != 0, r.fault << " is in the float matrix");
  BOOST_TEST(m.float_numerics);
  BOOST_TEST(m.baseline_clean());
  bool diverged = false;
  for (std::size_t i = 0; i < m.baseline.cells.size(); ++i) {
    const auto& c = m.baseline.cells[i];
    BOOST_TEST((!c.first && c.error.empty()), m.scenarios[i].name);
    diverged = diverged || c.numerics_divergence;
  }
  if (expect_divergences) BOOST_TEST(diverged == *expect_divergences);
  for (const auto& r : m.rows) {
    BOOST_TEST((r.detected() || (!all && !r.changed_outputs(m.baseline))),
               r.fault << " is caught by no invariant under float numerics");
    for (std::size_t i = 0; i < r.cells.size(); ++i) {
      BOOST_TEST(r.cells[i].error.empty(), r.fault << " on " << m.scenarios[i].name);
      BOOST_TEST((r.cells[i].applies || !r.cells[i].first),
                 r.fault << " on " << m.scenarios[i].name);
    }
  }
  BOOST_TEST(m.every_effective_fault_detected());
  if (all) {
    BOOST_TEST(m.ok());
    BOOST_TEST(verify::fault_matrix_json(m)["all_detected"].get<bool>());
  }
}

BOOST_AUTO_TEST_CASE(the_fault_matrix_under_float_catches_every_fault) {
  // Symbolic: float numerics change no output, so this pins the float rule of I5 alone.
  check_matrix_catches_everything(
      verify::run_fault_matrix(library("symbolic"), {}, sim::Numerics::float32), false, true);
  // The flip double: the fault-free runs diverge by numerics, which must neither dirty the
  // baseline nor count as catching a fault. Its flips can steer a sequence away from the
  // only place a fault fires (first-eos-only needs a second EOS id in the output), so here
  // every fault that changed an output must be caught.
  const auto flipped = verify::run_fault_matrix(library("flip-test"), {}, sim::Numerics::float32);
  check_matrix_catches_everything(flipped, true, false);
  int detected = 0;
  for (const auto& r : flipped.rows) detected += r.detected() ? 1 : 0;
  BOOST_TEST(detected >= static_cast<int>(flipped.rows.size()) - 1);
}

// The library on the cpu backend at the smallest model sizes: every model larger than the
// "tiny" preset gets tiny's dimensions (its vocabulary and seed kept, so its prompts stay
// valid), so the matrix stays fast. SpecBench left out (it needs the data file).
std::vector<sim::Scenario> tiny_cpu_library() {
  const sim::ModelConfig tiny = sim::preset("tiny", 0);
  const auto shrink = [&](nlohmann::json& model) {
    if (!model.is_object() || !model.contains("preset") || model["preset"] == "tiny" ||
        model["preset"] == "draft-tiny")
      return;
    const sim::ModelConfig was = sim::preset(model["preset"].get<std::string>(), 0);
    model = {{"vocab", was.vocab},
             {"d_model", tiny.d_model},
             {"n_layers", tiny.n_layers},
             {"n_heads", tiny.n_heads},
             {"n_kv_heads", tiny.n_kv_heads},
             {"ffn", tiny.ffn},
             {"seed", model.value("seed", 0)}};
  };
  std::vector<sim::Scenario> out;
  for (const auto& f : test::scenario_files()) {
    if (std::filesystem::path(f).stem() == "specbench") continue;
    std::ifstream in(f);
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json j = nlohmann::json::parse(text.str());
    shrink(j["target"]);
    if (j["draft"].contains("model")) shrink(j["draft"]["model"]);
    sim::Scenario s = sim::parse_scenario(j.dump(), f);
    sim::finalize_scenario(s, "");
    s.backend = "cpu";
    out.push_back(std::move(s));
  }
  return out;
}

BOOST_AUTO_TEST_CASE(the_cpu_fault_matrix_under_float_catches_what_exact_catches) {
  // The real float backend: its fault-free runs may diverge by numerics (never a detection)
  // and every fault exact numerics catch on this library must be caught by an invariant.
  const auto library = tiny_cpu_library();
  const auto exact = verify::run_fault_matrix(library, {}, sim::Numerics::exact);
  const auto floated = verify::run_fault_matrix(library, {}, sim::Numerics::float32);
  BOOST_TEST(!exact.float_numerics);
  BOOST_TEST(exact.baseline_clean());
  check_matrix_catches_everything(floated, std::nullopt, false);
  // The float matrix leaves out the faults only batch-1 AR can see; the rest match by name.
  std::size_t compared = 0;
  for (const auto& e : exact.rows) {
    for (const auto& f : floated.rows) {
      if (f.fault != e.fault) continue;
      BOOST_TEST(f.detected() == e.detected(), e.fault);
      ++compared;
    }
  }
  BOOST_TEST(compared == floated.rows.size());
}

}  // namespace
}  // namespace lockstep
