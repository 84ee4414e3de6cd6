// The strategy rows (sim/strategy.h) and the lookups every reader goes through. The only
// place in sim/ where a strategy's name is written down.
#include "sim/strategy.h"

#include <algorithm>

#include "sim/error.h"
#include "sim/faults.h"
#include "sim/strategies.h"

namespace lockstep::sim {
namespace {

std::deque<StrategyInfo> built_in_rows() {
  using enum Layout;
  using enum Admission;
  using enum Realignment;
  return {
      {"ar", "autoregressive baseline: one token per row per step, no drafts", padded, false,
       static_batch, rollback, run_padded_strategy},
      {"spec1", "speculative decoding one sequence at a time: rounds are never ragged", padded,
       true, one_at_a_time, unpad_repad, run_padded_strategy},
      {"eqspec",
       "static padded batch; after a round rows unpad, append what they accepted and repad to "
       "the longest (KV moves)",
       padded, true, static_batch, unpad_repad, run_padded_strategy},
      {"exspec",
       "pool of `window` sequences; equal-length groups run unpadded, otherwise a realigning "
       "padded fallback",
       padded, true, window_pool, group_by_length, run_exspec},
      {"rollback",
       "static padded batch; every row keeps the batch's least accepted count, so no KV moves",
       padded, true, static_batch, rollback, run_padded_strategy},
      {"packed",
       "varlen passes with per-row KV extents and row refill: a crop per row, no realignment",
       packed, true, refill_rows, packed_crop, run_packed},
  };
}

std::deque<StrategyInfo>& rows() {
  static std::deque<StrategyInfo> table = built_in_rows();
  return table;
}

const StrategyInfo* find_row(const std::string& name) {
  const auto& table = rows();
  const auto it = std::find_if(table.begin(), table.end(),
                               [&](const StrategyInfo& s) { return s.name == name; });
  return it == table.end() ? nullptr : &*it;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

const std::deque<StrategyInfo>& strategy_registry() {
  return rows();
}

std::vector<std::string> strategy_names() {
  std::vector<std::string> out;
  for (const auto& s : rows()) out.push_back(s.name);
  return out;
}

const StrategyInfo* lookup_strategy(const std::string& name) {
  if (const StrategyPreset* preset = find_strategy_preset(name)) return find_row(preset->base);
  return find_row(name);
}

const StrategyInfo& find_strategy(const std::string& name) {
  if (const StrategyInfo* s = lookup_strategy(name)) return *s;
  throw InputError("unknown strategy '" + name + "' (known: " + join(strategy_names()) +
                   "; presets with faults: " + join(strategy_preset_names()) + ")");
}

const StrategyInfo& reference_strategy() {
  const auto& table = rows();
  const auto it =
      std::find_if(table.begin(), table.end(), [](const StrategyInfo& s) { return !s.drafts; });
  require(it != table.end(), "reference_strategy: the registry has no non-drafting strategy");
  return *it;
}

void register_strategy(StrategyInfo info) {
  if (info.name.empty()) throw InputError("register_strategy: a strategy needs a name");
  if (find_row(info.name) != nullptr || find_strategy_preset(info.name) != nullptr) {
    throw InputError("register_strategy: the name '" + info.name + "' is taken");
  }
  if (info.run == nullptr) {
    throw InputError("register_strategy: strategy '" + info.name + "' has no run function");
  }
  rows().push_back(std::move(info));
}

const char* layout_name(Layout layout) {
  return layout == Layout::packed ? "packed" : "padded";
}

bool batches_several(const StrategyInfo& s) {
  return s.admission != Admission::one_at_a_time;
}

bool pads_at_rest(const StrategyInfo& s) {
  return s.layout == Layout::padded &&
         (s.admission == Admission::static_batch || s.admission == Admission::one_at_a_time);
}

bool has_paper_realignment(const StrategyInfo& s) {
  return s.realignment == Realignment::unpad_repad;
}

bool uses_window_pool(const StrategyInfo& s) {
  return s.admission == Admission::window_pool;
}

bool decodes_without_drafts(const StrategyInfo& s) {
  return !s.drafts;
}

bool strategy_is(const std::string& name, bool (*trait)(const StrategyInfo& strategy)) {
  const StrategyInfo* s = lookup_strategy(name);
  return s != nullptr && trait(*s);
}

}  // namespace lockstep::sim
