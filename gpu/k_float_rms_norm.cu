// The float profiles' RMSNorm: one block per token; thread 0 sums the row's squares in index
// order (float_math::rms_inverse: a fixed order, so the twin has the same bits), then every
// thread scales its elements (float_math::rms_apply). CPU twin: float_twins::rms_norm.
#include "gpu/check.h"
#include "gpu/float_grid.cuh"
#include "gpu/float_kernels.h"
#include "gpu/float_math.h"

namespace lockstep::gpu {
namespace {

__global__ void rms_norm(const float* x, int d, const float* gain, float eps, float* out) {
  __shared__ float inverse;
  const float* row = x + static_cast<std::int64_t>(blockIdx.x) * d;
  if (threadIdx.x == 0) inverse = float_math::rms_inverse(row, d, eps);
  __syncthreads();
  float* dst = out + static_cast<std::int64_t>(blockIdx.x) * d;
  for (int j = static_cast<int>(threadIdx.x); j < d; j += static_cast<int>(blockDim.x))
    dst[j] = float_math::rms_apply(row[j], inverse, gain[j]);
}

}  // namespace

void launch_float_rms_norm(const float* x, int n, int d, const float* gain, float eps, float* out,
                           cudaStream_t stream) {
  if (n == 0) return;
  rms_norm<<<static_cast<unsigned>(n), kFloatThreads, 0, stream>>>(x, d, gain, eps, out);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
