// The packed pass of one sequence from nothing: tokens at positions 0..N-1 into row 0 of an
// empty cache, token i writing slot i and seeing slots 0..i (docs/numerics.md §9, §13.5). The
// batch-1 forward the golden model records run, and the one `lockstep verify-dist` takes its
// exact distributions from (cli/target_distribution.h).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/batch.h"

namespace lockstep::sim {

// Tags name `sequence` (the controller's claim; backends only record it).
inline PackedBatch one_row_pass(CacheId cache, const std::vector<Token>& tokens,
                                std::int32_t sequence = 0) {
  PackedBatch b;
  b.cache = cache;
  b.cache_rows = {0};
  b.row_offsets = {0, static_cast<std::int32_t>(tokens.size())};
  b.kv_extent = {0};
  b.tokens = tokens;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    b.positions.push_back(static_cast<std::int32_t>(i));
    b.tags.push_back({sequence, static_cast<std::int32_t>(i)});
  }
  return b;
}

}  // namespace lockstep::sim
