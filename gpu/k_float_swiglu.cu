// The float profiles' SwiGLU: act = silu(gate) * up (float_math::swiglu, exp by
// numerics::exp_exact). CPU twin: float_twins::swiglu.
#include "gpu/check.h"
#include "gpu/float_grid.cuh"
#include "gpu/float_kernels.h"
#include "gpu/float_math.h"

namespace lockstep::gpu {
namespace {

__global__ void swiglu(const float* gate, const float* up, float* act, std::int64_t count) {
  for (std::int64_t e = grid_first(); e < count; e += grid_stride())
    act[e] = float_math::swiglu(gate[e], up[e]);
}

}  // namespace

void launch_float_swiglu(const float* gate, const float* up, float* act, std::int64_t count,
                         cudaStream_t stream) {
  if (count == 0) return;
  swiglu<<<float_blocks(count), kFloatThreads, 0, stream>>>(gate, up, act, count);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
