// `lockstep calibrate` (docs/cost-model.md, "Calibration"). Output is a table of every row's
// measured and predicted seconds (uncalibrated and fitted) so a bad fit is visible row by row.
#include "cli/calibrate_command.h"

#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/core.h>

#include "sim/cost_calibrate.h"
#include "sim/cost_model.h"
#include "sim/error.h"

namespace lockstep::cli {
namespace {

int execute(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot read " + path);
  std::stringstream text;
  text << in.rdbuf();
  const auto rows = sim::parse_calibration_csv(text.str(), path);
  const auto fit = sim::calibrate(rows);
  fmt::print("lockstep calibrate: {} measured rows from {}\n", rows.size(), path);
  fmt::print("  fitted         bandwidth fraction {:.4f}  launch overhead {:.3f} us\n",
             fit.constants.bandwidth_fraction, 1e6 * fit.constants.launch_seconds);
  fmt::print("  {:<32} {:>6} {:>5} {:>6} {:>6} {:>12} {:>12} {:>12} {:>8}\n", "cost", "role",
             "rows", "tokens", "kv", "measured_s", "uncalib_s", "fitted_s", "error");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    fmt::print("  {:<32} {:>6} {:>5} {:>6} {:>6} {:>12.6g} {:>12.6g} {:>12.6g} {:>7.2f}%\n", r.cost,
               r.target ? "target" : "draft", r.rows, r.tokens, r.kv, r.measured_seconds,
               fit.uncalibrated[i], fit.predicted[i], 100.0 * fit.relative_error[i]);
  }
  fmt::print("  error          mean |error| {:.2f}% (uncalibrated {:.2f}%), max {:.2f}%\n",
             100.0 * fit.mean_abs_error, 100.0 * fit.uncalibrated_mean_abs_error,
             100.0 * fit.max_abs_error);
  // The fitted constants in spec form, ready for --cost or a scenario's "cost" field.
  const auto calibrated = sim::parse_cost_spec(rows.front().cost, fit.constants);
  fmt::print("  use            --cost {}\n", calibrated.spec());
  return 0;
}

}  // namespace

void add_calibrate_command(CLI::App& app, int& exit_code) {
  auto path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "calibrate", "Fit the cost model's bandwidth fraction and launch overhead to measurements");
  cmd->footer(
      "MEASURED.csv has the header\n"
      "  cost,role,rows,tokens,kv,measured_seconds\n"
      "and one row per measured forward pass: cost = HW:PAIR[:int8|bf16] (one hardware per\n"
      "file), role = target|draft, a pass of `rows` rows each feeding `tokens` new tokens and\n"
      "attending `kv` KV slots (kv >= tokens), and its measured wall time in seconds.\n"
      "The fit minimises the squared relative error of\n"
      "  max(bytes / (bandwidth * f), ops / peak) + launches * L\n"
      "over f (achieved bandwidth fraction) and L (seconds per kernel launch), and prints every\n"
      "row's error with the presets' defaults and with the fitted constants.\n"
      "Example row: h200:vicuna-7b/vicuna-68m:bf16,target,8,6,300,0.00412");
  cmd->add_option("MEASURED", *path, "CSV of measured pass times")->required();
  cmd->callback([path, &exit_code] { exit_code = execute(*path); });
}

}  // namespace lockstep::cli
