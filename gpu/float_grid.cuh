// The launch shape of the float profiles' elementwise kernels (gpu/k_float_*.cu): 256 threads
// a block, a grid-stride loop over `count` elements, at most 65535 * 8 blocks. Results do not
// depend on the shape (every element is computed by one thread, on its own).
#pragma once

#include <cstdint>

namespace lockstep::gpu {

constexpr int kFloatThreads = 256;

inline unsigned float_blocks(std::int64_t count) {
  const std::int64_t blocks = (count + kFloatThreads - 1) / kFloatThreads;
  return static_cast<unsigned>(blocks < 65535 * 8 ? blocks : 65535 * 8);
}

__device__ inline std::int64_t grid_first() {
  return blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
}
__device__ inline std::int64_t grid_stride() {
  return static_cast<std::int64_t>(gridDim.x) * blockDim.x;
}

}  // namespace lockstep::gpu
