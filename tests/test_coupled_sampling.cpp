// Coupled sampling (issue 14 items 2 and 4; docs/strategies.md "Coupled sampling"): under
// sampling every strategy at every batch size reproduces sampled batch-1 AR token for token
// (symbolic backend over random scenarios, cpu backend on a preset, the real model when it is
// cached), because each draw is keyed on (seed, sequence, position) and never on the batch row
// or the pass. Also: a drafter model draws with its own purpose; top_k = 1 is greedy; the
// scenario field, the flags' errors, the trace header; and the two sampling faults are caught.
// draft_uniform "target" (the drafter draws with the target's uniform, docs/numerics.md
// §14.9): still sampled AR's output everywhere, every draft of a self-drafting target accepted,
// refused with rejection, recorded in and read back from the trace header.
#define BOOST_TEST_MODULE coupled_sampling
#include <rapidcheck/boost_test.h>
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "reference/cpu_backend.h"
#include "resolve/model_scenario.h"
#include "sim/error.h"
#include "sim/faults.h"
#include "sim/scenario.h"
#include "sim/trace_reader.h"
#include "tests/cpu_backend_fixture.h"
#include "tests/model_support.h"
#include "tests/random_scenario.h"
#include "tests/test_support.h"
#include "verify/replay.h"
#include "verify/verify.h"

