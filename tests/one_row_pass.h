// The packed pass the golden model records run (docs/numerics.md §9, §13.5): a prompt at
// positions 0..N-1 into row 0 of an empty cache, token i writing slot i and seeing 0..i.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/batch.h"

namespace lockstep::test {

inline sim::PackedBatch one_row_pass(sim::CacheId cache, const std::vector<sim::Token>& tokens) {
  sim::PackedBatch b;
  b.cache = cache;
  b.cache_rows = {0};
  b.row_offsets = {0, static_cast<std::int32_t>(tokens.size())};
  b.kv_extent = {0};
  b.tokens = tokens;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    b.positions.push_back(static_cast<std::int32_t>(i));
    b.tags.push_back({0, static_cast<std::int32_t>(i)});
  }
  return b;
}

}  // namespace lockstep::test
