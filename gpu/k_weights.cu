// The weight generator on the device: numerics/weight_generator.h's weight_value and
// channel_scale, the very functions reference/weights.cpp calls on the host, laid out in the
// GEMM's padded shape.
#include <algorithm>

#include "gpu/check.h"
#include "gpu/kernels.h"
#include "numerics/weight_generator.h"

namespace lockstep::gpu {
namespace {

__global__ void generate_weights(std::int8_t* out, int rows, int cols, int rows_padded, int ld,
                                 std::uint64_t seed, std::uint64_t tensor) {
  const std::int64_t total = static_cast<std::int64_t>(rows_padded) * ld;
  for (std::int64_t e = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; e < total;
       e += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const std::int64_t r = e / ld;
    const std::int64_t c = e % ld;
    std::int8_t value = 0;
    if (r < rows && c < cols) {
      const auto index = static_cast<std::uint64_t>(r) * static_cast<std::uint64_t>(cols) +
                         static_cast<std::uint64_t>(c);
      value = numerics::weight_value(seed, tensor, index);
    }
    out[e] = value;
  }
}

__global__ void generate_scales(float* scales, int rows, int cols, double gain, std::uint64_t seed,
                                std::uint64_t tensor) {
  const int r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rows) return;
  scales[r] = numerics::channel_scale(seed, tensor, static_cast<std::uint64_t>(r), cols, gain);
}

}  // namespace

void launch_generate_weights(std::int8_t* out, int rows, int cols, int rows_padded, int ld,
                             std::uint64_t seed, std::uint64_t tensor, cudaStream_t stream) {
  const std::int64_t total = static_cast<std::int64_t>(rows_padded) * ld;
  if (total == 0) return;
  const int threads = 256;
  const auto blocks =
      static_cast<unsigned>(std::min<std::int64_t>((total + threads - 1) / threads, 65535 * 8));
  generate_weights<<<blocks, threads, 0, stream>>>(out, rows, cols, rows_padded, ld, seed, tensor);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

void launch_generate_scales(float* scales, int rows, int cols, double gain, std::uint64_t seed,
                            std::uint64_t tensor, cudaStream_t stream) {
  if (rows == 0) return;
  const int threads = 256;
  generate_scales<<<(rows + threads - 1) / threads, threads, 0, stream>>>(scales, rows, cols, gain,
                                                                          seed, tensor);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
