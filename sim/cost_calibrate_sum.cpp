// fit_sum_form (sim/cost_calibrate.h): a 4-parameter weighted linear least squares with a ridge
// towards the probe, solved by Gaussian elimination, with multipliers that fall below the floor
// pinned there and the rest refitted (an active set; a few rounds at most).
#include <algorithm>
#include <array>
#include <cmath>

#include "sim/cost_calibrate.h"
#include "sim/error.h"

namespace lockstep::sim {
namespace {

constexpr int kTerms = 5;  // memory, gemm, attention, overhead, packing
using Vector = std::array<double, kTerms>;
using Matrix = std::array<Vector, kTerms>;

// Ridge weight per row: small next to a squared relative error of a few percent, large enough
// to settle directions the rows leave flat.
constexpr double kPullTowardsProbe = 1e-5;
constexpr double kFloor = 1e-3;

Vector terms_of(const CostModel& model, const CalibrationRow& row) {
  const PassCost c = calibration_pass(model, row);
  return {c.memory_seconds, c.compute_seconds, c.attention_seconds, c.launch_seconds,
          c.pack_seconds};
}

// Solves a x = b in place by elimination with partial pivoting; false when singular.
bool solve(Matrix a, Vector b, Vector& x) {
  for (int col = 0; col < kTerms; ++col) {
    int pivot = col;
    for (int r = col + 1; r < kTerms; ++r)
      if (std::abs(a[r][col]) > std::abs(a[pivot][col])) pivot = r;
    if (!(std::abs(a[pivot][col]) > 1e-300)) return false;
    std::swap(a[col], a[pivot]);
    std::swap(b[col], b[pivot]);
    for (int r = col + 1; r < kTerms; ++r) {
      const double factor = a[r][col] / a[col][col];
      for (int c = col; c < kTerms; ++c) a[r][c] -= factor * a[col][c];
      b[r] -= factor * b[col];
    }
  }
  for (int r = kTerms - 1; r >= 0; --r) {
    double sum = b[r];
    for (int c = r + 1; c < kTerms; ++c) sum -= a[r][c] * x[c];
    x[r] = sum / a[r][r];
  }
  return true;
}

// Minimises sum ((X theta - t) / t)^2 + lambda |theta - 1|^2 with the pinned terms fixed.
Vector least_squares(const std::vector<Vector>& x, const std::vector<double>& t,
                     const std::array<bool, kTerms>& pinned) {
  const double lambda = kPullTowardsProbe * static_cast<double>(t.size());
  Matrix a{};
  Vector b{};
  for (std::size_t i = 0; i < t.size(); ++i) {
    Vector w{};
    double rhs = 1.0;  // t / t
    for (int j = 0; j < kTerms; ++j) {
      w[j] = x[i][j] / t[i];
      if (pinned[j]) rhs -= w[j] * kFloor;
    }
    for (int j = 0; j < kTerms; ++j) {
      if (pinned[j]) continue;
      b[j] += w[j] * rhs;
      for (int k = 0; k < kTerms; ++k)
        if (!pinned[k]) a[j][k] += w[j] * w[k];
    }
  }
  for (int j = 0; j < kTerms; ++j) {
    if (pinned[j]) {
      a[j] = Vector{};
      a[j][j] = 1.0;
      b[j] = kFloor;
    } else {
      a[j][j] += lambda;
      b[j] += lambda;
    }
  }
  Vector theta;
  theta.fill(1.0);
  if (!solve(a, b, theta)) theta.fill(1.0);
  return theta;
}

}  // namespace

CostConstants fit_sum_form(const std::vector<CalibrationRow>& rows, const Hardware& measured) {
  require(!rows.empty(), "fit_sum_form: no rows");
  std::vector<Vector> x;
  std::vector<double> t;
  for (const auto& r : rows) {
    x.push_back(terms_of(parse_cost_spec(r.cost, {}, &measured), r));
    t.push_back(r.measured_seconds);
  }
  std::array<bool, kTerms> pinned{};
  Vector theta{};
  for (int round = 0; round <= kTerms; ++round) {
    theta = least_squares(x, t, pinned);
    bool changed = false;
    for (int j = 0; j < kTerms; ++j) {
      if (!pinned[j] && theta[j] < kFloor) pinned[j] = changed = true;
    }
    if (!changed) break;
  }
  for (auto& v : theta) v = std::max(v, kFloor);
  CostConstants out;
  out.bandwidth_fraction = 1.0 / theta[0];
  out.compute_fraction = 1.0 / theta[1];
  out.attention_fraction = 1.0 / theta[2];
  out.launch_seconds = theta[3] * measured.launch_seconds;
  out.pack_fraction = 1.0 / theta[4];
  return out;
}

}  // namespace lockstep::sim
