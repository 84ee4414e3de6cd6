// One block-wide reduction for the kernels that reduce within a block (k_attention.cu,
// k_quantize_rows.cu): a tree over shared memory, for operations whose result does not depend
// on the order (a max, an integer sum), so the tree gives the reference op's sequential result.
// Every thread of the block must call it (it synchronizes); every thread gets the result.
#pragma once

namespace lockstep::gpu {

struct MaxOp {  // fmaxf: a NaN operand loses (amax over |x|)
  __device__ float operator()(float a, float b) const { return fmaxf(a, b); }
};
struct LessMaxOp {  // std::max's form, as the reference's max of scores
  __device__ float operator()(float a, float b) const { return a < b ? b : a; }
};
struct SumOp {
  template <typename T>
  __device__ T operator()(T a, T b) const {
    return a + b;
  }
};

// `part` is a shared array of kThreads elements, blockDim.x == kThreads (a power of two).
template <int kThreads, typename T, typename Op>
__device__ T block_reduce(T value, T* part, Op op) {
  part[threadIdx.x] = value;
  __syncthreads();
  for (int stride = kThreads / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) part[threadIdx.x] = op(part[threadIdx.x], part[threadIdx.x + stride]);
    __syncthreads();
  }
  const T result = part[0];
  __syncthreads();  // every thread has read part[0] before the next reduction overwrites it
  return result;
}

// max |row[j]| over j < k, the same on every thread of the block (the amax of a row's
// per-token quantization: k_quantize_rows.cu, k_quantize_split.cu).
template <int kThreads>
__device__ float row_amax(const float* row, int k, float* part) {
  float amax = 0.0f;
  for (int j = threadIdx.x; j < k; j += blockDim.x) amax = fmaxf(amax, fabsf(row[j]));
  return block_reduce<kThreads>(amax, part, MaxOp{});
}

}  // namespace lockstep::gpu
