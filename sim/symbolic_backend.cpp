#include "sim/symbolic_backend.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "sim/error.h"
#include "sim/hash.h"

namespace lockstep::sim {
namespace {

constexpr std::uint64_t kAttentionBase = 0x6c6f636b73746570ULL;  // "lockstep"
constexpr std::uint64_t kEmptySlot = 0x656d707479736c74ULL;      // never-written slot
constexpr std::uint64_t kPendingState = 0x70656e64696e6721ULL;   // the query's own entry

// Index of the first nonzero byte of mask[0, n), or n; eight bytes at a time because pads
// can make up most of a row.
int first_nonzero(const std::uint8_t* mask, int n) {
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, mask + i, sizeof word);
    if (word != 0) break;
  }
  while (i < n && !mask[i]) ++i;
  return i;
}

std::uint64_t pack(std::int32_t position, Token token) {
  return static_cast<std::uint64_t>(static_cast<std::uint32_t>(position)) |
         static_cast<std::uint64_t>(static_cast<std::uint32_t>(token)) << 32;
}

Token token_from_state(std::uint64_t state, int vocab) {
  return static_cast<Token>(state % static_cast<std::uint64_t>(vocab));
}

}  // namespace

CacheId SymbolicBackend::create_cache(const ModelConfig& model, int rows, int capacity) {
  require(rows > 0 && capacity > 0, "create_cache: rows and capacity must be positive");
  Cache c;
  c.model = model;
  // Depth is part of the identity so that a draft made of the target's first layers is a
  // different function from the target, as it is in a real transformer.
  c.model_key = combine(model.seed, static_cast<std::uint64_t>(model.n_layers));
  c.capacity = capacity;
  c.rows.resize(static_cast<std::size_t>(rows));
  for (auto& row : c.rows) {
    row.slots.resize(static_cast<std::size_t>(capacity));
    row.chain.resize(static_cast<std::size_t>(capacity));
  }
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
  return static_cast<int>(cache(id).rows.size());
}
int SymbolicBackend::cache_capacity(CacheId id) const {
  return cache(id).capacity;
}
const ModelConfig& SymbolicBackend::cache_model(CacheId id) const {
  return cache(id).model;
}

// What attention reads from a slot: its position id (RoPE), token and state, in one word.
std::uint64_t SymbolicBackend::content(const Entry& e) {
  if (!e.written) return kEmptySlot;
  return combine(e.state, pack(e.position, e.token));
}

void SymbolicBackend::invalidate_from(Row& row, int slot) {
  if (slot < row.chain_hi) row.chain_hi = std::max(row.chain_lo, slot);
}

std::uint64_t SymbolicBackend::range_hash(Row& row, int lo, int hi) {
  if (hi <= lo) return kAttentionBase;
  if (lo != row.chain_lo) {
    row.chain_lo = lo;
    row.chain_hi = lo;
  }
  for (int s = row.chain_hi; s < hi; ++s) {
    const std::uint64_t prev =
        s == lo ? kAttentionBase : row.chain[static_cast<std::size_t>(s - 1)];
    row.chain[static_cast<std::size_t>(s)] =
        combine(prev, content(row.slots[static_cast<std::size_t>(s)]));
  }
  row.chain_hi = std::max(row.chain_hi, hi);
  return row.chain[static_cast<std::size_t>(hi - 1)];
}

std::uint64_t SymbolicBackend::attention_hash_slow(CacheId id, int row_index,
                                                   const std::vector<std::int32_t>& slots) const {
  const Row& row = cache(id).rows.at(static_cast<std::size_t>(row_index));
  std::uint64_t h = kAttentionBase;
  for (int s : slots) h = combine(h, content(row.slots[static_cast<std::size_t>(s)]));
  return h;
}

template <typename Attend>
std::uint64_t SymbolicBackend::run_query(const Cache& c, Row& row, int slot, Token token,
                                         std::int32_t position, TokenTag tag, Attend&& attend) {
  Entry& own = row.slots[static_cast<std::size_t>(slot)];
  own = Entry{true, tag, token, position, kPendingState};
  row.high_water = std::max(row.high_water, slot + 1);
  invalidate_from(row, slot);
  const std::uint64_t seen = attend();
  const std::uint64_t state = combine(combine(c.model_key, pack(position, token)), seen);
  own.state = state;
  invalidate_from(row, slot);
  return state;
}

