#include "verify/dist_test.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <boost/math/distributions/chi_squared.hpp>

#include "sim/error.h"

namespace lockstep::verify {
namespace {

std::int64_t total_of(const TokenCounts& observed) {
  std::int64_t n = 0;
  for (const auto& [token, count] : observed) n += count;
  return n;
}

std::int64_t count_of(const TokenCounts& observed, std::int32_t token) {
  const auto it = observed.find(token);
  return it == observed.end() ? 0 : it->second;
}

// Observations of tokens outside the support (probability exactly 0).
std::int64_t impossible_count(const TokenCounts& observed, const numerics::SampleDistribution& p) {
  std::int64_t out = 0;
  for (const auto& [token, count] : observed) out += p.weight_of(token) == 0 ? count : 0;
  return out;
}

// Step 3 of the rule: "other" absorbs the thinnest own bin while it is itself too thin.
void merge_thin_other(std::vector<DistBin>& bins, DistBin& other) {
  while (other.expected > 0 && other.expected < kMinExpectedPerBin && !bins.empty()) {
    auto thinnest = bins.begin();
    for (auto it = bins.begin(); it != bins.end(); ++it)
      if (it->expected <= thinnest->expected) thinnest = it;
    other.tokens.insert(other.tokens.end(), thinnest->tokens.begin(), thinnest->tokens.end());
    other.expected += thinnest->expected;
    other.observed += thinnest->observed;
    bins.erase(thinnest);
  }
}

}  // namespace

std::vector<DistBin> pool_bins(const TokenCounts& observed, const numerics::SampleDistribution& p) {
  require(p.size() >= 1 && p.total() > 0, "pool_bins: the distribution has no support");
  const std::int64_t n = total_of(observed);
  std::vector<DistBin> bins;
  DistBin other{.tokens = {}, .other = true, .expected = 0, .observed = 0};
  std::int64_t support_observed = 0;
  for (int i = 0; i < p.size(); ++i) {
    const std::int32_t token = p.tokens[static_cast<std::size_t>(i)];
    const double expected = static_cast<double>(n) * p.probability(i);
    const std::int64_t seen = count_of(observed, token);
    support_observed += seen;
    DistBin& into = expected >= kMinExpectedPerBin ? bins.emplace_back() : other;
    into.tokens.push_back(token);
    into.expected += expected;
    into.observed += seen;
  }
  other.observed += n - support_observed;  // the tokens of probability 0
  merge_thin_other(bins, other);
  if (other.expected > 0) bins.push_back(std::move(other));
  return bins;
}

double chi_square_survival(double x, int dof) {
  require(dof >= 1 && x >= 0, "chi_square_survival: needs dof >= 1 and x >= 0");
  if (std::isinf(x)) return 0.0;
  return boost::math::cdf(boost::math::complement(boost::math::chi_squared(dof), x));
}

GTest g_test(const TokenCounts& observed, const numerics::SampleDistribution& p) {
  GTest t;
  t.runs = total_of(observed);
  if (t.runs == 0) return t;
  t.impossible = impossible_count(observed, p);
  if (t.impossible > 0) {
    t.g = std::numeric_limits<double>::infinity();
    t.p_value = 0.0;
  }
  const auto bins = pool_bins(observed, p);
  t.bins = static_cast<int>(bins.size());
  t.dof = t.bins - 1;
  if (t.impossible > 0 || t.dof < 1) return t;
  for (const auto& b : bins) {
    if (b.observed > 0) {
      const auto o = static_cast<double>(b.observed);
      t.g += 2.0 * o * std::log(o / b.expected);
    }
  }
  t.g = std::max(t.g, 0.0);  // rounding can leave a tiny negative sum for a perfect fit
  t.q = 1.0 + static_cast<double>(t.bins + 1) / (6.0 * static_cast<double>(t.runs));
  t.p_value = chi_square_survival(t.g / t.q, t.dof);
  return t;
}

double group_level(double alpha, std::int64_t group_runs, std::int64_t total_runs, int cells) {
  require(alpha > 0 && alpha < 1 && group_runs >= 1 && group_runs <= total_runs && cells >= 1,
          "group_level: needs 0 < alpha < 1, 1 <= group_runs <= total_runs and cells >= 1");
  return alpha * static_cast<double>(group_runs) /
         (static_cast<double>(total_runs) * static_cast<double>(cells));
}

}  // namespace lockstep::verify
