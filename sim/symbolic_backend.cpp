#include "sim/symbolic_backend.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>
#include <utility>

#include "sim/error.h"
#include "sim/hash.h"
#include "sim/symbolic_sampling.h"

namespace lockstep::sim {
namespace {

constexpr std::uint64_t kAttentionBase = 0x6c6f636b73746570ULL;  // "lockstep"
constexpr std::uint64_t kEmptySlot = 0x656d707479736c74ULL;      // never-written slot
constexpr std::uint64_t kPendingState = 0x70656e64696e6721ULL;   // the query's own entry

// The shape of one row's mask: its first visible column and whether every column from there
// on is visible (the canonical 0...0 1...1). Pads can make up most of a row, and every row of
// every pass is scanned: the zeros eight bytes at a time, the ones by memchr (vectorized).
struct MaskShape {
  int lo = 0;
  bool canonical = false;
};

std::uint64_t load_word(const std::uint8_t* bytes) {
  std::uint64_t word;
  std::memcpy(&word, bytes, sizeof word);
  return word;
}

MaskShape mask_shape(const std::uint8_t* mask, int n) {
  int i = 0;
  while (i + 32 <= n && (load_word(mask + i) | load_word(mask + i + 8) | load_word(mask + i + 16) |
                         load_word(mask + i + 24)) == 0) {
    i += 32;
  }
  for (; std::endian::native == std::endian::little && i + 8 <= n; i += 8) {
    const std::uint64_t word = load_word(mask + i);
    if (word != 0) {
      i += std::countr_zero(word) / 8;  // the first nonzero byte, in memory order
      break;
    }
  }
  while (i < n && !mask[i]) ++i;
  return {i, std::memchr(mask + i, 0, static_cast<std::size_t>(n - i)) == nullptr};
}

std::uint64_t pack(std::int32_t position, Token token) {
  return static_cast<std::uint64_t>(static_cast<std::uint32_t>(position)) |
         static_cast<std::uint64_t>(static_cast<std::uint32_t>(token)) << 32;
}

Token token_from_state(std::uint64_t state, int vocab) {
  return static_cast<Token>(state % static_cast<std::uint64_t>(vocab));
}

// Output i's token: the greedy one, or the keyed draw from the state's documented
// distribution (docs/numerics.md §14.6) where the pass samples it; that distribution too
// when the pass wants it (rejection sampling).
Token choice(const PassSampling& sampling, std::size_t i, std::uint64_t state, int vocab,
             ForwardOutput& out) {
  if (!sampling.sampled(i)) return token_from_state(state, vocab);
  auto d = symbolic_distribution(state, vocab, sampling.params);
  const Token token = numerics::sample_token(d, numerics::key_bits(sampling.key(i)));
  if (sampling.want_distributions) out.distributions[i] = std::move(d);
  return token;
}

// Sizes (or clears) out.distributions for a pass of `n` outputs.
void prepare_distributions(const PassSampling& sampling, std::size_t n, ForwardOutput& out) {
  out.distributions.clear();
  if (sampling.active() && sampling.want_distributions) out.distributions.resize(n);
}

}  // namespace

CacheId SymbolicBackend::create_cache(const ModelConfig& model, int rows, int capacity) {
  require(rows > 0 && capacity > 0, "create_cache: rows and capacity must be positive");
  // Depth is part of the identity so that a draft made of the target's first layers is a
  // different function from the target, as it is in a real transformer.
  Cache c{model, combine(model.seed, static_cast<std::uint64_t>(model.n_layers)),
          KvCacheShadow(rows, capacity), std::vector<Chain>(static_cast<std::size_t>(rows))};
  for (auto& chain : c.chains) chain.values.resize(static_cast<std::size_t>(capacity));
  caches_.push_back(std::move(c));
  return CacheId{static_cast<int>(caches_.size()) - 1};
}

SymbolicBackend::Cache& SymbolicBackend::cache(CacheId id) {
  require(id.value >= 0 && id.value < static_cast<int>(caches_.size()), "unknown cache id");
  return caches_[static_cast<std::size_t>(id.value)];
}
const SymbolicBackend::Cache& SymbolicBackend::cache(CacheId id) const {
  require(id.value >= 0 && id.value < static_cast<int>(caches_.size()), "unknown cache id");
  return caches_[static_cast<std::size_t>(id.value)];
}

int SymbolicBackend::cache_rows(CacheId id) const {
  return cache(id).kv.rows();
}
int SymbolicBackend::cache_capacity(CacheId id) const {
  return cache(id).kv.capacity();
}
const ModelConfig& SymbolicBackend::cache_model(CacheId id) const {
  return cache(id).model;
}

// What attention reads from a slot: its position id (RoPE), token and state, in one word.
std::uint64_t SymbolicBackend::content(const KvSlot& e) {
  if (!e.written) return kEmptySlot;
  return combine(e.state, pack(e.position, e.token));
}

void SymbolicBackend::invalidate_from(Chain& chain, int slot) {
  if (slot < chain.hi) chain.hi = std::max(chain.lo, slot);
}

std::uint64_t SymbolicBackend::range_hash(const KvCacheShadow& kv, int row, Chain& chain, int lo,
                                          int hi) {
  if (hi <= lo) return kAttentionBase;
  if (lo != chain.lo) {
    chain.lo = lo;
    chain.hi = lo;
  }
  // The query wrote slot hi - 1 just before attending, so [lo, hi) lies below the row's
  // written end; read it as one array.
  const KvSlot* slots = kv.written_slots(row);
  const bool contiguous = hi <= kv.written_end(row);
  std::uint64_t* values = chain.values.data();  // values[s - lo] folds slots [lo, s]
  std::uint64_t prev = chain.hi == lo ? kAttentionBase : values[chain.hi - 1 - lo];
  for (int s = chain.hi; s < hi; ++s) {
    prev = combine(prev, content(contiguous ? slots[s] : kv.slot(row, s)));
    values[s - lo] = prev;
  }
  chain.hi = std::max(chain.hi, hi);
  return values[hi - 1 - lo];
}

std::uint64_t SymbolicBackend::attention_hash_slow(CacheId id, int row_index,
                                                   const std::vector<std::int32_t>& slots) const {
  const KvCacheShadow& kv = cache(id).kv;
  require(row_index >= 0 && row_index < kv.rows(), "attention_hash_slow: row out of range");
  std::uint64_t h = kAttentionBase;
  for (int s : slots) h = combine(h, content(kv.at(row_index, s)));
  return h;
}

template <typename Attend>
std::uint64_t SymbolicBackend::run_query(Cache& c, int row, int slot, Token token,
                                         std::int32_t position, TokenTag tag, Attend&& attend) {
  // Unchecked: run_padded / run_packed checked the batch's shapes against the cache.
  KvSlot& own = c.kv.write_unchecked(row, slot, KvSlot{true, tag, token, position, kPendingState});
  Chain& chain = c.chains[static_cast<std::size_t>(row)];
  invalidate_from(chain, slot);
  const std::uint64_t seen = attend();
  const std::uint64_t state = combine(combine(c.model_key, pack(position, token)), seen);
  own.state = state;
  invalidate_from(chain, slot);
  return state;
}

// What run_query computes for a query that sees no slot (attention over nothing folds to
// kAttentionBase, and range_hash returns it without touching the chain), for the first
// `count` queries of one row: the same slots, states and outputs, without the attention call.
void SymbolicBackend::run_blind_queries(Cache& c, int row, const PaddedBatch& b, std::size_t first,
                                        int count, ForwardOutput& out) {
  invalidate_from(c.chains[static_cast<std::size_t>(row)], b.write_slots[first]);
  for (std::size_t i = first; i < first + static_cast<std::size_t>(count); ++i) {
    const std::uint64_t state =
        combine(combine(c.model_key, pack(b.positions[i], b.input_ids[i])), kAttentionBase);
    c.kv.write_unchecked(row, b.write_slots[i],
                         KvSlot{true, b.tags[i], b.input_ids[i], b.positions[i], state});
    out.digest[i] = state;
    out.argmax[i] = choice(b.sampling, i, state, c.model.vocab, out);
  }
}

void SymbolicBackend::run_padded(const PaddedBatch& b, ForwardOutput& out) {
  Cache& c = cache(b.cache);
  b.check_shapes(c.kv.rows(), c.kv.capacity());
  out.argmax.resize(static_cast<std::size_t>(b.rows) * b.tokens);
  out.digest.resize(out.argmax.size());
  prepare_distributions(b.sampling, out.argmax.size(), out);
  const int columns = b.columns();
  for (int r = 0; r < b.rows; ++r) {
    const int row = b.cache_rows[static_cast<std::size_t>(r)];
    Chain& chain = c.chains[static_cast<std::size_t>(row)];
    const std::size_t base = static_cast<std::size_t>(r) * b.tokens;
    const std::uint8_t* mask = b.mask.data() + static_cast<std::size_t>(r) * columns;
    // Fast path when the row has the canonical shape: mask = 0...0 1...1 and token t is
    // written to column past + t. Then query t sees exactly [lo, past + t + 1), which is
    // empty for a pad query left of lo (everything visible is written later).
    const MaskShape shape = mask_shape(mask, columns);
    const int lo = shape.lo;  // a plain variable: lambdas below capture it
    bool canonical = shape.canonical;
    const std::int32_t* writes = b.write_slots.data() + base;
    for (int t = 0; t < b.tokens; ++t) canonical &= writes[t] == b.past + t;  // vectorizes
    // Queries left of lo see no slot (a prefill's pads): their state needs no attention.
    const int blind = canonical ? std::clamp(lo - b.past, 0, b.tokens) : 0;
    if (blind > 0) run_blind_queries(c, row, b, base, blind, out);
    for (int t = blind; t < b.tokens; ++t) {
      const std::size_t i = base + static_cast<std::size_t>(t);
      const std::uint64_t state =
          run_query(c, row, b.write_slots[i], b.input_ids[i], b.positions[i], b.tags[i], [&] {
            if (canonical) return range_hash(c.kv, row, chain, lo, b.past + t + 1);
            scratch_slots_.clear();
            visible_slots(b, r, t, scratch_slots_);
            std::uint64_t h = kAttentionBase;
            for (int s : scratch_slots_) h = combine(h, content(c.kv.slot(row, s)));
            return h;
          });
      out.digest[i] = state;
      out.argmax[i] = choice(b.sampling, i, state, c.model.vocab, out);
    }
  }
}

void SymbolicBackend::run_packed(const PackedBatch& b, ForwardOutput& out) {
  Cache& c = cache(b.cache);
  b.check_shapes(c.kv.rows(), c.kv.capacity());
  out.argmax.resize(b.tokens.size());
  out.digest.resize(b.tokens.size());
  prepare_distributions(b.sampling, b.tokens.size(), out);
  for (int r = 0; r < b.rows(); ++r) {
    const int row = b.cache_rows[static_cast<std::size_t>(r)];
    Chain& chain = c.chains[static_cast<std::size_t>(row)];
    const int first = b.row_offsets[static_cast<std::size_t>(r)];
    const int extent = b.kv_extent[static_cast<std::size_t>(r)];
    for (int i = first; i < b.row_offsets[static_cast<std::size_t>(r) + 1]; ++i) {
      const int slot = extent + (i - first);
      const auto ui = static_cast<std::size_t>(i);
      const std::uint64_t state =
          run_query(c, row, slot, b.tokens[ui], b.positions[ui], b.tags[ui],
                    [&] { return range_hash(c.kv, row, chain, 0, slot + 1); });
      out.digest[ui] = state;
      out.argmax[ui] = choice(b.sampling, ui, state, c.model.vocab, out);
    }
  }
}

void SymbolicBackend::apply_promised_moves(const MovePlan& plan, MovePromises promises) {
  Cache& src = cache(plan.src);
  Cache& dst = cache(plan.dst);
  require(src.model_key == dst.model_key && src.model.vocab == dst.model.vocab,
          "apply_moves: source and destination caches belong to different models");
  require(src.kv.capacity() == dst.kv.capacity(), "apply_moves: caches differ in capacity");
  plan.check_shapes(src.kv.rows(), dst.kv.rows(), src.kv.capacity());
  // The slots move in the shadow map (gather semantics); the chains follow (carry_chains).
  const bool in_place = apply_checked_moves(src.kv, dst.kv, plan.moves, promises);
  carry_chains(src, dst, plan.moves, in_place);
}

// A range that starts where its row's chain starts carries the chain values over its prefix
// along (read before any write, like the slots); any other destination range invalidates its
// row's chain from there.
void SymbolicBackend::carry_chains(Cache& src, Cache& dst, const std::vector<SlotMove>& moves,
                                   bool in_place) {
  auto covered = [&src](const SlotMove& m) {
    const Chain& chain = src.chains[static_cast<std::size_t>(m.src_row)];
    return chain.lo == m.src_slot ? std::min(m.length, chain.hi - chain.lo) : 0;
  };
  if (in_place) {
    for (const auto& m : moves) {
      Chain& chain = dst.chains[static_cast<std::size_t>(m.dst_row)];
      const int n = covered(m);
      if (n <= 0) {
        invalidate_from(chain, m.dst_slot);
      } else {
        chain.lo = m.dst_slot;
        chain.hi = m.dst_slot + n;
      }
    }
    return;
  }
  carried_.clear();
  carried_length_.clear();
  for (const auto& m : moves) {
    const int n = std::max(covered(m), 0);
    const auto& values = src.chains[static_cast<std::size_t>(m.src_row)].values;
    carried_.insert(carried_.end(), values.begin(), values.begin() + n);
    carried_length_.push_back(n);
  }
  auto next = carried_.begin();
  for (std::size_t i = 0; i < moves.size(); ++i) {
    const auto& m = moves[i];
    Chain& chain = dst.chains[static_cast<std::size_t>(m.dst_row)];
    const int n = carried_length_[i];
    if (n == 0) {
      invalidate_from(chain, m.dst_slot);
      continue;
    }
    std::copy(next, next + n, chain.values.begin());
    next += n;
    chain_values_copied_ += n;
    chain.lo = m.dst_slot;
    chain.hi = m.dst_slot + n;
  }
}

void SymbolicBackend::crop(CacheId id, int row_index, int from_slot) {
  Cache& c = cache(id);
  require(row_index >= 0 && row_index < c.kv.rows(), "crop: row out of range");
  require(from_slot >= 0 && from_slot <= c.kv.capacity(), [&] {
    return std::string("crop: slot " + std::to_string(from_slot) + " outside capacity " +
                       std::to_string(c.kv.capacity()));
  });
  c.kv.crop(row_index, from_slot);
  invalidate_from(c.chains[static_cast<std::size_t>(row_index)], from_slot);
}

std::uint64_t SymbolicBackend::kv_digest(CacheId id, int row_index, int first, int count) const {
  const Cache& c = cache(id);
  require(row_index >= 0 && row_index < c.kv.rows(), "kv_digest: row out of range");
  require(first >= 0 && count >= 0 && first + count <= c.kv.capacity(),
          "kv_digest: range outside capacity");
  std::uint64_t h = kAttentionBase;
  for (int s = first; s < first + count; ++s) h = combine(h, content(c.kv.slot(row_index, s)));
  return h;
}

std::optional<SlotProvenance> SymbolicBackend::provenance(CacheId id, int row_index,
                                                          int slot) const {
  const Cache& c = cache(id);
  require(c.kv.contains(row_index, slot), "provenance: row or slot out of range");
  const KvSlot& e = c.kv.slot(row_index, slot);
  return SlotProvenance{e.written, e.tag, e.token, e.position};
}

}  // namespace lockstep::sim
