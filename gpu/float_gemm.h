// The matrix product of the gpu float and bf16 profiles (issue 13; docs/numerics.md §15.2), as
// an ordinary inference stack calls it: Y[N, out] fp32 = X[N, in] . W[out, in]^T through
// cublasGemmEx with CUBLAS_COMPUTE_32F and CUBLAS_GEMM_DEFAULT (cuBLAS's own algorithm
// choice, so its reduction order depends on the shape), the handle's math mode
// CUBLAS_DEFAULT_MATH (no TF32: COMPUTE_32F is full fp32 unless the math mode or
// NVIDIA_TF32_OVERRIDE asks otherwise; the handle never does). Operands are fp32
// (CUDA_R_32F) or, for bf16, CUDA_R_16BF bit patterns (float_math::bf16_bits); the output is
// always fp32, rounded by the caller where its profile stores bf16. Not exact and not meant to
// match the cpu float profile's Eigen GEMM byte for byte.
//
// Row-major X [N, in], W [out, in], Y [N, out], unpadded; every error names N, out and in.
#pragma once

#include <cstdint>

#include <cublas_v2.h>
#include <cuda_runtime_api.h>

namespace lockstep::gpu {

class FloatGemm {
 public:
  FloatGemm();
  ~FloatGemm();
  FloatGemm(const FloatGemm&) = delete;
  FloatGemm& operator=(const FloatGemm&) = delete;

  void run_fp32(const float* x, const float* w, float* y, int n, int out, int in,
                cudaStream_t stream);
  void run_bf16(const std::uint16_t* x, const std::uint16_t* w, float* y, int n, int out, int in,
                cudaStream_t stream);

 private:
  void run(const void* x, const void* w, cudaDataType_t type, float* y, int n, int out, int in,
           cudaStream_t stream);
  cublasHandle_t handle_ = nullptr;
};

}  // namespace lockstep::gpu
