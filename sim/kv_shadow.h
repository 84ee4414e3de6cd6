// The shadow KV map: per cache, row and slot, what occupies the slot (its provenance: the
// sequence and logical index that wrote it, the token, the position id, or nothing). One
// implementation of the cache operations every consumer must agree on: a pass writes each
// fed token at its slot, a move plan copies with gather semantics (every move reads the
// caches as they were before the plan, as the backends apply it), a crop forgets slots
// [from, capacity). Used by the checker's shadow (verify/checker.cpp), viz's KV replay
// (viz/kv_replay.cpp) and the symbolic backend's cache (sim/symbolic_backend.cpp).
//
// Rows track a high-water mark: slots at and above it read as empty whatever their storage
// holds, so a crop only lowers the mark (O(1)) and nothing is ever cleared eagerly; storage
// past the mark is cleared when a write or a move exposes it again. Moves write at most the
// moved slots: nothing here is O(capacity) per operation beyond creation. A move that shifts
// a row within itself (a realignment) moves the row's base offset instead when fewer slots
// then need writing (the ones the move leaves where they were, below and above the moved
// range), so shifting a long row by a few slots costs those few slots, not its context.
// Out-of-range rows, slots or caches are InputErrors (the shadow also replays untrusted
// traces); callers with validated shapes never see them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "sim/batch.h"

namespace lockstep::sim {

struct KvSlot {
  bool written = false;
  TokenTag tag{};
  Token token = 0;
  std::int32_t position = 0;
  std::uint64_t state = 0;  // backend-defined content (the symbolic backend's computed state)
};

// One cache: rows x capacity slots.
class KvCacheShadow {
 public:
  KvCacheShadow() = default;  // no rows
  KvCacheShadow(int rows, int capacity);

  int rows() const { return static_cast<int>(rows_.size()); }
  int capacity() const { return capacity_; }
  bool contains(int row, int slot) const;
  const KvSlot& at(int row, int slot) const;  // checked
  // The whole row, [capacity]; clears the storage past the high-water mark first (viz only:
  // O(capacity)).
  std::span<const KvSlot> row(int row) const;
  // Unchecked: for a backend whose batch shapes were checked already (the hot path).
  const KvSlot& slot(int row, int slot) const {
    const Row& r = rows_[static_cast<std::size_t>(row)];
    return slot < r.high_water ? *r.at(slot) : kEmpty;
  }

  // The row's slots [0, written_end(row)) in slot order, unchecked: the hot path's view of a
  // contiguous range (slots at and past written_end read as empty and are not in it).
  const KvSlot* written_slots(int row) const { return rows_[static_cast<std::size_t>(row)].at(0); }
  int written_end(int row) const { return rows_[static_cast<std::size_t>(row)].high_water; }

  // Stores `value` (written or not) at the slot and returns it for later updates.
  KvSlot& write(int row, int slot, const KvSlot& value);
  // Unchecked write, for the same hot path as slot().
  KvSlot& write_unchecked(int row, int slot, const KvSlot& value) {
    Row& r = rows_[static_cast<std::size_t>(row)];
    if (slot >= r.high_water) r.expose(slot, slot + 1);
    return *r.at(slot) = value;
  }
  // Forgets slots [from_slot, capacity) in O(1); from_slot may equal capacity.
  void crop(int row, int from_slot);

  // Slots written by move plans so far: what pins "a realignment costs the moved slots"
  // (tests count it; a move never touches a slot it does not move).
  std::int64_t slots_copied() const { return slots_copied_; }

 private:
  friend bool apply_moves(const KvCacheShadow& src, KvCacheShadow& dst,
                          std::span<const SlotMove> moves);
  friend bool apply_checked_moves(const KvCacheShadow& src, KvCacheShadow& dst,
                                  std::span<const SlotMove> moves, MovePromises promises);
  inline static const KvSlot kEmpty{};

  // A row's slot s < high_water lies at slots[base + s]; slots has room for capacity +
  // margin, so a move that shifts a row can shift `base` instead of copying (see
  // shift_by_base). Elements of `slots` outside [base, base + high_water) hold anything.
  struct Row {
    std::vector<KvSlot> slots;
    int base = 0;
    int high_water = 0;  // slots at and above it read as empty
    KvSlot* at(int slot) { return slots.data() + base + slot; }
    const KvSlot* at(int slot) const { return slots.data() + base + slot; }
    // Raises the mark to at least `end` for a caller that writes [first, end) next: the
    // exposed slots below `first` are cleared, since their storage may hold stale entries.
    void expose(int first, int end) {
      if (first > high_water) std::fill(at(high_water), at(first), kEmpty);
      if (end > high_water) high_water = end;
    }
    // Copies `length` slots from `from` to the storage at `to` (which may overlap), reading
    // slots at and above the mark as empty: what a move reads.
    void read_into(int from, int length, KvSlot* to) const;
  };
  // A one-row move applied by moving the row's base when that writes fewer slots than the
  // copy; returns false (nothing done) otherwise. The promises (MovePromises) spare the
  // slots left behind: below the moved range they are left as the storage holds them, above
  // it the row is cropped at the move's end.
  bool shift_by_base(const SlotMove& m, MovePromises promises);
  void copy_in_place(const SlotMove& m);
  int margin() const { return capacity_; }
  void check(int row, int slot, int length, const char* what) const;

  // Every move stays in its own row of this cache and no row is touched twice.
  bool one_move_per_row_in_place(std::span<const SlotMove> moves);

  int capacity_ = 0;
  // Mutable only so that row() can clear the storage past a mark before exposing it.
  mutable std::vector<Row> rows_;
  std::int64_t slots_copied_ = 0;
  // Reused by every plan, so that a move allocates nothing.
  std::vector<std::uint32_t> row_stamp_;  // [row] the plan that last moved it
  std::uint32_t stamp_ = 0;
  std::vector<KvSlot> staged_;
};

// Applies a move plan from `src` to `dst` (which may be the same cache) with gather semantics.
// Returns whether it ran in place (same cache, one move per row, each within its row).
bool apply_moves(const KvCacheShadow& src, KvCacheShadow& dst, std::span<const SlotMove> moves);
// The same for a plan already checked against both caches (MovePlan::check_shapes with their
// rows and a capacity they share): the backend's hot path, which checks every plan first.
// `promises` are the plan's (MovePromises): an in-place shift may use them.
bool apply_checked_moves(const KvCacheShadow& src, KvCacheShadow& dst,
                         std::span<const SlotMove> moves, MovePromises promises = {});

// Every cache of a run, by id.
class KvShadow {
 public:
  void create(int id, int rows, int capacity);  // replaces an existing cache of that id
  bool has(int id) const { return caches_.count(id) != 0; }
  KvCacheShadow& cache(int id);
  const KvCacheShadow& cache(int id) const;
  void apply_moves(int src, int dst, std::span<const SlotMove> moves);

 private:
  std::map<int, KvCacheShadow> caches_;
};

}  // namespace lockstep::sim
