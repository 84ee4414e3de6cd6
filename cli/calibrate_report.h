// The tables `lockstep calibrate` prints: every row's measured and predicted seconds, and the
// mean and max |error| per (role, rows) group of a held-out set. Printing only.
#pragma once

#include <string>
#include <vector>

#include "reference/probe.h"
#include "sim/cost_calibrate.h"

namespace lockstep::cli {

void print_rows(const std::vector<sim::CalibrationRow>& rows, const sim::CalibrationResult& r);
void print_groups(const std::vector<sim::CalibrationRow>& rows, const sim::CalibrationResult& r);
void print_constants(const sim::CostConstants& constants, const sim::Hardware& hardware);
void print_probe(const reference::ProbeReport& report);

}  // namespace lockstep::cli
