// The `gpu` backend: sim::Backend on CUDA and cuBLASLt, bit-exact with the `cpu` reference
// (reference/cpu_backend.h), which it mirrors piece by piece:
//   * the same per-token plan (gpu/plan.h, uploaded in one copy per pass),
//   * the same weights, generated on the device by the same counter-based generator,
//   * every matrix product an exact int8 x int8 -> int32 cuBLASLt GEMM (gpu/gemm.h),
//   * every elementwise step a function of numerics/numerics.h inside a kernel (gpu/k_*.cu),
//   * every reduction an integer sum or a max (exact in any thread order),
//   * KV caches in device memory in the reference's layout (K [slot][G*D], V^T [G*D][slot] per
//     row and layer); a move plan is one batched stage kernel and one batched write kernel.
// Logits are copied back once per pass; argmax and the logits digest are computed on the host
// by the reference's formulas (numerics/host_math.h).
// A cache whose model asks for float or bf16 numerics is handed to gpu/float_forward.h (cuBLAS
// GEMMs as inference stacks run them: not exact, docs/numerics.md §15.2); every call on that
// cache is dispatched there, and download_row refuses it (its K/V are fp32).
//
// The header is plain C++ (no CUDA types): cli/ and tests include it without nvcc.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sim/backend.h"

namespace lockstep::gpu {

class GpuBackend final : public sim::Backend {
 public:
  // Throws InputError when no CUDA device is usable (no device, no driver, compute
  // capability below 9.0), naming the reason.
  GpuBackend();
  ~GpuBackend() override;
  std::string name() const override { return "gpu"; }

  sim::CacheId create_cache(const sim::ModelConfig& model, int rows, int capacity) override;
  int cache_rows(sim::CacheId cache) const override;
  int cache_capacity(sim::CacheId cache) const override;
  const sim::ModelConfig& cache_model(sim::CacheId cache) const override;

  void run_padded(const sim::PaddedBatch& batch, sim::ForwardOutput& out) override;
  void run_packed(const sim::PackedBatch& batch, sim::ForwardOutput& out) override;
  void apply_moves(const sim::MovePlan& plan) override;
  void crop(sim::CacheId cache, int row, int from_slot) override;
  std::uint64_t kv_digest(sim::CacheId cache, int row, int first, int count) const override;

  // The full logits of the last pass ([N, V], row-major) when keep_logits(true): for tests.
  const std::vector<float>& last_logits() const;
  void keep_logits(bool on);

  // The GEMMs pad the token dimension M to a multiple of this (16, 32, ..., 256; default 16 or
  // LOCKSTEP_GPU_TOKEN_PAD, read at construction). Padding rows are zeros: results do not
  // change, only which cuBLASLt kernels run. Throws InputError for an invalid value.
  void set_token_pad(int pad);
  int token_pad() const;

  // One row's K and V bytes of one layer, in the reference's KvRow layout ([S * C], [C * S]).
  void download_row(sim::CacheId cache, int row, int layer, std::vector<std::int8_t>& k,
                    std::vector<std::int8_t>& vt) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The number of usable CUDA devices (0 when none, or when the driver cannot be loaded); never
// throws.
int cuda_device_count();

// Makes `--backend gpu` available through sim::make_backend.
void register_gpu_backend();

}  // namespace lockstep::gpu
