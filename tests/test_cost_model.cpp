// The cost model (sim/cost_model.h), its run observer, sweeps and calibration:
// hand-computed pass costs for a small configuration, monotonicity properties, realignment
// bytes equal to the move plans' sum, none for packed, deterministic sweep CSV, and a
// calibration that recovers the constants its input rows were generated with.
#define BOOST_TEST_MODULE cost_model
#include <rapidcheck/boost_test.h>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "sim/cost_calibrate.h"
#include "sim/cost_observer.h"
#include "sim/cost_sweep.h"
#include "sim/error.h"
#include "sim/runner.h"
#include "sim/symbolic_backend.h"
#include "tests/test_support.h"
#include "verify/verify.h"

namespace lockstep {
namespace {

std::string fmt_seconds(double t) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", t);
  return buf;
}

// 2 layers, d 8, 2 heads of 4 (1 kv head), ffn 16, vocab 100; round-number hardware.
sim::CostModel small_model() {
  const sim::ModelDims t{"t", 100, 8, 2, 2, 1, 4, 16};
  const sim::ModelDims d{"d", 100, 8, 1, 2, 1, 4, 16};
  return sim::CostModel(sim::Hardware{"test", 1e12, 2e12, 1e12, 1e-6}, sim::ModelPair{"t/d", t, d},
                        sim::Precision::bf16);
}

BOOST_AUTO_TEST_CASE(pass_cost_matches_hand_computation) {
  const auto model = small_model();
  // Per layer: q 8x8 + k,v 2 x 8x4 + o 8x8 + 3 x 8x16 = 576; streamed 2 x 576 + 100 x 8 = 1952.
  BOOST_TEST(model.pair().target.layer_params() == 576);
  BOOST_TEST(model.pair().target.streamed_params() == 1952);
  BOOST_TEST(model.kv_bytes_per_slot(true) == 32.0);  // 2 (K,V) x 2 layers x 1 x 4 x 2 bytes
  // Two rows of 3 new tokens attending 10 slots each (30 query-key pairs per row).
  const auto c = model.pass(true, {{3, 10, 30}, {3, 10, 30}});
  BOOST_TEST(c.weight_bytes == 3904.0);
  BOOST_TEST(c.kv_read_bytes == 640.0);
  BOOST_TEST(c.kv_write_bytes == 192.0);
  BOOST_TEST(c.activation_bytes == 2496.0);  // 6 x 8 x 2 + 2 x 6 x 100 x 2
  BOOST_TEST(c.ops == 27264.0);              // 2 x 6 x 1952 + 4 x 60 x 2 x 4 x 2
  BOOST_TEST(c.launches == 24);              // 2 x 10 + 4
  BOOST_TEST(std::abs(c.memory_seconds - 7232e-12) < 1e-20);
  BOOST_TEST(std::abs(c.compute_seconds - 27264e-12) < 1e-20);
  BOOST_TEST(std::abs(c.seconds - (27264e-12 + 24e-6)) < 1e-18);
  // A move plan of 5 slots: 160 bytes read and written, one launch.
  const auto m = model.move_plan(true, 5);
  BOOST_TEST(m.bytes_moved == 160.0);
  BOOST_TEST(std::abs(m.seconds - (320e-12 + 1e-6)) < 1e-18);
  // Paper rebuild: 3 rows x width 7 zero-filled, 12 live slots copied, 2 x 2 x (1 + 3) launches.
  const auto r = model.rebuild(true, 3, 7, 12);
  BOOST_TEST(r.bytes_zeroed == 672.0);
  BOOST_TEST(r.bytes_moved == 384.0);
  BOOST_TEST(r.launches == 16);
  BOOST_TEST(std::abs(r.seconds - ((672.0 + 768.0) * 1e-12 + 16e-6)) < 1e-18);
}

BOOST_AUTO_TEST_CASE(spec_parsing_and_presets) {
  const auto m = sim::parse_cost_spec("h200:qwen3-8b/qwen3-0.6b:int8");
  BOOST_TEST(m.spec() == "h200:qwen3-8b/qwen3-0.6b:int8");
  BOOST_TEST(m.kv_bytes_per_slot(true) == 2.0 * 36 * 8 * 128);  // GQA: 8 kv heads
  BOOST_TEST(m.pair().draft.vocab == 151936);
  BOOST_TEST(
      (sim::parse_cost_spec("a100:vicuna-7b/vicuna-68m").precision() == sim::Precision::bf16));
  BOOST_CHECK_THROW(sim::parse_cost_spec("h300:vicuna-7b/vicuna-68m"), InputError);
  BOOST_CHECK_THROW(sim::parse_cost_spec("h200:vicuna-7b"), InputError);
  BOOST_CHECK_THROW(sim::parse_cost_spec("h200:vicuna-7b/vicuna-68m:fp8"), InputError);
  BOOST_CHECK_THROW(sim::parse_cost_spec("h200"), InputError);
  // Calibrated constants travel in the spec and round-trip through spec().
  const auto c = sim::parse_cost_spec("h200:vicuna-7b/vicuna-68m:bf16:0.8:6.5");
  BOOST_TEST(c.constants().bandwidth_fraction == 0.8);
  BOOST_TEST(std::abs(c.launch_overhead() - 6.5e-6) < 1e-15);
  BOOST_TEST(c.spec() == "h200:vicuna-7b/vicuna-68m:bf16:0.8:6.5");
  BOOST_CHECK_THROW(sim::parse_cost_spec("h200:vicuna-7b/vicuna-68m:bf16:0.8"), InputError);
  BOOST_CHECK_THROW(sim::parse_cost_spec("h200:vicuna-7b/vicuna-68m:bf16:1.5:6"), InputError);
  BOOST_CHECK_THROW(sim::parse_cost_spec("h200:vicuna-7b/vicuna-68m:bf16:0.8:x"), InputError);
}

RC_BOOST_PROP(more_tokens_or_longer_kv_is_never_cheaper, ()) {
  const auto names = sim::pair_names();
  const auto pair = *rc::gen::elementOf(names);
  const auto hw = *rc::gen::elementOf(sim::hardware_names());
  const auto model =
      sim::parse_cost_spec(hw + ":" + pair + ":" + *rc::gen::element<std::string>("int8", "bf16"));
  const bool target = *rc::gen::arbitrary<bool>();
  const int rows = *rc::gen::inRange(1, 9);
  std::vector<sim::RowWork> work;
  for (int r = 0; r < rows; ++r) {
    const std::int64_t t = *rc::gen::inRange(1, 300);
    const std::int64_t kv = t + *rc::gen::inRange(0, 5000);
    work.push_back({t, kv, t * kv});
  }
  const double base = model.pass(target, work).seconds;
  auto more = work;
  const auto r = static_cast<std::size_t>(*rc::gen::inRange(0, rows));
  if (*rc::gen::arbitrary<bool>()) {
    const std::int64_t extra = *rc::gen::inRange(1, 200);
    more[r].tokens += extra;
    more[r].kv_read += extra;
    more[r].attended = more[r].tokens * more[r].kv_read;
  } else {
    more[r].kv_read += *rc::gen::inRange(1, 5000);
    more[r].attended = more[r].tokens * more[r].kv_read;
  }
  RC_ASSERT(model.pass(target, more).seconds >= base);
  more.push_back({1, 1, 1});  // one more row
  RC_ASSERT(model.pass(target, more).seconds >= base);
}

// Sums what every move plan of a run moves, priced with the pair's KV bytes per slot.
class PlanSum final : public sim::Observer {
 public:
  explicit PlanSum(const sim::CostModel& m) : model_(m) {}
  void on_create_cache(sim::CacheId c, sim::ModelRole role, int, int) override {
    roles_[c.value] = role;
  }
  void on_moves(const sim::MovePlan& plan) override {
    bytes += static_cast<double>(plan.slots_moved()) *
             model_.kv_bytes_per_slot(roles_.at(plan.src.value) == sim::ModelRole::target);
    plans += 1;
  }
  double bytes = 0;
  int plans = 0;

