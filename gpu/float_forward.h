// The gpu backend's float and bf16 profiles (issue 13; docs/numerics.md §15.2, docs/gpu.md):
// the cpu float profile's forward (reference/float_model.h) on CUDA as an ordinary inference
// stack runs it. Every matmul is one cuBLAS GEMM over the pass's whole token matrix
// (gpu/float_gemm.h: fp32, or bf16 operands with fp32 accumulation), so the reduction order,
// and with it a token's logits, may depend on the pass shape: the phenomenon issue 13
// measures. Everything else is a gpu/k_float_*.cu kernel with a CPU twin; K/V stay fp32
// (bf16-valued under bf16) in [rows, L, S, C]. Under bf16 tensors are rounded at the points
// reference/storage_policy.h names: weights once, every GEMM input (converted to bf16 bits)
// and output, the residual stream after each add, norm outputs, q and k after RoPE, the
// attention output and the SwiGLU output.
//
// GpuBackend (gpu/gpu_backend.cpp) owns one of these and dispatches every cache whose model
// asks for float numerics to it; it is not a sim::Backend itself. Not exact: no promise beyond
// run-to-run determinism of cuBLAS's choice for a shape, and none of byte equality with the
// cpu float profile (the GEMMs reduce in cuBLAS's order, exp is numerics::exp_exact).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include <cuda_runtime_api.h>

#include "gpu/plan.h"
#include "sim/batch.h"
#include "sim/model_config.h"
#include "sim/pass_sampling.h"

namespace lockstep::gpu {

class FloatForward {
 public:
  explicit FloatForward(cudaStream_t stream);
  ~FloatForward();
  FloatForward(const FloatForward&) = delete;
  FloatForward& operator=(const FloatForward&) = delete;

  // A zeroed fp32 cache; returns its index among this object's caches.
  int create_cache(const sim::ModelConfig& model, int rows, int capacity);
  const sim::ModelConfig& cache_model(int cache) const;

  // One pass: argmax (lowest id on ties), logits digest and top two per token, then the
  // sampled tokens of `sampling`. `logits` receives the [N, V] logits when `keep`.
  void forward(int cache, const TokenPlan& plan, const sim::PassSampling& sampling,
               sim::ForwardOutput& out, bool keep, std::vector<float>& logits);
  // `plan.src` / `plan.dst` are given as this object's cache indices.
  void apply_moves(int src, int dst, const sim::MovePlan& plan);
  void crop(int cache, int row, int from_slot);
  // reference/float_cache.h float_kv_digest of the stored fp32 bytes.
  std::uint64_t kv_digest(int cache, int row, int first, int count) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lockstep::gpu
