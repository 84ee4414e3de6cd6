// The `cpu` hardware profile of the cost model (docs/cost-model.md, "The cpu profile").
//
// Contract: prices the passes the cpu backend (reference/) runs, with the dimensions of its own
// model presets (sim::preset) and constants measured on the machine at hand, never published
// ones: `lockstep calibrate --probe` measures streaming bandwidth, the reference's double-GEMM
// rate, its scalar attention rate and the fixed cost of a minimal pass, and writes them to a
// small JSON profile; `lockstep calibrate --profile FILE --write-profile OUT` adds the fitted
// multipliers. The reference runs every step of a pass one after another on one core, so the
// terms add up instead of overlapping (CostForm::sum):
//     seconds = bytes / (bandwidth * f) + gemm_ops / (gemm_rate * g)
//             + attention_ops / (attention_rate * a) + (n_layers + 1) * overhead
//             + [tokens >= 2] * weight_bytes / (pack_rate * p)
// The last term is Eigen's GEMM packing its weight operand, which a one-token pass (a GEMV)
// skips: measured on this machine, two tokens cost about three times one.
// Weights are int8 values held as doubles (reference/weights.h): 8 bytes each; K/V are int8.
// That is the double_serial GEMM kernel (LOCKSTEP_GEMM_KERNEL=double_serial), the one this
// profile was measured and fitted on; the default int8_avx2 kernel reads 1-byte weights and
// has no GEMV/GEMM packing step, so it is not priced by this form yet.
// This file does no measuring (reference/probe.h does) and no fitting (sim/cost_calibrate.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/cost_model.h"
#include "sim/model_config.h"

namespace lockstep::sim {

inline constexpr const char* kCpuHardwareName = "cpu";
// The reference stores int8 weights as doubles: Eigen's double GEMM on them is exact.
inline constexpr double kCpuWeightBytes = 8.0;

// What a probe measured, as positive finite numbers (checked by cpu_hardware).
struct CpuProbe {
  double bandwidth = 0;       // bytes per second, streaming read of a buffer far past the caches
  double gemm_ops = 0;        // the reference's double GEMM, 2 ops per multiply-add
  double attention_ops = 0;   // the reference's scalar int8 attention loops, 2 ops per MAC
  double step_seconds = 0;    // fixed cost of one layer (or the head) of a minimal pass
  double pack_bandwidth = 0;  // weight bytes per second a >= 2-row GEMM packs (vs 1-row GEMV)
};

struct CpuProfile {
  CpuProbe probe;
  CostConstants fitted;  // the defaults (probe as measured) until a calibration writes them
  bool has_fit = false;
  std::string note;  // free text: how and when it was measured
};

// The Hardware of the sum form; throws InputError unless every probe figure is positive and
// finite.
Hardware cpu_hardware(const CpuProbe& probe);

// The dims of a cpu backend model: a preset name ("small") or a derived draft of a preset
// ("small[:2]": its first 2 layers, sim::derived_draft). nullopt when the name is neither.
std::optional<ModelDims> cpu_model_dims(const std::string& name);
// "TARGET/DRAFT" of cpu backend models; nullopt when either half is unknown.
std::optional<ModelPair> cpu_pair(const std::string& name);
// The pairs the shipped scenarios use (any TARGET/DRAFT of presets is accepted).
std::vector<std::string> cpu_pair_names();
// The cost spec `lockstep bench` writes for a cpu backend run of these models.
std::string cpu_cost_spec(const ModelConfig& target, const ModelConfig& draft);

// One pass in the sum form (CostModel::pass calls this when hardware.form is sum).
PassCost cpu_pass_cost(const ModelDims& dims, const Hardware& hardware,
                       const CostConstants& constants, const std::vector<RowWork>& rows);

// JSON with fields format, note, bandwidth_bytes_per_s, gemm_ops_per_s, attention_ops_per_s,
// step_seconds, pack_bytes_per_s and, once fitted, fitted: {bandwidth_fraction,
// compute_fraction, attention_fraction, pack_fraction, step_seconds}. Throws InputError naming the
// origin and the bad field.
std::string cpu_profile_json(const CpuProfile& profile);
CpuProfile parse_cpu_profile(const std::string& text, const std::string& origin);
CpuProfile load_cpu_profile(const std::string& path);

}  // namespace lockstep::sim
