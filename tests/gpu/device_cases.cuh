// Runs a case-list kernel (numerics_cases.h, sample_cases.h) on the device: one thread writes
// its outputs and their count; the outputs are copied back into `out` (room for `max_cases`).
// Shared by numerics_nvcc.cu and sample_nvcc.cu. Host code of .cu files only.
#pragma once

#include <cstddef>

#include <cuda_runtime_api.h>

#include "gpu/check.h"

namespace lockstep::test_numerics {

template <typename T>
int run_cases_on_device(void (*kernel)(T*, int*), int max_cases, T* out) {
  T* d_out = nullptr;
  int* d_count = nullptr;
  LOCKSTEP_CUDA_CHECK(cudaMalloc(&d_out, static_cast<std::size_t>(max_cases) * sizeof(T)));
  LOCKSTEP_CUDA_CHECK(cudaMalloc(&d_count, sizeof(int)));
  kernel<<<1, 1>>>(d_out, d_count);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
  int count = 0;
  LOCKSTEP_CUDA_CHECK(cudaMemcpy(&count, d_count, sizeof count, cudaMemcpyDeviceToHost));
  LOCKSTEP_CUDA_CHECK(
      cudaMemcpy(out, d_out, static_cast<std::size_t>(count) * sizeof(T), cudaMemcpyDeviceToHost));
  LOCKSTEP_CUDA_CHECK(cudaFree(d_out));
  LOCKSTEP_CUDA_CHECK(cudaFree(d_count));
  return count;
}

}  // namespace lockstep::test_numerics
