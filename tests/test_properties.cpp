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
#include "verify/verify.h"

namespace lockstep {
namespace {

sim::ModelConfig model_with_vocab(int vocab, std::uint64_t seed) {
  sim::ModelConfig m = sim::preset("tiny", seed);
  m.name = "custom";
  m.vocab = vocab;
  return m;
}

sim::Scenario random_scenario() {
  sim::Scenario s;
  s.name = "property";
  s.backend = "symbolic";
  const int vocab = *rc::gen::element(3, 8, 16, 256);
  s.target = model_with_vocab(vocab, *rc::gen::inRange<std::uint64_t>(0, 1000));
  s.draft.model = model_with_vocab(vocab, *rc::gen::inRange<std::uint64_t>(0, 1000));
  s.batch_size = *rc::gen::inRange(1, 17);
  s.k = *rc::gen::inRange(1, 9);
  s.max_new_tokens = *rc::gen::inRange(1, 25);
  s.window = *rc::gen::inRange(std::max(2, s.batch_size), 33);
  const int prompts = *rc::gen::inRange(1, 13);
  for (int i = 0; i < prompts; ++i) {
    const int length = *rc::gen::inRange(1, 41);
    s.prompts.push_back(*rc::gen::container<std::vector<sim::Token>>(
        static_cast<std::size_t>(length), rc::gen::inRange<sim::Token>(0, vocab)));
  }
  if (*rc::gen::arbitrary<bool>()) s.eos_token = *rc::gen::inRange<sim::Token>(0, vocab);
  s.draft.seed = *rc::gen::inRange<std::uint64_t>(0, 1u << 20);
  if (*rc::gen::arbitrary<bool>()) {
    s.draft.kind = sim::DrafterSpec::Kind::oracle;
    s.draft.accept_prob = *rc::gen::inRange(0, 1001) / 1000.0;
  } else {
    s.draft.kind = sim::DrafterSpec::Kind::script;
    const int rounds = *rc::gen::inRange(1, 5);
    for (int r = 0; r < rounds; ++r) {
      s.draft.accepted.push_back(*rc::gen::container<std::vector<int>>(
          static_cast<std::size_t>(prompts), rc::gen::inRange(0, s.k + 1)));
    }
  }
  return s;
}

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
  sim::Scenario scenario = random_scenario();
  RC_TAG(scenario.eos_token.has_value() ? "eos" : "no-eos");
  std::vector<std::vector<sim::Token>> ar_outputs;
  for (const auto& strategy : sim::strategy_names()) {
    scenario.strategy = strategy;
    const verify::CheckedRun run = verify::run_checked(scenario, verify::CheckOptions{});
    if (!run.ok()) {
      const auto& v = run.violations.empty() ? verify::Violation{"-", 0, 0, 0, "outputs differ"}
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
