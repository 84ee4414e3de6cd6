// Device twin of reference/ops.cpp ops::rope: every (x0, x1) pair
// 2j, 2j+1 of every head rotated by numerics::rope_rotate with the host-built table row of
// the token's position id (numerics/host_math.cpp build_rope_rows, uploaded).
#include "gpu/check.h"
#include "gpu/kernels.h"
#include "numerics/numerics.h"

namespace lockstep::gpu {
namespace {

__global__ void rope(float* x, int n, int heads, int head_dim, const std::int32_t* positions,
                     const float* cos_table, const float* sin_table) {
  const int i = blockIdx.x;
  const int half = head_dim / 2;
  const std::int64_t base = static_cast<std::int64_t>(positions[i]) * half;
  float* row = x + static_cast<std::int64_t>(i) * heads * head_dim;
  for (int p = threadIdx.x; p < heads * half; p += blockDim.x) {
    const int hd = p / half;
    const int j = p % half;
    float* pair = row + hd * head_dim + 2 * j;
    numerics::rope_rotate(pair[0], pair[1], cos_table[base + j], sin_table[base + j]);
  }
}

}  // namespace

void launch_rope(float* x, int n, int heads, int head_dim, const std::int32_t* positions,
                 const float* cos_table, const float* sin_table, cudaStream_t stream) {
  if (n == 0) return;
  rope<<<n, 128, 0, stream>>>(x, n, heads, head_dim, positions, cos_table, sin_table);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
