#include "gpu/plan.h"

#include <algorithm>
#include <climits>
#include <map>
#include <utility>

#include "sim/error.h"

namespace lockstep::gpu {

int TokenPlan::max_visible() const {
  int best = 0;
  for (std::size_t i = 0; i + 1 < visible_offsets.size(); ++i)
    best = std::max(best, visible_offsets[i + 1] - visible_offsets[i]);
  return best;
}

namespace {

template <typename Batch>
TokenPlan build(const Batch& b) {
  TokenPlan plan;
  static_cast<numerics::PassPlan&>(plan) = numerics::make_pass_plan(b);
  resolve_duplicate_writes(plan);
  return plan;
}

}  // namespace

TokenPlan build_plan(const sim::PaddedBatch& b) {
  return build(b);
}
TokenPlan build_plan(const sim::PackedBatch& b) {
  return build(b);
}

void resolve_duplicate_writes(TokenPlan& plan) {
  const auto n = plan.tokens.size();
  require(plan.rows.size() == n && plan.write_slots.size() == n,
          "resolve_duplicate_writes: plan arrays disagree");
  plan.write_enabled.assign(n, 1);
  std::map<std::pair<std::int32_t, std::int32_t>, std::size_t> last;  // (row, slot) -> last writer
  for (std::size_t i = 0; i < n; ++i) {
    auto [it, inserted] = last.try_emplace({plan.rows[i], plan.write_slots[i]}, i);
    if (!inserted) {
      plan.write_enabled[it->second] = 0;
      it->second = i;
    }
  }
}

PlanLayout pack_plan(const TokenPlan& plan, std::vector<std::int32_t>& out) {
  PlanLayout l;
  l.n = plan.size();
  const auto n = static_cast<std::size_t>(l.n);
  require(plan.visible_offsets.size() == n + 1 && plan.write_enabled.size() == n,
          "pack_plan: plan not built");
  l.tokens = 0;
  l.positions = l.tokens + n;
  l.rows = l.positions + n;
  l.write_slots = l.rows + n;
  l.visible_offsets = l.write_slots + n;
  l.visible = l.visible_offsets + n + 1;
  l.total = l.visible + plan.visible.size();
  out.clear();
  out.reserve(l.total);
  out.insert(out.end(), plan.tokens.begin(), plan.tokens.end());
  out.insert(out.end(), plan.positions.begin(), plan.positions.end());
  out.insert(out.end(), plan.rows.begin(), plan.rows.end());
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(plan.write_enabled[i] ? plan.write_slots[i] : -1);
  out.insert(out.end(), plan.visible_offsets.begin(), plan.visible_offsets.end());
  out.insert(out.end(), plan.visible.begin(), plan.visible.end());
  return l;
}

std::int64_t pack_moves(const sim::MovePlan& plan, std::vector<std::int32_t>& out) {
  out.clear();
  for (const auto& mv : plan.moves)
    out.insert(out.end(), {mv.src_row, mv.src_slot, mv.dst_row, mv.dst_slot, mv.length});
  std::int64_t total = 0;
  out.push_back(0);
  for (const auto& mv : plan.moves) {
    total += mv.length;
    require(total <= INT_MAX, "apply_moves: plan moves more than 2^31 slots");
    out.push_back(static_cast<std::int32_t>(total));
  }
  return total;
}

}  // namespace lockstep::gpu
