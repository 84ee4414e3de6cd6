// Device twin of reference/ops.cpp ops::kv_write: for every
// token whose write is enabled (gpu/plan.h resolves duplicate writes so the last writer in
// plan order wins, as in the sequential reference), K[row, l, slot, c] = quantize(k, k_scale)
// and V^T[row, l, c, slot] = quantize(v, v_scale) (the layer's scales).
#include "gpu/check.h"
#include "gpu/kernels.h"
#include "numerics/numerics.h"

namespace lockstep::gpu {
namespace {

__global__ void kv_write(const float* k, const float* v, int kv_width, const std::int32_t* rows,
                         const std::int32_t* write_slots, std::int8_t* k_cache,
                         std::int8_t* v_cache, int layer, int layers, int capacity, float k_scale,
                         float v_scale) {
  const int i = blockIdx.x;
  const int slot = write_slots[i];
  if (slot < 0) return;  // a later token of the pass writes this (row, slot)
  const std::int64_t plane =
      static_cast<std::int64_t>(capacity) * kv_width;  // one layer of one row
  const std::int64_t base = (static_cast<std::int64_t>(rows[i]) * layers + layer) * plane;
  for (int c = threadIdx.x; c < kv_width; c += blockDim.x) {
    const std::int64_t src = static_cast<std::int64_t>(i) * kv_width + c;
    k_cache[base + static_cast<std::int64_t>(slot) * kv_width + c] =
        numerics::quantize(k[src], k_scale);
    v_cache[base + static_cast<std::int64_t>(c) * capacity + slot] =
        numerics::quantize(v[src], v_scale);
  }
}

}  // namespace

void launch_kv_write(const float* k, const float* v, int n, int kv_width, const std::int32_t* rows,
                     const std::int32_t* write_slots, std::int8_t* k_cache, std::int8_t* v_cache,
                     int layer, int layers, int capacity, float k_scale, float v_scale,
                     cudaStream_t stream) {
  if (n == 0) return;
  kv_write<<<n, 128, 0, stream>>>(k, v, kv_width, rows, write_slots, k_cache, v_cache, layer,
                                  layers, capacity, k_scale, v_scale);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
