// The float profiles' attention: one thread per (token, head) runs float_math::attend over the
// token's visible slots of its cache row (scores, softmax, weighted V, all fp32 in slot order;
// weights in `scratch`). CPU twin: float_twins::attention.
#include "gpu/check.h"
#include "gpu/float_grid.cuh"
#include "gpu/float_kernels.h"
#include "gpu/float_math.h"

namespace lockstep::gpu {
namespace {

__global__ void attention(const float* q, int n, int heads, int kv_heads, int head_dim,
                          const std::int32_t* rows, const std::int32_t* visible_offsets,
                          const std::int32_t* visible, const float* k_cache, const float* v_cache,
                          int layer, int layers, int capacity, float scale, float* scratch,
                          int max_visible, float* out) {
  const std::int64_t count = static_cast<std::int64_t>(n) * heads;
  const int kv_width = kv_heads * head_dim;
  const int group = heads / kv_heads;
  for (std::int64_t e = grid_first(); e < count; e += grid_stride()) {
    const std::int64_t i = e / heads;
    const auto h = static_cast<int>(e % heads);
    const std::int64_t plane =
        (static_cast<std::int64_t>(rows[i]) * layers + layer) * capacity * kv_width +
        static_cast<std::int64_t>(h / group) * head_dim;
    const std::int32_t first = visible_offsets[i];
    float_math::attend(q + e * head_dim, k_cache + plane, v_cache + plane, kv_width, head_dim,
                       visible + first, visible_offsets[i + 1] - first, scale,
                       scratch + e * max_visible, out + e * head_dim);
  }
}

}  // namespace

void launch_float_attention(const float* q, int n, int heads, int kv_heads, int head_dim,
                            const std::int32_t* rows, const std::int32_t* visible_offsets,
                            const std::int32_t* visible, const float* k_cache, const float* v_cache,
                            int layer, int layers, int capacity, float scale, float* scratch,
                            int max_visible, float* out, cudaStream_t stream) {
  const std::int64_t count = static_cast<std::int64_t>(n) * heads;
  if (count == 0) return;
  attention<<<float_blocks(count), kFloatThreads, 0, stream>>>(
      q, n, heads, kv_heads, head_dim, rows, visible_offsets, visible, k_cache, v_cache, layer,
      layers, capacity, scale, scratch, max_visible, out);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
