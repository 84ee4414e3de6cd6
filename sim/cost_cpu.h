// The `cpu` hardware profile of the cost model (docs/cost-model.md, "The cpu profile").
//
// Contract: prices the passes the cpu backend (reference/) runs, with the dimensions of its own
// model presets (sim::preset) and constants measured on the machine at hand, never published
// ones: `lockstep calibrate --probe` measures streaming bandwidth, the GEMM rate of the kernel
// in use, its scalar attention rate and the fixed cost of a minimal pass, and writes them to a
// small JSON profile; `lockstep calibrate --profile FILE --write-profile OUT` adds the fitted
// multipliers. The reference, on one thread, runs every step of a pass one after another, so the
// terms add up instead of overlapping (CostForm::sum):
//     seconds = bytes / (bandwidth * f) + gemm_ops / (gemm_rate * g)
//             + attention_ops / (attention_rate * a) + (n_layers + 1) * overhead
//             + weight_passes(tokens) * weight_bytes / (pass_rate * p)
// The last term is the GEMM kernel's walks over the weights beyond the stream (WeightPasses):
// Eigen's double and float GEMMs pack the weights once for >= 2 tokens (a one-token GEMV
// skips it: two tokens cost about three times one); the int8 AVX2 kernel (the default) walks
// them once per block of 4 tokens and once per leftover token. The profile records the kernel
// it was probed on (`gemm_kernel`, LOCKSTEP_GEMM_KERNEL), and that kernel sets the bytes per
// weight (8 for doubles, 4 for floats, 1 for int8) and the passes: a profile prices only the
// kernel it was probed on, so `calibrate` refuses one probed on another kernel.
// The probe and `bench --clock thread` run the backend on one thread (the thread's CPU clock
// does not see worker threads): the profile prices one thread.
// This file does no measuring (reference/probe.h does) and no fitting (sim/cost_calibrate.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/cost_model.h"
#include "sim/model_config.h"

namespace lockstep::sim {

inline constexpr const char* kCpuHardwareName = "cpu";
// The embedding rows a pass gathers are doubles whatever the GEMM kernel (reference/weights.h).
inline constexpr double kCpuEmbeddingBytes = 8.0;

// A GEMM kernel of the cpu backend (reference/gemm_kernels.h) as the profile prices it.
struct CpuKernel {
  std::string name;         // as LOCKSTEP_GEMM_KERNEL names it
  double weight_bytes = 0;  // bytes per weight the kernel reads
  WeightPasses passes = WeightPasses::eigen_pack;
};
// Every kernel, and one by name (nullopt when unknown).
const std::vector<CpuKernel>& cpu_kernels();
std::optional<CpuKernel> cpu_kernel(const std::string& name);
// Walks over the weights beyond the stream that a GEMM of `tokens` rows makes.
double weight_passes(WeightPasses rule, std::int64_t tokens);

// What a probe measured, as positive finite numbers (checked by cpu_hardware).
struct CpuProbe {
  double bandwidth = 0;       // bytes per second, streaming read of a buffer far past the caches
  double gemm_ops = 0;        // the GEMM kernel's rate, 2 ops per multiply-add
  double attention_ops = 0;   // the reference's scalar int8 attention loops, 2 ops per MAC
  double step_seconds = 0;    // fixed cost of one layer (or the head) of a minimal pass
  double pack_bandwidth = 0;  // weight bytes per second of one walk counted by weight_passes
  std::string gemm_kernel;    // the kernel probed (cpu_kernel's name)
};

struct CpuProfile {
  CpuProbe probe;
  CostConstants fitted;  // the defaults (probe as measured) until a calibration writes them
  bool has_fit = false;
  std::string note;  // free text: how and when it was measured
};

// The Hardware of the sum form; throws InputError unless every probe figure is positive and
// finite and the kernel is known.
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

// JSON with fields format, note, gemm_kernel, bandwidth_bytes_per_s, gemm_ops_per_s,
// attention_ops_per_s, step_seconds, pack_bytes_per_s and, once fitted, fitted:
// {bandwidth_fraction, compute_fraction, attention_fraction, pack_fraction, step_seconds}. Throws
// InputError naming the origin and the bad field.
std::string cpu_profile_json(const CpuProfile& profile);
CpuProfile parse_cpu_profile(const std::string& text, const std::string& origin);
CpuProfile load_cpu_profile(const std::string& path);

}  // namespace lockstep::sim
