// lockstep replay (verify/replay.h): the trace comparison, the random scenario generator, and
// whole replays on backend pairs that must agree (cpu,cpu; symbolic,symbolic) and on a pair
// that must not (symbolic vs cpu: different models, so the first pass record differs).
#define BOOST_TEST_MODULE replay
#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

#include "reference/cpu_backend.h"
#include "sim/error.h"
#include "sim/scenario.h"
#include "tests/test_support.h"
#include "verify/replay.h"

namespace {

using namespace lockstep;

struct RegisterCpu {
  RegisterCpu() { reference::register_cpu_backend(); }
};
BOOST_GLOBAL_FIXTURE(RegisterCpu);

const std::string kTraceA =
    "{\"event\":\"run\",\"k\":5}\n"
    "{\"event\":\"pass\",\"logits\":\"00000000000000aa\",\"step\":1}\n"
    "{\"event\":\"timing\",\"run_seconds\":1.5}\n"
    "{\"event\":\"verify\",\"rows\":[{\"accepted\":3,\"row\":0},{\"accepted\":1,\"row\":1}],"
    "\"step\":1}\n";

}  // namespace

BOOST_AUTO_TEST_CASE(identical_traces_ignore_timing_records) {
  std::string b = kTraceA;
  b.replace(b.find("1.5"), 3, "9.25");
  const auto d = verify::compare_traces(kTraceA, b);
  BOOST_TEST(d.identical);
  BOOST_TEST(verify::describe(d, "a", "b") == "identical");
}

BOOST_AUTO_TEST_CASE(the_first_differing_field_is_named_with_its_path_and_values) {
  std::string b = kTraceA;
  b.replace(b.find("\"accepted\":1"), 12, "\"accepted\":2");
  const auto d = verify::compare_traces(kTraceA, b);
  BOOST_TEST(!d.identical);
  BOOST_TEST(d.record == 2);  // run, pass, verify: the timing line is not counted
  BOOST_TEST(d.line_a == 4);
  BOOST_TEST(d.step == 1);
  BOOST_TEST(d.event == "verify");
  BOOST_TEST(d.field == "rows[1].accepted");
  BOOST_TEST(d.value_a == "1");
  BOOST_TEST(d.value_b == "2");
  const auto text = verify::describe(d, "cpu", "gpu");
  BOOST_TEST(text.find("step 1") != std::string::npos);
  BOOST_TEST(text.find("rows[1].accepted: cpu 1 vs gpu 2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(missing_keys_and_records_are_divergences) {
  std::string b = kTraceA;
  b.replace(b.find(",\"k\":5"), 6, "");
  auto d = verify::compare_traces(kTraceA, b);
  BOOST_TEST(d.field == "k");
  BOOST_TEST(d.value_b == "<missing>");
  const std::string shorter = kTraceA.substr(0, kTraceA.rfind("{\"event\":\"verify\""));
  d = verify::compare_traces(kTraceA, shorter);
  BOOST_TEST(d.field == "<end of trace>");
  BOOST_TEST(d.line_b == 0);
  BOOST_TEST(d.record == 2);
  BOOST_CHECK_THROW(verify::compare_traces("not json\n", kTraceA), InputError);
}

BOOST_AUTO_TEST_CASE(cpu_against_cpu_is_identical) {
  auto s = test::load_ready(test::source_path("scenarios/single_sequence.json"));
  s.max_new_tokens = 12;
  verify::ReplayOptions o;
  o.backend_a = o.backend_b = "cpu";
  const auto r = verify::replay(s, o);
  BOOST_TEST_MESSAGE(verify::describe(r.divergence, "cpu", "cpu"));
  BOOST_TEST(r.identical());
  BOOST_TEST(r.a.ok);
  BOOST_TEST(r.a.trace_digest == r.b.trace_digest);
  BOOST_TEST(r.a.logits_digest == r.b.logits_digest);
  BOOST_TEST(r.a.final_kv_digest == r.b.final_kv_digest);
  BOOST_TEST(r.a.records > 5);
}

BOOST_AUTO_TEST_CASE(symbolic_against_symbolic_is_identical_on_every_scenario) {
  verify::ReplayOptions o;
  o.backend_a = o.backend_b = "symbolic";
  for (const auto& path : test::scenario_files()) {
    auto s = test::load_ready(path);
    if (s.backend != "symbolic") continue;
    const auto r = verify::replay(s, o);
    BOOST_CHECK_MESSAGE(r.identical(), path << ": " << verify::describe(r.divergence, "a", "b"));
  }
}

BOOST_AUTO_TEST_CASE(symbolic_against_cpu_diverges_at_the_first_pass) {
  auto s = test::load_ready(test::source_path("scenarios/single_sequence.json"));
  s.max_new_tokens = 6;
  verify::ReplayOptions o;
  o.backend_a = "symbolic";
  o.backend_b = "cpu";
  const auto r = verify::replay(s, o);
  BOOST_TEST(!r.identical());
  const auto& d = r.divergence;
  BOOST_TEST_MESSAGE(verify::describe(d, "symbolic", "cpu"));
  BOOST_TEST(d.event == "pass");
  BOOST_TEST(d.step == 1);
  BOOST_TEST((d.field == "argmax" || d.field == "logits"));
  BOOST_TEST(d.value_a != d.value_b);
  BOOST_TEST(d.record >= 1);
  BOOST_TEST(r.a.trace_digest != r.b.trace_digest);
}

BOOST_AUTO_TEST_CASE(random_scenarios_are_valid_and_a_pure_function_of_seed_and_index) {
  std::set<std::string> strategies;
  for (int i = 0; i < 200; ++i) {
    BOOST_TEST(verify::random_scenario_json(3, i) == verify::random_scenario_json(3, i));
    const auto s = verify::random_scenario(3, i);  // throws if invalid
    strategies.insert(s.strategy);
  }
  BOOST_TEST(verify::random_scenario_json(3, 0) != verify::random_scenario_json(4, 0));
  BOOST_TEST(strategies.size() == sim::strategy_names().size());
}

BOOST_AUTO_TEST_CASE(random_replays_on_symbolic_are_identical) {
  verify::ReplayOptions o;
  o.backend_a = o.backend_b = "symbolic";
  for (int i = 0; i < 20; ++i) {
    const auto s = verify::random_scenario(11, i);
    const auto r = verify::replay(s, o);
    BOOST_CHECK_MESSAGE(r.identical(), s.name << ": " << verify::describe(r.divergence, "a", "b"));
    BOOST_CHECK_MESSAGE(r.a.ok, s.name << " is not output-equivalent on symbolic");
  }
}
