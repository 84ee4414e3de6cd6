// The cost model (sim/cost_model.h), its run observer, sweeps and calibration:
// hand-computed pass costs for a small configuration, monotonicity properties, realignment
// bytes equal to the move plans' sum, none for packed, deterministic sweep CSV, and a
// calibration that recovers the constants its input rows were generated with. Every preset
// field is pinned to the published specifications table of docs/cost-model.md, and the
// hf-eager profile (sim/cost_hf_eager.h) to its counts, its one fit and its one published
// microbenchmark.
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
#include "sim/cost_hf_eager.h"
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
  const sim::ModelDims t{.name = "t",
                         .vocab = 100,
                         .d_model = 8,
                         .n_layers = 2,
                         .n_heads = 2,
                         .n_kv_heads = 1,
                         .head_dim = 4,
                         .ffn = 16};
  sim::ModelDims d = t;
  d.name = "d";
  d.n_layers = 1;
  const sim::Hardware hw{.name = "test",
                         .bandwidth = 1e12,
                         .int8_ops = 2e12,
                         .bf16_flops = 1e12,
                         .launch_seconds = 1e-6};
  return sim::CostModel(hw, sim::ModelPair{"t/d", t, d}, sim::Precision::bf16);
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

namespace lockstep {
namespace {

// docs/cost-model.md, "Published specifications": the figures the presets must carry, each
// with the document it is quoted from. Changing a preset without this table fails here.
struct PublishedGpu {
  const char* preset;
  const char* source;
  double bandwidth;   // bytes per second
  double int8_dense;  // ops per second (datasheets quote twice this "with sparsity" for H200)
  double bf16_dense;  // FLOPs per second
};

struct PublishedModel {
  const char* preset;
  const char* source;  // Hugging Face config.json, or "lockstep's choice" when unpublished
  int vocab, d_model, layers, heads, kv_heads, head_dim, ffn;
};

const PublishedGpu kGpus[] = {
    {.preset = "h200",
     .source = "NVIDIA H200 Tensor Core GPU datasheet, H200 SXM: 4.8TB/s, INT8 3,958 TOPS*, "
               "BF16 1,979 TFLOPS* (*with sparsity)",
     .bandwidth = 4.8e12,
     .int8_dense = 3958e12 / 2,
     .bf16_dense = 1979e12 / 2},
    {.preset = "a100",
     .source = "NVIDIA A100 Tensor Core GPU datasheet, A100 80GB SXM: 2,039GB/s, INT8 624 TOPS, "
               "BF16 312 TFLOPS (dense)",
     .bandwidth = 2.039e12,
     .int8_dense = 624e12,
     .bf16_dense = 312e12},
};

const PublishedModel kModels[] = {
    {.preset = "vicuna-7b",
     .source = "lmsys/vicuna-7b-v1.3 config.json",
     .vocab = 32000,
     .d_model = 4096,
     .layers = 32,
     .heads = 32,
     .kv_heads = 32,
     .head_dim = 128,
     .ffn = 11008},
    {.preset = "vicuna-68m",
     .source = "double7/vicuna-68m config.json",
     .vocab = 32000,
     .d_model = 768,
     .layers = 2,
     .heads = 12,
     .kv_heads = 12,
     .head_dim = 64,
     .ffn = 3072},
    {.preset = "qwen3-8b",
     .source = "Qwen/Qwen3-8B config.json",
     .vocab = 151936,
     .d_model = 4096,
     .layers = 36,
     .heads = 32,
     .kv_heads = 8,
     .head_dim = 128,
     .ffn = 12288},
    {.preset = "qwen3-0.6b",
     .source = "Qwen/Qwen3-0.6B config.json",
     .vocab = 151936,
     .d_model = 1024,
     .layers = 28,
     .heads = 16,
     .kv_heads = 8,
     .head_dim = 128,
     .ffn = 3072},
    {.preset = "glm-4-9b",
     .source = "THUDM/glm-4-9b-chat config.json (padded_vocab_size, num_layers, "
               "multi_query_group_num, kv_channels, ffn_hidden_size)",
     .vocab = 151552,
     .d_model = 4096,
     .layers = 40,
     .heads = 32,
     .kv_heads = 2,
     .head_dim = 128,
     .ffn = 13696},
    {.preset = "glm-draft-0.6b",
     .source = "lockstep's choice: no 0.6B GLM-4 is published; Qwen3-0.6B's shape with "
               "GLM-4's vocabulary",
     .vocab = 151552,
     .d_model = 1024,
     .layers = 28,
     .heads = 16,
     .kv_heads = 8,
     .head_dim = 128,
     .ffn = 3072},
};

const sim::ModelDims& preset_model(const std::string& name) {
  static std::map<std::string, sim::ModelDims> models;
  if (models.empty()) {
    for (const auto& pair : sim::pair_names()) {
      const sim::ModelPair p = sim::pair_preset(pair);
      models[p.target.name] = p.target;
      models[p.draft.name] = p.draft;
    }
  }
  return models.at(name);
}

BOOST_AUTO_TEST_CASE(every_hardware_preset_matches_its_datasheet) {
  BOOST_TEST(sim::hardware_names().size() == std::size(kGpus));
  for (const auto& gpu : kGpus) {
    BOOST_TEST_CONTEXT(gpu.preset << " (" << gpu.source << ")") {
      const sim::Hardware hw = sim::hardware_preset(gpu.preset);
      BOOST_TEST(hw.bandwidth == gpu.bandwidth);
      BOOST_TEST(hw.int8_ops == gpu.int8_dense);
      BOOST_TEST(hw.bf16_flops == gpu.bf16_dense);
      // Not published: lockstep's uncalibrated assumption (docs/cost-model.md), and no
      // implementation profile may move it.
      BOOST_TEST(hw.launch_seconds == 4e-6);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_model_preset_matches_its_config) {
  BOOST_TEST(sim::pair_names().size() == 3u);
  for (const auto& m : kModels) {
    BOOST_TEST_CONTEXT(m.preset << " (" << m.source << ")") {
      const sim::ModelDims& d = preset_model(m.preset);
      BOOST_TEST(d.vocab == m.vocab);
      BOOST_TEST(d.d_model == m.d_model);
      BOOST_TEST(d.n_layers == m.layers);
      BOOST_TEST(d.n_heads == m.heads);
      BOOST_TEST(d.n_kv_heads == m.kv_heads);
      BOOST_TEST(d.head_dim == m.head_dim);
      BOOST_TEST(d.ffn == m.ffn);
    }
  }
  const auto pair = [](const char* name) { return sim::pair_preset(name); };
  BOOST_TEST(pair("vicuna-7b/vicuna-68m").draft.name == "vicuna-68m");
  BOOST_TEST(pair("qwen3-8b/qwen3-0.6b").draft.name == "qwen3-0.6b");
  BOOST_TEST(pair("glm-4-9b/glm-draft-0.6b").draft.name == "glm-draft-0.6b");
}

BOOST_AUTO_TEST_CASE(hf_eager_is_a_separate_profile_that_leaves_launch_overhead_alone) {
  const auto lockstep = sim::parse_cost_spec("h200:vicuna-7b/vicuna-68m");
  const auto hf = sim::parse_cost_spec("hf-eager@h200:vicuna-7b/vicuna-68m");
  BOOST_TEST((hf.implementation() == sim::Implementation::hf_eager));
  BOOST_TEST((lockstep.implementation() == sim::Implementation::lockstep));
  BOOST_TEST(hf.spec() == "hf-eager@h200:vicuna-7b/vicuna-68m:bf16");
  BOOST_TEST(sim::parse_cost_spec(hf.spec()).spec() == hf.spec());
  BOOST_TEST(sim::parse_cost_spec("lockstep@h200:vicuna-7b/vicuna-68m").spec() == lockstep.spec());
  BOOST_TEST(hf.launch_overhead() == lockstep.launch_overhead());
  BOOST_TEST(hf.launch_overhead() == 4e-6);
  BOOST_CHECK_THROW(sim::parse_cost_spec("vllm@h200:vicuna-7b/vicuna-68m"), InputError);
  // The roofline itself is the same model: only the observer prices differently.
  const std::vector<sim::RowWork> rows(4, {6, 300, 6 * 300});
  BOOST_TEST(hf.pass(true, rows).seconds == lockstep.pass(true, rows).seconds);
}

BOOST_AUTO_TEST_CASE(hf_eager_constants_are_the_fit_and_the_published_benchmark) {
  const auto& c = sim::hf_eager_constants();
  // Published: pytorch/pytorch PR #119202, 50,000 .item() calls in 1.67 s (no pinned memory).
  BOOST_TEST(std::abs(c.sync_seconds - 1.67 / 50000) < 1e-9);
  // Fit: the per-call cost that makes the batch-4 verify pass cost the paper's 24.9 ms.
  const sim::ModelDims& vicuna = preset_model("vicuna-7b");
  const double fit = sim::hf_eager_fit_call_seconds(vicuna, 4, sim::kPaperBatch4VerifySeconds);
  BOOST_TEST(std::abs(fit - c.call_seconds) < 0.05e-6);
  // Hand count of one verify pass: 32 x 56 + 28 model calls, 32 x 2 crop calls, 15 + 4 more.
  BOOST_TEST(std::abs(sim::kPaperBatch4VerifySeconds / fit - (32 * 56 + 28 + 64 + 15 + 4)) < 1e-6);
}

BOOST_AUTO_TEST_CASE(hf_eager_terms_match_hand_computation) {
  const auto model = sim::parse_cost_spec("hf-eager@h200:vicuna-7b/vicuna-68m");
  const auto& c = sim::hf_eager_constants();
  // Batch 4, k 5, 300 columns: host-bound on an H200, so the host count is the time.
  const std::vector<sim::RowWork> verify(4, {6, 300, 6 * 300});
  const auto v = sim::hf_eager_pass(model, sim::HfPass::verify, verify, 4);
  BOOST_TEST(v.device_seconds < v.host_seconds);
  BOOST_TEST(std::abs(v.seconds - 1903 * c.call_seconds) < 1e-12);
  // The first draft pass re-feeds the whole context (no draft cache across steps); the next
  // ones feed one token. Host: 2 x 56 + 28 model calls, 26 generate calls and one sync each,
  // plus the stage's 6 + 2 x 4 calls and 4 syncs on the first.
  const std::vector<sim::RowWork> draft(4, {1, 300, 300});
  const auto first = sim::hf_eager_pass(model, sim::HfPass::draft_first, draft, 4);
  const auto next = sim::hf_eager_pass(model, sim::HfPass::draft_next, draft, 4);
  BOOST_TEST(std::abs(next.host_seconds - (166 * c.call_seconds + c.sync_seconds)) < 1e-12);
  BOOST_TEST(std::abs(first.host_seconds - (180 * c.call_seconds + 5 * c.sync_seconds)) < 1e-12);
  BOOST_TEST(first.device_seconds > next.device_seconds);
  BOOST_TEST(sim::hf_eager_pass(model, sim::HfPass::prefill_draft, draft, 4).seconds == 0.0);
  // Realignment: 22 + 8B + 32 x (4 + 4B) calls and 3 + 4B + 32 x 4B syncs; linear in B.
  const auto r4 = sim::hf_eager_realign(model, 4, 300, 1200);
  BOOST_TEST(std::abs(r4.host_seconds - (694 * c.call_seconds + 531 * c.sync_seconds)) < 1e-12);
  const auto r8 = sim::hf_eager_realign(model, 8, 300, 2400);
  const auto r1 = sim::hf_eager_realign(model, 1, 300, 300);
  BOOST_TEST(r8.host_seconds - r4.host_seconds > 3.9 * (r4.host_seconds - r1.host_seconds) / 3);
  BOOST_TEST(r8.seconds > 1.9 * r4.seconds);
}

BOOST_AUTO_TEST_CASE(hf_eager_run_costs_more_and_rebuilds_only_the_target_cache) {
  sim::Scenario s = test::load_ready(test::source_path("scenarios/ragged_worst_case.json"));
  s.strategy = "eqspec";
  const auto roofline = sim::parse_cost_spec("h200:vicuna-7b/vicuna-68m");
  const auto hf = sim::parse_cost_spec("hf-eager@h200:vicuna-7b/vicuna-68m");
  PlanSum sum_a(roofline);
  PlanSum sum_b(hf);
  const sim::CostPrediction a = predict(s, roofline, &sum_a);
  const sim::CostPrediction b = predict(s, hf, &sum_b);
  BOOST_TEST(b.seconds.verify > 3 * a.seconds.verify);
  BOOST_TEST(b.seconds.draft > 3 * a.seconds.draft);
  BOOST_TEST(b.paper_realign_seconds > a.paper_realign_seconds);
  // Bytes are counted the same way; only the target cache is rebuilt under hf-eager.
  BOOST_TEST(b.realign_bytes == a.realign_bytes);
  BOOST_TEST(b.paper_realign_bytes < a.paper_realign_bytes);
  BOOST_TEST(b.paper_realign_bytes > 0.0);
}

}  // namespace
}  // namespace lockstep