void SymbolicBackend::run_padded(const PaddedBatch& b, ForwardOutput& out) {
  Cache& c = cache(b.cache);
  b.check_shapes(static_cast<int>(c.rows.size()), c.capacity);
  out.argmax.resize(static_cast<std::size_t>(b.rows) * b.tokens);
  out.digest.resize(out.argmax.size());
  const int columns = b.columns();
  for (int r = 0; r < b.rows; ++r) {
    Row& row = c.rows[static_cast<std::size_t>(b.cache_rows[static_cast<std::size_t>(r)])];
    const std::size_t base = static_cast<std::size_t>(r) * b.tokens;
    const std::uint8_t* mask = b.mask.data() + static_cast<std::size_t>(r) * columns;
    // Fast path when the row has the canonical shape: mask = 0...0 1...1 and token t is
    // written to column past + t. Then query t sees exactly [lo, past + t + 1), which is
    // empty for a pad query left of lo (everything visible is written later).
    const int lo = first_nonzero(mask, columns);
    bool canonical = std::memchr(mask + lo, 0, static_cast<std::size_t>(columns - lo)) == nullptr;
    for (int t = 0; t < b.tokens && canonical; ++t) {
      canonical = b.write_slots[base + static_cast<std::size_t>(t)] == b.past + t;
    }
    for (int t = 0; t < b.tokens; ++t) {
      const std::size_t i = base + static_cast<std::size_t>(t);
      const std::uint64_t state =
          run_query(c, row, b.write_slots[i], b.input_ids[i], b.positions[i], b.tags[i], [&] {
            if (canonical) return range_hash(row, lo, b.past + t + 1);
            scratch_slots_.clear();
            visible_slots(b, r, t, scratch_slots_);
            std::uint64_t h = kAttentionBase;
            for (int s : scratch_slots_)
              h = combine(h, content(row.slots[static_cast<std::size_t>(s)]));
            return h;
          });
      out.digest[i] = state;
      out.argmax[i] = token_from_state(state, c.model.vocab);
    }
  }
}

void SymbolicBackend::run_packed(const PackedBatch& b, ForwardOutput& out) {
  Cache& c = cache(b.cache);
  b.check_shapes(static_cast<int>(c.rows.size()), c.capacity);
  out.argmax.resize(b.tokens.size());
  out.digest.resize(b.tokens.size());
  for (int r = 0; r < b.rows(); ++r) {
    Row& row = c.rows[static_cast<std::size_t>(b.cache_rows[static_cast<std::size_t>(r)])];
    const int first = b.row_offsets[static_cast<std::size_t>(r)];
    const int extent = b.kv_extent[static_cast<std::size_t>(r)];
    for (int i = first; i < b.row_offsets[static_cast<std::size_t>(r) + 1]; ++i) {
      const int slot = extent + (i - first);
      const auto ui = static_cast<std::size_t>(i);
      const std::uint64_t state = run_query(c, row, slot, b.tokens[ui], b.positions[ui], b.tags[ui],
                                            [&] { return range_hash(row, 0, slot + 1); });
      out.digest[ui] = state;
      out.argmax[ui] = token_from_state(state, c.model.vocab);
    }
  }
}

// The realignment case: every move stays in its own row and no row is touched twice, so
// each move can run in place (memmove-like) with no staging and the same result.
bool SymbolicBackend::one_move_per_row_in_place(const MovePlan& plan) {
  std::vector<std::int32_t> rows;
  rows.reserve(plan.moves.size());
  for (const auto& m : plan.moves) {
    if (m.src_row != m.dst_row) return false;
    rows.push_back(m.src_row);
  }
  std::sort(rows.begin(), rows.end());
  return std::adjacent_find(rows.begin(), rows.end()) == rows.end();
}

void SymbolicBackend::shift_in_row(Row& row, const SlotMove& m) {
  const auto src = row.slots.begin() + m.src_slot;
  const auto dst = row.slots.begin() + m.dst_slot;
  const bool carry_chain = row.chain_lo == m.src_slot && row.chain_hi > row.chain_lo;
  const int covered = carry_chain ? std::min(m.length, row.chain_hi - row.chain_lo) : 0;
  if (m.dst_slot < m.src_slot) {
    std::copy(src, src + m.length, dst);
    std::copy(row.chain.begin() + m.src_slot, row.chain.begin() + m.src_slot + covered,
              row.chain.begin() + m.dst_slot);
  } else {
    std::copy_backward(src, src + m.length, dst + m.length);
    std::copy_backward(row.chain.begin() + m.src_slot, row.chain.begin() + m.src_slot + covered,
                       row.chain.begin() + m.dst_slot + covered);
  }
  row.high_water = std::max(row.high_water, m.dst_slot + m.length);
  if (carry_chain) {
    row.chain_lo = m.dst_slot;
    row.chain_hi = m.dst_slot + covered;
  } else {
    invalidate_from(row, std::min(m.src_slot, m.dst_slot));
  }
}

