// The reference transformer (DESIGN §6): a Llama-style decoder (RMSNorm, RoPE, grouped-query
// attention, SwiGLU, untied LM head) under the exact numerics contract of docs/numerics.md,
// with generated weights (§8) or a model file's loaded weights (§13: 16-bit split activations,
// per-layer K/V scales, the file's RoPE base and epsilon; chosen by config.loaded()).
// Every matrix product is int8 x int8 -> exact integer; every reduction is an integer sum or
// a max; every elementwise step is a function of numerics/numerics.h. A token's logits
// therefore depend only on its own sequence's visible KV entries, never on batch mates,
// padding, pass shape or summation order. The pass itself is a sequence of reference/ops.h
// calls, one per gpu kernel.
//
// Shapes: N tokens of a pass; d model width; H heads, G kv heads, D head dim; F ffn width;
// V vocabulary; S slots of a cache row.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "numerics/host_math.h"
#include "numerics/pass_plan.h"
#include "reference/ops.h"
#include "reference/weights.h"
#include "sim/model_config.h"

namespace lockstep::reference {

using numerics::PassPlan;

struct PassResult {
  std::vector<sim::Token> argmax;     // [N] greedy token, ties to the lowest id
  std::vector<std::uint64_t> digest;  // [N] digest of the token's logit bytes
  std::vector<sim::LogitTop2> top2;   // [N] the two largest logits (ties to the lowest id)
  std::vector<float> logits;          // [N, V] kept only when asked for
};

// The PassResult of logits [N, V] (row-major): argmax, digest and top-2 of every row, and the
// logits themselves with `keep_logits`. Shared by the exact and the float model.
PassResult summarize_logits(const Activations& logits, bool keep_logits);

class Model {
 public:
  // Cheap: validates shapes; weights are generated (or shared through `store`) on first use.
  Model(const sim::ModelConfig& config, std::shared_ptr<WeightStore> store);

  const sim::ModelConfig& config() const { return config_; }
  int kv_width() const { return config_.n_kv_heads * config_.head_dim; }  // G * D

  // The K/V quantization scale of every layer of generated weights (never taken over a batch;
  // a loaded model has its calibrated per-layer scales instead).
  static constexpr float kKvScale = numerics::kKvScale;

  // Runs `plan` against `cache` (indexed by cache row), writing each token's K/V to its slot
  // before any query of the same layer attends. Throws InputError on NaN/Inf.
  PassResult forward(const PassPlan& plan, std::vector<KvRow>& cache, int capacity,
                     bool keep_logits = false);

  KvRow make_row(int capacity) const;

 private:
  struct Layer {
    std::shared_ptr<const QuantMatrix> wq, wk, wv, wo, wg, wu, wd;
    float k_scale = 0;  // K and V cache scales of the layer
    float v_scale = 0;
    float score_scale = 0;  // k_scale / sqrt(D), rounded once on the host
  };
  void ensure_weights();
  void ensure_loaded_weights();
  // The int8 (generated) or 16-bit split (loaded) projections of §5.1 / §13.
  QuantizedRows quantize_input(const Activations& x, bool rms) const;
  Activations project(const QuantizedRows& x, const QuantMatrix& w) const;
  void add_projection(const Activations& x, const QuantMatrix& w, Activations& h) const;
  void ensure_rope(int positions);
  void attention_block(int layer, const PassPlan& plan, std::vector<KvRow>& cache, int capacity,
                       Activations& h) const;
  void mlp_block(int layer, Activations& h) const;

  sim::ModelConfig config_;
  std::shared_ptr<WeightStore> store_;
  std::shared_ptr<const QuantMatrix> embedding_;
  std::shared_ptr<const QuantMatrix> lm_head_;
  std::vector<Layer> layers_;
  std::vector<float> rope_cos_;  // [positions, D / 2]
  std::vector<float> rope_sin_;
  int rope_positions_ = 0;
};

// Throws if flush-to-zero or denormals-are-zero is on: the contract needs IEEE denormals.
void check_fp_environment();

}  // namespace lockstep::reference
