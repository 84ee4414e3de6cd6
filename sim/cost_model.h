// Cost model of one GPU forward pass and of KV realignment (DESIGN §8, docs/cost-model.md).
//
// Contract: pure arithmetic on plain numbers. A pass is described by its rows (new tokens and
// KV slots attended per row); the model counts weight bytes, KV bytes read and written,
// operations and kernel launches, and predicts
//     seconds = max(bytes / (bandwidth * bandwidth_fraction), ops / peak) + launches * overhead.
// Every constant and its source is listed in docs/cost-model.md; change both together.
// The dimensions here are the real published ones of each model pair, independent of the small
// presets a symbolic run may use: the controller decides the *shape* of every pass, this model
// prices that shape as if the pair's real models ran it. The exception is the `cpu` hardware
// (sim/cost_cpu.h): it prices the cpu backend's own presets, with probed constants.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lockstep::sim {

// How a pass's terms combine: a GPU overlaps memory and compute (roofline: the larger wins);
// the CPU reference runs its GEMMs, scalar attention and bookkeeping one after another on one
// core, so its terms add up (docs/cost-model.md, "The cpu profile").
enum class CostForm { roofline, sum };

// How often the cpu reference's GEMM kernel walks a weight matrix beyond streaming it once
// (sum form, sim/cost_cpu.h): Eigen's GEMM packs the weights once for >= 2 tokens (one token
// runs as a GEMV, which packs nothing); the int8 AVX2 kernel walks them once per block of 4
// tokens and once per leftover token (reference/gemm_avx2.cpp).
enum class WeightPasses { eigen_pack, int8_blocks_of_4 };

struct Hardware {
  std::string name;
  double bandwidth = 0;       // HBM bytes per second (peak)
  double int8_ops = 0;        // dense int8 tensor ops per second (peak)
  double bf16_flops = 0;      // dense bf16 tensor FLOPs per second (peak)
  double launch_seconds = 0;  // per kernel launch, host + device (uncalibrated default)
  CostForm form = CostForm::roofline;
  // Ops per second of the attention loops when they are not tensor GEMMs (the cpu reference's
  // scalar int8 loops); 0: attention is priced at the tensor peak with the projections.
  double attention_ops = 0;
  // Weight bytes per second of one walk over the weights counted by weight_passes (sum form
  // only): Eigen's packing step, or the int8 kernel's per-block load and widening.
  double pack_bandwidth = 0;
  // Sum form only: bytes per weight as the GEMM kernel reads them, and its walks over them.
  double weight_bytes = 0;
  WeightPasses weight_passes = WeightPasses::eigen_pack;
};

// Dimensions of one transformer as its published config.json gives them. head_dim is explicit:
// Qwen3-0.6B has n_heads * head_dim (2048) != d_model (1024).
struct ModelDims {
  std::string name;
  int vocab = 0;
  int d_model = 0;
  int n_layers = 0;
  int n_heads = 0;
  int n_kv_heads = 0;
  int head_dim = 0;
  int ffn = 0;  // SwiGLU: gate, up and down projections

  // Weights read by every pass: all layer matrices plus the LM head (vocab x d_model). Norm
  // vectors and biases are left out (< 0.01% of the bytes); the embedding is a gather of the
  // fed rows, counted with the activations, not here.
  std::int64_t layer_params() const;
  std::int64_t streamed_params() const;
  // K and V of every layer and kv head for one token, in elements.
  std::int64_t kv_elements_per_slot() const { return 2LL * n_layers * n_kv_heads * head_dim; }
};

struct ModelPair {
  std::string name;  // "target/draft"
  ModelDims target;
  ModelDims draft;
};

enum class Precision { int8, bf16 };
const char* precision_name(Precision p);

// Whose code the passes and realignment are priced as (docs/cost-model.md, "Implementation
// profiles"). `lockstep`: the roofline below, one batched kernel per move plan. `hf_eager`: the
// published Python/Hugging Face code, priced by sim/cost_hf_eager.h (host dispatch, syncs).
enum class Implementation { lockstep, hf_eager };
const char* implementation_name(Implementation implementation);
std::vector<std::string> implementation_names();

// What a calibration fits (sim/cost_calibrate.h); the defaults are the uncalibrated roofline.
struct CostConstants {
  double bandwidth_fraction = 1.0;  // achieved / peak HBM bandwidth
  double compute_fraction = 1.0;    // achieved / peak tensor throughput (not fitted)
  double launch_seconds = -1;       // < 0: the hardware preset's value
  double attention_fraction = 1.0;  // achieved / probed attention rate (sum form only)
  double pack_fraction = 1.0;       // achieved / probed weight-pass rate (sum form only)
};

// Per-pass launch counts (docs/cost-model.md lists the kernels).
inline constexpr int kLaunchesPerLayer = 10;
inline constexpr int kLaunchesPerPass = 4;

