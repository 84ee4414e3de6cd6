// The distribution check of `lockstep verify-dist` (issue 14 item 3; docs/invariants.md
// "Checking the distribution"): the chi-square p-value against published quantiles, the
// pooling rule, the G-test on counts drawn exactly from p (pass) and from p with 10% of its
// mass moved (fail), the exact distribution reproducing coupled sampling's tokens draw for
// draw (symbolic and cpu), and the whole check - the code path the CLI runs - passing coupled
// runs and rejecting a biased sampler's outputs.
#define BOOST_TEST_MODULE dist_check
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "cli/target_distribution.h"
#include "numerics/sampling.h"
#include "reference/cpu_backend.h"
#include "resolve/model_scenario.h"
#include "sim/error.h"
#include "sim/hash.h"
#include "sim/scenario.h"
#include "sim/symbolic_sampling.h"
#include "tests/biased_sampler.h"
#include "tests/cpu_backend_fixture.h"
#include "verify/dist_check.h"
#include "verify/dist_test.h"

namespace lockstep {
namespace {

using sim::Token;

using test::moved_mass;

numerics::SampleDistribution distribution(std::vector<std::int32_t> tokens,
                                          std::vector<std::uint32_t> weights) {
  return test::distribution_of_weights(std::move(tokens), std::move(weights));
}

// n draws from `d` with the project's own keyed generator (seed, sequence 0, position i).
verify::TokenCounts draws(const numerics::SampleDistribution& d, int n, std::uint64_t seed) {
  verify::TokenCounts counts;
  for (int i = 0; i < n; ++i)
    ++counts[numerics::sample_token(d, test::target_draw_bits(seed, 0, i))];
  return counts;
}

BOOST_AUTO_TEST_CASE(chi_square_survival_matches_published_quantiles) {
  // (x, dof, upper tail): standard chi-square table entries.
  struct Quantile {
    double x;
    int dof;
    double tail;
  };
  for (const Quantile q : {Quantile{3.841459, 1, 0.05}, Quantile{10.827566, 1, 0.001},
                           Quantile{5.991465, 2, 0.05}, Quantile{11.344867, 3, 0.01},
                           Quantile{23.209251, 10, 0.01}, Quantile{29.588298, 10, 0.001}}) {
    BOOST_TEST(verify::chi_square_survival(q.x, q.dof) == q.tail,
               boost::test_tools::tolerance(1e-5));
  }
  // dof 2 is exp(-x / 2) in closed form.
  BOOST_TEST(verify::chi_square_survival(9.0, 2) == std::exp(-4.5),
             boost::test_tools::tolerance(1e-12));
  BOOST_TEST(verify::chi_square_survival(0.0, 3) == 1.0);
  BOOST_TEST(verify::chi_square_survival(INFINITY, 3) == 0.0);
  BOOST_CHECK_THROW(verify::chi_square_survival(1.0, 0), ContractError);
}

BOOST_AUTO_TEST_CASE(pooling_keeps_bins_of_expected_five_and_pools_the_rest) {
  const auto p = distribution({10, 11, 12, 13, 14}, {50, 30, 15, 4, 1});
  // n = 100: expected 50, 30, 15 own bins; 4 + 1 = 5 pooled into "other" (5 is enough).
  verify::TokenCounts counts{{10, 48}, {11, 31}, {12, 16}, {13, 3}, {14, 2}};
  auto bins = verify::pool_bins(counts, p);
  BOOST_REQUIRE_EQUAL(bins.size(), 4u);
  BOOST_TEST(bins[3].other);
  BOOST_TEST((bins[3].tokens == std::vector<std::int32_t>{13, 14}));
  BOOST_TEST(bins[3].expected == 5.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(bins[3].observed == 5);
  // n = 60: "other" expects 3 < 5, so it absorbs the thinnest own bin (token 12, 9).
  counts = {{10, 30}, {11, 18}, {12, 9}, {13, 2}, {14, 1}};
  bins = verify::pool_bins(counts, p);
  BOOST_REQUIRE_EQUAL(bins.size(), 3u);
  BOOST_TEST((bins[2].tokens == std::vector<std::int32_t>{13, 14, 12}));
  BOOST_TEST(bins[2].expected == 12.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(bins[2].observed == 12);
  // No thin token: no "other" bin, dof = bins - 1.
  const auto even = distribution({3, 4}, {1, 1});
  const auto t = verify::g_test({{3, 50}, {4, 50}}, even);
  BOOST_TEST(t.bins == 2);
  BOOST_TEST(t.dof == 1);
  BOOST_TEST(t.g == 0.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(t.p_value == 1.0, boost::test_tools::tolerance(1e-12));
  // Too few runs for two bins of 5: untestable, never a rejection.
  const auto thin = verify::g_test({{3, 4}, {4, 4}}, even);
  BOOST_TEST(thin.dof == 0);
  BOOST_TEST(!thin.testable());
}

BOOST_AUTO_TEST_CASE(a_token_of_probability_zero_rejects_outright) {
  const auto p = distribution({3, 4}, {1, 1});
  const auto t = verify::g_test({{3, 500}, {4, 499}, {9, 1}}, p);
  BOOST_TEST(t.impossible == 1);
  BOOST_TEST(t.testable());
  BOOST_TEST(t.p_value == 0.0);
  BOOST_TEST(std::isinf(t.g));
}

BOOST_AUTO_TEST_CASE(exact_draws_pass_and_moved_mass_fails) {
  numerics::SamplingParams params;
  params.temperature = 1.0f;
  int false_alarms_at_5_percent = 0, caught = 0;
  constexpr int kDistributions = 200;
  for (int i = 0; i < kDistributions; ++i) {
    const auto p =
        sim::symbolic_distribution(sim::mix64(static_cast<std::uint64_t>(i)), 256, params);
    const auto exact = verify::g_test(draws(p, 2000, 1000 + i), p);
    BOOST_REQUIRE(exact.testable());
    false_alarms_at_5_percent += exact.p_value <= 0.05 ? 1 : 0;
    // 10% of the mass from the top token to the second, 5000 draws: the test sees it.
    if (p.probability(0) > 0.1) {
      const auto biased = verify::g_test(draws(moved_mass(p, 0.1), 5000, 7000 + i), p);
      caught += biased.p_value < 1e-6 ? 1 : 0;
      BOOST_TEST(biased.p_value < 1e-6, "distribution " << i << ": p " << biased.p_value);
    } else {
      ++caught;
    }
  }
  // Calibration: about 5% of exact samples fall under 0.05 (binomial(200, 0.05): 2..20 holds
  // with probability > 0.999).
  BOOST_TEST(false_alarms_at_5_percent >= 2);
  BOOST_TEST(false_alarms_at_5_percent <= 20);
  BOOST_TEST(caught == kDistributions);
}

BOOST_AUTO_TEST_CASE(group_levels_sum_to_at_most_alpha) {
  BOOST_TEST(verify::group_level(1e-3, 50, 100, 4) == 1.25e-4, boost::test_tools::tolerance(1e-12));
  BOOST_CHECK_THROW(verify::group_level(0.0, 1, 1, 1), ContractError);
  BOOST_CHECK_THROW(verify::group_level(1e-3, 2, 1, 1), ContractError);
}

sim::Scenario coupled(const std::string& backend) {
  sim::Scenario s = sim::load_scenario_file("scenarios/sampled_coupled.json");
  s.backend = backend;
  resolve::finalize_scenario(s, "");
  return s;
}

void check_exact_distribution_reproduces_coupled_runs(const std::string& backend, int seeds) {
  const sim::Scenario s = coupled(backend);
  constexpr int kPositions = 3;
  cli::TargetDistribution target(s, kPositions - 1);
  const auto outputs = verify::sampled_outputs(s, s.sampling.seed, seeds, kPositions);
  for (int r = 0; r < seeds; ++r) {
    const auto expected = test::biased_run(
        s, s.sampling.seed + static_cast<std::uint64_t>(r), kPositions,
        [&](int seq, const std::vector<Token>& prefix) { return target.at(seq, prefix); }, 0.0);
    BOOST_TEST(outputs[static_cast<std::size_t>(r)] == expected, backend << " seed offset " << r);
  }
}

BOOST_AUTO_TEST_CASE(exact_distribution_reproduces_coupled_sampling_symbolic) {
  check_exact_distribution_reproduces_coupled_runs("symbolic", 50);
}

BOOST_AUTO_TEST_CASE(exact_distribution_reproduces_coupled_sampling_cpu) {
  check_exact_distribution_reproduces_coupled_runs("cpu", 6);
}

BOOST_AUTO_TEST_CASE(the_check_passes_coupled_runs_and_rejects_a_biased_sampler) {
  const sim::Scenario s = coupled("symbolic");
  constexpr int kPositions = 3, kRuns = 1500;
  cli::TargetDistribution target(s, kPositions - 1);
  const verify::DistributionOf exact = [&](int seq, const std::vector<Token>& prefix) {
    return target.at(seq, prefix);
  };
  const verify::DistCheckOptions options{.positions = kPositions, .min_group = 25, .alpha = 1e-3};
  const auto clean =
      verify::check_distribution(verify::sampled_outputs(s, 1, kRuns, kPositions), options, exact);
  BOOST_TEST(clean.tests.size() > 20u);
  BOOST_TEST(clean.rejections() == 0);
  double level_sum = 0;
  for (const auto& r : clean.tests) level_sum += r.level;
  BOOST_TEST(level_sum <= options.alpha);
  // A sampler that moves 10% of the mass from each position's most likely token to the next.
  const auto biased = test::biased_runs(s, 1, kRuns, kPositions, exact, 0.1);
  const auto caught = verify::check_distribution(biased, options, exact);
  BOOST_TEST(caught.rejections() > 0);
}

BOOST_AUTO_TEST_CASE(bad_options_and_greedy_scenarios_are_bad_input) {
  const verify::RunOutputs one{{{1, 2}}};
  const verify::DistributionOf any = [](int, const std::vector<Token>&) {
    return distribution({1, 2}, {1, 1});
  };
  BOOST_CHECK_THROW(verify::check_distribution(one, {.positions = 0}, any), InputError);
  BOOST_CHECK_THROW(verify::check_distribution(one, {.positions = 1, .min_group = 0}, any),
                    InputError);
  BOOST_CHECK_THROW(
      verify::check_distribution(one, {.positions = 1, .min_group = 1, .alpha = 1.0}, any),
      InputError);
  sim::Scenario greedy = sim::load_scenario_file("scenarios/ragged_worst_case.json");
  BOOST_CHECK_THROW(verify::sampled_outputs(greedy, 0, 10, 2), InputError);
  sim::Scenario s = coupled("symbolic");
  BOOST_CHECK_THROW(verify::sampled_outputs(s, ~0ULL, 2, 2), InputError);
}

}  // namespace
}  // namespace lockstep