void SymbolicBackend::apply_moves(const MovePlan& plan) {
  Cache& src = cache(plan.src);
  Cache& dst = cache(plan.dst);
  require(src.model_key == dst.model_key && src.model.vocab == dst.model.vocab,
          "apply_moves: source and destination caches belong to different models");
  require(src.capacity == dst.capacity, "apply_moves: caches differ in capacity");
  plan.check_shapes(static_cast<int>(src.rows.size()), static_cast<int>(dst.rows.size()),
                    src.capacity);
  if (plan.src == plan.dst && one_move_per_row_in_place(plan)) {
    for (const auto& m : plan.moves) shift_in_row(src.rows[static_cast<std::size_t>(m.src_row)], m);
    return;
  }
  // Gather semantics: read every source range (and the chain over it, when the range starts
  // where the row's chain starts) before writing any destination.
  struct Staged {
    std::vector<Entry> entries;
    std::vector<std::uint64_t> chain;  // chain values of the range's prefix, possibly empty
  };
  std::vector<Staged> staged(plan.moves.size());
  for (std::size_t i = 0; i < plan.moves.size(); ++i) {
    const auto& m = plan.moves[i];
    const Row& row = src.rows[static_cast<std::size_t>(m.src_row)];
    staged[i].entries.assign(row.slots.begin() + m.src_slot,
                             row.slots.begin() + m.src_slot + m.length);
    if (row.chain_lo == m.src_slot) {
      const int covered = std::min(m.length, row.chain_hi - row.chain_lo);
      staged[i].chain.assign(row.chain.begin() + m.src_slot,
                             row.chain.begin() + m.src_slot + covered);
    }
  }
  for (std::size_t i = 0; i < plan.moves.size(); ++i) {
    const auto& m = plan.moves[i];
    Row& row = dst.rows[static_cast<std::size_t>(m.dst_row)];
    std::copy(staged[i].entries.begin(), staged[i].entries.end(), row.slots.begin() + m.dst_slot);
    row.high_water = std::max(row.high_water, m.dst_slot + m.length);
    if (staged[i].chain.empty()) {
      invalidate_from(row, m.dst_slot);
    } else {
      std::copy(staged[i].chain.begin(), staged[i].chain.end(), row.chain.begin() + m.dst_slot);
      row.chain_lo = m.dst_slot;
      row.chain_hi = m.dst_slot + static_cast<int>(staged[i].chain.size());
    }
  }
}

void SymbolicBackend::crop(CacheId id, int row_index, int from_slot) {
  Cache& c = cache(id);
  require(row_index >= 0 && row_index < static_cast<int>(c.rows.size()), "crop: row out of range");
  require(from_slot >= 0 && from_slot <= c.capacity, [&] {
    return std::string("crop: slot " + std::to_string(from_slot) + " outside capacity " +
                       std::to_string(c.capacity));
  });
  Row& row = c.rows[static_cast<std::size_t>(row_index)];
  if (from_slot < row.high_water) {
    std::fill(row.slots.begin() + from_slot, row.slots.begin() + row.high_water, Entry{});
    row.high_water = from_slot;
  }
  invalidate_from(row, from_slot);
}

std::uint64_t SymbolicBackend::kv_digest(CacheId id, int row_index, int first, int count) const {
  const Cache& c = cache(id);
  require(row_index >= 0 && row_index < static_cast<int>(c.rows.size()),
          "kv_digest: row out of range");
  require(first >= 0 && count >= 0 && first + count <= c.capacity,
          "kv_digest: range outside capacity");
  const Row& row = c.rows[static_cast<std::size_t>(row_index)];
  std::uint64_t h = kAttentionBase;
  for (int s = first; s < first + count; ++s)
    h = combine(h, content(row.slots[static_cast<std::size_t>(s)]));
  return h;
}

std::optional<SlotProvenance> SymbolicBackend::provenance(CacheId id, int row_index,
                                                          int slot) const {
  const Cache& c = cache(id);
  require(row_index >= 0 && row_index < static_cast<int>(c.rows.size()) && slot >= 0 &&
              slot < c.capacity,
          "provenance: row or slot out of range");
  const Entry& e =
      c.rows[static_cast<std::size_t>(row_index)].slots[static_cast<std::size_t>(slot)];
  return SlotProvenance{e.written, e.tag, e.token, e.position};
}

}  // namespace lockstep::sim
