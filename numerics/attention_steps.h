// The per-element steps of one (token, head) of attention, as two interchangeable policies,
// so that the CPU reference (reference/ops.cpp) and the CUDA kernel (gpu/k_attention.cu) run
// one loop for both: Int8Attention, the generated presets' steps (docs/numerics.md §5.3 step
// 4: int8 q, 7-bit softmax weights, int32 sums), and WideAttention, the loaded path's (§13.5:
// 16-bit q, 15-bit softmax weights, int64 sums). Each policy names the query's integer type,
// the type of the exact sums, and the four elementwise functions.
// Not here: the loops themselves, the K/V cache layout, the scales.
#pragma once

#include <cstdint>

#include "numerics/numerics.h"
#include "numerics/split16.h"

namespace lockstep::numerics {

enum class AttentionSteps { int8, wide };

struct Int8Attention {
  using Query = std::int8_t;
  using Sum = std::int32_t;
  static LOCKSTEP_HD float query_scale(float amax) { return activation_scale(amax); }
  static LOCKSTEP_HD Query quantize_query(float x, float scale) { return quantize(x, scale); }
  static LOCKSTEP_HD std::int32_t weight(float score, float max_score) {
    return softmax_weight(score, max_score);
  }
  static LOCKSTEP_HD float output(Sum weighted_sum, Sum normalizer, float v_scale) {
    return attention_output(weighted_sum, normalizer, v_scale);
  }
};

struct WideAttention {
  using Query = std::int32_t;
  using Sum = std::int64_t;
  static LOCKSTEP_HD float query_scale(float amax) { return split_scale(amax); }
  static LOCKSTEP_HD Query quantize_query(float x, float scale) {
    return quantize_split16(x, scale);
  }
  static LOCKSTEP_HD std::int32_t weight(float score, float max_score) {
    return softmax_weight_wide(score, max_score);
  }
  static LOCKSTEP_HD float output(Sum weighted_sum, Sum normalizer, float v_scale) {
    return attention_output_wide(weighted_sum, normalizer, v_scale);
  }
};

}  // namespace lockstep::numerics
