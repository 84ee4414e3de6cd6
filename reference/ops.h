// The CPU forward pass as ops, one for each kernel file of the gpu runtime and named after it
// (llm.c's habit: every kernel has a CPU twin, and tests/gpu/test_gpu_device.cpp compares the
// two byte for byte on random inputs):
//   embedding      gpu/k_embedding.cu        rope          gpu/k_rope.cu
//   quantize_rows  gpu/k_quantize_rows.cu    kv_write      gpu/k_kv_write.cu
//   gemm           gpu/gemm.cpp (cuBLASLt)   attention     gpu/k_attention.cu
//   dequantize     gpu/k_dequantize.cu       swiglu        gpu/k_swiglu.cu
//   check_finite   gpu/k_check_finite.cu
// (gpu/k_weights.cu's twin is numerics/weight_generator.h; gpu/k_moves.cu's is
// CpuBackend::apply_moves and crop.) Model::forward is a sequence of these calls. Each op
// applies the elementwise functions of numerics/numerics.h in the order the contract fixes;
// only exact integer sums and maxima are free in order, so the kernels may parallelize them.
// Here the GEMMs, attention (per token) and the row-wise ops run on the reference's threads
// (reference/parallel.h); each output element is computed whole by one thread, so the bytes do
// not depend on the thread count.
// The ops hold no state and know nothing of models or batches beyond their arguments.
//
// Layouts are the gpu runtime's: activations row-major [N, width]; K cache [S, G*D] and V
// transposed [G*D, S] per row and layer.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Core>

#include "numerics/attention_steps.h"
#include "numerics/pass_plan.h"
#include "reference/weights.h"

namespace lockstep::reference {

// Float activations [N, width], row-major as on the device.
using Activations = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Per-row int8 activations, kept as doubles like QuantMatrix (every GEMM kernel takes them;
// reference/gemm_kernels.h), and each row's factor (its activation scale, or the RMSNorm
// factor).
struct QuantizedRows {
  Eigen::MatrixXd values;     // [N, K], integers in [-127, 127]
  std::vector<float> factor;  // [N]
};

// One cache row's KV for every layer: K as [S, G*D] int8, V transposed as [G*D, S] int8 so
// that P.V reads it contiguously along slots (the TN layout of the GPU GEMM).
struct KvRow {
  std::vector<std::vector<std::int8_t>> k;   // [layers][S * G * D]
  std::vector<std::vector<std::int8_t>> vt;  // [layers][G * D * S]
};

struct AttentionShape {
  int heads = 0;     // H query heads
  int kv_heads = 0;  // G, dividing H
  int head_dim = 0;  // D
};

namespace ops {

// h[i, j] = (float)table[token_i, j] * table.scale[token_i]. Tokens must lie in the table.
Activations embedding(const QuantMatrix& table, std::span<const std::int32_t> tokens);

// Per row: amax, activation scale, int8 values, and as factor the scale or (with `rms`) the
// RMSNorm factor of the int8 row (RMSNorm commutes with per-token quantization).
QuantizedRows quantize_rows(const Activations& x, bool rms);

// acc[N, out] = x . w^T, exact integers whatever the kernel and thread count
// (reference/gemm_kernels.h: integer sums are exact in any order).
Eigen::MatrixXd gemm(const QuantizedRows& x, const QuantMatrix& w);

// y[i, o] = dequantize(acc[i, o], w_scale[o], factor[i]); with `accumulate`, y[i, o] plus that
// (the residual add, one rounded float addition). Without it, y is resized.
void dequantize(const Eigen::MatrixXd& acc, const std::vector<float>& w_scale,
                const std::vector<float>& factor, Activations& y, bool accumulate);

// Rotates every (2j, 2j+1) pair of each of `heads` heads of x [N, heads * D] by the table row
// [positions[i], D / 2] of cos / sin.
void rope(Activations& x, int heads, int head_dim, std::span<const std::int32_t> positions,
          const std::vector<float>& cos, const std::vector<float>& sin);

// Writes quantize(k, k_scale) and quantize(v, v_scale) of token i to slot write_slots[i] of
// cache row rows[i], layer `layer`, tokens in plan order (a later writer of a slot wins).
void kv_write(const Activations& k, const Activations& v, const numerics::PassPlan& plan,
              std::vector<KvRow>& cache, int layer, int capacity, float k_scale, float v_scale);

// out [N, H * D]: per token and head, q quantized per head, integer scores against the
// visible slots' keys, integer softmax weights, integer P.V, attention_output per channel;
// `steps` chooses int8 q and 7-bit weights (§5.3) or the loaded path's wide ones (§13.5,
// head_dim <= numerics::kWideMaxHeadDim).
Activations attention(const Activations& q, const AttentionShape& shape,
                      const numerics::PassPlan& plan, const std::vector<KvRow>& cache, int layer,
                      int capacity, float score_scale, float kv_scale,
                      numerics::AttentionSteps steps);

// act = silu(gate) * up, elementwise.
Activations swiglu(const Activations& gate, const Activations& up);

// Throws InputError naming `where` and `layer` if any element is NaN or Inf.
void check_finite(const Activations& x, const char* where, int layer);

}  // namespace ops
}  // namespace lockstep::reference
