// The one matrix product of the gpu runtime: C[M, N] int32 = A[M, K] int8 . W[N, K]^T int8,
// exact (int8 x int8 -> int32 with CUBLAS_COMPUTE_32I, K <= numerics::kMaxExactK), through
// cuBLASLt in the TN layout (both operands contiguous along K). Host twin: reference/ops.cpp
// ops::gemm (reference/gemm_kernels.h: exact integer products too).
//
// Requires M, N, K multiples of 16 (the caller pads with zeros: exact), 16-byte aligned
// pointers (cudaMalloc gives 256), row-major A [M, K], W [N, K], C [M, N]. Every error it
// throws names M, N and K. When cuBLASLt's heuristic offers no algorithm for a shape, the
// matmul runs without a hint (cuBLASLt then picks one itself) rather than failing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <tuple>

#include <cublasLt.h>
#include <cuda_runtime_api.h>

namespace lockstep::gpu {

class Int8Gemm {
 public:
  Int8Gemm();
  ~Int8Gemm();
  Int8Gemm(const Int8Gemm&) = delete;
  Int8Gemm& operator=(const Int8Gemm&) = delete;

  void run(const std::int8_t* a, const std::int8_t* w, std::int32_t* c, int m, int n, int k,
           cudaStream_t stream);

 private:
  struct Plan {
    cublasLtMatmulDesc_t op = nullptr;
    cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
    cublasLtMatmulAlgo_t algo{};
    bool has_algo = false;  // false: cublasLtMatmul chooses (the heuristic gave no hint)
  };
  const Plan& plan_for(int m, int n, int k);

  cublasLtHandle_t handle_ = nullptr;
  void* workspace_ = nullptr;
  std::size_t workspace_bytes_ = 32u << 20;
  std::map<std::tuple<int, int, int>, Plan> plans_;
};

}  // namespace lockstep::gpu
