// The symbolic backend: a deterministic stand-in for a transformer that is exactly as
// sensitive to synchronization bugs as a real one, thousands of times cheaper.
//
// Each KV slot stores what a real cache entry depends on (position id, token, and the
// "state" the token computed) plus its provenance tag for the verifier. A query's output is
// a hash of exactly what its attention sees: the visible slots' contents in slot order, its
// own position id and token. So a wrong position id, a visible pad, a stale or misplaced
// entry changes the output (and every later output that attends to it), while padding,
// batch mates and pass shape, which a correct implementation hides, change nothing.
//
// Attention over a contiguous visible range uses a per-row prefix-hash chain so a decode
// step costs O(1) hashes per token; any other visible set is hashed slot by slot. Both paths
// fold the same values in the same order, so they agree by construction (and a test checks).
// Chain values depend on slot contents only, never on slot indices, so a move that carries
// a row's whole chained range carries its chain values along instead of rehashing.
// The slots themselves live in the shared shadow KV map (sim/kv_shadow.h), whose `state`
// holds what the token computed; this file keeps only the chains beside it.
#pragma once

#include <vector>

#include "sim/backend.h"
#include "sim/kv_shadow.h"

namespace lockstep::sim {

class SymbolicBackend final : public Backend {
 public:
  std::string name() const override { return "symbolic"; }

  CacheId create_cache(const ModelConfig& model, int rows, int capacity) override;
  int cache_rows(CacheId cache) const override;
  int cache_capacity(CacheId cache) const override;
  const ModelConfig& cache_model(CacheId cache) const override;

  void run_padded(const PaddedBatch& batch, ForwardOutput& out) override;
  void run_packed(const PackedBatch& batch, ForwardOutput& out) override;
  void apply_moves(const MovePlan& plan) override { apply_promised_moves(plan, {}); }
  void apply_promised_moves(const MovePlan& plan, MovePromises promises) override;
  void crop(CacheId cache, int row, int from_slot) override;
  std::uint64_t kv_digest(CacheId cache, int row, int first, int count) const override;
  std::optional<SlotProvenance> provenance(CacheId cache, int row, int slot) const override;

  // Realignment cost counters, for the test that pins it to the moved slots: slots written
  // by move plans into `cache`, and chain values copied by all plans (0 when every plan
  // shifts rows in place: the chains then move by their offsets).
  std::int64_t slots_copied(CacheId cache) const { return this->cache(cache).kv.slots_copied(); }
  std::int64_t chain_values_copied() const { return chain_values_copied_; }

  // Exposed for the test that pins the chain fast path to the slot-by-slot definition.
  std::uint64_t attention_hash_slow(CacheId cache, int row,
                                    const std::vector<std::int32_t>& slots) const;

 private:
  // Indexed from lo, so a move that shifts a row's chained range moves the chain by
  // changing lo and hi: no value is copied.
  struct Chain {
    std::vector<std::uint64_t> values;  // [S] values[j] = fold of slots [lo, lo + j]
    int lo = 0;
    int hi = 0;  // valid on [lo, hi)
  };
  struct Cache {
    ModelConfig model;
    std::uint64_t model_key = 0;  // the model's identity in the hash: seed and depth
    KvCacheShadow kv;
    std::vector<Chain> chains;  // [row]
  };

  Cache& cache(CacheId id);
  const Cache& cache(CacheId id) const;
  static std::uint64_t content(const KvSlot& e);
  static void invalidate_from(Chain& chain, int slot);
  static std::uint64_t range_hash(const KvCacheShadow& kv, int row, Chain& chain, int lo, int hi);
  // Writes the query token to `slot`, attends (via `attend`), stores the resulting state and
  // returns it.
  template <typename Attend>
  std::uint64_t run_query(Cache& c, int row, int slot, Token token, std::int32_t position,
                          TokenTag tag, Attend&& attend);

  // The first `count` queries of a padded row from cell `first`, which see no slot.
  void run_blind_queries(Cache& c, int row, const PaddedBatch& b, std::size_t first, int count,
                         ForwardOutput& out);

  // Carries each move's chain prefix (or none) from `src` to `dst`; `in_place` says every
  // move stays in its own row, one per row (the chains then move without copying).
  void carry_chains(Cache& src, Cache& dst, const std::vector<SlotMove>& moves, bool in_place);

  std::vector<Cache> caches_;
  std::vector<std::int32_t> scratch_slots_;
  std::vector<std::uint64_t> carried_;  // staged chain values of a plan, move by move
  std::vector<int> carried_length_;     // [move] values staged for it (0: none)
  std::int64_t chain_values_copied_ = 0;
};

}  // namespace lockstep::sim
