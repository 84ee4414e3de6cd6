// Device twin of reference/ops.cpp ops::embedding:
// h[i, j] = (float)E[token_i, j] * scale[token_i] (one correctly rounded product).
#include "gpu/check.h"
#include "gpu/kernels.h"
#include "numerics/numerics.h"

namespace lockstep::gpu {
namespace {

__global__ void embed(float* h, const std::int8_t* emb, int ld, const float* emb_scales,
                      const std::int32_t* tokens, int n, int d) {
  const int i = blockIdx.x;
  const int t = tokens[i];
  const float scale = emb_scales[t];
  for (int j = threadIdx.x; j < d; j += blockDim.x) {
    h[static_cast<std::int64_t>(i) * d + j] =
        __fmul_rn(static_cast<float>(emb[static_cast<std::int64_t>(t) * ld + j]), scale);
  }
}

}  // namespace

void launch_embed(float* h, const std::int8_t* emb, int ld, const float* emb_scales,
                  const std::int32_t* tokens, int n, int d, cudaStream_t stream) {
  if (n == 0) return;
  embed<<<n, 256, 0, stream>>>(h, emb, ld, emb_scales, tokens, n, d);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
