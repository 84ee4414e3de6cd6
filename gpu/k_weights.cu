// Device twin of reference/weights.cpp weight_value and channel_scale: the same
// counter-based generator (sim/hash.h mix64/combine, constexpr, callable on the device with
// --expt-relaxed-constexpr), the same tensor ids, the scale in double as on the host.
#include <algorithm>

#include "gpu/check.h"
#include "gpu/kernels.h"
#include "sim/hash.h"

namespace lockstep::gpu {
namespace {

__global__ void generate_weights(std::int8_t* out, int rows, int cols, int rows_padded, int ld,
                                 std::uint64_t seed, std::uint64_t tensor) {
  const std::int64_t total = static_cast<std::int64_t>(rows_padded) * ld;
  const std::uint64_t key = sim::combine(seed, tensor);
  for (std::int64_t e = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; e < total;
       e += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const std::int64_t r = e / ld;
    const std::int64_t c = e % ld;
    std::int8_t value = 0;
    if (r < rows && c < cols) {
      const auto index = static_cast<std::uint64_t>(r) * static_cast<std::uint64_t>(cols) +
                         static_cast<std::uint64_t>(c);
      const std::uint64_t h = sim::mix64(sim::combine(key, index));
      value = static_cast<std::int8_t>(static_cast<int>(h % 255) - 127);
    }
    out[e] = value;
  }
}

__global__ void generate_scales(float* scales, int rows, int cols, double gain, std::uint64_t seed,
                                std::uint64_t tensor) {
  const int r = blockIdx.x * blockDim.x + threadIdx.x;
  if (r >= rows) return;
  const std::uint64_t h = sim::mix64(
      sim::combine(sim::combine(seed, tensor), (1ULL << 62) + static_cast<std::uint64_t>(r)));
  const double u = static_cast<double>(h >> 40) / 16777216.0;
  // Double +, *, / and sqrt are correctly rounded on the device as on the host.
  scales[r] = static_cast<float>((0.75 + u / 2.0) / (gain * sqrt(static_cast<double>(cols))));
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
