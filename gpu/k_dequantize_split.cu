// Device twin of reference/ops_split.cpp ops::dequantize_split (docs/numerics.md §13.2): the
// epilogue of the GEMM over 2 * rows_padded rows that k_quantize_split laid out. y[i, o] =
// dequantize_split(255 * acc[i, o] + acc[rows_padded + i, o], w_scale[o], factor[i]) with the
// sum in int64 (exact); with `accumulate`, y[i, o] + that (one correctly rounded addition).
#include "gpu/check.h"
#include "gpu/kernels.h"
#include "numerics/split16.h"

namespace lockstep::gpu {
namespace {

__global__ void dequantize_split(const std::int32_t* acc, int ldc, int n, int rows_padded, int out,
                                 const float* w_scale, const float* factor, float* y,
                                 bool accumulate) {
  const std::int64_t total = static_cast<std::int64_t>(n) * out;
  const std::int64_t low_offset = static_cast<std::int64_t>(rows_padded) * ldc;
  for (std::int64_t e = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; e < total;
       e += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const std::int64_t i = e / out;
    const std::int64_t o = e % out;
    const std::int64_t at = i * ldc + o;
    const std::int64_t whole = numerics::combine_split(acc[at], acc[low_offset + at]);
    const float value = numerics::dequantize_split(whole, w_scale[o], factor[i]);
    y[e] = accumulate ? __fadd_rn(y[e], value) : value;
  }
}

}  // namespace

void launch_dequantize_split(const std::int32_t* acc, int ldc, int n, int rows_padded, int out,
                             const float* w_scale, const float* factor, float* y, bool accumulate,
                             cudaStream_t stream) {
  const std::int64_t total = static_cast<std::int64_t>(n) * out;
  if (total == 0) return;
  const int threads = 256;
  const auto blocks = static_cast<unsigned>(
      (total + threads - 1) / threads < 65535 * 8 ? (total + threads - 1) / threads : 65535 * 8);
  dequantize_split<<<blocks, threads, 0, stream>>>(acc, ldc, n, rows_padded, out, w_scale, factor,
                                                   y, accumulate);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
