// The cost model's `cpu` profile (sim/cost_cpu.h) and its probe (reference/probe.h): the probe
// returns positive finite figures (never a wall-clock value beyond that), the pairs price the
// cpu backend's own preset shapes, the sum form adds its terms, the sum-form fit recovers the
// multipliers its rows were generated with, the profile file round-trips, and a cpu spec
// without a profile is refused with a message that says what to do.
#define BOOST_TEST_MODULE cpu_cost_model
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>

#include "reference/gemm_kernels.h"
#include "reference/parallel.h"
#include "reference/probe.h"
#include "sim/cost_calibrate.h"
#include "sim/cost_cpu.h"
#include "sim/error.h"
#include "sim/model_config.h"

using namespace lockstep;

namespace {

sim::CpuProbe made_up_probe(const std::string& kernel = "double_serial") {
  return {.bandwidth = 20e9,
          .gemm_ops = 10e9,
          .attention_ops = 2e9,
          .step_seconds = 5e-6,
          .pack_bandwidth = 15e9,
          .gemm_kernel = kernel};
}

reference::ProbeOptions quick_probe() {
  reference::ProbeOptions quick;
  quick.stream_bytes = std::size_t{8} << 20;
  quick.repeats = 1;
  quick.attention_slots = 256;
  return quick;
}

bool positive_finite(double v) {
  return v > 0 && std::isfinite(v);
}

std::string message_of(const std::string& spec, const sim::Hardware* measured) {
  try {
    sim::parse_cost_spec(spec, {}, measured);
  } catch (const InputError& e) {
    return e.what();
  }
  return {};
}

}  // namespace

BOOST_AUTO_TEST_CASE(probe_returns_positive_finite_figures) {
  const auto report = reference::run_probe(quick_probe());
  BOOST_TEST(positive_finite(report.probe.bandwidth));
  BOOST_TEST(positive_finite(report.probe.gemm_ops));
  BOOST_TEST(positive_finite(report.probe.attention_ops));
  BOOST_TEST(positive_finite(report.probe.step_seconds));
  BOOST_TEST(positive_finite(report.probe.pack_bandwidth));
  BOOST_TEST(report.gemm.size() == 3u);
  for (const auto& s : report.gemm) BOOST_TEST(positive_finite(s.ops_per_second));
  BOOST_CHECK_NO_THROW(sim::cpu_hardware(report.probe));
}

BOOST_AUTO_TEST_CASE(cpu_pairs_use_the_backend_presets) {
  for (const auto& name : sim::cpu_pair_names()) BOOST_TEST(sim::cpu_pair(name).has_value());
  const auto pair = sim::pair_preset("small/small[:2]");
  const auto small = sim::preset("small", 0);
  BOOST_TEST(pair.target.d_model == small.d_model);
  BOOST_TEST(pair.target.n_layers == small.n_layers);
  BOOST_TEST(pair.target.ffn == small.ffn);
  BOOST_TEST(pair.target.n_kv_heads == small.n_kv_heads);
  BOOST_TEST(pair.draft.n_layers == 2);
  BOOST_TEST(!sim::cpu_pair("small/nonsense").has_value());
  BOOST_TEST(!sim::cpu_pair("small/small[:9]").has_value());
  const sim::Hardware hw = sim::cpu_hardware(made_up_probe());
  BOOST_TEST(sim::parse_cost_spec("cpu:small/small[:2]:int8", {}, &hw).pair().draft.n_layers == 2);
  BOOST_TEST(sim::cpu_cost_spec(small, sim::preset("draft-small", 0)) ==
             "cpu:small/draft-small:int8");
}

