// packed: no padding at all. Each live sequence owns a KV row whose extent is exactly its
// cached length; passes are varlen (rows contribute different numbers of tokens), so a
// ragged acceptance needs nothing but a per-row crop: zero realignment, zero moves.
// Continuous batching: a finished sequence's row is refilled with the next prompt, whose
// prompt is prefilled by one varlen pass over all newly admitted rows.
// Faults (sim/faults.h): stale-kv-after-rejection, uniform-kv-offset and
// all-accepted-as-k-minus-1 corrupt the per-row extent bookkeeping; bonus-kv-missing skips
// the last draft pass; accept-first-rejected acts in commit_rows.
// Relies on: I1 (position = extent + offset = logical index), I3 via per-row crops.
#include <algorithm>
#include <vector>

#include "sim/error.h"
#include "sim/padded_round.h"
#include "sim/strategies.h"

namespace lockstep::sim {
namespace {

// A varlen pass in which row r contributes fed(r, 0..count_r-1) at slots extent_r + t. The
// position ids come from the layout (extent + t); the tags from the sequence's truth (the
// logical index of the row's first fed token is `first_index[r]`).
template <typename FedAt>
const PackedBatch& packed_pass(Engine& engine, CacheId cache, const std::vector<PaddedRow>& rows,
                               const std::vector<int>& extent, const std::vector<int>& count,
                               const std::vector<int>& first_index, FedAt&& fed) {
  PackedBatch& b = engine.packed_scratch();
  b.cache = cache;
  b.cache_rows.clear();
  b.kv_extent.clear();
  b.tokens.clear();
  b.positions.clear();
  b.tags.clear();
  b.row_offsets.assign(1, 0);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const Sequence& seq = engine.sequence(rows[r].seq);
    b.cache_rows.push_back(rows[r].cache_row);
    b.kv_extent.push_back(extent[r]);
    for (int t = 0; t < count[r]; ++t) {
      b.tokens.push_back(fed(r, t));
      b.positions.push_back(extent[r] + t);
      b.tags.push_back(TokenTag{seq.id, first_index[r] + t});
    }
    b.row_offsets.push_back(static_cast<std::int32_t>(b.tokens.size()));
  }
  return b;
}

}  // namespace

