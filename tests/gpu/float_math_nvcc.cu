// The case list of float_math_cases.h on nvcc's copies of gpu/float_math.h: its host pass and
// the device. Included inside namespace `nvcc_float_copy` (with the numerics it calls) so
// these inline functions cannot be merged by the linker with float_math_cxx.cpp's g++ copies:
// the test compares two separately compiled copies.
#include <cmath>
#include <cstdint>
#include <cstring>

#include <cuda_runtime_api.h>

namespace nvcc_float_copy {
#include "gpu/float_math.h"
#include "numerics/numerics.h"
}  // namespace nvcc_float_copy

#include "tests/gpu/device_cases.cuh"
#include "tests/gpu/float_math_cases.h"

namespace lockstep::test_numerics {
namespace {

namespace fm = nvcc_float_copy::lockstep::gpu::float_math;
namespace nx = nvcc_float_copy::lockstep::numerics;
struct NvccFloatApi {
  __host__ __device__ static float from_bits(std::uint32_t b) { return nx::bits_to_float(b); }
  __host__ __device__ static std::uint32_t float_to_bits(float f) { return fm::float_to_bits(f); }
  __host__ __device__ static float round_bf16(float x) { return fm::round_bf16(x); }
  __host__ __device__ static std::uint32_t bf16_bits(float x) { return fm::bf16_bits(x); }
  __host__ __device__ static float dequantized_weight(std::int8_t v, float s) {
    return fm::dequantized_weight(v, s);
  }
  __host__ __device__ static float rms_inverse(const float* x, int d, float eps) {
    return fm::rms_inverse(x, d, eps);
  }
  __host__ __device__ static float rms_apply(float x, float r, float g) {
    return fm::rms_apply(x, r, g);
  }
  __host__ __device__ static float swiglu(float g, float u) { return fm::swiglu(g, u); }
  __host__ __device__ static void attend(const float* q, const float* k, const float* v, int kvw,
                                         int dh, const std::int32_t* slots, int count, float scale,
                                         float* w, float* out) {
    fm::attend(q, k, v, kvw, dh, slots, count, scale, w, out);
  }
};

__global__ void evaluate_on_device(std::uint32_t* out, int* count) {
  *count = evaluate_float_cases<NvccFloatApi>(out);
}

}  // namespace

int nvcc_host_float_cases(std::uint32_t* out) {
  return evaluate_float_cases<NvccFloatApi>(out);
}

int device_float_cases(std::uint32_t* out) {
  return run_cases_on_device(&evaluate_on_device, kMaxFloatCases, out);
}

}  // namespace lockstep::test_numerics
