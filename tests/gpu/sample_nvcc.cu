// The case list of sample_cases.h on nvcc's copies of the sampling headers: its host pass and
// the device (sm_90, the project's CUDA flags). As in numerics_nvcc.cu, the headers are
// included unchanged inside namespace `nvcc_sample_copy`, so the linker cannot merge these
// inline functions with the g++-compiled ones: the test compares two separate compilations.
#include <cmath>
#include <cstdint>
#include <cstring>

#include <cuda_runtime_api.h>

namespace nvcc_sample_copy {
#include "numerics/philox.h"
#include "numerics/sample_draw.h"
}  // namespace nvcc_sample_copy

#include "gpu/check.h"
#include "tests/gpu/sample_cases.h"

namespace lockstep::test_numerics {
namespace {

namespace nx = nvcc_sample_copy::lockstep::numerics;
struct NvccSampleApi {
  __host__ __device__ static std::uint64_t sample_bits(std::uint64_t seed, std::uint32_t seq,
                                                       std::uint32_t pos, std::uint32_t purpose) {
    return nx::sample_bits(seed, seq, pos, static_cast<nx::SamplePurpose>(purpose));
  }
  __host__ __device__ static int sample_pick(const std::uint64_t* cumulative, int count,
                                             std::uint64_t bits) {
    return nx::sample_pick(cumulative, count, bits);
  }
  __host__ __device__ static std::uint32_t sample_weight(float logit, float max, float t) {
    return nx::sample_weight(logit, max, t);
  }
  __host__ __device__ static std::uint64_t mul_high64(std::uint64_t a, std::uint64_t b) {
    return nx::mul_high64(a, b);
  }
};

__global__ void evaluate_sample_cases_on_device(std::uint64_t* out, int* count) {
  *count = evaluate_sample_cases<NvccSampleApi>(out);
}

}  // namespace

int nvcc_host_sample_cases(std::uint64_t* out) {
  return evaluate_sample_cases<NvccSampleApi>(out);
}

int device_sample_cases(std::uint64_t* out) {
  std::uint64_t* d_out = nullptr;
  int* d_count = nullptr;
  LOCKSTEP_CUDA_CHECK(cudaMalloc(&d_out, kMaxSampleCases * sizeof(std::uint64_t)));
  LOCKSTEP_CUDA_CHECK(cudaMalloc(&d_count, sizeof(int)));
  evaluate_sample_cases_on_device<<<1, 1>>>(d_out, d_count);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
  int count = 0;
  LOCKSTEP_CUDA_CHECK(cudaMemcpy(&count, d_count, sizeof count, cudaMemcpyDeviceToHost));
  LOCKSTEP_CUDA_CHECK(cudaMemcpy(
      out, d_out, static_cast<std::size_t>(count) * sizeof(std::uint64_t), cudaMemcpyDeviceToHost));
  LOCKSTEP_CUDA_CHECK(cudaFree(d_out));
  LOCKSTEP_CUDA_CHECK(cudaFree(d_count));
  return count;
}

}  // namespace lockstep::test_numerics