void run_packed(Engine& engine) {
  const int batch = engine.scenario().batch_size;
  const int capacity = engine.kv_capacity();
  const int k = engine.k();
  const CacheId target = engine.create_cache(ModelRole::target, batch, capacity);
  const CacheId draft =
      engine.drafting() ? engine.create_cache(ModelRole::draft, batch, capacity) : CacheId{};
  std::vector<int> seq_of_row(static_cast<std::size_t>(batch), -1);
  // The layout's KV extent of each row. Correctly it is the sequence's cached length after
  // every step; the length-bookkeeping faults make it drift (see the end of a step).
  std::vector<int> extent_of_row(static_cast<std::size_t>(batch), 0);
  const FaultSet& faults = engine.faults();

  auto for_both = [&](auto&& fn) {
    fn(ModelRole::target, target);
    if (engine.drafting()) fn(ModelRole::draft, draft);
  };

  while (true) {
    std::vector<PaddedRow> fresh;
    for (std::size_t row = 0; row < seq_of_row.size(); ++row) {
      int& id = seq_of_row[row];
      if (id >= 0 && !engine.sequence(id).finished) continue;
      id = engine.next_unadmitted();
      if (id < 0) continue;
      for_both([&](ModelRole role, CacheId cache) {
        engine.crop(role, cache, static_cast<int>(row), 0);
      });
      fresh.push_back({id, static_cast<int>(row), 0});
    }
    std::vector<PaddedRow> rows;
    for (std::size_t row = 0; row < seq_of_row.size(); ++row) {
      const int id = seq_of_row[row];
      if (id >= 0 && !engine.sequence(id).finished) rows.push_back({id, static_cast<int>(row), 0});
    }
    if (rows.empty()) break;
    engine.begin_step();

    if (!fresh.empty()) {
      std::vector<int> zero(fresh.size(), 0);
      std::vector<int> prompt(fresh.size());
      for (std::size_t r = 0; r < fresh.size(); ++r)
        prompt[r] = engine.sequence(fresh[r].seq).cached_length();
      for_both([&](ModelRole role, CacheId cache) {
        engine.forward(
            role,
            packed_pass(engine, cache, fresh, zero, prompt, zero,
                        [&](std::size_t r, int t) {
                          return engine.sequence(fresh[r].seq).tokens[static_cast<std::size_t>(t)];
                        }),
            Stage::prefill);
      });
      for (const auto& row : fresh) {
        engine.sequence(row.seq).prefilled = true;
        extent_of_row[static_cast<std::size_t>(row.cache_row)] =
            engine.sequence(row.seq).cached_length();
      }
    }

    const std::size_t n = rows.size();
    RoundOutcome out;
    out.drafts.assign(n, std::vector<Token>(static_cast<std::size_t>(k)));
    out.targets.assign(n, std::vector<Token>(static_cast<std::size_t>(k) + 1));
    out.accepted.assign(n, 0);
    // `cached` is the layout's per-row KV extent; `first` the truth's index of the pending
    // token. They agree in a correct run; the verifier checks that they do.
    std::vector<int> cached(n);
    std::vector<int> first(n);
    for (std::size_t r = 0; r < n; ++r) {
      cached[r] = extent_of_row[static_cast<std::size_t>(rows[r].cache_row)];
      first[r] = engine.sequence(rows[r].seq).cached_length();
    }
    auto fed = [&](std::size_t r, int t) {
      return t == 0 ? engine.sequence(rows[r].seq).tokens.back()
                    : out.drafts[r][static_cast<std::size_t>(t - 1)];
    };

    // The (k+1)-th draft pass only writes d_k's KV; bonus-kv-missing skips it.
    const int draft_passes = faults.has(Fault::bonus_kv_missing) ? k : k + 1;
    for (int i = 0; i < draft_passes && engine.drafting(); ++i) {
      std::vector<int> extent(n);
      std::vector<int> index(n);
      for (std::size_t r = 0; r < n; ++r) {
        extent[r] = cached[r] + i;
        index[r] = engine.sequence(rows[r].seq).cached_length() + i;
      }
      const ForwardOutput& o =
          engine.forward(ModelRole::draft,
                         packed_pass(engine, draft, rows, extent, std::vector<int>(n, 1), index,
                                     [&](std::size_t r, int) { return fed(r, i); }),
                         Stage::draft);
      if (i == k) break;
      for (std::size_t r = 0; r < n; ++r) {
        const Sequence& seq = engine.sequence(rows[r].seq);
        out.drafts[r][static_cast<std::size_t>(i)] =
            engine.propose(seq, i + 1, first[r] + i + 1, o.argmax[r]);
      }
    }
    const ForwardOutput& v = engine.forward(
        ModelRole::target,
        packed_pass(engine, target, rows, cached, std::vector<int>(n, k + 1), first, fed),
        Stage::verify);
    for (std::size_t r = 0; r < n; ++r) {
      std::copy_n(
          v.argmax.begin() + static_cast<std::ptrdiff_t>(r * (static_cast<std::size_t>(k) + 1)),
          k + 1, out.targets[r].begin());
      out.accepted[r] = accepted_prefix(out.drafts[r], out.targets[r]);
    }
    const std::vector<int> committed = commit_rows(engine, rows, out, out.accepted);
    trace_round(engine, "packed", rows, 0, out, committed, false);

    int most = 0;
    for (int a : out.accepted) most = std::max(most, a);
    std::vector<RowPlacement> placements;
    for (std::size_t r = 0; r < n; ++r) {
      const PaddedRow& row = rows[r];
      const Sequence& seq = engine.sequence(row.seq);
      if (seq.finished) continue;
      int extent = seq.cached_length();
      if (faults.any() && engine.drafting()) {
        // An uncropped cache keeps all k+1 fed tokens; a scalar offset advances every row by
        // the batch's most; a fully accepted round miscounted as k-1 drops d_k.
        if (faults.has(Fault::stale_kv_after_rejection)) extent = cached[r] + k + 1;
        if (faults.has(Fault::uniform_kv_offset)) extent = cached[r] + most + 1;
        if (faults.has(Fault::all_accepted_as_k_minus_1) && out.accepted[r] == k) extent -= 1;
        require(extent + k + 1 <= capacity, "packed: KV extent leaves no room for a round");
      }
      extent_of_row[static_cast<std::size_t>(row.cache_row)] = extent;
      for_both([&](ModelRole role, CacheId cache) {
        engine.crop(role, cache, row.cache_row, extent);
        placements.push_back({seq.id, role, cache, row.cache_row, 0, extent, extent});
      });
    }
    engine.end_step(placements);
  }
}

}  // namespace lockstep::sim
