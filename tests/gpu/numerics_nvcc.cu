// The case list of numerics_cases.h on nvcc's copies of numerics/numerics.h: its host pass
// (compiled by nvcc with the project's CUDA flags) and the device (sm_90, --fmad=false ...).
// The header is included unchanged but inside namespace `nvcc_copy`, so that these inline
// functions cannot be merged by the linker with the g++-compiled ones of numerics_cxx.cpp:
// the test must compare two separately compiled copies, not one copy with itself.
#include <cmath>
#include <cstdint>
#include <cstring>

#include <cuda_runtime_api.h>

namespace nvcc_copy {
#include "numerics/numerics.h"
#include "numerics/split16.h"
}  // namespace nvcc_copy

#include "tests/gpu/device_cases.cuh"
#include "tests/gpu/numerics_cases.h"

namespace lockstep::test_numerics {
namespace {

namespace nx = nvcc_copy::lockstep::numerics;
struct NvccApi {
  __host__ __device__ static float from_bits(std::uint32_t b) { return nx::bits_to_float(b); }
  __host__ __device__ static std::uint32_t float_to_bits(float f) {
#if defined(__CUDA_ARCH__)
    return __float_as_uint(f);
#else
    std::uint32_t b;
    std::memcpy(&b, &f, sizeof b);
    return b;
#endif
  }
  __host__ __device__ static std::int8_t to_int8(float x) {
    return nx::to_int8(x);
  }
  __host__ __device__ static float activation_scale(float a) {
    return nx::activation_scale(a);
  }
  __host__ __device__ static std::int8_t quantize(float x, float s) {
    return nx::quantize(x, s);
  }
  __host__ __device__ static float dequantize(std::int32_t a, float c, float t) {
    return nx::dequantize(a, c, t);
  }
  __host__ __device__ static float rms_factor(std::int64_t s, int d) {
    return nx::rms_factor(s, d);
  }
  __host__ __device__ static float exp_exact(float x) {
    return nx::exp_exact(x);
  }
  __host__ __device__ static float silu(float g) {
    return nx::silu(g);
  }
  __host__ __device__ static void rope_rotate(float& a, float& b, float c, float s) {
    nx::rope_rotate(a, b, c, s);
  }
  __host__ __device__ static std::int32_t softmax_weight(float s, float m) {
    return nx::softmax_weight(s, m);
  }
  __host__ __device__ static float attention_output(std::int32_t w, std::int32_t z, float v) {
    return nx::attention_output(w, z, v);
  }
  __host__ __device__ static std::int32_t softmax_weight_wide(float s, float m) {
    return nx::softmax_weight_wide(s, m);
  }
  __host__ __device__ static float attention_output_wide(std::int64_t w, std::int64_t z, float v) {
    return nx::attention_output_wide(w, z, v);
  }
};

__global__ void evaluate_on_device(std::uint32_t* out, int* count) {
  *count = evaluate_cases<NvccApi>(out);
}

}  // namespace

int nvcc_host_numerics(std::uint32_t* out) {
  return evaluate_cases<NvccApi>(out);
}

int device_numerics(std::uint32_t* out) {
  return run_cases_on_device(&evaluate_on_device, kMaxCases, out);
}

}  // namespace lockstep::test_numerics
