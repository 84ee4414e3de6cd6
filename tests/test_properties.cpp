// RapidCheck: random scenarios (batch 1-16, k 1-8, prompts of 1-40 tokens, acceptance
// probability in [0, 1] or scripted acceptance, EOS on or off, window 2-32, vocabularies
// small enough that EOS and repeated tokens are common) through every strategy: each must
// be output-equivalent to batch-1 AR with zero invariant violations. CTest runs 500 cases
// (RC_PARAMS in tests/CMakeLists.txt); a failure prints the shrunk scenario as JSON.
#define BOOST_TEST_MODULE properties
#include <rapidcheck/boost_test.h>
#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include "sim/model_config.h"
#include "sim/scenario.h"
#include "tests/random_scenario.h"
#include "verify/verify.h"

namespace lockstep {
namespace {

std::string to_json(const sim::Scenario& s) {
  nlohmann::json prompts = s.prompts;
  return nlohmann::json{{"vocab", s.target.vocab},
                        {"target_seed", s.target.seed},
                        {"draft_seed", s.draft.model.seed},
                        {"batch_size", s.batch_size},
                        {"k", s.k},
                        {"max_new_tokens", s.max_new_tokens},
                        {"window", s.window},
                        {"eos", s.eos_token ? *s.eos_token : -1},
                        {"accept_prob", s.draft.accept_prob},
                        {"accepted", s.draft.accepted},
                        {"script", s.draft.kind == sim::DrafterSpec::Kind::script},
                        {"drafter_seed", s.draft.seed},
                        {"prompts", prompts}}
      .dump();
}

RC_BOOST_PROP(every_strategy_matches_batch1_ar_with_no_violation, ()) {
  sim::Scenario scenario = test::random_scenario(test::ScenarioBounds{});
  RC_TAG(scenario.eos_token.has_value() ? "eos" : "no-eos");
  std::vector<std::vector<sim::Token>> ar_outputs;
  for (const auto& strategy : sim::strategy_names()) {
    scenario.strategy = strategy;
    const verify::CheckedRun run = verify::run_checked(scenario, verify::CheckOptions{});
    if (!run.ok()) {
      const auto& v = run.violations.empty() ? verify::Violation{.invariant = "-",
                                                                 .step = 0,
                                                                 .row = 0,
                                                                 .slot = 0,
                                                                 .detail = "outputs differ"}
                                             : run.violations.front();
      RC_FAIL(strategy + ": " + std::to_string(run.equivalent_sequences) + "/" +
              std::to_string(run.oracle.size()) + " equivalent, first " + v.invariant + " step " +
              std::to_string(v.step) + " row " + std::to_string(v.row) + " slot " +
              std::to_string(v.slot) + ": " + v.detail + "\nscenario: " + to_json(scenario));
    }
    if (strategy == "ar") {
      ar_outputs = run.result.outputs();
    } else {
      RC_ASSERT(run.result.outputs() == ar_outputs);
    }
  }
}

}  // namespace
}  // namespace lockstep
