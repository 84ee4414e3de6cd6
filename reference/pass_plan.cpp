#include "reference/pass_plan.h"

namespace lockstep::reference {

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

}  // namespace lockstep::reference
