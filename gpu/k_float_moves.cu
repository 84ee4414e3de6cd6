// Move plans and crops on the float profiles' fp32 caches (K and V both [rows, L, S, C]): one
// batched stage kernel (every source range of every move, all layers, into staging: reads
// only) and one batched write kernel (writes only), the gather semantics of sim::MovePlan as
// k_moves.cu gives the int8 cache. CPU twins: reference/float_cache.h move_float_slots and
// crop_float_row (the cpu float profile's own cache functions).
#include "gpu/check.h"
#include "gpu/float_grid.cuh"
#include "gpu/float_kernels.h"
#include "gpu/move_locate.cuh"

namespace lockstep::gpu {
namespace {

__device__ std::int64_t cache_index(int row, int layer, std::int64_t slot, int channel, int layers,
                                    int capacity, int kv_width) {
  return ((static_cast<std::int64_t>(row) * layers + layer) * capacity + slot) * kv_width + channel;
}

__global__ void stage_moves(const std::int32_t* moves, const std::int32_t* prefix, int move_count,
                            std::int64_t total_slots, const float* k_src, const float* v_src,
                            int layers, int capacity, int kv_width, float* staging) {
  const std::int64_t total = total_slots * layers * kv_width;
  for (std::int64_t e = grid_first(); e < total; e += grid_stride()) {
    const MoveElement x = locate_move_element(e, prefix, move_count, layers, kv_width);
    const std::int32_t* mv = moves + 5 * x.m;
    const std::int64_t at = cache_index(mv[0], x.l, mv[1] + x.s, x.c, layers, capacity, kv_width);
    staging[e] = k_src[at];
    staging[total + e] = v_src[at];
  }
}

__global__ void write_moves(const std::int32_t* moves, const std::int32_t* prefix, int move_count,
                            std::int64_t total_slots, const float* staging, float* k_dst,
                            float* v_dst, int layers, int capacity, int kv_width) {
  const std::int64_t total = total_slots * layers * kv_width;
  for (std::int64_t e = grid_first(); e < total; e += grid_stride()) {
    const MoveElement x = locate_move_element(e, prefix, move_count, layers, kv_width);
    const std::int32_t* mv = moves + 5 * x.m;
    const std::int64_t slot = mv[3] + x.s;
    if (overwritten_later(moves, x.m, move_count, mv[2], slot)) continue;
    const std::int64_t at = cache_index(mv[2], x.l, slot, x.c, layers, capacity, kv_width);
    k_dst[at] = staging[e];
    v_dst[at] = staging[total + e];
  }
}

__global__ void crop(float* k_cache, float* v_cache, int row, int from_slot, int layers,
                     int capacity, int kv_width) {
  const std::int64_t per_layer = static_cast<std::int64_t>(capacity - from_slot) * kv_width;
  const std::int64_t total = per_layer * layers;
  for (std::int64_t e = grid_first(); e < total; e += grid_stride()) {
    const auto l = static_cast<int>(e / per_layer);
    const std::int64_t rest = e % per_layer;
    const std::int64_t at =
        cache_index(row, l, from_slot + rest / kv_width, static_cast<int>(rest % kv_width), layers,
                    capacity, kv_width);
    k_cache[at] = 0.0f;
    v_cache[at] = 0.0f;
  }
}

}  // namespace

void launch_float_stage_moves(const std::int32_t* moves, const std::int32_t* prefix, int move_count,
                              std::int64_t total_slots, const float* k_src, const float* v_src,
                              int layers, int capacity, int kv_width, float* staging,
                              cudaStream_t stream) {
  const std::int64_t total = total_slots * layers * kv_width;
  if (total == 0) return;
  stage_moves<<<float_blocks(total), kFloatThreads, 0, stream>>>(
      moves, prefix, move_count, total_slots, k_src, v_src, layers, capacity, kv_width, staging);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

void launch_float_write_moves(const std::int32_t* moves, const std::int32_t* prefix, int move_count,
                              std::int64_t total_slots, const float* staging, float* k_dst,
                              float* v_dst, int layers, int capacity, int kv_width,
                              cudaStream_t stream) {
  const std::int64_t total = total_slots * layers * kv_width;
  if (total == 0) return;
  write_moves<<<float_blocks(total), kFloatThreads, 0, stream>>>(
      moves, prefix, move_count, total_slots, staging, k_dst, v_dst, layers, capacity, kv_width);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

void launch_float_crop(float* k_cache, float* v_cache, int row, int from_slot, int layers,
                       int capacity, int kv_width, cudaStream_t stream) {
  const std::int64_t total = static_cast<std::int64_t>(capacity - from_slot) * kv_width * layers;
  if (total <= 0) return;
  crop<<<float_blocks(total), kFloatThreads, 0, stream>>>(k_cache, v_cache, row, from_slot, layers,
                                                          capacity, kv_width);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
