// A generated preset's int8 weights (k_weights.cu's padded [rows_padded, ld] layout) as the
// dense fp32 matrix of the float profiles: value * channel scale (float_math::
// dequantized_weight). CPU twin: float_twins::dequantize.
#include "gpu/check.h"
#include "gpu/float_grid.cuh"
#include "gpu/float_kernels.h"
#include "gpu/float_math.h"

namespace lockstep::gpu {
namespace {

__global__ void dequantize(const std::int8_t* values, int ld, const float* scales, int rows,
                           int cols, float* out) {
  const std::int64_t count = static_cast<std::int64_t>(rows) * cols;
  for (std::int64_t e = grid_first(); e < count; e += grid_stride()) {
    const auto r = static_cast<int>(e / cols);
    const auto c = static_cast<int>(e % cols);
    out[e] =
        float_math::dequantized_weight(values[static_cast<std::int64_t>(r) * ld + c], scales[r]);
  }
}

}  // namespace

void launch_float_dequantize(const std::int8_t* values, int ld, const float* scales, int rows,
                             int cols, float* out, cudaStream_t stream) {
  const std::int64_t count = static_cast<std::int64_t>(rows) * cols;
  if (count == 0) return;
  dequantize<<<float_blocks(count), kFloatThreads, 0, stream>>>(values, ld, scales, rows, cols,
                                                                out);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
