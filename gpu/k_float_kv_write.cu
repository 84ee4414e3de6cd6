// The float profiles' K/V write: token i's K and V rows (fp32, bf16-valued under bf16) into
// slot write_slots[i] of cache row rows[i], layer `layer`. The plan disables every writer but
// the last of a (row, slot) (gpu/plan.h), so the parallel writes match the reference's
// sequential order. CPU twin: float_twins::kv_write.
#include "gpu/check.h"
#include "gpu/float_grid.cuh"
#include "gpu/float_kernels.h"

namespace lockstep::gpu {
namespace {

__global__ void kv_write(const float* k, const float* v, int n, int kv_width,
                         const std::int32_t* rows, const std::int32_t* write_slots, float* k_cache,
                         float* v_cache, int layer, int layers, int capacity) {
  const std::int64_t count = static_cast<std::int64_t>(n) * kv_width;
  for (std::int64_t e = grid_first(); e < count; e += grid_stride()) {
    const std::int64_t i = e / kv_width;
    const std::int32_t slot = write_slots[i];
    if (slot < 0) continue;
    const std::int64_t at =
        ((static_cast<std::int64_t>(rows[i]) * layers + layer) * capacity + slot) * kv_width +
        e % kv_width;
    k_cache[at] = k[e];
    v_cache[at] = v[e];
  }
}

}  // namespace

void launch_float_kv_write(const float* k, const float* v, int n, int kv_width,
                           const std::int32_t* rows, const std::int32_t* write_slots,
                           float* k_cache, float* v_cache, int layer, int layers, int capacity,
                           cudaStream_t stream) {
  const std::int64_t count = static_cast<std::int64_t>(n) * kv_width;
  if (count == 0) return;
  kv_write<<<float_blocks(count), kFloatThreads, 0, stream>>>(
      k, v, n, kv_width, rows, write_slots, k_cache, v_cache, layer, layers, capacity);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
