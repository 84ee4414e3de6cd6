#include "gpu/gemm.h"

#include <string>

#include "gpu/check.h"
#include "gpu/host_policy.h"
#include "gpu/plan.h"
#include "numerics/numerics.h"
#include "sim/error.h"

namespace lockstep::gpu {

Int8Gemm::Int8Gemm() {
  LOCKSTEP_CUBLAS_CHECK(cublasLtCreate(&handle_));
  LOCKSTEP_CUDA_CHECK(cudaMalloc(&workspace_, workspace_bytes_));
}

Int8Gemm::~Int8Gemm() {
  for (auto& [shape, p] : plans_) {
    cublasLtMatrixLayoutDestroy(p.a);
    cublasLtMatrixLayoutDestroy(p.b);
    cublasLtMatrixLayoutDestroy(p.c);
    cublasLtMatmulDescDestroy(p.op);
  }
  if (workspace_) cudaFree(workspace_);
  if (handle_) cublasLtDestroy(handle_);
}

// Column-major view (cuBLAS's): C^T [N, M] = op_T(W^T as [K, N]) . (A^T as [K, M]): the "TN"
// product, m = N, n = M, both operands with leading dimension K.
const Int8Gemm::Plan& Int8Gemm::plan_for(int m, int n, int k) {
  const auto key = std::make_tuple(m, n, k);
  auto it = plans_.find(key);
  if (it != plans_.end()) return it->second;
  Plan p;
  LOCKSTEP_CUBLAS_CHECK(cublasLtMatmulDescCreate(&p.op, CUBLAS_COMPUTE_32I, CUDA_R_32I));
  const cublasOperation_t trans_a = CUBLAS_OP_T;
  const cublasOperation_t trans_b = CUBLAS_OP_N;
  LOCKSTEP_CUBLAS_CHECK(
      cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_TRANSA, &trans_a, sizeof trans_a));
  LOCKSTEP_CUBLAS_CHECK(
      cublasLtMatmulDescSetAttribute(p.op, CUBLASLT_MATMUL_DESC_TRANSB, &trans_b, sizeof trans_b));
  LOCKSTEP_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&p.a, CUDA_R_8I, k, n, k));  // W^T: [K, N], ld K
  LOCKSTEP_CUBLAS_CHECK(cublasLtMatrixLayoutCreate(&p.b, CUDA_R_8I, k, m, k));  // A^T: [K, M], ld K
  LOCKSTEP_CUBLAS_CHECK(
      cublasLtMatrixLayoutCreate(&p.c, CUDA_R_32I, n, m, n));  // C^T: [N, M], ld N
  cublasLtMatmulPreference_t pref = nullptr;
  LOCKSTEP_CUBLAS_CHECK(cublasLtMatmulPreferenceCreate(&pref));
  LOCKSTEP_CUBLAS_CHECK(cublasLtMatmulPreferenceSetAttribute(
      pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace_bytes_, sizeof workspace_bytes_));
  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  const cublasStatus_t status =
      cublasLtMatmulAlgoGetHeuristic(handle_, p.op, p.a, p.b, p.c, p.c, pref, 1, &result, &found);
  cublasLtMatmulPreferenceDestroy(pref);
  // No hint (status NOT_SUPPORTED or nothing found) is not an error yet: cublasLtMatmul with a
  // null algorithm runs its own heuristic query, and fails there, shape named, if it too finds
  // none.
  if (status != CUBLAS_STATUS_NOT_SUPPORTED) LOCKSTEP_CUBLAS_CHECK(status);
  p.has_algo = status == CUBLAS_STATUS_SUCCESS && found > 0;
  if (p.has_algo) p.algo = result.algo;
  return plans_.emplace(key, p).first->second;
}

void Int8Gemm::run(const std::int8_t* a, const std::int8_t* w, std::int32_t* c, int m, int n, int k,
                   cudaStream_t stream) {
  require(
      m > 0 && n > 0 && k > 0 && m % kGemmPad == 0 && n % kGemmPad == 0 && k % kGemmPad == 0, [&] {
        return "Int8Gemm: dimensions must be positive multiples of 16, got M=" + std::to_string(m) +
               " N=" + std::to_string(n) + " K=" + std::to_string(k);
      });
  require(k <= numerics::kMaxExactK,
          [&] { return with_gemm_shape("Int8Gemm: K exceeds the exact int32 bound", m, n, k); });
  naming_gemm_shape(m, n, k, [&] {
    const Plan& p = plan_for(m, n, k);
    const std::int32_t alpha = 1;
    const std::int32_t beta = 0;
    LOCKSTEP_CUBLAS_CHECK(cublasLtMatmul(handle_, p.op, &alpha, w, p.a, a, p.b, &beta, c, p.c, c,
                                         p.c, p.has_algo ? &p.algo : nullptr, workspace_,
                                         workspace_bytes_, stream));
  });
}

}  // namespace lockstep::gpu
