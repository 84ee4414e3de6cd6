// Device twin of reference/ops.cpp ops::check_finite: any NaN or Inf lowers *flag to `code`
// (layer * 2 + block; the host names the earliest one, as the reference throws at the first).
#include "gpu/check.h"
#include "gpu/kernels.h"

namespace lockstep::gpu {
namespace {

__global__ void check_finite(const float* x, std::int64_t count, int code, int* flag) {
  for (std::int64_t e = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; e < count;
       e += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    if (!isfinite(x[e])) {
      atomicMin(flag, code);
      return;
    }
  }
}

}  // namespace

void launch_check_finite(const float* x, std::int64_t count, int code, int* flag,
                         cudaStream_t stream) {
  if (count == 0) return;
  const int threads = 256;
  const auto blocks = static_cast<unsigned>(
      (count + threads - 1) / threads < 4096 ? (count + threads - 1) / threads : 4096);
  check_finite<<<blocks, threads, 0, stream>>>(x, count, code, flag);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
