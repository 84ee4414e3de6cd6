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
// When those left-behind slots lie on one side only (a whole row shifted right, or shifted
// left onto slot 0), they are not copied at all: they stay a lazy region that reads the
// row's storage as it was before the shift, and are materialized only when a write, move
// or partial crop could disturb them; a crop at or below them (what a strategy does next
// after moving a row back) just forgets them. So exspec's shift out and back costs O(1).
// Out-of-range rows, slots or caches are InputErrors (the shadow also replays untrusted
// traces); callers with validated shapes never see them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <span>
#include <utility>
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
    return r.in(slot, r.read_lo, r.read_hi) ? *r.at(slot) : slot_outside_window(r, slot);
  }

  // The hot path's view of a contiguous range, unchecked: slot s of the row lies at
  // direct_slots(row)[s] for s in [direct_begin(row), direct_end(row)); any other slot is
  // read through slot() (past the high-water mark, or in a lazy region).
  const KvSlot* direct_slots(int row) const { return rows_[static_cast<std::size_t>(row)].at(0); }
  int direct_begin(int row) const { return rows_[static_cast<std::size_t>(row)].read_lo; }
  int direct_end(int row) const { return rows_[static_cast<std::size_t>(row)].read_hi; }

  // Stores `value` (written or not) at the slot and returns it for later updates.
  KvSlot& write(int row, int slot, const KvSlot& value);
  // Unchecked write, for the same hot path as slot().
  KvSlot& write_unchecked(int row, int slot, const KvSlot& value) {
    Row& r = rows_[static_cast<std::size_t>(row)];
    if (!r.in(slot, r.write_lo, r.write_hi)) {
      if (slot == r.high_water && slot == r.write_hi) {
        r.append_one();  // the usual case: a pass writing the row's next slot
      } else {
        prepare_write(r, slot);
      }
    }
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
                                  std::span<const SlotMove> moves);
  inline static const KvSlot kEmpty{};

  // A row's slot s < high_water lies at slots[base + s], except in its lazy region; slots
  // has room for capacity + margin, so a move that shifts a row can shift `base` instead of
  // copying (see shift_by_base). Elements of `slots` outside [base, base + high_water) hold
  // anything, but for a lazy region's source.
  struct Row {
    std::vector<KvSlot> slots;
    int base = 0;
    int high_water = 0;  // slots at and above it read as empty
    // Lazy region [lazy_lo, lazy_hi) (empty when lazy_lo == lazy_hi): slot s reads as the
    // row's slot s did before its last base shift, slots[old_base + s] when s < old_mark,
    // else empty. Its storage at(s) holds anything until it is materialized.
    int lazy_lo = 0;
    int lazy_hi = 0;
    int old_base = 0;
    int old_mark = 0;
    // Windows of the hot path: at(s) holds slot s for s in [read_lo, read_hi), and a write
    // to s may go to at(s) directly (no mark to raise, no lazy storage disturbed) for s in
    // [write_lo, write_hi). Recomputed by refresh() whenever the mark or the region changes.
    int read_lo = 0;
    int read_hi = 0;
    int write_lo = 0;
    int write_hi = 0;
    KvSlot* at(int slot) { return slots.data() + base + slot; }
    const KvSlot* at(int slot) const { return slots.data() + base + slot; }
    static bool in(int slot, int lo, int hi) {
      return static_cast<unsigned>(slot - lo) < static_cast<unsigned>(hi - lo);
    }
    bool lazy() const { return lazy_hi > lazy_lo; }
    // The storage a lazy region reads, in slots of the current window: [first, second).
    std::pair<int, int> lazy_source() const;
    void refresh();
    // Raises the mark by one slot when the write window ends at the mark: nothing lazy lies
    // at or above it then (refresh() never lets a window touch the mark otherwise).
    void append_one() {
      if (read_hi == high_water) ++read_hi;
      ++write_hi;
      ++high_water;
    }
    // Raises the mark to at least `end` for a caller that writes [first, end) next: the
    // exposed slots below `first` are cleared, since their storage may hold stale entries.
    // A lazy region and its source lie below the mark, so they are never touched.
    void expose(int first, int end) {
      if (first > high_water) std::fill(at(high_water), at(first), kEmpty);
      if (end > high_water) high_water = end;
      refresh();
    }
    // Copies `length` slots from `from` to the storage at `to` (which may overlap), reading
    // slots at and above the mark as empty: what a move reads. No lazy region.
    void read_into(int from, int length, KvSlot* to) const;
  };
  static const KvSlot& slot_outside_window(const Row& r, int slot);
  // The write path outside the direct window: materializes a lazy region the write would
  // disturb and raises the mark.
  void prepare_write(Row& r, int slot);
  // Writes the lazy region's slots to their storage (counted as copied); drops the region.
  void materialize(Row& r) const;
  static void drop_lazy(Row& r);
  // A one-row move applied by moving the row's base when that writes fewer slots than the
  // copy (or none, leaving a lazy region); returns false (nothing done) otherwise. The row
  // has no lazy region.
  bool shift_by_base(const SlotMove& m);
  void copy_in_place(const SlotMove& m);
  // Before an in-place move: a lazy region the move overwrites whole is dropped, any other
  // is materialized.
  void settle_for_move(const SlotMove& m);
  int margin() const { return capacity_; }
  void check(int row, int slot, int length, const char* what) const;

  // Every move stays in its own row of this cache and no row is touched twice.
  bool one_move_per_row_in_place(std::span<const SlotMove> moves);

  int capacity_ = 0;
  // Mutable only so that row() can clear the storage past a mark before exposing it.
  mutable std::vector<Row> rows_;
  // Mutable: const readers (row(), a plan's source rows) materialize lazy regions too.
  mutable std::int64_t slots_copied_ = 0;
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
bool apply_checked_moves(const KvCacheShadow& src, KvCacheShadow& dst,
                         std::span<const SlotMove> moves);

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
