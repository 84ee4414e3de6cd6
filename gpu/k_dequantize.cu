// Device twin of reference/ops.cpp ops::dequantize (the GEMM epilogue): y[i, o] = dequantize(acc[i,
// o], w_scale[o], factor[i]); with `accumulate`, y[i, o] = y[i, o] + that (the residual add `h +=
// project(...)`, one correctly rounded float addition).
#include "gpu/check.h"
#include "gpu/kernels.h"
#include "numerics/numerics.h"

namespace lockstep::gpu {
namespace {

__global__ void dequantize(const std::int32_t* acc, int ldc, int n, int out, const float* w_scale,
                           const float* factor, float* y, bool accumulate) {
  const std::int64_t total = static_cast<std::int64_t>(n) * out;
  for (std::int64_t e = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; e < total;
       e += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const std::int64_t i = e / out;
    const std::int64_t o = e % out;
    const float value = numerics::dequantize(acc[i * ldc + o], w_scale[o], factor[i]);
    y[e] = accumulate ? __fadd_rn(y[e], value) : value;
  }
}

}  // namespace

void launch_dequantize(const std::int32_t* acc, int ldc, int n, int out, const float* w_scale,
                       const float* factor, float* y, bool accumulate, cudaStream_t stream) {
  const std::int64_t total = static_cast<std::int64_t>(n) * out;
  if (total == 0) return;
  const int threads = 256;
  const auto blocks = static_cast<unsigned>(
      (total + threads - 1) / threads < 65535 * 8 ? (total + threads - 1) / threads : 65535 * 8);
  dequantize<<<blocks, threads, 0, stream>>>(acc, ldc, n, out, w_scale, factor, y, accumulate);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