// One row of a forward pass: `tokens` new tokens (pads included: a padded pass computes them),
// attending `kv_read` KV slots in all (past and new, pads included for the padded form), of
// which the new tokens write `tokens`. `attended` is the number of (query, key) pairs the
// attention kernel computes for the row.
struct RowWork {
  std::int64_t tokens = 0;
  std::int64_t kv_read = 0;
  std::int64_t attended = 0;
};

// The rows' sums: every term of a pass depends on the rows only through these.
RowWork totals_of(const std::vector<RowWork>& rows);

// Element sizes in bytes of what a pass streams.
struct ElementBytes {
  double weight = 0;
  double kv = 0;
  double embedding = 0;
  double logit = 0;
};
struct PassCost {
  double weight_bytes = 0;
  double kv_read_bytes = 0;
  double kv_write_bytes = 0;
  double activation_bytes = 0;  // embedding gather and logits
  double ops = 0;
  std::int64_t launches = 0;
  double memory_seconds = 0;
  double compute_seconds = 0;
  double launch_seconds = 0;
  double attention_seconds = 0;  // sum form only; the roofline prices attention in compute
  double pack_seconds = 0;       // sum form only: the kernel's walks over the weights
  double seconds = 0;
  double bytes() const { return weight_bytes + kv_read_bytes + kv_write_bytes + activation_bytes; }
};

struct RealignCost {
  double bytes_moved = 0;   // KV bytes copied (each read once and written once)
  double bytes_zeroed = 0;  // bytes written by zero-filling a fresh cache (paper mode)
  std::int64_t launches = 0;
  double seconds = 0;
};

// Bytes and operations of a pass (seconds, launches left 0), shared by both forms; the
// attention share of `ops` is returned in `attention_ops`.
PassCost count_pass_work(const ModelDims& m, const RowWork& totals, const ElementBytes& bytes,
                         double& attention_ops);

class CostModel {
 public:
  CostModel(Hardware hardware, ModelPair pair, Precision precision, CostConstants constants = {},
            Implementation implementation = Implementation::lockstep);

  const Hardware& hardware() const { return hardware_; }
  const ModelPair& pair() const { return pair_; }
  Precision precision() const { return precision_; }
  const CostConstants& constants() const { return constants_; }
  Implementation implementation() const { return implementation_; }
  // "h200:vicuna-7b/vicuna-68m:bf16" (plus ":F:LAUNCH_US" when the constants are not the
  // defaults, and a leading "hf-eager@" for that profile), parseable by parse_cost_spec.
  std::string spec() const;

  const ModelDims& dims(bool target) const { return target ? pair_.target : pair_.draft; }
  double bytes_per_element() const { return precision_ == Precision::int8 ? 1.0 : 2.0; }
  double peak_ops() const;
  double launch_overhead() const;
  double kv_bytes_per_slot(bool target) const;

  PassCost pass(bool target, const std::vector<RowWork>& rows) const;
  // One in-place move plan: `slots` KV slots copied in one batched kernel (DESIGN §9).
  RealignCost move_plan(bool target, std::int64_t slots) const;
  // The published implementation's realignment of one cache: a fresh zero-filled cache of
  // rows x width slots, then one copy per row and layer of K and V of its `live_slots`.
  RealignCost rebuild(bool target, std::int64_t rows, std::int64_t width,
                      std::int64_t live_slots) const;

 private:
  Hardware hardware_;
  ModelPair pair_;
  Precision precision_;
  CostConstants constants_;
  Implementation implementation_;
};

// Presets. Throws InputError listing the known names. pair_preset also knows every pair of
// the cpu backend's model presets (cpu_pair_names, sim/cost_cpu.h): "small/draft-small".
Hardware hardware_preset(const std::string& name);
std::vector<std::string> hardware_names();
ModelPair pair_preset(const std::string& name);
std::vector<std::string> pair_names();

// "[PROFILE@]HW:PAIR[:PRECISION[:BANDWIDTH_FRACTION:LAUNCH_US]]" (profile lockstep, the
// default, or hf-eager; precision int8 or bf16, default bf16; the last two are calibrated
// constants, as `lockstep calibrate` prints them), e.g. "h200:vicuna-7b/vicuna-68m",
// "hf-eager@h200:vicuna-7b/vicuna-68m" or "h200:vicuna-7b/vicuna-68m:bf16:0.82:6.5". Throws
// InputError naming what is wrong and what is known.
// HW "cpu" is measured, not published: its Hardware comes from a probe profile
// (sim/cost_cpu.h) passed as `measured`, and its constants from that profile, not the spec.
CostModel parse_cost_spec(const std::string& spec, CostConstants constants = {},
                          const Hardware* measured = nullptr);

}  // namespace lockstep::sim
