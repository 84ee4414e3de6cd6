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

#include "tests/gpu/device_cases.cuh"
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
  return run_cases_on_device(&evaluate_sample_cases_on_device, kMaxSampleCases, out);
}

}  // namespace lockstep::test_numerics
