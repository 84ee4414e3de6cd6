// Random test inputs shared by the tests of the model runtimes (test_reference, tests/gpu/):
// a portable generator and random tokens, padded batches and packed batches. Portable means
// the same draws on every platform and standard library (STYLE 10): sim/hash.h's mix64 as the
// generator, no std::*_distribution. The batches are valid (check_shapes passes) but not
// controller-shaped: padded ones have random positions, masks and (sometimes duplicate) write
// slots, as faulty layouts produce them. The caller sets `cache`.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/batch.h"
#include "sim/hash.h"

namespace lockstep::test {

// draw(n) is uniform enough in [0, n) for tests; n must be positive.
struct Draw {
  std::uint64_t state;
  int operator()(int n) {
    state = sim::mix64(state);
    return static_cast<int>(state % static_cast<std::uint64_t>(n));
  }
};

// The cache a random batch runs against, and the model's vocabulary.
struct BatchShape {
  int rows = 0;      // cache rows
  int capacity = 0;  // slots per row
  int vocab = 0;
};

inline std::vector<sim::Token> random_tokens(Draw& draw, int count, int vocab) {
  std::vector<sim::Token> out(static_cast<std::size_t>(count));
  for (auto& t : out) t = draw(vocab);
  return out;
}

// 1..rows batch rows of 1..6 tokens over random cache rows, after a random past; random
// positions and masks; one write slot in four random within the row's columns.
inline sim::PaddedBatch random_padded(Draw& draw, const BatchShape& shape) {
  sim::PaddedBatch b;
  b.rows = 1 + draw(shape.rows);
  b.tokens = 1 + draw(6);
  b.past = draw(shape.capacity - b.tokens);
  for (int r = 0; r < b.rows; ++r) b.cache_rows.push_back(draw(shape.rows));
  for (int i = 0; i < b.rows * b.tokens; ++i) {
    b.input_ids.push_back(draw(shape.vocab));
    b.positions.push_back(draw(shape.capacity));
    b.write_slots.push_back(draw(4) == 0 ? draw(b.columns()) : b.past + i % b.tokens);
    b.tags.push_back(sim::TokenTag{});
  }
  for (int i = 0; i < b.rows * b.columns(); ++i) b.mask.push_back(draw(3) != 0 ? 1 : 0);
  b.check_shapes(shape.rows, shape.capacity);
  return b;
}

// 1..rows packed rows (cache rows 0, 1, ...) of 0..4 tokens each after a random KV extent.
inline sim::PackedBatch random_packed(Draw& draw, const BatchShape& shape) {
  sim::PackedBatch b;
  b.row_offsets.push_back(0);
  const int count = 1 + draw(shape.rows);
  for (int r = 0; r < count; ++r) {
    b.cache_rows.push_back(r);
    const int tokens = draw(5);
    b.kv_extent.push_back(draw(shape.capacity - tokens));
    b.row_offsets.push_back(b.row_offsets.back() + tokens);
    for (int t = 0; t < tokens; ++t) {
      b.tokens.push_back(draw(shape.vocab));
      b.positions.push_back(b.kv_extent.back() + t);
      b.tags.push_back(sim::TokenTag{});
    }
  }
  b.check_shapes(shape.rows, shape.capacity);
  return b;
}

}  // namespace lockstep::test
