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

// Throws InputError naming the line and column of anything malformed.
std::vector<CalibrationRow> parse_calibration_csv(const std::string& text,
                                                  const std::string& origin);
std::string calibration_csv_header();

// The cost of one measured shape under `model` (a padded pass: every row the same).
PassCost calibration_pass(const CostModel& model, const CalibrationRow& row);

CalibrationResult calibrate(const std::vector<CalibrationRow>& rows);

}  // namespace lockstep::sim
