// Error checking for every CUDA runtime and cuBLAS(Lt) call of the gpu/ runtime. A failing
// call throws lockstep::InputError (no device, no driver, out of memory: the machine cannot
// run this) or lockstep::ContractError (anything else: a bug), naming the call, file and line.
// Host-only; included by .cpp and .cu files alike.
#pragma once

#include <cublasLt.h>
#include <cuda_runtime_api.h>

namespace lockstep::gpu {

[[noreturn]] void throw_cuda_error(cudaError_t status, const char* call, const char* file,
                                   int line);
[[noreturn]] void throw_cublas_error(cublasStatus_t status, const char* call, const char* file,
                                     int line);

}  // namespace lockstep::gpu

#define LOCKSTEP_CUDA_CHECK(call)                                                     \
  do {                                                                                \
    const cudaError_t lockstep_status_ = (call);                                      \
    if (lockstep_status_ != cudaSuccess)                                              \
      ::lockstep::gpu::throw_cuda_error(lockstep_status_, #call, __FILE__, __LINE__); \
  } while (0)

#define LOCKSTEP_CUBLAS_CHECK(call)                                                     \
  do {                                                                                  \
    const cublasStatus_t lockstep_status_ = (call);                                     \
    if (lockstep_status_ != CUBLAS_STATUS_SUCCESS)                                      \
      ::lockstep::gpu::throw_cublas_error(lockstep_status_, #call, __FILE__, __LINE__); \
  } while (0)

// After a kernel launch: launch-configuration errors surface here, not at the next call.
#define LOCKSTEP_CUDA_CHECK_LAUNCH() LOCKSTEP_CUDA_CHECK(cudaGetLastError())
