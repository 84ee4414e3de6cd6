#include "gpu/check.h"

#include <string>

#include "sim/error.h"

namespace lockstep::gpu {
namespace {

std::string where(const char* call, const char* file, int line) {
  return std::string(call) + " at " + file + ":" + std::to_string(line);
}

}  // namespace

void throw_cuda_error(cudaError_t status, const char* call, const char* file, int line) {
  const std::string message = "CUDA error " + std::string(cudaGetErrorName(status)) + " (" +
                              cudaGetErrorString(status) + ") in " + where(call, file, line);
  // Conditions of the machine, not bugs: the CLI reports them as bad input (exit 2).
  if (status == cudaErrorNoDevice || status == cudaErrorInsufficientDriver ||
      status == cudaErrorMemoryAllocation || status == cudaErrorInvalidDevice) {
    throw InputError(message);
  }
  throw ContractError(message);
}

void throw_cublas_error(cublasStatus_t status, const char* call, const char* file, int line) {
  const std::string message = "cuBLAS error " + std::to_string(static_cast<int>(status)) + " (" +
                              cublasLtGetStatusString(status) + ") in " + where(call, file, line);
  if (status == CUBLAS_STATUS_ALLOC_FAILED || status == CUBLAS_STATUS_NOT_INITIALIZED ||
      status == CUBLAS_STATUS_ARCH_MISMATCH) {
    throw InputError(message);
  }
  throw ContractError(message);
}

}  // namespace lockstep::gpu
