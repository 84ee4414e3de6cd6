// Device twin of reference/cpu_backend.cpp CpuBackend::apply_moves and crop. A move plan runs
// as ONE batched stage kernel (every source range of every move, all layers, K and V, into a
// staging buffer: reads only) and ONE batched write kernel (staging into the destination:
// writes only): the gather semantics of sim::MovePlan, with no per-move copies.
#include "gpu/check.h"
#include "gpu/kernels.h"
#include "gpu/move_locate.cuh"

namespace lockstep::gpu {
namespace {

__global__ void stage_moves(const std::int32_t* moves, const std::int32_t* prefix, int move_count,
                            std::int64_t total_slots, const std::int8_t* k_src,
                            const std::int8_t* v_src, int layers, int capacity, int kv_width,
                            std::int8_t* staging) {
  const std::int64_t total = total_slots * layers * kv_width;
  const std::int64_t plane = static_cast<std::int64_t>(capacity) * kv_width;
  for (std::int64_t e = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; e < total;
       e += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const MoveElement x = locate_move_element(e, prefix, move_count, layers, kv_width);
    const std::int32_t* mv = moves + 5 * x.m;
    const std::int64_t base = (static_cast<std::int64_t>(mv[0]) * layers + x.l) * plane;
    const std::int64_t slot = mv[1] + x.s;
    staging[e] = k_src[base + slot * kv_width + x.c];
    staging[total + e] = v_src[base + static_cast<std::int64_t>(x.c) * capacity + slot];
  }
}

__global__ void write_moves(const std::int32_t* moves, const std::int32_t* prefix, int move_count,
                            std::int64_t total_slots, const std::int8_t* staging,
                            std::int8_t* k_dst, std::int8_t* v_dst, int layers, int capacity,
                            int kv_width) {
  const std::int64_t total = total_slots * layers * kv_width;
  const std::int64_t plane = static_cast<std::int64_t>(capacity) * kv_width;
  for (std::int64_t e = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; e < total;
       e += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const MoveElement x = locate_move_element(e, prefix, move_count, layers, kv_width);
    const std::int32_t* mv = moves + 5 * x.m;
    const std::int64_t base = (static_cast<std::int64_t>(mv[2]) * layers + x.l) * plane;
    const std::int64_t slot = mv[3] + x.s;
    if (overwritten_later(moves, x.m, move_count, mv[2], slot)) continue;
    k_dst[base + slot * kv_width + x.c] = staging[e];
    v_dst[base + static_cast<std::int64_t>(x.c) * capacity + slot] = staging[total + e];
  }
}

__global__ void crop(std::int8_t* k_cache, std::int8_t* v_cache, int row, int from_slot, int layers,
                     int capacity, int kv_width) {
  const int kept = capacity - from_slot;
  const std::int64_t per_layer = static_cast<std::int64_t>(kept) * kv_width;
  const std::int64_t total = per_layer * layers;
  const std::int64_t plane = static_cast<std::int64_t>(capacity) * kv_width;
  for (std::int64_t e = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; e < total;
       e += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const auto l = static_cast<int>(e / per_layer);
    const std::int64_t rest = e % per_layer;
    const std::int64_t slot = from_slot + rest / kv_width;
    const std::int64_t c = rest % kv_width;
    const std::int64_t base = (static_cast<std::int64_t>(row) * layers + l) * plane;
    k_cache[base + slot * kv_width + c] = 0;
    v_cache[base + c * capacity + slot] = 0;
  }
}

unsigned blocks_for(std::int64_t total, int threads) {
  const std::int64_t blocks = (total + threads - 1) / threads;
  return static_cast<unsigned>(blocks < 65535 * 8 ? blocks : 65535 * 8);
}

}  // namespace

void launch_stage_moves(const std::int32_t* moves, const std::int32_t* prefix, int move_count,
                        std::int64_t total_slots, const std::int8_t* k_src,
                        const std::int8_t* v_src, int layers, int capacity, int kv_width,
                        std::int8_t* staging, cudaStream_t stream) {
  const std::int64_t total = total_slots * layers * kv_width;
  if (total == 0) return;
  stage_moves<<<blocks_for(total, 256), 256, 0, stream>>>(
      moves, prefix, move_count, total_slots, k_src, v_src, layers, capacity, kv_width, staging);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

void launch_write_moves(const std::int32_t* moves, const std::int32_t* prefix, int move_count,
                        std::int64_t total_slots, const std::int8_t* staging, std::int8_t* k_dst,
                        std::int8_t* v_dst, int layers, int capacity, int kv_width,
                        cudaStream_t stream) {
  const std::int64_t total = total_slots * layers * kv_width;
  if (total == 0) return;
  write_moves<<<blocks_for(total, 256), 256, 0, stream>>>(
      moves, prefix, move_count, total_slots, staging, k_dst, v_dst, layers, capacity, kv_width);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

void launch_crop(std::int8_t* k_cache, std::int8_t* v_cache, int row, int from_slot, int layers,
                 int capacity, int kv_width, cudaStream_t stream) {
  const std::int64_t total = static_cast<std::int64_t>(capacity - from_slot) * kv_width * layers;
  if (total <= 0) return;
  crop<<<blocks_for(total, 256), 256, 0, stream>>>(k_cache, v_cache, row, from_slot, layers,
                                                   capacity, kv_width);
  LOCKSTEP_CUDA_CHECK_LAUNCH();
}

}  // namespace lockstep::gpu
