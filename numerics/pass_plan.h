// What a forward pass asks of a model, backend-neutral: N tokens, each written to
// `write_slot` of cache row `row` and attending to the slots listed in
// visible[visible_offsets[n], visible_offsets[n+1]). Built once from the controller's padded
// or packed batch by the visibility rule every backend shares (sim::visible_slots), and used
// by both the CPU reference and the GPU runtime, so the two cannot disagree on what a token
// sees. No Eigen here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/batch.h"

namespace lockstep::numerics {

struct PassPlan {
  std::vector<sim::Token> tokens;         // [N]
  std::vector<std::int32_t> positions;    // [N]
  std::vector<std::int32_t> rows;         // [N] cache row of each token
  std::vector<std::int32_t> write_slots;  // [N]
  std::vector<std::int32_t> visible;      // concatenated visible slot lists, increasing per token
  std::vector<std::int32_t> visible_offsets;  // [N + 1]
};

// Tokens in batch order (row by row, then t). Require batch.check_shapes() to have passed.
PassPlan make_pass_plan(const sim::PaddedBatch& batch);
PassPlan make_pass_plan(const sim::PackedBatch& batch);

// Throws ContractError unless the arrays agree
// in length and every token, position, cache row, write slot and visible slot is in range.
// Both runtimes call it before a forward pass.
void check_pass_plan(const PassPlan& plan, int vocab, std::size_t cache_rows, int capacity);

// 1 + the largest position id (0 for an empty plan): the RoPE table rows a pass needs.
int rope_rows_needed(const PassPlan& plan);

}  // namespace lockstep::numerics
