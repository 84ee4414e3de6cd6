// packed: no padding at all. Each live sequence owns a KV row whose extent is exactly its
// cached length; passes are varlen (rows contribute different numbers of tokens), so a
// ragged acceptance needs nothing but a per-row crop: zero realignment, zero moves.
// Continuous batching: a finished sequence's row is refilled with the next prompt, whose
// prompt the round prefills by one varlen pass over all newly admitted rows.
// What is packed-specific lives here: admission by row refill and the per-row crop; the round
// is sim/round.h's. Faults (sim/faults.h): the KV-length faults make the layout's extents
// drift (kv_length_after_round); bonus-kv-missing and accept-first-rejected act in the round.
// Relies on: I1 (position = extent + offset = logical index), I3 via per-row crops.
#include <vector>

#include "sim/error.h"
#include "sim/round.h"
#include "sim/strategies.h"

namespace lockstep::sim {
namespace {

struct PackedRows {
  CacheId target;
  CacheId draft;
  std::vector<int> seq_of_row;  // [batch], -1 when free
  // The layout's KV extent of each row. Correctly it is the sequence's cached length after
  // every step; the KV-length faults make it drift (see crop_rows).
  std::vector<int> extent_of_row;
};

template <typename Fn>
void for_both(Engine& engine, const PackedRows& p, Fn&& fn) {
  fn(ModelRole::target, p.target);
  if (engine.has_draft_model()) fn(ModelRole::draft, p.draft);
}

// Refills every free or finished row with the next prompt. The round's prefill writes the
// prompt's cached part, so the row's extent is that length from this step on.
void refill_rows(Engine& engine, PackedRows& p) {
  for (std::size_t row = 0; row < p.seq_of_row.size(); ++row) {
    int& id = p.seq_of_row[row];
    if (id >= 0 && !engine.sequence(id).finished) continue;
    id = engine.next_unadmitted();
    if (id < 0) continue;
    for_both(engine, p, [&](ModelRole role, CacheId cache) {
      engine.crop(role, cache, static_cast<int>(row), 0);
    });
    p.extent_of_row[row] = engine.sequence(id).cached_length();
  }
}

RoundGroup live_rows(Engine& engine, const PackedRows& p) {
  RoundGroup group{.layout = Layout::packed, .target = p.target, .draft = p.draft, .rows = {}};
  for (std::size_t row = 0; row < p.seq_of_row.size(); ++row) {
    const int id = p.seq_of_row[row];
    if (id < 0 || engine.sequence(id).finished) continue;
    group.rows.push_back(
        {.seq = id, .cache_row = static_cast<int>(row), .kv_extent = p.extent_of_row[row]});
  }
  return group;
}

// After a round: every surviving row's KV is cropped to the extent the layout records.
std::vector<RowPlacement> crop_rows(Engine& engine, PackedRows& p, const RoundGroup& group,
                                    const RoundOutcome& outcome) {
  const int most = outcome.most_accepted();
  std::vector<RowPlacement> placements;
  for (std::size_t r = 0; r < group.rows.size(); ++r) {
    const RoundRow& row = group.rows[r];
    const Sequence& seq = engine.sequence(row.seq);
    if (seq.finished) continue;
    const int extent = kv_length_after_round(engine, {.correct = seq.cached_length(),
                                                      .before = row.kv_extent,
                                                      .accepted = outcome.accepted[r],
                                                      .most_accepted = most});
    if (engine.faults().any() && engine.drafting()) {
      require(extent + engine.k() + 1 <= engine.kv_capacity(),
              "packed: KV extent leaves no room for a round");
    }
    p.extent_of_row[static_cast<std::size_t>(row.cache_row)] = extent;
    for_both(engine, p, [&](ModelRole role, CacheId cache) {
      engine.crop(role, cache, row.cache_row, extent);
      placements.push_back({seq.id, role, cache, row.cache_row, 0, extent, extent});
    });
  }
  return placements;
}

}  // namespace

void run_packed(Engine& engine) {
  const int batch = engine.scenario().batch_size;
  const int capacity = engine.kv_capacity();
  const auto rows = static_cast<std::size_t>(batch);
  PackedRows p{
      engine.create_cache(ModelRole::target, batch, capacity),
      engine.has_draft_model() ? engine.create_cache(ModelRole::draft, batch, capacity) : CacheId{},
      std::vector<int>(rows, -1), std::vector<int>(rows, 0)};
  Round round;  // reused round after round
  while (true) {
    refill_rows(engine, p);
    const RoundGroup group = live_rows(engine, p);
    if (group.rows.empty()) break;
    engine.begin_step();
    speculative_round(engine, group, {}, round);
    engine.end_step(crop_rows(engine, p, group, round.outcome));
  }
}

}  // namespace lockstep::sim
