// Device twin of reference/ops_split.cpp ops::quantize_rows_split (docs/numerics.md §13.2):
// per row, amax (a max, exact in any order), scale = split_scale(amax), q = quantize_split16
// (x, scale), its radix-255 digits hi and lo, sum of q^2 in int64 (exact in any order);
// factor = rms_factor_split(sum, k, eps, scale) or the scale. Layout for ONE GEMM over
// 2 * rows_padded rows: row i's hi digits at row i, its lo digits at row rows_padded + i; rows
// past n and columns past k are zeros (the GEMM's padding). One block per padded row.
#include "gpu/block_reduce.cuh"
#include "gpu/check.h"
#include "gpu/kernels.h"
#include "numerics/split16.h"

namespace lockstep::gpu {
namespace {

constexpr int kThreads = 256;

__global__ void quantize_split(const float* x, int n, int k, std::int8_t* xq, int rows_padded,
                               int ld, float* factor, bool rms, float eps) {
  const int i = blockIdx.x;
  std::int8_t* high = xq + static_cast<std::int64_t>(i) * ld;
  std::int8_t* low = xq + static_cast<std::int64_t>(rows_padded + i) * ld;
  if (i >= n) {
    for (int j = threadIdx.x; j < ld; j += blockDim.x) high[j] = low[j] = 0;
    return;
  }
  const float* row = x + static_cast<std::int64_t>(i) * k;
  __shared__ float amax_part[kThreads];
  __shared__ long long sum_part[kThreads];
  const float amax = row_amax<kThreads>(row, k, amax_part);
  const float scale = numerics::split_scale(amax);
  long long sum_sq = 0;
  for (int j = threadIdx.x; j < ld; j += blockDim.x) {
    const std::int32_t v = j < k ? numerics::quantize_split16(row[j], scale) : 0;
    high[j] = numerics::split_high(v);
    low[j] = numerics::split_low(v);
    sum_sq += static_cast<long long>(v) * v;
  }
  sum_sq = block_reduce<kThreads>(sum_sq, sum_part, SumOp{});
  if (threadIdx.x == 0) factor[i] = rms ? numerics::rms_factor_split(sum_sq, k, eps, scale) : scale;
}

}  // namespace

void launch_quantize_split(const float* x, int n, int k, std::int8_t* xq, int rows_padded, int ld,
                           float* factor, bool rms, float eps, cudaStream_t stream) {
  if (rows_padded == 0) return;
  quantize_split<<<rows_padded, kThreads, 0, stream>>>(x, n, k, xq, rows_padded, ld, factor, rms,
                                                       eps);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
