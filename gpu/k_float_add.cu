// The float profiles' residual add: h += delta, one fp32 addition per element (the GEMM's
// output was stored first, as the cpu float model's add_residual). CPU twin: float_twins::add.
#include "gpu/check.h"
#include "gpu/float_grid.cuh"
#include "gpu/float_kernels.h"

namespace lockstep::gpu {
namespace {

__global__ void add(float* h, const float* delta, std::int64_t count) {
  for (std::int64_t e = grid_first(); e < count; e += grid_stride()) h[e] = h[e] + delta[e];
}

}  // namespace

void launch_float_add(float* h, const float* delta, std::int64_t count, cudaStream_t stream) {
  if (count == 0) return;
  add<<<float_blocks(count), kFloatThreads, 0, stream>>>(h, delta, count);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
