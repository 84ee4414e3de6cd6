// Where element e of a batched move plan lives (k_moves.cu for the int8 cache,
// k_float_moves.cu for the float profiles' fp32 cache): the move m (binary search on the slot
// prefix sums), the slot s within it, the layer l and the channel c. Elements are numbered
// [prefix slot][layer][channel], the staging layout of both. Device code only.
#pragma once

#include <cstdint>

namespace lockstep::gpu {

struct MoveElement {
  int m, s, l, c;
};

__device__ inline MoveElement locate_move_element(std::int64_t e, const std::int32_t* prefix,
                                                  int move_count, int layers, int kv_width) {
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
  return MoveElement{lo, slot - prefix[lo], rest / kv_width, rest % kv_width};
}

// True when a move after `m` writes slot `slot` of destination row `row`: the later move wins,
// as in the sequential reference, so this element's write is skipped.
__device__ inline bool overwritten_later(const std::int32_t* moves, int m, int move_count,
                                         std::int32_t row, std::int64_t slot) {
  for (int later = m + 1; later < move_count; ++later) {
    const std::int32_t* lv = moves + 5 * later;
    if (lv[2] == row && slot >= lv[3] && slot < static_cast<std::int64_t>(lv[3]) + lv[4])
      return true;
  }
  return false;
}

}  // namespace lockstep::gpu
