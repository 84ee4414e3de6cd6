// ar, spec1, eqspec and rollback: the rectangular layout of padded_round.h, static batches.
//
// After a round, rows have accepted different numbers of drafts and the rectangle is ragged.
//   eqspec / spec1  unpad-append-repad: each surviving row keeps its committed prefix; the
//                   new width is the longest row; one move plan shifts every row whose pad
//                   changed so all rows end at the new width again (target and draft caches
//                   get the same plan); everything past the width is cropped.
//   rollback        every row keeps min_i(a_i) drafts plus the target's token at that point,
//                   so rows stay aligned and no KV moves: correct, but it throws work away.
//   ar              rollback with k = 0: one token per row per step.
// Relies on: I1/I2 from padded_round's layout, I3 from the crop and the plan, I4 from the
// width bookkeeping (checked by the verifier every step).
#include <algorithm>
#include <numeric>

#include "sim/error.h"
#include "sim/padded_round.h"
#include "sim/strategies.h"

namespace lockstep::sim {
namespace {

// Drops finished rows, recomputes the width and realigns survivors to it.
void repad(Engine& engine, PaddedGroup& group) {
  std::erase_if(group.rows,
                [&](const PaddedRow& row) { return engine.sequence(row.seq).finished; });
  int width = 0;
  for (const auto& row : group.rows)
    width = std::max(width, engine.sequence(row.seq).cached_length());
  MovePlan target_plan{group.target, group.target, {}};
  for (auto& row : group.rows) {
    const int length = engine.sequence(row.seq).cached_length();
    const int pad = width - length;
    // The row's committed prefix currently starts at its old pad.
    if (pad != row.pad)
      target_plan.moves.push_back({row.cache_row, row.pad, row.cache_row, pad, length});
    row.pad = pad;
  }
  group.width = width;
  engine.move(ModelRole::target, target_plan);
  if (engine.drafting())
    engine.move(ModelRole::draft, MovePlan{group.draft, group.draft, target_plan.moves});
  for (const auto& row : group.rows) {
    engine.crop(ModelRole::target, group.target, row.cache_row, width);
    if (engine.drafting()) engine.crop(ModelRole::draft, group.draft, row.cache_row, width);
  }
}

// Every row keeps `kept` drafts plus one token: alignment is preserved.
void advance_aligned(Engine& engine, PaddedGroup& group, int kept) {
  std::erase_if(group.rows,
                [&](const PaddedRow& row) { return engine.sequence(row.seq).finished; });
  group.width += kept + 1;
  for (const auto& row : group.rows) {
    engine.crop(ModelRole::target, group.target, row.cache_row, group.width);
    if (engine.drafting()) engine.crop(ModelRole::draft, group.draft, row.cache_row, group.width);
  }
}

}  // namespace

void run_padded_strategy(Engine& engine) {
  const std::string& strategy = engine.scenario().strategy;
  const bool rollback = strategy == "rollback" || strategy == "ar";
  const int batch = strategy == "spec1" ? 1 : engine.scenario().batch_size;
  const int capacity = engine.kv_capacity();
  const CacheId target = engine.create_cache(ModelRole::target, batch, capacity);
  const CacheId draft =
      engine.drafting() ? engine.create_cache(ModelRole::draft, batch, capacity) : CacheId{};

  while (true) {
    std::vector<int> seqs;
    std::vector<int> rows;
    for (int id; static_cast<int>(seqs.size()) < batch && (id = engine.next_unadmitted()) >= 0;) {
      rows.push_back(static_cast<int>(seqs.size()));
      seqs.push_back(id);
    }
    if (seqs.empty()) break;
    for (int row : rows) {
      engine.crop(ModelRole::target, target, row, 0);
      if (engine.drafting()) engine.crop(ModelRole::draft, draft, row, 0);
    }
    PaddedGroup group = align_group(engine, target, draft, seqs, rows);
    while (!group.rows.empty()) {
      engine.begin_step();
      const RoundOutcome outcome = run_padded_round(engine, group);
      std::vector<int> keep = outcome.accepted;
      if (rollback) {
        const int least = *std::min_element(keep.begin(), keep.end());
        std::fill(keep.begin(), keep.end(), least);
      }
      const std::vector<int> committed = commit_rows(engine, group.rows, outcome, keep);
      trace_round(engine, "padded", group.rows, group.width, outcome, committed, false);
      if (rollback) {
        advance_aligned(engine, group, keep.front());
      } else {
        repad(engine, group);
      }
      engine.end_step(padded_placements(engine, group));
    }
  }
}

void run_strategy(Engine& engine) {
  const std::string& s = engine.scenario().strategy;
  if (s == "exspec") return run_exspec(engine);
  if (s == "packed") return run_packed(engine);
  if (is_padded_strategy(s)) return run_padded_strategy(engine);
  throw InputError("unknown strategy '" + s + "'");
}

}  // namespace lockstep::sim
