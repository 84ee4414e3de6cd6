// What a forward pass asks of a model, backend-neutral: N tokens, each written to
// `write_slot` of cache row `row` and attending to the slots listed in
// visible[visible_offsets[n], visible_offsets[n+1]). Built once from the controller's padded
// or packed batch by the visibility rule every backend shares (sim::visible_slots), and used
// by both the CPU reference and the GPU runtime, so the two cannot disagree on what a token
// sees. No Eigen here.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/batch.h"

namespace lockstep::reference {

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

}  // namespace lockstep::reference
