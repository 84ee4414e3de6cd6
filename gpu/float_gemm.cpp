#include "gpu/float_gemm.h"

#include <string>

#include "gpu/check.h"
#include "gpu/host_policy.h"
#include "sim/error.h"

namespace lockstep::gpu {
FloatGemm::FloatGemm() {
  LOCKSTEP_CUBLAS_CHECK(cublasCreate(&handle_));
  // Full fp32 products: TF32 stays off (CUBLAS_DEFAULT_MATH with CUBLAS_COMPUTE_32F).
  LOCKSTEP_CUBLAS_CHECK(cublasSetMathMode(handle_, CUBLAS_DEFAULT_MATH));
}

FloatGemm::~FloatGemm() {
  if (handle_) cublasDestroy(handle_);
}

void FloatGemm::run_fp32(const float* x, const float* w, float* y, int n, int out, int in,
                         cudaStream_t stream) {
  run(x, w, CUDA_R_32F, y, n, out, in, stream);
}

void FloatGemm::run_bf16(const std::uint16_t* x, const std::uint16_t* w, float* y, int n, int out,
                         int in, cudaStream_t stream) {
  run(x, w, CUDA_R_16BF, y, n, out, in, stream);
}

// Column-major view (cuBLAS's): Y^T [out, N] = (W as [in, out])^T . (X as [in, N]): the "TN"
// product with m = out, n = N, k = in, every leading dimension the row length.
void FloatGemm::run(const void* x, const void* w, cudaDataType_t type, float* y, int n, int out,
                    int in, cudaStream_t stream) {
  require(n > 0 && out > 0 && in > 0,
          [&] { return with_gemm_shape("FloatGemm: dimensions must be positive", n, out, in); });
  naming_gemm_shape(n, out, in, [&] {
    LOCKSTEP_CUBLAS_CHECK(cublasSetStream(handle_, stream));
    const float alpha = 1.0f;
    const float beta = 0.0f;
    LOCKSTEP_CUBLAS_CHECK(cublasGemmEx(handle_, CUBLAS_OP_T, CUBLAS_OP_N, out, n, in, &alpha, w,
                                       type, in, x, type, in, &beta, y, CUDA_R_32F, out,
                                       CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  });
}

}  // namespace lockstep::gpu