namespace lockstep {
namespace {

using sim::Token;

sim::SamplingOptions sampling(float temperature, int top_k, double top_p, std::uint64_t seed) {
  sim::SamplingOptions o;
  o.params.temperature = temperature;
  o.params.top_k = top_k;
  o.params.top_p = top_p;
  o.seed = seed;
  return o;
}

verify::CheckedRun checked(sim::Scenario s, const std::string& strategy) {
  s.strategy = strategy;
  return verify::run_checked(s, verify::CheckOptions{});
}

std::string describe(const verify::CheckedRun& run) {
  std::string out = std::to_string(run.equivalent_sequences) + "/" +
                    std::to_string(run.oracle.size()) + " equivalent, " +
                    std::to_string(run.violation_count) + " violations";
  if (!run.violations.empty()) {
    const auto& v = run.violations.front();
    out += ", first " + v.invariant + " step " + std::to_string(v.step) + ": " + v.detail;
  }
  return out;
}

// The random scenarios of the property tests, plus a model drafter now and then (its draft
// passes are sampled with purpose draft_sample), under random sampling parameters.
sim::Scenario random_sampled_scenario() {
  sim::Scenario s = test::random_scenario(test::ScenarioBounds{});
  if (*rc::gen::inRange(0, 4) == 0) {
    s.draft.kind = sim::DrafterSpec::Kind::model;
    // Half of them the target itself: high acceptance, exercising long accepted prefixes.
    if (*rc::gen::arbitrary<bool>()) s.draft.model = s.target;
  }
  const float temperature = *rc::gen::element(0.3f, 0.7f, 1.0f, 1.5f);
  const int top_k = *rc::gen::element(1, 3, numerics::kTopKAll);
  const double top_p = *rc::gen::element(0.5, 0.9, 1.0);
  s.sampling = sampling(temperature, top_k, top_p, *rc::gen::inRange<std::uint64_t>(0, 1000));
  if (*rc::gen::arbitrary<bool>()) s.sampling.draft_uniform = sim::DraftUniform::target;
  return s;
}

RC_BOOST_PROP(every_strategy_and_batch_size_reproduces_sampled_batch1_ar, ()) {
  sim::Scenario s = random_sampled_scenario();
  RC_TAG(s.draft.kind == sim::DrafterSpec::Kind::model ? "model drafter" : "other drafter");
  for (const auto& strategy : sim::strategy_names()) {
    const verify::CheckedRun run = checked(s, strategy);
    if (!run.ok())
      RC_FAIL(strategy + " batch " + std::to_string(s.batch_size) + ": " + describe(run));
  }
}

sim::Scenario library(const std::string& file) {
  return test::load_ready(test::source_path("scenarios/" + file));
}

// The sequence's outputs do not depend on which other sequences share the run: the first
// three prompts give the same tokens alone as with five more behind them, at every batch size.
BOOST_AUTO_TEST_CASE(outputs_do_not_depend_on_the_other_sequences_or_the_batch_size) {
  sim::Scenario all = library("sampled_coupled.json");
  sim::Scenario few = all;
  few.prompts.resize(3);
  few.batch_size = 1;
  const auto alone = checked(few, "ar").result.outputs();
  for (int batch : {1, 2, 3, 5, 8}) {
    all.batch_size = batch;
    all.window = std::max(all.window, batch);
    for (const auto& strategy : sim::strategy_names()) {
      const auto run = checked(all, strategy);
      BOOST_TEST(run.ok(), strategy << " batch " << batch << ": " << describe(run));
      auto outputs = run.result.outputs();
      outputs.resize(3);
      BOOST_TEST((outputs == alone), strategy << " batch " << batch);
    }
  }
}

BOOST_AUTO_TEST_CASE(sampling_changes_the_output_and_top_k_1_is_greedy) {
  sim::Scenario s = library("sampled_coupled.json");
  const auto sampled = checked(s, "eqspec").result.outputs();
  s.sampling.params.temperature = 0.0f;
  const auto greedy = checked(s, "eqspec").result.outputs();
  BOOST_TEST((sampled != greedy));
  s.sampling = sampling(1.0f, 1, 1.0, 99);
  BOOST_TEST((checked(s, "eqspec").result.outputs() == greedy));
  // Another seed, another sample.
  s.sampling = sampling(1.0f, numerics::kTopKAll, 0.95, 8);
  BOOST_TEST((checked(s, "eqspec").result.outputs() != sampled));
}

// A draft model identical to the target proposes exactly the target's token under greedy
// decoding; under sampling it draws with purpose draft_sample, independent of the target's
// draw, so some proposals are rejected, and the output is still sampled AR's.
BOOST_AUTO_TEST_CASE(a_draft_model_draws_with_its_own_purpose) {
  sim::Scenario s = library("sampled_coupled.json");
  s.draft.kind = sim::DrafterSpec::Kind::model;
  s.draft.model = s.target;
  const auto sampled = checked(s, "eqspec");
  BOOST_TEST(sampled.ok(), describe(sampled));
  const auto& m = sampled.result.metrics;
  BOOST_TEST(m.draft_accepted > 0);
  BOOST_TEST(m.draft_accepted < m.draft_proposed);
  s.sampling.params.temperature = 0.0f;
  const auto greedy = checked(s, "eqspec").result.metrics;
  BOOST_TEST(greedy.draft_accepted == greedy.draft_proposed);
}

BOOST_AUTO_TEST_CASE(the_cpu_backend_reproduces_sampled_ar_on_a_preset) {
  sim::Scenario s = library("model_drafter_target_layers.json");
  for (float temperature : {0.7f, 1.0f}) {
    s.sampling = sampling(temperature, 50, 0.9, 3);
    for (const auto& strategy : sim::strategy_names()) {
      const auto run = checked(s, strategy);
      BOOST_TEST(run.ok(), strategy << " T " << temperature << ": " << describe(run));
    }
  }
}

// Item 4: each keying fault is caught on the sampled library scenario by I5 (every committed
// token equals sampled batch-1 AR's), on both backends and every strategy; on a greedy run
// it changes nothing.
BOOST_AUTO_TEST_CASE(keying_faults_are_caught_by_I5_and_harmless_when_greedy) {
  for (const char* backend : {"symbolic", "cpu"}) {
    sim::Scenario s = library("sampled_coupled.json");
    s.backend = backend;
    for (const char* fault : {"sample-key-batch-row", "sample-key-pass-counter"}) {
      for (const auto& strategy : sim::strategy_names()) {
        sim::Scenario faulty = s;
        faulty.faults = {fault};
        const auto run = checked(faulty, strategy);
        BOOST_TEST_REQUIRE(!run.violations.empty(), fault << " " << strategy << " " << backend);
        BOOST_TEST(run.violations.front().invariant == "I5", fault << " " << strategy);
        BOOST_TEST(run.equivalent_sequences < static_cast<int>(run.oracle.size()), fault);
      }
      sim::Scenario greedy = s;
      greedy.sampling = {};
      const auto clean = checked(greedy, "packed");
      greedy.faults = {fault};
      const auto faulty = checked(greedy, "packed");
      BOOST_TEST(faulty.ok(), fault);
      BOOST_TEST((faulty.result.outputs() == clean.result.outputs()), fault);
      BOOST_TEST(faulty.result.metrics.forward_passes == clean.result.metrics.forward_passes);
    }
  }
}

// draft_uniform "target": the committed token is still the target's draw, so every strategy at
// batch 1, 4 and 8 reproduces sampled batch-1 AR with I1-I5 holding, on the symbolic backend
// (a target drafting for itself; another symbolic draft model) and on cpu (the small preset
// with its layer-skip drafter).
BOOST_AUTO_TEST_CASE(the_target_uniform_keeps_every_output_sampled_ar) {
  sim::Scenario other_draft = library("sampled_coupled.json");
  other_draft.draft.kind = sim::DrafterSpec::Kind::model;
  other_draft.draft.model = other_draft.target;
  other_draft.draft.model.seed += 1;
  const std::vector<sim::Scenario> scenarios = {
      test::load_ready(test::source_path("docs/results/sampling/symbolic_self_draft.json")),
      other_draft, library("model_drafter_target_layers.json")};
  for (sim::Scenario s : scenarios) {
    for (float temperature : {0.7f, 1.0f}) {
      s.sampling = sampling(temperature, numerics::kTopKAll, 1.0, 1);
      s.sampling.draft_uniform = sim::DraftUniform::target;
      for (int batch : {1, 4, 8}) {
        s.batch_size = batch;
        s.window = std::max(s.window, batch);
        for (const auto& strategy : sim::strategy_names()) {
          const auto run = checked(s, strategy);
          BOOST_TEST(run.ok(), s.name << " " << strategy << " batch " << batch << " T "
                                      << temperature << ": " << describe(run));
        }
      }
    }
  }
}

// Equal distributions and equal uniforms give equal draws: a target drafting for itself with
// the target's uniform has every draft accepted, exactly, at every strategy; with its own
// uniform (the default) only about sum_x p(x)^2 of them.
BOOST_AUTO_TEST_CASE(a_self_drafting_target_with_the_target_uniform_accepts_every_draft) {
  sim::Scenario s =
      test::load_ready(test::source_path("docs/results/sampling/symbolic_self_draft.json"));
  for (float temperature : {0.7f, 1.0f}) {
    s.sampling = sampling(temperature, numerics::kTopKAll, 1.0, 1);
    for (const auto& strategy : sim::strategy_names()) {
      if (strategy == "ar") continue;
      s.sampling.draft_uniform = sim::DraftUniform::target;
      const auto coupled = checked(s, strategy);
      BOOST_TEST(coupled.ok(), strategy << ": " << describe(coupled));
      const auto& m = coupled.result.metrics;
      BOOST_TEST(m.draft_proposed > 0, strategy);
      BOOST_TEST(m.draft_accepted == m.draft_proposed, strategy << " T " << temperature);
      s.sampling.draft_uniform = sim::DraftUniform::own;
      const auto own = checked(s, strategy);
      BOOST_TEST(own.result.metrics.draft_accepted < own.result.metrics.draft_proposed);
      BOOST_TEST((own.result.outputs() == coupled.result.outputs()), strategy);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_target_uniform_is_refused_with_rejection_sampling) {
  sim::Scenario s = library("sampled_rejection.json");
  s.sampling.draft_uniform = sim::DraftUniform::target;
  BOOST_CHECK_EXCEPTION(sim::validate_scenario(s), InputError, [](const InputError& e) {
    const std::string what = e.what();
    return what.find("sampling.draft_uniform") != std::string::npos &&
           what.find("sampling.acceptance") != std::string::npos &&
           what.find("independent") != std::string::npos;
  });
  s.sampling.draft_uniform = sim::DraftUniform::own;
  BOOST_CHECK_NO_THROW(sim::validate_scenario(s));
}

const std::string kBase = R"({"name": "n", "description": "", "backend": "symbolic",
    "target": {"preset": "tiny", "seed": 1}, "draft": {"kind": "oracle", "accept_prob": 1.0,
    "seed": 1}, "strategy": "eqspec", "batch_size": 1, "k": 1, "max_new_tokens": 2,
    "window": 1, "eos_token": null, "faults": [], "prompts": [[1, 2]])";

void expect_error(const std::string& sampling_json, const std::string& needle1,
                  const std::string& needle2) {
  BOOST_CHECK_EXCEPTION(
      sim::parse_scenario(kBase + R"(, "sampling": )" + sampling_json + "}", "f.json"), InputError,
      [&](const InputError& e) {
        const std::string what = e.what();
        const bool ok = what.find(needle1) != std::string::npos &&
                        what.find(needle2) != std::string::npos &&
                        what.find("f.json") != std::string::npos;
        if (!ok) BOOST_TEST_MESSAGE("message: " << what);
        return ok;
      });
}

BOOST_AUTO_TEST_CASE(the_scenario_field_is_checked) {
  BOOST_TEST(sim::parse_scenario(kBase + "}", "f").sampling.greedy());
  const auto s = sim::parse_scenario(
      kBase + R"(, "sampling": {"temperature": 0.7, "top_k": 50, "top_p": 0.9, "seed": 12,
                 "acceptance": "coupled"}})",
      "f");
  BOOST_TEST(s.sampling.params.temperature == 0.7f);
  BOOST_TEST(s.sampling.params.top_k == 50);
  BOOST_TEST(s.sampling.params.top_p == 0.9);
  BOOST_TEST(s.sampling.seed == 12u);
  BOOST_TEST((s.sampling.acceptance == sim::Acceptance::coupled));
  expect_error(R"({"top_k": 5})", "sampling.temperature", "missing");
  expect_error(R"({"temperature": -1})", "sampling.temperature", "-1");
  expect_error(R"({"temperature": 1e300})", "sampling.temperature", "1e+300");
  expect_error(R"({"temperature": "hot"})", "sampling.temperature", "hot");
  expect_error(R"({"temperature": 1, "top_k": 0})", "sampling.top_k", "0");
  expect_error(R"({"temperature": 1, "top_p": 1.5})", "sampling.top_p", "1.5");
  expect_error(R"({"temperature": 1, "top_p": 0})", "sampling.top_p", "0");
  expect_error(R"({"temperature": 1, "seed": -3})", "sampling.seed", "-3");
  expect_error(R"({"temperature": 1, "acceptance": "lucky"})", "sampling.acceptance", "lucky");
  expect_error(R"({"temperature": 1, "temprature": 1})", "sampling.temprature", "unknown");
  BOOST_TEST((s.sampling.draft_uniform == sim::DraftUniform::own));
  BOOST_TEST((sim::parse_scenario(kBase + R"(, "sampling": {"temperature": 1,
                 "draft_uniform": "target"}})",
                                  "f")
                  .sampling.draft_uniform == sim::DraftUniform::target));
  expect_error(R"({"temperature": 1, "draft_uniform": "mine"})", "sampling.draft_uniform", "mine");
  expect_error(R"({"temperature": 1, "draft_uniform": 2})", "sampling.draft_uniform", "2");
  expect_error(R"({"temperature": 1, "acceptance": "rejection", "draft_uniform": "target"})",
               "sampling.draft_uniform", "sampling.acceptance");
  expect_error(R"(0.7)", "sampling", "object");
}

