// bf16 storage (issue 13's bf16 profile): a tensor rounded in place to the value bf16 keeps
// (float_math::round_bf16), and the 16-bit operand a bf16 cuBLAS GEMM reads
// (float_math::bf16_bits). CPU twins: float_twins::round_bf16, float_twins::to_bf16.
#include "gpu/check.h"
#include "gpu/float_grid.cuh"
#include "gpu/float_kernels.h"
#include "gpu/float_math.h"

namespace lockstep::gpu {
namespace {

__global__ void round_bf16(float* x, std::int64_t count) {
  for (std::int64_t e = grid_first(); e < count; e += grid_stride())
    x[e] = float_math::round_bf16(x[e]);
}

__global__ void to_bf16(const float* x, std::uint16_t* bits, std::int64_t count) {
  for (std::int64_t e = grid_first(); e < count; e += grid_stride())
    bits[e] = float_math::bf16_bits(x[e]);
}

}  // namespace

void launch_float_round_bf16(float* x, std::int64_t count, cudaStream_t stream) {
  if (count == 0) return;
  round_bf16<<<float_blocks(count), kFloatThreads, 0, stream>>>(x, count);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

void launch_float_to_bf16(const float* x, std::uint16_t* bits, std::int64_t count,
                          cudaStream_t stream) {
  if (count == 0) return;
  to_bf16<<<float_blocks(count), kFloatThreads, 0, stream>>>(x, bits, count);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
