// The float profiles' RoPE: every (2j, 2j+1) pair of every head of every token rotated by the
// fp32 table row of the token's position (numerics::rope_rotate, shared with the exact
// kernel). CPU twin: float_twins::rope.
#include "gpu/check.h"
#include "gpu/float_grid.cuh"
#include "gpu/float_kernels.h"
#include "numerics/numerics.h"

namespace lockstep::gpu {
namespace {

__global__ void rope(float* x, int n, int heads, int head_dim, const std::int32_t* positions,
                     const float* cos_table, const float* sin_table) {
  const int half = head_dim / 2;
  const std::int64_t pairs = static_cast<std::int64_t>(n) * heads * half;
  for (std::int64_t e = grid_first(); e < pairs; e += grid_stride()) {
    const std::int64_t i = e / (static_cast<std::int64_t>(heads) * half);
    const auto j = static_cast<int>(e % half);
    const std::int64_t at = e / half * head_dim + 2 * j;  // (token, head) * D + 2j
    const std::int64_t t = static_cast<std::int64_t>(positions[i]) * half + j;
    numerics::rope_rotate(x[at], x[at + 1], cos_table[t], sin_table[t]);
  }
}

}  // namespace

void launch_float_rope(float* x, int n, int heads, int head_dim, const std::int32_t* positions,
                       const float* cos_table, const float* sin_table, cudaStream_t stream) {
  const std::int64_t pairs = static_cast<std::int64_t>(n) * heads * (head_dim / 2);
  if (pairs == 0) return;
  rope<<<float_blocks(pairs), kFloatThreads, 0, stream>>>(x, n, heads, head_dim, positions,
                                                          cos_table, sin_table);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
