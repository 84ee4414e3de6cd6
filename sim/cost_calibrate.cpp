// Least-squares fit of (1/f, L) by alternating classification: with f fixed each row is
// memory- or compute-bound; with the classes fixed the model is linear in (1/f, L) and the
// weighted normal equations give the optimum. A handful of iterations converge because a row
// only changes class when the fit moves across its roofline knee.
#include "sim/cost_calibrate.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sim/error.h"

namespace lockstep::sim {
namespace {

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) out.push_back(field);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

std::int64_t parse_int(const std::string& s, const std::string& where) {
  std::size_t used = 0;
  long long v = 0;
  try {
    v = std::stoll(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != s.size() || s.empty() || v < 0)
    throw InputError(where + ": expected a non-negative integer, got '" + s + "'");
  return v;
}

double parse_seconds(const std::string& s, const std::string& where) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != s.size() || s.empty() || !(v > 0) || !std::isfinite(v))
    throw InputError(where + ": expected a positive number of seconds, got '" + s + "'");
  return v;
}

std::string hardware_of(const std::string& cost) {
  return cost.substr(0, cost.find(':'));
}

}  // namespace

std::string calibration_csv_header() {
  return "cost,role,rows,tokens,kv,measured_seconds";
}

std::vector<CalibrationRow> parse_calibration_csv(const std::string& text,
                                                  const std::string& origin,
                                                  const Hardware* measured) {
  std::istringstream in(text);
  std::string line;
  int number = 0;
  std::vector<CalibrationRow> rows;
  bool header = false;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const std::string where = origin + ":" + std::to_string(number);
    if (!header) {
      if (line != calibration_csv_header())
        throw InputError(where + ": the header must be '" + calibration_csv_header() + "'");
      header = true;
      continue;
    }
    const auto f = split(line);
    if (f.size() != 6)
      throw InputError(where + ": expected 6 comma-separated fields, got " +
                       std::to_string(f.size()));
    CalibrationRow r;
    r.cost = f[0];
    // Validates, with the known names in the message.
    const CostConstants given = parse_cost_spec(r.cost, {}, measured).constants();
    if (given.bandwidth_fraction != 1.0 || given.launch_seconds >= 0)
      throw InputError(where +
                       " (cost): give HW:PAIR[:PRECISION] without constants; the fit "
                       "finds them");
    if (f[1] != "target" && f[1] != "draft")
      throw InputError(where + " (role): expected target or draft, got '" + f[1] + "'");
    r.target = f[1] == "target";
    r.rows = parse_int(f[2], where + " (rows)");
    r.tokens = parse_int(f[3], where + " (tokens)");
    r.kv = parse_int(f[4], where + " (kv)");
    r.measured_seconds = parse_seconds(f[5], where + " (measured_seconds)");
    if (r.rows == 0 || r.tokens == 0) throw InputError(where + ": rows and tokens must be >= 1");
    if (r.kv < r.tokens)
      throw InputError(where + ": kv must be >= tokens (new tokens are attended)");
    if (!rows.empty() && hardware_of(r.cost) != hardware_of(rows.front().cost))
      throw InputError(where + ": one hardware per file (first rows are " +
                       hardware_of(rows.front().cost) + ")");
    rows.push_back(r);
  }
  if (!header)
    throw InputError(origin + ": empty; expected the header " + calibration_csv_header());
  if (rows.size() < 2)
    throw InputError(origin + ": at least 2 measured rows are needed to fit 2 constants");
  return rows;
}

PassCost calibration_pass(const CostModel& model, const CalibrationRow& row) {
  const std::vector<RowWork> work(static_cast<std::size_t>(row.rows),
                                  RowWork{row.tokens, row.kv, row.tokens * row.kv});
  return model.pass(row.target, work);
}

CalibrationResult calibrate(const std::vector<CalibrationRow>& rows, const Hardware* measured) {
  require(!rows.empty(), "calibrate: no rows");
  if (parse_cost_spec(rows.front().cost, {}, measured).hardware().form == CostForm::sum)
    return evaluate(rows, fit_sum_form(rows, *measured), measured);
  // Roofline terms at f = 1 and L = 1 s, so prediction = max(mem / f, compute) + launches * L.
  std::vector<double> mem, compute, launches;
  for (const auto& r : rows) {
    CostConstants unit;
    unit.launch_seconds = 1.0;
    const PassCost c = calibration_pass(parse_cost_spec(r.cost, unit), r);
    mem.push_back(c.memory_seconds);
    compute.push_back(c.compute_seconds);
    launches.push_back(static_cast<double>(c.launches));
  }
  double a = 1.0;  // 1 / f
  double launch = parse_cost_spec(rows.front().cost).launch_overhead();
  for (int iteration = 0; iteration < 50; ++iteration) {
    // Minimise sum ((m a + n L + c - t) / t)^2 with m = mem or 0, c = 0 or compute.
    double s_mm = 0, s_mn = 0, s_nn = 0, s_mr = 0, s_nr = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const double t = rows[i].measured_seconds;
      const bool memory_bound = mem[i] * a >= compute[i];
      const double m = memory_bound ? mem[i] / t : 0.0;
      const double n = launches[i] / t;
      const double rhs = (t - (memory_bound ? 0.0 : compute[i])) / t;
      s_mm += m * m;
      s_mn += m * n;
      s_nn += n * n;
      s_mr += m * rhs;
      s_nr += n * rhs;
    }
    double next_a = a, next_launch = launch;
    const double det = s_mm * s_nn - s_mn * s_mn;
    if (s_mm > 0 && std::abs(det) > 1e-12 * s_mm * s_nn) {
      next_a = (s_mr * s_nn - s_nr * s_mn) / det;
      next_launch = (s_mm * s_nr - s_mn * s_mr) / det;
    } else if (s_nn > 0) {
      next_launch = s_nr / s_nn;  // every row compute-bound: f cannot be identified
    }
    // A negative fit means the data contradict the model's shape; clamp to the nearest
    // physically meaningful value rather than report nonsense constants.
    next_a = std::max(next_a, 1.0);
    next_launch = std::max(next_launch, 0.0);
    const bool settled =
        std::abs(next_a - a) <= 1e-12 * a && std::abs(next_launch - launch) <= 1e-18;
    a = next_a;
    launch = next_launch;
    if (settled) break;
  }
  CostConstants fitted;
  fitted.bandwidth_fraction = 1.0 / a;
  fitted.launch_seconds = launch;
  return evaluate(rows, fitted);
}

CalibrationResult evaluate(const std::vector<CalibrationRow>& rows, const CostConstants& constants,
                           const Hardware* measured) {
  require(!rows.empty(), "evaluate: no rows");
  CalibrationResult out;
  out.constants = constants;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const double t = rows[i].measured_seconds;
    const double fitted =
        calibration_pass(parse_cost_spec(rows[i].cost, constants, measured), rows[i]).seconds;
    const double plain =
        calibration_pass(parse_cost_spec(rows[i].cost, {}, measured), rows[i]).seconds;
    out.predicted.push_back(fitted);
    out.relative_error.push_back((fitted - t) / t);
    out.uncalibrated.push_back(plain);
    out.mean_abs_error += std::abs(fitted - t) / t;
    out.max_abs_error = std::max(out.max_abs_error, std::abs(fitted - t) / t);
    out.uncalibrated_mean_abs_error += std::abs(plain - t) / t;
  }
  out.mean_abs_error /= static_cast<double>(rows.size());
  out.uncalibrated_mean_abs_error /= static_cast<double>(rows.size());
  return out;
}

}  // namespace lockstep::sim