BOOST_AUTO_TEST_CASE(the_trace_header_records_sampling_only_when_sampled) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("lockstep_sampling_trace_" + std::to_string(::getpid()) + ".jsonl");
  sim::Scenario s = library("sampled_coupled.json");
  for (float temperature : {0.0f, 0.7f}) {
    s.sampling.params.temperature = temperature;
    verify::CheckOptions options;
    options.trace_path = path.string();
    const auto run = verify::run_checked(s, options);
    BOOST_TEST(run.ok());
    const auto trace = sim::trace::read_trace_file(options.trace_path);
    BOOST_TEST(trace.run().sampling.has_value() == (temperature > 0.0f));
    if (temperature > 0.0f) {
      BOOST_TEST(trace.run().sampling->params.temperature == 0.7f);
      BOOST_TEST(trace.run().sampling->params.top_p == 0.95);
      BOOST_TEST(trace.run().sampling->seed == 7u);
    }
  }
  std::filesystem::remove(path);
}

// draft_uniform is written only when not "own" (so earlier sampled traces keep their bytes),
// read back by the strict reader, and two runs of the scenario (symbolic twice, cpu twice)
// give identical traces.
BOOST_AUTO_TEST_CASE(the_trace_header_records_the_target_uniform_and_replays_identically) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("lockstep_draft_uniform_trace_" + std::to_string(::getpid()) + ".jsonl");
  sim::Scenario s = library("sampled_coupled.json");
  s.draft.kind = sim::DrafterSpec::Kind::model;
  s.draft.model = s.target;
  for (auto uniform : {sim::DraftUniform::own, sim::DraftUniform::target}) {
    s.sampling.draft_uniform = uniform;
    verify::CheckOptions options;
    options.trace_path = path.string();
    BOOST_TEST(verify::run_checked(s, options).ok());
    const auto trace = sim::trace::read_trace_file(options.trace_path);
    BOOST_TEST_REQUIRE(trace.run().sampling.has_value());
    BOOST_TEST((trace.run().sampling->draft_uniform == uniform));
    std::ifstream in(path);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    BOOST_TEST((text.find("draft_uniform") != std::string::npos) ==
               (uniform == sim::DraftUniform::target));
  }
  std::filesystem::remove(path);
  for (const char* backend : {"symbolic", "cpu"}) {
    sim::Scenario on = s;
    on.backend = backend;
    verify::ReplayOptions o;
    o.backend_a = o.backend_b = backend;
    const auto r = verify::replay(on, o);
    BOOST_TEST(r.identical(), backend << ": " << verify::describe(r.divergence, "a", "b"));
    BOOST_TEST(r.a.ok, backend);
  }
}

BOOST_AUTO_TEST_CASE(the_sampling_faults_are_registered_for_every_strategy) {
  for (const char* name : {"sample-key-batch-row", "sample-key-pass-counter"}) {
    const auto set = sim::FaultSet::from_names({name});
    for (const auto& info : sim::fault_registry()) {
      if (!set.has(info.fault)) continue;
      for (const auto& strategy : sim::strategy_names())
        BOOST_TEST(sim::fault_applies(info.fault, strategy), name << " " << strategy);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_real_model_reproduces_sampled_ar,
                     *boost::unit_test::precondition(test::real_model_present) *
                         boost::unit_test::precondition(test::specbench_present)) {
  sim::Scenario s = sim::load_scenario_file("scenarios/models/smollm2_specbench.json",
                                            sim::CrossChecks::after_overrides);
  s.max_new_tokens = 8;
  s.sampling = sampling(0.7f, numerics::kTopKAll, 1.0, 1);
  resolve::finalize_scenario(s, test::specbench_path());
  for (const std::string& strategy : sim::strategy_names()) {
    const auto run = checked(s, strategy);
    BOOST_TEST(run.ok(), strategy << ": " << describe(run));
  }
}

}  // namespace
}  // namespace lockstep
