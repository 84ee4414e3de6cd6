// Every strategy on every scenario file of the library: 100% output equivalence with
// batch-1 AR, zero invariant violations, outputs equal to the batched `ar` run sequence by
// sequence, and the same trace digest when run twice.
#define BOOST_TEST_MODULE strategies
#include <boost/test/unit_test.hpp>

#include "reference/cpu_backend.h"
#include "sim/scenario.h"
#include "tests/cpu_backend_fixture.h"
#include "tests/test_support.h"
#include "verify/verify.h"

namespace lockstep {
namespace {

// Scenario files name their backend (symbolic or cpu); both are available here.
verify::CheckedRun run(sim::Scenario s, const std::string& strategy) {
  s.strategy = strategy;
  s.window = std::max(s.window, s.batch_size);
  return verify::run_checked(s, verify::CheckOptions{});
}

std::string describe(const verify::CheckedRun& r) {
  std::string out = r.scenario.name + " / " + r.scenario.strategy + ": " +
                    std::to_string(r.equivalent_sequences) + " of " +
                    std::to_string(r.oracle.size()) + " equivalent, " +
                    std::to_string(r.violation_count) + " violations";
  if (!r.violations.empty()) {
    const auto& v = r.violations.front();
    out += "; first " + v.invariant + " step " + std::to_string(v.step) + " row " +
           std::to_string(v.row) + " slot " + std::to_string(v.slot) + ": " + v.detail;
  }
  return out;
}

BOOST_AUTO_TEST_CASE(library_has_the_required_scenarios) {
  const auto files = test::scenario_files();
  BOOST_TEST(files.size() >= 8u);
  for (const char* name :
       {"uniform_acceptance", "ragged_worst_case", "eos_inside_draft", "max_new_mid_acceptance",
        "prompt_lengths_1_vs_200", "more_slots_than_prompts", "single_sequence"}) {
    BOOST_TEST(
        std::filesystem::exists(test::source_path(std::string("scenarios/") + name + ".json")),
        name);
  }
  BOOST_TEST(std::filesystem::exists(test::source_path("scenarios/specbench.json")));
}

BOOST_AUTO_TEST_CASE(every_strategy_on_every_scenario_is_equivalent_and_clean) {
  for (const auto& file : test::scenario_files()) {
    const sim::Scenario scenario = test::load_ready(file);
    const verify::CheckedRun ar = run(scenario, "ar");
    BOOST_TEST_REQUIRE(ar.ok(), describe(ar));
    for (const auto& strategy : sim::strategy_names()) {
      const verify::CheckedRun r = run(scenario, strategy);
      BOOST_TEST(r.ok(), describe(r));
      BOOST_TEST(r.violation_count == 0, describe(r));
      BOOST_TEST(r.result.metrics.steps > 0);
      // Rejection sampling's outputs differ from sampled AR by design (test_rejection_sampling
      // checks them across layouts instead).
      if (r.rejection && strategy != "ar") continue;
      BOOST_TEST(r.equivalent_sequences == static_cast<int>(scenario.prompts.size()), describe(r));
      const auto outputs = r.result.outputs();
      const auto ar_outputs = ar.result.outputs();
      for (std::size_t i = 0; i < outputs.size(); ++i) {
        BOOST_TEST(outputs[i] == ar_outputs[i], describe(r)
                                                    << " sequence " << i << " differs from ar");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(same_scenario_twice_gives_the_same_digest) {
  for (const auto& file : test::scenario_files()) {
    const sim::Scenario scenario = test::load_ready(file);
    for (const auto& strategy : sim::strategy_names()) {
      const auto a = run(scenario, strategy);
      const auto b = run(scenario, strategy);
      BOOST_TEST(a.trace_digest == b.trace_digest, scenario.name << " / " << strategy);
    }
  }
}

BOOST_AUTO_TEST_CASE(digest_changes_when_the_run_changes) {
  const sim::Scenario scenario =
      test::load_ready(test::source_path("scenarios/ragged_worst_case.json"));
  const auto eqspec = run(scenario, "eqspec");
  const auto packed = run(scenario, "packed");
  BOOST_TEST(eqspec.trace_digest != packed.trace_digest);
  sim::Scenario other_seed = scenario;
  other_seed.draft.seed += 1;
  BOOST_TEST(run(other_seed, "eqspec").trace_digest != eqspec.trace_digest);
}

BOOST_AUTO_TEST_CASE(checking_off_changes_nothing_but_the_checks) {
  const sim::Scenario scenario = test::load_ready(test::source_path("scenarios/exspec_pool.json"));
  verify::CheckOptions off;
  off.check_invariants = false;
  const auto unchecked = verify::run_checked(scenario, off);
  const auto checked = verify::run_checked(scenario, verify::CheckOptions{});
  BOOST_TEST(!unchecked.invariants_checked);
  BOOST_TEST(unchecked.trace_digest == checked.trace_digest);
  BOOST_TEST(unchecked.equivalent_sequences == static_cast<int>(scenario.prompts.size()));
}

BOOST_AUTO_TEST_CASE(eos_inside_a_draft_stops_the_row_at_the_eos) {
  const sim::Scenario scenario =
      test::load_ready(test::source_path("scenarios/eos_inside_draft.json"));
  BOOST_TEST_REQUIRE(scenario.eos_token.has_value());
  for (const auto& strategy : sim::strategy_names()) {
    const auto r = run(scenario, strategy);
    const auto outputs = r.result.outputs();
    // Row 0 accepts all k drafts in its first round; the third is EOS.
    BOOST_TEST(outputs[0].size() == 3u, strategy);
    BOOST_TEST(outputs[0].back() == *scenario.eos_token, strategy);
    for (const auto& out : outputs) {
      const auto eos = std::find(out.begin(), out.end(), *scenario.eos_token);
      BOOST_TEST((eos == out.end() || eos + 1 == out.end()), strategy << ": tokens after EOS");
      BOOST_TEST(static_cast<int>(out.size()) <= scenario.max_new_tokens);
    }
  }
}

BOOST_AUTO_TEST_CASE(max_new_tokens_cuts_inside_an_accepted_run) {
  const sim::Scenario scenario =
      test::load_ready(test::source_path("scenarios/max_new_mid_acceptance.json"));
  for (const auto& strategy : sim::strategy_names()) {
    const auto r = run(scenario, strategy);
    for (const auto& out : r.result.outputs())
      BOOST_TEST(static_cast<int>(out.size()) == scenario.max_new_tokens);
  }
  // eqspec: every row accepts all 4 drafts: 5 tokens in round one, then 2 of the next 5.
  const auto r = run(scenario, "eqspec");
  BOOST_TEST(r.result.metrics.steps == 2);
  BOOST_TEST(r.result.metrics.generated_tokens == 3 * 7);
}

}  // namespace
}  // namespace lockstep
