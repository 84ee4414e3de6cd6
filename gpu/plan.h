// Host-side plan building for the gpu backend: the controller's padded or packed batch
// becomes the flat per-token plan that is uploaded in one copy. The plan is, field for
// field, the reference's PassPlan (built by the same numerics::make_pass_plan: same token
// order, same visibility rule sim::visible_slots), plus one thing a parallel device
// needs and a sequential CPU does not: `write_enabled`. The reference writes K/V token by
// token in plan order, so when two tokens of a pass write the same (row, slot) the later one
// wins; the device writes all tokens at once, so the earlier writers are disabled here.
//
// Also: the padding arithmetic of the cuBLASLt GEMMs (every dimension a multiple of 16).
#pragma once

#include <cstdint>
#include <vector>

#include "numerics/pass_plan.h"
#include "sim/batch.h"

namespace lockstep::gpu {

constexpr int kGemmPad = 16;
constexpr int pad16(int n) {
  return (n + kGemmPad - 1) / kGemmPad * kGemmPad;
}

// The reference's own plan (numerics/pass_plan.h, the very same builder) plus the flags a
// parallel device needs.
struct TokenPlan : numerics::PassPlan {
  std::vector<std::uint8_t> write_enabled;  // [N] 0 when a later token writes the same (row, slot)

  int size() const { return static_cast<int>(tokens.size()); }
  int max_visible() const;  // the longest visible list
};

// Requires batch.check_shapes() to have passed.
TokenPlan build_plan(const sim::PaddedBatch& batch);
TokenPlan build_plan(const sim::PackedBatch& batch);

// Clears write_enabled for every token whose (row, slot) a later token of the plan writes.
void resolve_duplicate_writes(TokenPlan& plan);

// The one buffer uploaded per pass: tokens, positions, rows, write_slots (-1 where disabled),
// visible_offsets, visible, concatenated; `Layout` gives each part's offset in int32 units.
struct PlanLayout {
  int n = 0;
  std::size_t tokens = 0, positions = 0, rows = 0, write_slots = 0, visible_offsets = 0,
              visible = 0, total = 0;
};
PlanLayout pack_plan(const TokenPlan& plan, std::vector<std::int32_t>& out);

// The one buffer uploaded per move plan: [M, 5] moves (src_row, src_slot, dst_row, dst_slot,
// length), then [M + 1] slot prefix sums. Returns the slots moved in all; throws InputError
// past 2^31.
std::int64_t pack_moves(const sim::MovePlan& plan, std::vector<std::int32_t>& out);

}  // namespace lockstep::gpu
