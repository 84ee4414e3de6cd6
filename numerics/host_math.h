// Host-side pieces of the forward pass shared by the CPU reference (reference/) and the CUDA
// runtime (gpu/), defined once here in g++-compiled code so both use the same libm and the
// same constants:
//   * the weight gains (the magnitude each tensor produces, see weights.h),
//   * the RoPE table (built on the host in double; the device gets it uploaded),
//   * the attention score scale,
//   * argmax with ties to the lowest id, the top two logits and the logits digest (applied to
//     logits copied back from the device on the GPU),
//   * under float numerics (issue 13): the fp32 RoPE table and the fp32 K/V digest step, so
//     the cpu and gpu float profiles build and hash them by one definition.
// No Eigen and no CUDA here: both runtimes link it (lockstep_numerics).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/batch.h"

namespace lockstep::numerics {

// K/V cache quantization scale, fixed per layer (never taken over a batch).
constexpr float kKvScale = 4.0f / 127.0f;

// 73 ~ the RMS of a uniform int8 weight, so projections of an RMS-normalized input come out
// near unit scale; the residual writers (wo, wd) of layer l are 4 * 2^l times smaller so that
// each layer nudges the residual stream, less and less with depth (which gives a draft made
// of the target's first layers a useful acceptance rate).
constexpr double kGainProjection = 73.0;
constexpr double kGainResidual = 292.0;
constexpr double kGainEmbedding = 73.0;
constexpr double kGainHead = 18.25;
constexpr double kResidualDecay = 2.0;
double residual_gain_of_layer(int layer);

// Appends rows [from, to) of the [positions, head_dim / 2] cos and sin tables; `base` is the
// RoPE frequency base (10000 for generated weights, the file's for a loaded model).
void build_rope_rows(int head_dim, int from, int to, std::vector<float>& cos,
                     std::vector<float>& sin, double base = 10000.0);

// k_scale / sqrt(head_dim), rounded once: the factor from an integer q.k to a score.
float attention_score_scale(int head_dim, float k_scale = kKvScale);

// Digest of a logits row: combine() over the float bit patterns in order.
std::uint64_t digest_logits(const float* values, int count);
// Strict >: ties keep the lowest id.
std::int32_t argmax_lowest(const float* values, int count);

// The largest logit of any token but `best` (ties to the lowest id), beside best's own.
sim::LogitTop2 top2_of_row(const float* values, int count, sim::Token best);

// Float numerics' RoPE table: appends rows [from, to) of cos and sin of
// position * base^(-2j / D), in float with std:: functions (not the exact profile's double
// table: an fp32 stack builds it in fp32).
void build_float_rope_rows(int head_dim, int from, int to, std::vector<float>& cos,
                           std::vector<float>& sin, double base);

// One step of the fp32 K/V digest: combine() over (k bits << 32 | v bits) for `count` pairs.
std::uint64_t combine_float_kv(std::uint64_t h, const float* k, const float* v, std::size_t count);

}  // namespace lockstep::numerics