BOOST_AUTO_TEST_CASE(sum_form_adds_its_terms) {
  const sim::Hardware hw = sim::cpu_hardware(made_up_probe());
  const auto model = sim::parse_cost_spec("cpu:tiny/draft-tiny", {}, &hw);
  BOOST_TEST(model.spec() == "cpu:tiny/draft-tiny:int8");
  const auto c = model.pass(true, {{6, 40, 6 * 40}, {6, 40, 6 * 40}});
  const auto tiny = sim::preset("tiny", 0);
  const double params = static_cast<double>(model.pair().target.streamed_params());
  BOOST_TEST(c.compute_seconds == 2.0 * 12 * params / 10e9, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(c.attention_seconds == 4.0 * 480 * tiny.n_heads * tiny.head_dim * tiny.n_layers / 2e9,
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(c.launch_seconds == (tiny.n_layers + 1) * 5e-6, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(c.weight_bytes == 8.0 * params);
  BOOST_TEST(c.seconds == c.memory_seconds + c.compute_seconds + c.attention_seconds +
                              c.launch_seconds + c.pack_seconds,
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(c.pack_seconds == c.weight_bytes / 15e9, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(model.pass(true, {{1, 40, 40}}).pack_seconds == 0.0);  // one token: a GEMV
}

BOOST_AUTO_TEST_CASE(sum_form_fit_recovers_generating_multipliers) {
  const sim::Hardware hw = sim::cpu_hardware(made_up_probe());
  sim::CostConstants truth;
  truth.bandwidth_fraction = 1.6;  // weights partly cache-resident: faster than the stream
  truth.compute_fraction = 0.7;
  truth.attention_fraction = 0.9;
  truth.launch_seconds = 12e-6;
  truth.pack_fraction = 0.5;
  const std::string spec = "cpu:small/draft-small:int8";
  const auto model = sim::parse_cost_spec(spec, truth, &hw);
  std::vector<sim::CalibrationRow> rows;
  for (bool target : {true, false}) {
    for (int r : {1, 4, 16}) {
      for (int tokens : {1, 5}) {
        for (int kv : {40, 300}) {
          sim::CalibrationRow row{spec, target, r, tokens, kv, 0};
          row.measured_seconds = sim::calibration_pass(model, row).seconds;
          rows.push_back(row);
        }
      }
    }
  }
  const auto fit = sim::calibrate(rows, &hw);
  // The pull towards the probe biases the fit a little; the rows pin every term well.
  BOOST_TEST(fit.constants.bandwidth_fraction == 1.6, boost::test_tools::tolerance(0.02));
  BOOST_TEST(fit.constants.compute_fraction == 0.7, boost::test_tools::tolerance(0.02));
  BOOST_TEST(fit.constants.attention_fraction == 0.9, boost::test_tools::tolerance(0.02));
  BOOST_TEST(fit.constants.launch_seconds == 12e-6, boost::test_tools::tolerance(0.05));
  BOOST_TEST(fit.constants.pack_fraction == 0.5, boost::test_tools::tolerance(0.02));
  BOOST_TEST(fit.max_abs_error < 0.01);
  BOOST_TEST(fit.uncalibrated_mean_abs_error > 0.05);
  const auto held = sim::evaluate(rows, fit.constants, &hw);
  BOOST_TEST(held.mean_abs_error == fit.mean_abs_error, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(profile_file_round_trips) {
  sim::CpuProfile p;
  p.probe = made_up_probe();
  p.note = "made up";
  auto back = sim::parse_cpu_profile(sim::cpu_profile_json(p), "p.json");
  BOOST_TEST(!back.has_fit);
  BOOST_TEST(back.probe.gemm_ops == p.probe.gemm_ops);
  p.has_fit = true;
  p.fitted.bandwidth_fraction = 1.25;
  p.fitted.launch_seconds = 3e-6;
  p.fitted.pack_fraction = 0.4;
  back = sim::parse_cpu_profile(sim::cpu_profile_json(p), "p.json");
  BOOST_TEST(back.has_fit);
  BOOST_TEST(back.fitted.bandwidth_fraction == 1.25);
  BOOST_TEST(back.fitted.launch_seconds == 3e-6);
  BOOST_TEST(back.fitted.pack_fraction == 0.4);
  BOOST_TEST(back.probe.pack_bandwidth == 15e9);
  BOOST_CHECK_THROW(sim::parse_cpu_profile("{\"format\": \"other\"}", "p.json"), InputError);
  BOOST_CHECK_THROW(sim::parse_cpu_profile("[", "p.json"), InputError);
}

BOOST_AUTO_TEST_CASE(cpu_spec_needs_a_profile) {
  BOOST_TEST(message_of("cpu:small/draft-small", nullptr).find("--profile") != std::string::npos);
  const sim::Hardware hw = sim::cpu_hardware(made_up_probe());
  BOOST_TEST(message_of("cpu:small/draft-small:bf16", &hw).find("int8") != std::string::npos);
  BOOST_TEST(message_of("cpu:small/draft-small:int8:0.5:3", &hw).find("profile file") !=
             std::string::npos);
  BOOST_TEST(message_of("h200:small/nonsense", nullptr).find("small/draft-small") !=
             std::string::npos);
  sim::CpuProbe bad = made_up_probe();
  bad.attention_ops = 0;
  BOOST_CHECK_THROW(sim::cpu_hardware(bad), InputError);
}

// The profile is selected by the GEMM kernel: the probe records the kernel exact_gemm runs
// (and leaves the thread count as it found it), and that kernel sets the weight bytes and the
// walks over the weights the pass is priced with.
BOOST_AUTO_TEST_CASE(profile_is_selected_by_the_gemm_kernel) {
  const auto before = reference::gemm_kernel();
  const int threads = reference::reference_threads();
  for (const auto kernel :
       {reference::GemmKernel::double_serial, reference::GemmKernel::int8_avx2}) {
    reference::set_gemm_kernel(kernel);
    const auto report = reference::run_probe(quick_probe());
    BOOST_TEST(report.probe.gemm_kernel ==
               reference::gemm_kernel_name(reference::effective_gemm_kernel()));
    BOOST_TEST(reference::reference_threads() == threads);
  }
  reference::set_gemm_kernel(before);
  for (const auto& k : sim::cpu_kernels()) BOOST_TEST(sim::cpu_kernel(k.name).has_value());

  const sim::Hardware serial = sim::cpu_hardware(made_up_probe("double_serial"));
  const sim::Hardware int8 = sim::cpu_hardware(made_up_probe("int8_avx2"));
  const auto on_serial = sim::parse_cost_spec("cpu:small/draft-small", {}, &serial);
  const auto on_int8 = sim::parse_cost_spec("cpu:small/draft-small", {}, &int8);
  const double params = static_cast<double>(on_int8.pair().target.streamed_params());
  auto pass = [](const sim::CostModel& m, int tokens) {
    return m.pass(true, {{tokens, 40, tokens * 40}});
  };
  BOOST_TEST(pass(on_int8, 1).weight_bytes == params);  // 1-byte weights
  BOOST_TEST(pass(on_serial, 1).weight_bytes == 8.0 * params);
  // Walks over the weights: int8 once per 4-token block plus once per leftover token; Eigen
  // packs once for >= 2 tokens.
  const double walk = params / 15e9;
  for (const auto& [tokens, walks] :
       std::vector<std::pair<int, int>>{{1, 1}, {3, 3}, {4, 1}, {5, 2}, {8, 2}, {11, 5}, {16, 4}}) {
    BOOST_TEST(pass(on_int8, tokens).pack_seconds == walks * walk,
               boost::test_tools::tolerance(1e-12));
  }
  BOOST_TEST(pass(on_serial, 1).pack_seconds == 0.0);
  BOOST_TEST(pass(on_serial, 16).pack_seconds == 8.0 * walk, boost::test_tools::tolerance(1e-12));

  BOOST_CHECK_THROW(sim::cpu_hardware(made_up_probe("nonsense")), InputError);
  sim::CpuProfile p;
  p.probe = made_up_probe("int8_avx2");
  const std::string json = sim::cpu_profile_json(p);
  BOOST_TEST(sim::parse_cpu_profile(json, "p.json").probe.gemm_kernel == "int8_avx2");
  std::string without = json;
  without.erase(without.find("\"gemm_kernel\""),
                std::string("\"gemm_kernel\": \"int8_avx2\",").size());
  try {
    sim::parse_cpu_profile(without, "p.json");
    BOOST_ERROR("a profile without gemm_kernel was accepted");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()).find("gemm_kernel") != std::string::npos);
  }
}
