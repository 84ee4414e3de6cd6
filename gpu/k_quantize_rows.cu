// Device twin of reference/ops.cpp ops::quantize_rows: per row, amax = max |x| (a max, exact in
// any order), scale = activation_scale(amax), q = quantize(x, scale), sum of q^2 in int64
// (exact in any order); factor = rms_factor(sum, k) or the scale. One block per padded row;
// rows past n and columns past k are written as zeros (the GEMM's padding).
#include "gpu/block_reduce.cuh"
#include "gpu/check.h"
#include "gpu/kernels.h"
#include "numerics/numerics.h"

namespace lockstep::gpu {
namespace {

constexpr int kThreads = 256;

__global__ void quantize_rows(const float* x, int n, int k, std::int8_t* xq, int ld, float* factor,
                              bool rms) {
  const int i = blockIdx.x;
  std::int8_t* out = xq + static_cast<std::int64_t>(i) * ld;
  if (i >= n) {
    for (int j = threadIdx.x; j < ld; j += blockDim.x) out[j] = 0;
    return;
  }
  const float* row = x + static_cast<std::int64_t>(i) * k;
  __shared__ float amax_part[kThreads];
  __shared__ long long sum_part[kThreads];
  const float amax = row_amax<kThreads>(row, k, amax_part);
  const float scale = numerics::activation_scale(amax);
  long long sum_sq = 0;
  for (int j = threadIdx.x; j < ld; j += blockDim.x) {
    std::int8_t v = 0;
    if (j < k) v = numerics::quantize(row[j], scale);
    out[j] = v;
    sum_sq += static_cast<long long>(v) * v;
  }
  sum_sq = block_reduce<kThreads>(sum_sq, sum_part, SumOp{});
  if (threadIdx.x == 0) factor[i] = rms ? numerics::rms_factor(sum_sq, k) : scale;
}

}  // namespace

void launch_quantize_rows(const float* x, int n, int k, std::int8_t* xq, int rows_padded, int ld,
                          float* factor, bool rms, cudaStream_t stream) {
  if (rows_padded == 0) return;
  quantize_rows<<<rows_padded, kThreads, 0, stream>>>(x, n, k, xq, ld, factor, rms);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
