// Tables of `lockstep calibrate` (cli/calibrate_report.h).
#include "cli/calibrate_report.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/core.h>

namespace lockstep::cli {

void print_rows(const std::vector<sim::CalibrationRow>& rows, const sim::CalibrationResult& r) {
  fmt::print("  {:<32} {:>6} {:>5} {:>6} {:>6} {:>12} {:>12} {:>12} {:>8}\n", "cost", "role",
             "rows", "tokens", "kv", "measured_s", "uncalib_s", "fitted_s", "error");
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& row = rows[i];
    fmt::print("  {:<32} {:>6} {:>5} {:>6} {:>6} {:>12.6g} {:>12.6g} {:>12.6g} {:>7.2f}%\n",
               row.cost, row.target ? "target" : "draft", row.rows, row.tokens, row.kv,
               row.measured_seconds, r.uncalibrated[i], r.predicted[i],
               100.0 * r.relative_error[i]);
  }
}

void print_groups(const std::vector<sim::CalibrationRow>& rows, const sim::CalibrationResult& r) {
  struct Group {
    int count = 0;
    double sum = 0;
    double max = 0;
  };
  std::map<std::pair<std::string, std::int64_t>, Group> groups;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Group& g = groups[{rows[i].target ? "target" : "draft", rows[i].rows}];
    const double e = std::abs(r.relative_error[i]);
    ++g.count;
    g.sum += e;
    g.max = std::max(g.max, e);
  }
  fmt::print("  {:<8} {:>5} {:>7} {:>12} {:>11}\n", "role", "rows", "shapes", "mean |error|",
             "max |error|");
  for (const auto& [key, g] : groups) {
    fmt::print("  {:<8} {:>5} {:>7} {:>11.2f}% {:>10.2f}%\n", key.first, key.second, g.count,
               100.0 * g.sum / g.count, 100.0 * g.max);
  }
}

void print_constants(const sim::CostConstants& k, const sim::Hardware& hw) {
  if (hw.form == sim::CostForm::roofline) {
    fmt::print("  fitted         bandwidth fraction {:.4f}  launch overhead {:.3f} us\n",
               k.bandwidth_fraction, 1e6 * k.launch_seconds);
    return;
  }
  fmt::print(
      "  fitted         bandwidth x{:.3f} ({:.2f} GB/s)  gemm x{:.3f} ({:.2f} Gop/s)  attention "
      "x{:.3f} ({:.2f} Gop/s)  weight passes x{:.3f} ({:.2f} GB/s)  step {:.2f} us\n",
      k.bandwidth_fraction, 1e-9 * hw.bandwidth * k.bandwidth_fraction, k.compute_fraction,
      1e-9 * hw.int8_ops * k.compute_fraction, k.attention_fraction,
      1e-9 * hw.attention_ops * k.attention_fraction, k.pack_fraction,
      1e-9 * hw.pack_bandwidth * k.pack_fraction, 1e6 * k.launch_seconds);
}

void print_probe(const reference::ProbeReport& report) {
  const auto& p = report.probe;
  fmt::print("  gemm kernel    {} (one thread: the thread's CPU clock sees no worker threads)\n",
             p.gemm_kernel);
  const auto kernel = sim::cpu_kernel(p.gemm_kernel);
  const bool int8 = kernel && kernel->passes == sim::WeightPasses::int8_blocks_of_4;
  fmt::print(
      "  bandwidth      {:.2f} GB/s ({}, median)\n", 1e-9 * p.bandwidth,
      int8 ? "the int8 kernel's one-row product over 1-byte weights" : "streaming read of doubles");
  for (const auto& s : report.gemm) {
    fmt::print("  gemm sample    {} x {} -> {}: {:.2f} Gop/s\n", s.rows, s.k, s.n,
               1e-9 * s.ops_per_second);
  }
  fmt::print("  gemm           {:.2f} Gop/s (median of the samples)\n", 1e-9 * p.gemm_ops);
  fmt::print("  attention      {:.2f} Gop/s (scalar int8 loops)\n", 1e-9 * p.attention_ops);
  fmt::print("  step overhead  {:.2f} us (minimal pass / 2 steps)\n", 1e6 * p.step_seconds);
  fmt::print(
      "  weight pass    {:.2f} GB/s (one extra walk over the weights: Eigen's packing or the "
      "int8 kernel's per-4-row walk; fitted over 1..8 rows)\n",
      1e-9 * p.pack_bandwidth);
}

}  // namespace lockstep::cli
