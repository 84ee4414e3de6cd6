// Device twin of reference/cpu_backend.cpp CpuBackend::apply_moves and crop. A move plan runs
// as ONE batched stage kernel (every source range of every move, all layers, K and V, into a
// staging buffer: reads only) and ONE batched write kernel (staging into the destination:
// writes only): the gather semantics of sim::MovePlan, with no per-move copies.
#include "gpu/check.h"
#include "gpu/kernels.h"

namespace lockstep::gpu {
namespace {

// Element e of the plan: move m (by binary search on the slot prefix), slot offset s within
// it, layer l, channel c. Staging layout: [prefix slot][layer][channel] for K, then the same
// for V at offset total * layers * C.
struct Element {
  int m, s, l, c;
};

__device__ Element locate(std::int64_t e, const std::int32_t* prefix, int move_count, int layers,
                          int kv_width) {
  const std::int64_t per_slot = static_cast<std::int64_t>(layers) * kv_width;
  const auto slot = static_cast<std::int32_t>(e / per_slot);
  const auto rest = static_cast<int>(e % per_slot);
  int lo = 0, hi = move_count - 1;  // the move m with prefix[m] <= slot < prefix[m + 1]
  while (lo < hi) {
    const int mid = (lo + hi + 1) / 2;
    if (prefix[mid] <= slot)
      lo = mid;
    else
      hi = mid - 1;
  }
  return Element{lo, slot - prefix[lo], rest / kv_width, rest % kv_width};
}

__global__ void stage_moves(const std::int32_t* moves, const std::int32_t* prefix, int move_count,
                            std::int64_t total_slots, const std::int8_t* k_src,
                            const std::int8_t* v_src, int layers, int capacity, int kv_width,
                            std::int8_t* staging) {
  const std::int64_t total = total_slots * layers * kv_width;
  const std::int64_t plane = static_cast<std::int64_t>(capacity) * kv_width;
  for (std::int64_t e = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; e < total;
       e += static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const Element x = locate(e, prefix, move_count, layers, kv_width);
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
    const Element x = locate(e, prefix, move_count, layers, kv_width);
    const std::int32_t* mv = moves + 5 * x.m;
    const std::int64_t base = (static_cast<std::int64_t>(mv[2]) * layers + x.l) * plane;
    const std::int64_t slot = mv[3] + x.s;
    // Two moves of one plan writing the same destination slot: the later move wins, as in the
    // sequential reference. Skip the write if a later move covers this slot of this row.
    bool overwritten = false;
    for (int later = x.m + 1; later < move_count && !overwritten; ++later) {
      const std::int32_t* lv = moves + 5 * later;
      overwritten =
          lv[2] == mv[2] && slot >= lv[3] && slot < static_cast<std::int64_t>(lv[3]) + lv[4];
    }
    if (overwritten) continue;
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
