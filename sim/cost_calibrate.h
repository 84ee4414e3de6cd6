// Calibration of the cost model against measured passes (`lockstep calibrate`).
//
// Contract: the measured CSV (docs/cost-model.md, "Calibration") has the header
//     cost,role,rows,tokens,kv,measured_seconds
// one row per measured forward pass shape: `cost` is HW:PAIR[:PRECISION] (one hardware per
// file), `role` target or draft, and the pass has `rows` rows each feeding `tokens` new tokens
// and attending `kv` KV slots (kv >= tokens). The fit chooses the achieved bandwidth fraction f
// and the per-kernel launch overhead L minimising the squared *relative* error of
//     max(bytes / (bandwidth * f), ops / peak) + launches * L
// (rows that are compute-bound inform L only). Exact on data the model itself generated.
// For hardware of the sum form (the cpu profile, sim/cost_cpu.h) the fit instead scales each
// probed term, see fit_sum_form. `evaluate` prices rows the fit never saw (held-out shapes).
#pragma once

#include <string>
#include <vector>

#include "sim/cost_model.h"

namespace lockstep::sim {

struct CalibrationRow {
  std::string cost;  // HW:PAIR[:PRECISION]
  bool target = true;
  std::int64_t rows = 0;
  std::int64_t tokens = 0;
  std::int64_t kv = 0;
  double measured_seconds = 0;
};

struct CalibrationResult {
  CostConstants constants;             // fitted bandwidth_fraction and launch_seconds
  std::vector<double> predicted;       // per row, with the fitted constants
  std::vector<double> relative_error;  // (predicted - measured) / measured
  std::vector<double> uncalibrated;    // per row, with the presets' defaults
  double mean_abs_error = 0;           // mean |relative error|, fitted
  double max_abs_error = 0;
  double uncalibrated_mean_abs_error = 0;
};

// Throws InputError naming the line and column of anything malformed. `measured` is the cpu
// profile's hardware, needed when the rows' cost is cpu:...
std::vector<CalibrationRow> parse_calibration_csv(const std::string& text,
                                                  const std::string& origin,
                                                  const Hardware* measured = nullptr);
std::string calibration_csv_header();

// The cost of one measured shape under `model` (a padded pass: every row the same).
PassCost calibration_pass(const CostModel& model, const CalibrationRow& row);

CalibrationResult calibrate(const std::vector<CalibrationRow>& rows,
                            const Hardware* measured = nullptr);

// Predictions and errors of `rows` under fixed constants; `uncalibrated` uses the defaults.
CalibrationResult evaluate(const std::vector<CalibrationRow>& rows, const CostConstants& constants,
                           const Hardware* measured = nullptr);

// The sum form's fit: predicted = m*memory + c*gemm + a*attention + s*overhead + p*packing,
// the terms priced with the probed constants, multipliers chosen by least squares on the relative
// error with a weak pull towards 1 (the probe) so that terms the rows cannot tell apart (every pass
// of a role reads the same weights) keep their probed size; multipliers stay >= 1e-3. Returns
// fractions 1/m, 1/c, 1/a, 1/p and the fitted per-step overhead.
CostConstants fit_sum_form(const std::vector<CalibrationRow>& rows, const Hardware& measured);

}  // namespace lockstep::sim
