// exspec: a sliding pool of `window` sequences, each with its own KV row starting at slot 0
// (per-sequence state, no padding at rest).
//
// Each step serves the largest group of live sequences with equal length *and* equal cache
// state (prefilled or not); such rows stack without any padding, so the round needs no
// realignment at all. When no group is large enough to fill the batch (min(batch_size,
// live)), a fallback takes up to batch_size sequences (prefilled ones first, in pool order),
// right-aligns them with a move plan (the EQSPEC layout), runs the round and moves each
// survivor back to slot 0. Finished sequences free their pool row for the next prompt.
// Faults (sim/faults.h): draft-cache-not-realigned drops the draft cache's move plans;
// exspec-group-by-length groups on length alone (see choose_rows and the group step).
// Relies on: I3 via the crop after every round and the symmetric move plans; I4 via
// per-sequence placements (first slot 0, length = committed - 1).
#include <algorithm>

#include "sim/round.h"
#include "sim/strategies.h"

namespace lockstep::sim {
namespace {

struct GroupKey {
  int length;
  bool prefilled;
  auto operator<=>(const GroupKey&) const = default;
};

struct Pool {
  CacheId target;
  CacheId draft;
  std::vector<int> seq_of_row;  // [window], -1 when free
};

void move_rows(Engine& engine, const Pool& pool, const std::vector<SlotMove>& moves,
               MovePromises promises) {
  engine.move(ModelRole::target, MovePlan{pool.target, pool.target, moves}, promises);
  if (engine.has_draft_model() && !engine.faults().has(Fault::draft_cache_not_realigned))
    engine.move(ModelRole::draft, MovePlan{pool.draft, pool.draft, moves}, promises);
}

void crop_row(Engine& engine, const Pool& pool, int row, int from) {
  engine.crop(ModelRole::target, pool.target, row, from);
  if (engine.has_draft_model()) engine.crop(ModelRole::draft, pool.draft, row, from);
}

void admit(Engine& engine, Pool& pool) {
  for (std::size_t row = 0; row < pool.seq_of_row.size(); ++row) {
    int& slot = pool.seq_of_row[row];
    if (slot >= 0 && !engine.sequence(slot).finished) continue;
    slot = engine.next_unadmitted();
    if (slot < 0) continue;
    crop_row(engine, pool, static_cast<int>(row), 0);
  }
}

// The first largest group of rows with equal key (groups in key order, rows in pool order),
// from (key, row) pairs: a sort of a reused buffer instead of a map of vectors per step.
std::pair<std::size_t, std::size_t> largest_group(std::vector<std::pair<GroupKey, int>>& keyed) {
  std::sort(keyed.begin(), keyed.end());
  std::pair<std::size_t, std::size_t> best{0, 0};  // [first, last)
  for (std::size_t first = 0; first < keyed.size();) {
    std::size_t last = first + 1;
    while (last < keyed.size() && keyed[last].first == keyed[first].first) ++last;
    if (last - first > best.second - best.first) best = {first, last};
    first = last;
  }
  return best;
}

// Chosen rows for this step and whether they form a same-length, same-state group.
std::pair<std::vector<int>, bool> choose_rows(Engine& engine, const Pool& pool,
                                              std::vector<std::pair<GroupKey, int>>& keyed) {
  keyed.clear();
  std::vector<int> live;
  for (std::size_t row = 0; row < pool.seq_of_row.size(); ++row) {
    const int id = pool.seq_of_row[row];
    if (id < 0 || engine.sequence(id).finished) continue;
    live.push_back(static_cast<int>(row));
    const Sequence& seq = engine.sequence(id);
    // exspec-group-by-length: the cache state is left out of the key.
    const bool state = !engine.faults().has(Fault::exspec_group_by_length) && seq.prefilled;
    keyed.push_back({{seq.length(), state}, static_cast<int>(row)});
  }
  const std::size_t wanted =
      std::min<std::size_t>(static_cast<std::size_t>(engine.scenario().batch_size), live.size());
  const auto [first, last] = largest_group(keyed);
  if (!keyed.empty() && last - first >= wanted) {
    std::vector<int> rows;
    for (std::size_t i = first; i < first + wanted; ++i) rows.push_back(keyed[i].second);
    return {rows, true};
  }
  std::stable_partition(live.begin(), live.end(), [&](int row) {
    return engine.sequence(pool.seq_of_row[static_cast<std::size_t>(row)]).prefilled;
  });
  live.resize(wanted);
  return {live, false};
}

// Crops the rows served this step (drops rejected drafts) and places every live pool row.
std::vector<RowPlacement> crop_served_rows(Engine& engine, const Pool& pool,
                                           const std::vector<int>& served_rows) {
  std::vector<RowPlacement> placements;
  for (std::size_t row = 0; row < pool.seq_of_row.size(); ++row) {
    const int id = pool.seq_of_row[row];
    if (id < 0) continue;
    const Sequence& seq = engine.sequence(id);
    if (seq.finished || !seq.prefilled) continue;
    const int r = static_cast<int>(row);
    const bool served = std::find(served_rows.begin(), served_rows.end(), r) != served_rows.end();
    if (served) crop_row(engine, pool, r, seq.cached_length());
    placements.push_back(
        {id, ModelRole::target, pool.target, r, 0, seq.cached_length(), seq.cached_length()});
    if (engine.has_draft_model()) {
      placements.push_back(
          {id, ModelRole::draft, pool.draft, r, 0, seq.cached_length(), seq.cached_length()});
    }
  }
  return placements;
}

}  // namespace

void run_exspec(Engine& engine) {
  const int window = engine.scenario().window;
  const int capacity = engine.kv_capacity();
  Pool pool{engine.create_cache(ModelRole::target, window, capacity),
            engine.has_draft_model() ? engine.create_cache(ModelRole::draft, window, capacity)
                                     : CacheId{},
            std::vector<int>(static_cast<std::size_t>(window), -1)};
  Round round;  // reused round after round
  std::vector<std::pair<GroupKey, int>> keyed;
  while (true) {
    admit(engine, pool);
    auto [rows, grouped] = choose_rows(engine, pool, keyed);
    if (rows.empty()) break;
    engine.begin_step();
    if (grouped) ++engine.metrics().grouped_steps;

    std::vector<int> seqs;
    for (int row : rows) seqs.push_back(pool.seq_of_row[static_cast<std::size_t>(row)]);
    if (grouped && engine.faults().has(Fault::exspec_group_by_length)) {
      // The group step runs the whole group in its first member's cache state: a fresh
      // member of a prefilled-led group is taken as prefilled and never gets its prompt's KV.
      const bool state = engine.sequence(seqs.front()).prefilled;
      for (int id : seqs) engine.sequence(id).prefilled = state;
    }
    RoundGroup group = align_group(engine, pool.target, pool.draft, seqs, rows);
    std::vector<SlotMove> to_aligned;
    for (const auto& row : group.rows) {
      const Sequence& seq = engine.sequence(row.seq);
      if (seq.prefilled && row.pad > 0) {
        to_aligned.push_back({row.cache_row, 0, row.cache_row, row.pad, seq.cached_length()});
      }
    }
    // The pads a row leaves behind below its aligned range are masked in every pass of the
    // round (unless the pads-visible fault shows them) and dropped by the move back.
    move_rows(engine, pool, to_aligned,
              {.forget_below = !engine.faults().has(Fault::pads_visible)});

    speculative_round(engine, group, {.grouped = grouped}, round);

    // Back to per-sequence rows at slot 0; drop rejected drafts. Each moved row is cropped
    // at its move's end (crop_served_rows: cached_length, the move's length) before anything
    // else touches it, so the backend need not keep the slots above it (forget_above).
    std::vector<SlotMove> to_rest;
    for (const auto& row : group.rows) {
      const Sequence& seq = engine.sequence(row.seq);
      if (!seq.finished && row.pad > 0) {
        to_rest.push_back({row.cache_row, row.pad, row.cache_row, 0, seq.cached_length()});
      }
    }
    move_rows(engine, pool, to_rest, {.forget_above = true});
    engine.end_step(crop_served_rows(engine, pool, rows));
  }
}

}  // namespace lockstep::sim
