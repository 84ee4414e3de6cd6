// The reference transformer under float numerics (issue 13; docs/numerics.md "Float numerics
// (not exact)"): the same Llama-style decoder as reference/model.h, computed in fp32 the way
// ordinary inference stacks do it. Every matmul (q, k, v, o, gate, up, down, LM head) is
// Eigen's own float GEMM (GEMV for a one-row pass) over the pass's whole token matrix, so the
// reduction order, and with it the bits of a token's logits, depend on the pass shape: how
// many tokens the pass holds, padding included. That is the phenomenon issue 13 measures,
// deliberately not engineered away. RMSNorm, RoPE, SiLU and softmax are plain float with std::
// functions; attention runs per query over its visible slots in fp32; K/V stay fp32
// (reference/float_cache.h). Weights: a preset's generated int8 values times their per-channel
// scales, or a model file's own dequantized floats with its RMSNorm gains (not folded) and its
// tied head. Not exact and makes no promise beyond determinism for a fixed pass shape (the
// GEMMs are split into fixed column blocks, so the thread count changes no byte). Under bf16
// numerics the same forward stores its tensors in bf16 at the points reference/storage_policy.h
// names (weights once, every GEMM input and output, the residual stream, norm outputs, K/V).
#pragma once

#include <memory>
#include <vector>

#include "numerics/pass_plan.h"
#include "reference/float_cache.h"
#include "reference/model.h"
#include "reference/storage_policy.h"
#include "reference/weights.h"
#include "sim/model_config.h"

namespace lockstep::reference {

class FloatModel {
 public:
  // Cheap: validates shapes; weights are converted (or shared through `store`) on first use.
  FloatModel(const sim::ModelConfig& config, std::shared_ptr<WeightStore> store);

  const sim::ModelConfig& config() const { return config_; }
  int kv_width() const { return config_.n_kv_heads * config_.head_dim; }

  // Runs `plan` against `cache`, writing each token's K/V to its slot before any query of the
  // same layer attends. Throws InputError on NaN/Inf.
  PassResult forward(const numerics::PassPlan& plan, std::vector<FloatKvRow>& cache, int capacity,
                     bool keep_logits = false);

  FloatKvRow make_row(int capacity) const;

 private:
  struct Layer {
    loaded::FloatMatrix wq, wk, wv, wo, wg, wu, wd;
    std::vector<float> attn_norm, ffn_norm;  // [d] RMSNorm gains (ones for generated weights)
  };
  void ensure_weights();
  void ensure_loaded_weights();
  void ensure_rope(int positions);
  Activations rms_norm(const Activations& h, const std::vector<float>& gain) const;
  // A GEMM whose output is stored (fp32, or rounded to bf16), and h += delta likewise.
  Activations stored_matmul(const Activations& x, const loaded::FloatMatrix& w) const;
  void add_residual(Activations& h, const Activations& delta) const;
  void attention_block(const Layer& layer, const numerics::PassPlan& plan,
                       std::vector<FloatKvRow>& cache, int l, Activations& h) const;
  void mlp_block(const Layer& layer, Activations& h) const;

  sim::ModelConfig config_;
  StoragePolicy storage_;
  std::shared_ptr<WeightStore> store_;
  loaded::FloatMatrix embedding_, head_;
  std::vector<float> out_norm_;
  std::vector<Layer> layers_;
  float eps_ = 0;
  std::vector<float> rope_cos_, rope_sin_;  // [positions, D / 2]
  int rope_positions_ = 0;
};

namespace float_ops {

// y [N, out] = x [N, in] . w^T with Eigen's float GEMM, over fixed blocks of output columns
// (the same blocks whatever the thread count). Checks x's width against w.
Activations matmul(const Activations& x, const loaded::FloatMatrix& w);

// Per query token and head: softmax(q.k / sqrt(D)) over the token's visible slots, times V,
// all in fp32, reading `cache` (layer `layer`).
Activations attention(const Activations& q, int heads, int kv_heads, int head_dim,
                      const numerics::PassPlan& plan, const std::vector<FloatKvRow>& cache,
                      int layer);

}  // namespace float_ops
}  // namespace lockstep::reference
