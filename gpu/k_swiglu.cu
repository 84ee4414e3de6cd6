// Device twin of reference/ops.cpp ops::swiglu:
// act = silu(gate) * up (numerics::silu, then one correctly rounded product).
#include "gpu/check.h"
#include "gpu/kernels.h"
#include "numerics/numerics.h"

namespace lockstep::gpu {
namespace {

__global__ void swiglu(const float* gate, const float* up, float* act, std::int64_t count) {
  for (std::int64_t e = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; e < count;
       e += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    act[e] = __fmul_rn(numerics::silu(gate[e]), up[e]);
  }
}

}  // namespace

void launch_swiglu(const float* gate, const float* up, float* act, std::int64_t count,
                   cudaStream_t stream) {
  if (count == 0) return;
  const int threads = 256;
  const auto blocks = static_cast<unsigned>(
      (count + threads - 1) / threads < 65535 * 8 ? (count + threads - 1) / threads : 65535 * 8);
  swiglu<<<blocks, threads, 0, stream>>>(gate, up, act, count);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
