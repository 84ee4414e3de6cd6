// Launchers of the gpu float and bf16 profiles' kernels (issue 13; docs/numerics.md §15.2),
// one kernel per gpu/k_float_*.cu file, each a loop over gpu/float_math.h's shared functions;
// their CPU twins are gpu/float_twins.h (tests/gpu/float_twins.cpp compares each pair byte for
// byte on a device). Every launcher checks the launch; none synchronizes.
//
// Legend as gpu/kernels.h: N tokens, d model width, H heads, G kv heads, D head dim, F ffn
// width, S slots per row, L layers, C = G*D. The fp32 K/V cache: K and V both
// [rows, L, S, C] floats (reference/float_cache.h's FloatKvRow layout, row after row).
#pragma once

#include <cstdint>

#include <cuda_runtime_api.h>

namespace lockstep::gpu {

// k_float_weights.cu — out [rows, cols] = dequantized_weight(values[r * ld + c], scales[r]).
void launch_float_dequantize(const std::int8_t* values, int ld, const float* scales, int rows,
                             int cols, float* out, cudaStream_t stream);
// k_float_bf16.cu — x[e] = round_bf16(x[e]) (a tensor stored in bf16, kept as fp32), and
// bits[e] = bf16_bits(x[e]) (the CUDA_R_16BF operand of a bf16 GEMM).
void launch_float_round_bf16(float* x, std::int64_t count, cudaStream_t stream);
void launch_float_to_bf16(const float* x, std::uint16_t* bits, std::int64_t count,
                          cudaStream_t stream);
// k_float_embed.cu — h [N, d] = table[tokens[i], :].
void launch_float_embed(const float* table, const std::int32_t* tokens, int n, int d, float* h,
                        cudaStream_t stream);
// k_float_rms_norm.cu — out [N, d] = rms_apply(x, rms_inverse(x row, eps), gain[j]).
void launch_float_rms_norm(const float* x, int n, int d, const float* gain, float eps, float* out,
                           cudaStream_t stream);
// k_float_rope.cu — x [N, heads * D] rotated in place pairwise (numerics::rope_rotate) by the
// fp32 [positions, D/2] tables.
void launch_float_rope(float* x, int n, int heads, int head_dim, const std::int32_t* positions,
                       const float* cos_table, const float* sin_table, cudaStream_t stream);
// k_float_swiglu.cu — act[e] = swiglu(gate[e], up[e]).
void launch_float_swiglu(const float* gate, const float* up, float* act, std::int64_t count,
                         cudaStream_t stream);
// k_float_add.cu — h[e] += delta[e].
void launch_float_add(float* h, const float* delta, std::int64_t count, cudaStream_t stream);
// k_float_kv_write.cu — K/V rows [N, C] to (rows[i], write_slots[i]) of layer `layer`; a
// negative write slot (a duplicate writer the plan disabled) writes nothing.
void launch_float_kv_write(const float* k, const float* v, int n, int kv_width,
                           const std::int32_t* rows, const std::int32_t* write_slots,
                           float* k_cache, float* v_cache, int layer, int layers, int capacity,
                           cudaStream_t stream);
// k_float_attention.cu — out [N, H*D] by float_math::attend per (token, head); scratch holds
// N * H * max_visible floats.
void launch_float_attention(const float* q, int n, int heads, int kv_heads, int head_dim,
                            const std::int32_t* rows, const std::int32_t* visible_offsets,
                            const std::int32_t* visible, const float* k_cache, const float* v_cache,
                            int layer, int layers, int capacity, float scale, float* scratch,
                            int max_visible, float* out, cudaStream_t stream);
// k_float_moves.cu — a move plan on fp32 caches with gather semantics (moves [M, 5], prefix
// [M + 1] as gpu/kernels.h's launch_stage_moves; staging holds 2 * L * C * total_slots
// floats), and the crop of one row from `from_slot` on.
void launch_float_stage_moves(const std::int32_t* moves, const std::int32_t* prefix, int move_count,
                              std::int64_t total_slots, const float* k_src, const float* v_src,
                              int layers, int capacity, int kv_width, float* staging,
                              cudaStream_t stream);
void launch_float_write_moves(const std::int32_t* moves, const std::int32_t* prefix, int move_count,
                              std::int64_t total_slots, const float* staging, float* k_dst,
                              float* v_dst, int layers, int capacity, int kv_width,
                              cudaStream_t stream);
void launch_float_crop(float* k_cache, float* v_cache, int row, int from_slot, int layers,
                       int capacity, int kv_width, cudaStream_t stream);

}  // namespace lockstep::gpu