 private:
  const sim::CostModel& model_;
  std::map<int, sim::ModelRole> roles_;
};

sim::CostPrediction predict(const sim::Scenario& s, const sim::CostModel& model, PlanSum* sum) {
  sim::SymbolicBackend reference_backend;
  const auto reference = sim::compute_reference(reference_backend, s);
  sim::CostObserver cost(model, s);
  sim::RunOptions options;
  options.observers = {&cost, sum};
  sim::SymbolicBackend backend;
  sim::RunResult result;
  result.sequences = sim::make_sequences(s);
  sim::run_scenario(backend, s, reference, result, options);
  return cost.prediction();
}

BOOST_AUTO_TEST_CASE(realignment_bytes_equal_move_plans_and_packed_has_none) {
  const auto model = sim::parse_cost_spec("h200:vicuna-7b/vicuna-68m:bf16");
  for (const std::string strategy : {"eqspec", "exspec", "rollback", "packed"}) {
    sim::Scenario s = test::load_ready(test::source_path("scenarios/ragged_worst_case.json"));
    s.strategy = strategy;
    s.window = std::max(s.window, 2 * s.batch_size);
    PlanSum sum(model);
    const auto p = predict(s, model, &sum);
    BOOST_TEST_CONTEXT(strategy) {
      BOOST_TEST(p.realign_bytes == sum.bytes);
      BOOST_TEST(p.passes > 0);
      BOOST_TEST(p.seconds.verify > 0);
      BOOST_TEST(p.seconds.draft > 0);
      if (strategy == "eqspec") {
        BOOST_TEST(sum.plans > 0);
        BOOST_TEST(p.paper_realign_seconds > p.seconds.realign);  // the published way costs more
      }
      if (strategy == "packed" || strategy == "rollback") {
        BOOST_TEST(sum.plans == 0);
        BOOST_TEST(p.realign_bytes == 0.0);
        BOOST_TEST(p.seconds.realign == 0.0);
        BOOST_TEST(p.paper_realign_seconds == 0.0);
      }
    }
  }
}

RC_BOOST_PROP(random_runs_charge_exactly_their_move_plans, ()) {
  sim::Scenario s = test::load_ready(test::source_path("scenarios/ragged_worst_case.json"));
  s.strategy = *rc::gen::element<std::string>("eqspec", "exspec", "packed", "spec1");
  s.batch_size = *rc::gen::inRange(1, 9);
  s.window = 2 * s.batch_size;
  s.k = *rc::gen::inRange(1, 9);
  s.draft.kind = sim::DrafterSpec::Kind::oracle;
  s.draft.accept_prob = *rc::gen::inRange(0, 101) / 100.0;
  s.draft.seed = *rc::gen::inRange<std::uint64_t>(0, 1000);
  s.draft.accepted.clear();
  const auto model = sim::parse_cost_spec("a100:qwen3-8b/qwen3-0.6b:int8");
  PlanSum sum(model);
  const auto p = predict(s, model, &sum);
  RC_ASSERT(p.realign_bytes == sum.bytes);
  if (s.strategy == "packed") RC_ASSERT(p.realign_bytes == 0.0);
}

BOOST_AUTO_TEST_CASE(sweep_csv_is_deterministic) {
  sim::SweepGrid grid;
  grid.strategies = {"ar", "eqspec", "exspec", "packed"};
  grid.batch_sizes = {1, 4};
  grid.ks = {2, 4};
  grid.accept_probs = {0.6};
  grid.costs = {"h200:vicuna-7b/vicuna-68m", "a100:glm-4-9b/glm-draft-0.6b:int8"};
  grid.prompts = sim::synthetic_prompts(10);
  grid.prompts_label = "synthetic:10";
  grid.max_new_tokens = 12;
  const auto one = sim::sweep_csv(grid, sim::run_sweep(grid, 1));
  const auto two = sim::sweep_csv(grid, sim::run_sweep(grid, 2));
  BOOST_TEST(one == two);
  // ar once per batch size, the others once per (batch, k); eqspec adds paper rows; x2 costs.
  const std::size_t lines = static_cast<std::size_t>(std::count(one.begin(), one.end(), '\n'));
  BOOST_TEST(lines == 1 + 2 * (2 + 3 * 4 + 4));
  BOOST_TEST(one.rfind(sim::sweep_csv_header() + "\n", 0) == 0);
}

BOOST_AUTO_TEST_CASE(calibration_recovers_known_constants) {
  sim::CostConstants truth;
  truth.bandwidth_fraction = 0.72;
  truth.launch_seconds = 6.5e-6;
  std::string csv = sim::calibration_csv_header() + "\n";
  const std::string spec = "h200:vicuna-7b/vicuna-68m:bf16";
  const auto model = sim::parse_cost_spec(spec, truth);
  for (const std::string role : {"target", "draft"}) {
    for (int rows : {1, 8, 64, 256}) {
      for (int tokens : {1, 6}) {
        sim::CalibrationRow r{spec, role == "target", rows, tokens, 300, 0};
        const double t = sim::calibration_pass(model, r).seconds;
        csv += spec + "," + role + "," + std::to_string(rows) + "," + std::to_string(tokens) +
               ",300," + fmt_seconds(t) + "\n";
      }
    }
  }
  const auto rows = sim::parse_calibration_csv(csv, "generated");
  const auto fit = sim::calibrate(rows);
  BOOST_TEST(std::abs(fit.constants.bandwidth_fraction - 0.72) < 1e-6);
  BOOST_TEST(std::abs(fit.constants.launch_seconds - 6.5e-6) < 1e-12);
  BOOST_TEST(fit.max_abs_error < 1e-6);
  BOOST_TEST(fit.uncalibrated_mean_abs_error > 0.01);  // the defaults were wrong on purpose
}

BOOST_AUTO_TEST_CASE(calibration_csv_errors_name_the_line) {
  const std::string h = sim::calibration_csv_header() + "\n";
  auto message = [](const std::string& text) {
    try {
      sim::parse_calibration_csv(text, "m.csv");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  BOOST_TEST(message("a,b\n").find("m.csv:1") != std::string::npos);
  BOOST_TEST(message(h + "h200:vicuna-7b/vicuna-68m,verify,1,1,1,0.1\n").find("m.csv:2 (role)") !=
             std::string::npos);
  BOOST_TEST(message(h + "h200:vicuna-7b/vicuna-68m,target,1,4,2,0.1\nx\n").find("kv must") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(scenario_cost_field_and_summary_predictions) {
  const std::string path = test::source_path("scenarios/ragged_worst_case.json");
  std::ifstream in(path);
  nlohmann::json doc = nlohmann::json::parse(in);
  doc["cost"] = "h200:glm-4-9b/glm-draft-0.6b:int8";
  sim::Scenario s = sim::parse_scenario(doc.dump(), "x.json");
  BOOST_TEST(s.cost == "h200:glm-4-9b/glm-draft-0.6b:int8");
  const auto run = verify::run_checked(s, verify::CheckOptions{});
  BOOST_TEST(run.ok());
  BOOST_REQUIRE(run.predicted.has_value());
  const auto summary = verify::summary_json(run);
  BOOST_TEST(summary.at("cost").get<std::string>() == s.cost);
  const auto& p = summary.at("predicted_seconds");
  BOOST_TEST(p.at("verify").get<double>() > 0);
  BOOST_TEST(p.at("other").get<double>() == 0.0);
  BOOST_TEST(summary.at("predicted_tokens_per_second").get<double>() > 0);
  // The command line's spec wins over the scenario's.
  verify::CheckOptions options;
  options.cost = "a100:vicuna-7b/vicuna-68m";
  BOOST_TEST(verify::run_checked(s, options).cost_spec == "a100:vicuna-7b/vicuna-68m:bf16");

  doc["cost"] = "h200:nope";
  try {
    sim::parse_scenario(doc.dump(), "x.json");
    BOOST_FAIL("a bad cost spec must be rejected");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()).find("x.json: field 'cost'") != std::string::npos);
  }
  // Without the field nothing is predicted.
  doc.erase("cost");
  const auto plain = verify::run_checked(sim::parse_scenario(doc.dump(), "x.json"), {});
  BOOST_TEST(!plain.predicted.has_value());
  BOOST_TEST(!verify::summary_json(plain).contains("predicted_seconds"));
}

BOOST_AUTO_TEST_CASE(padding_is_charged_and_stages_are_classified) {
  // A prompt of 1 token beside one of 200: padded strategies compute the pad columns, packed
  // does not, so eqspec's verify pass is never cheaper than packed's for the same run.
  sim::Scenario s = test::load_ready(test::source_path("scenarios/prompt_lengths_1_vs_200.json"));
  const auto model = sim::parse_cost_spec("h200:vicuna-7b/vicuna-68m");
  s.strategy = "eqspec";
  PlanSum a(model), b(model);
  const auto padded = predict(s, model, &a);
  s.strategy = "packed";
  const auto packed = predict(s, model, &b);
  BOOST_TEST(padded.kv_bytes > packed.kv_bytes);
  BOOST_TEST(padded.seconds.prefill > 0);
  BOOST_TEST(packed.seconds.prefill > 0);
}

}  // namespace
}  // namespace lockstep
