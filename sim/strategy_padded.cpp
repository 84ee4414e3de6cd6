// ar, spec1, eqspec and rollback: the padded layout of round.h, static batches (spec1: one
// sequence at a time). What differs between them is read from their registry rows
// (sim/strategy.h): admission (batch size) and realignment (rollback or unpad-repad).
//
// After a round, rows have accepted different numbers of drafts and the rectangle is ragged.
//   eqspec / spec1  unpad-append-repad: each surviving row keeps its committed prefix; the
//                   new width is the longest row; one move plan shifts every row whose pad
//                   changed so all rows end at the new width again (target and draft caches
//                   get the same plan); everything past the width is cropped.
//   rollback        every row keeps min_i(a_i) drafts plus the target's token at that point,
//                   so rows stay aligned and no KV moves: correct, but it throws work away.
//   ar              rollback with k = 0: one token per row per step.
// Faults (sim/faults.h) enter through kept_span / advance_aligned (KV length bookkeeping, via
// kv_length_after_round), the draft move plan (draft-cache-not-realigned) and
// bonus_slot_shift (bonus-kv-wrong-slot).
// Relies on: I1/I2 from round.h's padded layout, I3 from the crop and the plan, I4 from the
// width bookkeeping (checked by the verifier every step).
#include <algorithm>
#include <numeric>

#include "sim/error.h"
#include "sim/round.h"
#include "sim/strategies.h"

namespace lockstep::sim {
namespace {

// Where a surviving row's KV lies before the repad: `length` slots from `first`. Correctly
// that is the sequence's cached prefix at its old pad; the length-bookkeeping faults change
// it here, exactly where a real implementation would miscount (docs/faults.md).
struct RowSpan {
  int first = 0;
  int length = 0;
  bool duplicate_last = false;  // bonus-kv-duplicated: the last entry is appended twice
};

RowSpan kept_span(Engine& engine, const RoundGroup& group, const RoundRow& row, int a,
                  int most_accepted) {
  const FaultSet& f = engine.faults();
  RowSpan span{row.pad, engine.sequence(row.seq).cached_length(), false};
  if (!f.any() || !engine.drafting()) return span;
  span.length = kv_length_after_round(engine, {.correct = span.length,
                                               .before = group.width - row.pad,
                                               .accepted = a,
                                               .most_accepted = most_accepted});
  // No unpad: the old padding travels with the row as if it were content.
  if (f.has(Fault::padding_compounds)) {
    span.length += span.first;
    span.first = 0;
  }
  span.duplicate_last = f.has(Fault::bonus_kv_duplicated) && span.length > 0;
  return span;
}

// Drops finished rows, recomputes the width and realigns survivors to it.
void repad(Engine& engine, RoundGroup& group, const RoundOutcome& outcome) {
  const FaultSet& f = engine.faults();
  const int most = outcome.most_accepted();
  std::vector<RoundRow> survivors;
  std::vector<RowSpan> spans;
  std::vector<int> accepted;
  for (std::size_t r = 0; r < group.rows.size(); ++r) {
    const RoundRow& row = group.rows[r];
    if (engine.sequence(row.seq).finished) continue;
    survivors.push_back(row);
    spans.push_back(kept_span(engine, group, row, outcome.accepted[r], most));
    accepted.push_back(outcome.accepted[r]);
  }
  group.rows = std::move(survivors);
  int width = 0;
  for (const auto& span : spans)
    width = std::max(width, span.length + (span.duplicate_last ? 1 : 0));
  require(width + engine.k() + 1 <= engine.kv_capacity(), [&] {
    return std::string("repad: layout width " + std::to_string(width) +
                       " leaves no room for a round");
  });
  MovePlan target_plan{group.target, group.target, {}};
  for (std::size_t r = 0; r < group.rows.size(); ++r) {
    RoundRow& row = group.rows[r];
    const RowSpan& span = spans[r];
    const int pad = width - span.length - (span.duplicate_last ? 1 : 0);
    // The row's kept span moves so that it ends at the new width.
    if (pad != span.first)
      target_plan.moves.push_back({row.cache_row, span.first, row.cache_row, pad, span.length});
    if (span.duplicate_last) {
      target_plan.moves.push_back(
          {row.cache_row, span.first + span.length - 1, row.cache_row, pad + span.length, 1});
    }
    row.pad = pad;
    row.bonus_slot_shift = bonus_slot_shift_after_round(engine, accepted[r]);
  }
  group.width = width;
  engine.move(ModelRole::target, target_plan);
  if (engine.has_draft_model() && !f.has(Fault::draft_cache_not_realigned))
    engine.move(ModelRole::draft, MovePlan{group.draft, group.draft, target_plan.moves});
  for (const auto& row : group.rows) {
    engine.crop(ModelRole::target, group.target, row.cache_row, width);
    if (engine.has_draft_model()) engine.crop(ModelRole::draft, group.draft, row.cache_row, width);
  }
}

// Every row keeps `kept` drafts plus one token: alignment is preserved. The faults that
// miscount the KV length move the whole rectangle by the wrong amount.
void advance_aligned(Engine& engine, RoundGroup& group, int kept, const RoundOutcome& outcome) {
  std::erase_if(group.rows, [&](const RoundRow& row) { return engine.sequence(row.seq).finished; });
  for (auto& row : group.rows) row.bonus_slot_shift = bonus_slot_shift_after_round(engine, kept);
  group.width = kv_length_after_round(engine, {.correct = group.width + kept + 1,
                                               .before = group.width,
                                               .accepted = kept,
                                               .most_accepted = outcome.most_accepted()});
  require(group.rows.empty() || group.width + engine.k() + 1 <= engine.kv_capacity(),
          "advance_aligned: layout width leaves no room for a round");
  for (const auto& row : group.rows) {
    engine.crop(ModelRole::target, group.target, row.cache_row, group.width);
    if (engine.has_draft_model())
      engine.crop(ModelRole::draft, group.draft, row.cache_row, group.width);
  }
}

}  // namespace

void run_padded_strategy(Engine& engine) {
  const StrategyInfo& strategy = engine.strategy();
  const bool rollback = strategy.realignment == Realignment::rollback;
  const int batch = batches_several(strategy) ? engine.scenario().batch_size : 1;
  const int capacity = engine.kv_capacity();
  const CacheId target = engine.create_cache(ModelRole::target, batch, capacity);
  const CacheId draft =
      engine.has_draft_model() ? engine.create_cache(ModelRole::draft, batch, capacity) : CacheId{};

  Round round;  // reused round after round
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
      if (engine.has_draft_model()) engine.crop(ModelRole::draft, draft, row, 0);
    }
    RoundGroup group = align_group(engine, target, draft, seqs, rows);
    while (!group.rows.empty()) {
      engine.begin_step();
      speculative_round(engine, group, {.keep_least = rollback}, round);
      if (rollback) {
        advance_aligned(engine, group, round.kept.front(), round.outcome);
      } else {
        repad(engine, group, round.outcome);
      }
      engine.end_step(padded_placements(engine, group));
    }
  }
}

void run_strategy(Engine& engine) {
  engine.strategy().run(engine);
}

}  // namespace lockstep::sim
