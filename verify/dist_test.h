// The G-test (likelihood-ratio goodness of fit) of observed next-token counts against an
// exactly known distribution (issue 14 item 3, docs/invariants.md "Checking the
// distribution"): the pooling of thin bins, the statistic, its chi-square p-value and the
// per-test significance level that keeps a whole `lockstep verify-dist` run's false-alarm
// rate at or below alpha.
//
// Contract: pure arithmetic on counts and numerics::SampleDistribution's exact weights; the
// p-value is Boost.Math's chi-square survival function. Not here: which runs form a group
// (verify/dist_check.h), where the distribution comes from (the backend).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "numerics/sampling.h"

namespace lockstep::verify {

// A bin's expected count must reach this for the chi-square approximation of G (the
// textbook rule); thinner tokens are pooled (pool_bins).
constexpr double kMinExpectedPerBin = 5.0;

// How often each next token was observed in one group of runs.
using TokenCounts = std::map<std::int32_t, std::int64_t>;

struct DistBin {
  std::vector<std::int32_t> tokens;  // the support tokens it holds, draw order
  bool other = false;                // the pooled bin (also holds every token outside the support)
  double expected = 0;               // n * p(bin)
  std::int64_t observed = 0;
};

// The bins of a group of n = sum(observed) runs (docs/invariants.md "Checking the distribution"):
//  1. each support token of expected count n p(token) >= 5 is a bin of its own;
//  2. every other token (the thin support tokens and every token of probability 0) goes into
//     one "other" bin;
//  3. while "other" has an expected count in (0, 5), it absorbs the own bin of smallest
//     expected count (ties: the later one in draw order), so every bin reaches 5 when it can;
//     an "other" of expected 0 is dropped (its observations are impossible: see g_test).
// Bins come in draw order, "other" last. Throws ContractError on an empty distribution.
std::vector<DistBin> pool_bins(const TokenCounts& observed, const numerics::SampleDistribution& p);

struct GTest {
  std::int64_t runs = 0;  // n
  int bins = 0;
  int dof = 0;   // bins - 1; 0: nothing to test (one bin holds all the mass)
  double g = 0;  // 2 sum O ln(O / E) over the bins
  double q = 1;  // Williams' correction 1 + (bins + 1) / (6 n); the p-value uses g / q
  double p_value = 1;
  // A token of probability exactly 0 was observed: impossible under the distribution, so
  // p_value is 0 and g is +inf whatever the counts.
  std::int64_t impossible = 0;
  bool testable() const { return dof >= 1 || impossible > 0; }
};

// The G-test of `observed` against `p`. n = 0 gives an untestable result.
GTest g_test(const TokenCounts& observed, const numerics::SampleDistribution& p);

// P(X >= x) for X ~ chi-square with `dof` >= 1 degrees of freedom (x >= 0; +inf gives 0).
double chi_square_survival(double x, int dof);

// The significance level of one group's test in a run of `total_runs` runs over `cells`
// (sequence, position) cells: alpha * group_runs / (total_runs * cells). A cell's groups
// hold at most total_runs runs, so the levels of all tests sum to at most alpha (Bonferroni
// weighted by group size: the union bound holds although which groups exist depends on the
// earlier tokens, because a group's weight is fixed before its own next tokens are drawn).
double group_level(double alpha, std::int64_t group_runs, std::int64_t total_runs, int cells);

}  // namespace lockstep::verify
