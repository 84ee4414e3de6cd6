// The float profiles' embedding: each token's row of the fp32 (bf16-valued under bf16)
// table, copied. CPU twin: float_twins::embed.
#include "gpu/check.h"
#include "gpu/float_grid.cuh"
#include "gpu/float_kernels.h"

namespace lockstep::gpu {
namespace {

__global__ void embed(const float* table, const std::int32_t* tokens, int n, int d, float* h) {
  const std::int64_t count = static_cast<std::int64_t>(n) * d;
  for (std::int64_t e = grid_first(); e < count; e += grid_stride()) {
    const std::int64_t i = e / d;
    h[e] = table[static_cast<std::int64_t>(tokens[i]) * d + e % d];
  }
}

}  // namespace

void launch_float_embed(const float* table, const std::int32_t* tokens, int n, int d, float* h,
                        cudaStream_t stream) {
  const std::int64_t count = static_cast<std::int64_t>(n) * d;
  if (count == 0) return;
  embed<<<float_blocks(count), kFloatThreads, 0, stream>>>(table, tokens, n, d, h);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
