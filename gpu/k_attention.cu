// Device twin of reference/ops.cpp ops::attention, one (token, head) per block: q quantized per
// head (amax is a max, exact in any order), integer scores q8 . k8 over the token's visible slots,
// dequantized with (q_scale * score_scale), their max (order-independent), integer softmax weights
// softmax_weight(score, max), the integer normalizer and integer P.V sums (exact in any order),
// then attention_output per channel. The same formulas, in the same per-element order, as the
// reference; only the order of the exact integer sums and of the max differs. `Steps`
// (numerics/attention_steps.h) chooses the int8 steps of §5.3 or the loaded path's wide ones.
#include "gpu/block_reduce.cuh"
#include "gpu/check.h"
#include "gpu/kernels.h"
#include "numerics/attention_steps.h"

namespace lockstep::gpu {
namespace {

constexpr int kThreads = 128;

template <class Steps>
__global__ void attention(const float* q, int heads, int kv_heads, int head_dim,
                          const std::int32_t* rows, const std::int32_t* visible_offsets,
                          const std::int32_t* visible, const std::int8_t* k_cache,
                          const std::int8_t* v_cache, int layer, int layers, int capacity,
                          float score_scale, float kv_scale, float* scratch, int max_visible,
                          float* out) {
  using Query = typename Steps::Query;
  using Sum = typename Steps::Sum;
  // One untyped dynamic array for every instantiation (typed extern arrays would clash).
  extern __shared__ __align__(8) unsigned char query_bytes[];
  Query* qi = reinterpret_cast<Query*>(query_bytes);  // [D]
  __shared__ float fpart[kThreads];
  __shared__ Sum ipart[kThreads];
  const int i = blockIdx.x;
  const int hd = blockIdx.y;
  const int group = heads / kv_heads;
  const int g = hd / group;
  const int kvw = kv_heads * head_dim;
  const float* qh = q + (static_cast<std::int64_t>(i) * heads + hd) * head_dim;

  float amax = 0.0f;
  for (int j = threadIdx.x; j < head_dim; j += blockDim.x) amax = fmaxf(amax, fabsf(qh[j]));
  amax = block_reduce<kThreads>(amax, fpart, MaxOp{});
  const float q_scale = Steps::query_scale(amax);
  for (int j = threadIdx.x; j < head_dim; j += blockDim.x)
    qi[j] = Steps::quantize_query(qh[j], q_scale);
  __syncthreads();

  const std::int64_t plane = static_cast<std::int64_t>(capacity) * kvw;
  const std::int64_t base = (static_cast<std::int64_t>(rows[i]) * layers + layer) * plane;
  const std::int8_t* kc = k_cache + base;
  const std::int8_t* vt = v_cache + base;
  const int first = visible_offsets[i];
  const int count = visible_offsets[i + 1] - first;
  float* scores = scratch + (static_cast<std::int64_t>(i) * heads + hd) * max_visible;
  int* weights = reinterpret_cast<int*>(scores);

  float max_score = -INFINITY;
  for (int s = threadIdx.x; s < count; s += blockDim.x) {
    const std::int8_t* key =
        kc + static_cast<std::int64_t>(visible[first + s]) * kvw + g * head_dim;
    std::int32_t acc = 0;
    for (int j = 0; j < head_dim; ++j) acc += static_cast<std::int32_t>(qi[j]) * key[j];
    const float score = numerics::dequantize(acc, q_scale, score_scale);
    scores[s] = score;
    max_score = max_score < score ? score : max_score;
  }
  max_score = block_reduce<kThreads>(max_score, fpart, LessMaxOp{});

  Sum normalizer = 0;
  for (int s = threadIdx.x; s < count; s += blockDim.x) {
    const std::int32_t w = Steps::weight(scores[s], max_score);
    weights[s] = w;  // same thread, same s: the score it overwrites was its own
    normalizer += w;
  }
  normalizer = block_reduce<kThreads>(normalizer, ipart, SumOp{});

  float* o = out + (static_cast<std::int64_t>(i) * heads + hd) * head_dim;
  for (int j = threadIdx.x; j < head_dim; j += blockDim.x) {
    const std::int8_t* values = vt + static_cast<std::int64_t>(g * head_dim + j) * capacity;
    Sum acc = 0;
    for (int s = 0; s < count; ++s) acc += weights[s] * values[visible[first + s]];
    o[j] = Steps::output(acc, normalizer, kv_scale);
  }
}

}  // namespace

void launch_attention(const float* q, int n, int heads, int kv_heads, int head_dim,
                      const std::int32_t* rows, const std::int32_t* visible_offsets,
                      const std::int32_t* visible, const std::int8_t* k_cache,
                      const std::int8_t* v_cache, int layer, int layers, int capacity,
                      float score_scale, float kv_scale, float* scratch, int max_visible,
                      float* out, numerics::AttentionSteps steps, cudaStream_t stream) {
  if (n == 0 || heads == 0) return;
  const dim3 grid(static_cast<unsigned>(n), static_cast<unsigned>(heads));
  const auto run = [&](auto steps_policy) {  // C++17 for nvcc: no template lambda
    using Steps = decltype(steps_policy);
    const std::size_t query_bytes =
        static_cast<std::size_t>(head_dim) * sizeof(typename Steps::Query);
    attention<Steps><<<grid, kThreads, query_bytes, stream>>>(
        q, heads, kv_heads, head_dim, rows, visible_offsets, visible, k_cache, v_cache, layer,
        layers, capacity, score_scale, kv_scale, scratch, max_visible, out);
  };
  if (steps == numerics::AttentionSteps::wide)
    run(numerics::WideAttention{});
  else
    run(numerics::Int8Attention{});
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
