#include "numerics/pass_plan.h"

#include <algorithm>
#include <string>

#include "sim/error.h"

namespace lockstep::numerics {

PassPlan make_pass_plan(const sim::PaddedBatch& b) {
  PassPlan plan;
  plan.visible_offsets.push_back(0);
  for (int r = 0; r < b.rows; ++r) {
    for (int t = 0; t < b.tokens; ++t) {
      const auto i = static_cast<std::size_t>(r) * static_cast<std::size_t>(b.tokens) +
                     static_cast<std::size_t>(t);
      plan.tokens.push_back(b.input_ids[i]);
      plan.positions.push_back(b.positions[i]);
      plan.rows.push_back(b.cache_rows[static_cast<std::size_t>(r)]);
      plan.write_slots.push_back(b.write_slots[i]);
      sim::visible_slots(b, r, t, plan.visible);
      plan.visible_offsets.push_back(static_cast<std::int32_t>(plan.visible.size()));
    }
  }
  return plan;
}

PassPlan make_pass_plan(const sim::PackedBatch& b) {
  PassPlan plan;
  plan.visible_offsets.push_back(0);
  for (int r = 0; r < b.rows(); ++r) {
    const auto ur = static_cast<std::size_t>(r);
    for (int i = b.row_offsets[ur]; i < b.row_offsets[ur + 1]; ++i) {
      const auto ui = static_cast<std::size_t>(i);
      // A packed row's token i is written right after the row's KV extent and sees
      // everything up to itself.
      const int slot = b.kv_extent[ur] + (i - b.row_offsets[ur]);
      plan.tokens.push_back(b.tokens[ui]);
      plan.positions.push_back(b.positions[ui]);
      plan.rows.push_back(b.cache_rows[ur]);
      plan.write_slots.push_back(slot);
      for (int s = 0; s <= slot; ++s) plan.visible.push_back(s);
      plan.visible_offsets.push_back(static_cast<std::int32_t>(plan.visible.size()));
    }
  }
  return plan;
}

void check_pass_plan(const PassPlan& plan, int vocab, std::size_t cache_rows, int capacity) {
  const std::size_t n = plan.tokens.size();
  require(plan.positions.size() == n && plan.rows.size() == n && plan.write_slots.size() == n &&
              plan.visible_offsets.size() == n + 1,
          "Model::forward: plan arrays disagree in length");
  for (std::size_t i = 0; i < n; ++i) {
    require(plan.tokens[i] >= 0 && plan.tokens[i] < vocab, [&] {
      return "Model::forward: token " + std::to_string(plan.tokens[i]) + " outside vocab " +
             std::to_string(vocab);
    });
    require(plan.positions[i] >= 0, "Model::forward: negative position id");
    require(plan.rows[i] >= 0 && static_cast<std::size_t>(plan.rows[i]) < cache_rows,
            "Model::forward: cache row out of range");
    require(plan.write_slots[i] >= 0 && plan.write_slots[i] < capacity,
            "Model::forward: write slot out of range");
  }
  for (int s : plan.visible)
    require(s >= 0 && s < capacity, "Model::forward: visible slot out of range");
}

int rope_rows_needed(const PassPlan& plan) {
  int rows = 0;
  for (auto p : plan.positions) rows = std::max(rows, p + 1);
  return rows;
}

}  // namespace lockstep::numerics
