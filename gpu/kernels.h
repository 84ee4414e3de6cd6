// Launchers of the gpu runtime's kernels, one kernel per file (k_*.cu), each the device twin
// of the reference op of the same name (reference/ops.h; tests/gpu/test_gpu_device.cpp
// compares each pair byte for byte). Every launcher checks the launch; none synchronizes.
//
// Dimension legend: N tokens of a pass (Np = pad16(N)); d model width; H heads, G kv heads,
// D head dim; F ffn width; V vocabulary; S slots per cache row; L layers; C = G*D.
// KV cache layout (per cache): K [rows, L, S, C] int8; V transposed [rows, L, C, S] int8,
// i.e. per row and layer exactly the reference's KvRow::k[l] and KvRow::vt[l].
#pragma once

#include <cstdint>

#include <cuda_runtime_api.h>

#include "numerics/attention_steps.h"

namespace lockstep::gpu {

// k_weights.cu — numerics/weight_generator.h weight_value / channel_scale on the device.
// out [rows_padded, ld]: value(seed, tensor, r * cols + c) for r < rows, c < cols, else 0.
void launch_generate_weights(std::int8_t* out, int rows, int cols, int rows_padded, int ld,
                             std::uint64_t seed, std::uint64_t tensor, cudaStream_t stream);
// scales [rows]: channel_scale(seed, tensor, r, cols, gain), in double as on the host.
void launch_generate_scales(float* scales, int rows, int cols, double gain, std::uint64_t seed,
                            std::uint64_t tensor, cudaStream_t stream);

// k_embedding.cu — twin of ops::embedding.
// h [N, d] = (float)emb[token, j] * emb_scale[token].
void launch_embed(float* h, const std::int8_t* emb, int ld, const float* emb_scales,
                  const std::int32_t* tokens, int n, int d, cudaStream_t stream);

// k_quantize_rows.cu — twin of ops::quantize_rows.
// xq [rows_padded, ld] int8 (zero past n rows and k columns); factor [N] = rms factor or scale.
void launch_quantize_rows(const float* x, int n, int k, std::int8_t* xq, int rows_padded, int ld,
                          float* factor, bool rms, cudaStream_t stream);

// k_dequantize.cu — twin of ops::dequantize (the GEMM epilogue, and the residual add).
// y[i, o] (+)= dequantize(acc[i, o], w_scale[o], factor[i]) for i < n, o < out; acc has ld ldc.
void launch_dequantize(const std::int32_t* acc, int ldc, int n, int out, const float* w_scale,
                       const float* factor, float* y, bool accumulate, cudaStream_t stream);

// k_quantize_split.cu — twin of ops::quantize_rows_split (a loaded model's 16-bit rows).
// xq [2 * rows_padded, ld] int8: row i's high digits at row i, its low digits at row
// rows_padded + i (zero past n rows and k columns); factor [N] = rms factor (eps) or scale.
void launch_quantize_split(const float* x, int n, int k, std::int8_t* xq, int rows_padded, int ld,
                           float* factor, bool rms, float eps, cudaStream_t stream);

// k_dequantize_split.cu — twin of ops::dequantize_split: acc [2 * rows_padded, ldc] as
// k_quantize_split laid out its input; y[i, o] (+)= dequantize_split(255 * high + low, ...).
void launch_dequantize_split(const std::int32_t* acc, int ldc, int n, int rows_padded, int out,
                             const float* w_scale, const float* factor, float* y, bool accumulate,
                             cudaStream_t stream);

// k_rope.cu — twin of ops::rope.
// x [N, heads * D] rotated in place pairwise by the [positions, D/2] tables.
void launch_rope(float* x, int n, int heads, int head_dim, const std::int32_t* positions,
                 const float* cos_table, const float* sin_table, cudaStream_t stream);

// k_kv_write.cu — twin of ops::kv_write.
void launch_kv_write(const float* k, const float* v, int n, int kv_width, const std::int32_t* rows,
                     const std::int32_t* write_slots, std::int8_t* k_cache, std::int8_t* v_cache,
                     int layer, int layers, int capacity, float k_scale, float v_scale,
                     cudaStream_t stream);

// k_attention.cu — twin of ops::attention (the same `steps`: int8 or the loaded path's wide).
// out [N, H*D]; scratch holds N * H * max_visible 32-bit words.
void launch_attention(const float* q, int n, int heads, int kv_heads, int head_dim,
                      const std::int32_t* rows, const std::int32_t* visible_offsets,
                      const std::int32_t* visible, const std::int8_t* k_cache,
                      const std::int8_t* v_cache, int layer, int layers, int capacity,
                      float score_scale, float kv_scale, float* scratch, int max_visible,
                      float* out, numerics::AttentionSteps steps, cudaStream_t stream);

// k_swiglu.cu — twin of ops::swiglu: act = silu(gate) * up.
void launch_swiglu(const float* gate, const float* up, float* act, std::int64_t count,
                   cudaStream_t stream);

// k_check_finite.cu — twin of ops::check_finite: atomicMin(flag, code) when
// any element is NaN or Inf.
void launch_check_finite(const float* x, std::int64_t count, int code, int* flag,
                         cudaStream_t stream);

// k_moves.cu — twin of reference CpuBackend::apply_moves (gather semantics) and crop.
// moves [M, 5] (src_row, src_slot, dst_row, dst_slot, length); prefix [M + 1] slot prefix sums;
// staging holds 2 * L * C * total_slots bytes. Stage reads only the source cache, write only
// the destination, so the plan reads the caches as they were before it.
void launch_stage_moves(const std::int32_t* moves, const std::int32_t* prefix, int move_count,
                        std::int64_t total_slots, const std::int8_t* k_src,
                        const std::int8_t* v_src, int layers, int capacity, int kv_width,
                        std::int8_t* staging, cudaStream_t stream);
void launch_write_moves(const std::int32_t* moves, const std::int32_t* prefix, int move_count,
                        std::int64_t total_slots, const std::int8_t* staging, std::int8_t* k_dst,
                        std::int8_t* v_dst, int layers, int capacity, int kv_width,
                        cudaStream_t stream);
void launch_crop(std::int8_t* k_cache, std::int8_t* v_cache, int row, int from_slot, int layers,
                 int capacity, int kv_width, cudaStream_t stream);

}  // namespace lockstep::gpu
