// The shadow KV map (see kv_shadow.h).
#include "sim/kv_shadow.h"

#include <algorithm>
#include <string>

#include "sim/error.h"

namespace lockstep::sim {

KvCacheShadow::KvCacheShadow(int rows, int capacity) : capacity_(capacity) {
  if (rows < 0 || capacity < 0 || rows > (1 << 16) || capacity > (1 << 20)) {
    throw InputError("a cache of " + std::to_string(rows) + " rows x " + std::to_string(capacity) +
                     " slots is out of range");
  }
  rows_.resize(static_cast<std::size_t>(rows));
  for (auto& r : rows_) {
    r.slots.resize(static_cast<std::size_t>(capacity) + static_cast<std::size_t>(margin()));
    r.base = margin() / 2;
  }
}

bool KvCacheShadow::contains(int row, int slot) const {
  return row >= 0 && row < rows() && slot >= 0 && slot < capacity_;
}

void KvCacheShadow::check(int row, int slot, int length, const char* what) const {
  if (row < 0 || row >= rows() || slot < 0 || length < 0 || slot > capacity_ - length) {
    throw InputError(
        std::string(what) + " row " + std::to_string(row) + " slot " + std::to_string(slot) +
        (length == 1 ? "" : " length " + std::to_string(length)) + " lies outside a cache of " +
        std::to_string(rows()) + " rows x " + std::to_string(capacity_) + " slots");
  }
}

const KvSlot& KvCacheShadow::at(int row, int slot) const {
  check(row, slot, 1, "read of");
  return this->slot(row, slot);
}

std::span<const KvSlot> KvCacheShadow::row(int row) const {
  check(row, 0, 0, "read of");
  Row& r = rows_[static_cast<std::size_t>(row)];
  std::fill(r.at(r.high_water), r.at(capacity_), kEmpty);
  return {r.at(0), static_cast<std::size_t>(capacity_)};
}

KvSlot& KvCacheShadow::write(int row, int slot, const KvSlot& value) {
  check(row, slot, 1, "write to");
  return write_unchecked(row, slot, value);
}

void KvCacheShadow::crop(int row, int from_slot) {
  if (row < 0 || row >= rows() || from_slot < 0 || from_slot > capacity_) {
    throw InputError("crop of row " + std::to_string(row) + " from slot " +
                     std::to_string(from_slot) + " lies outside a cache of " +
                     std::to_string(rows()) + " rows x " + std::to_string(capacity_) + " slots");
  }
  Row& r = rows_[static_cast<std::size_t>(row)];
  if (from_slot >= r.high_water) return;
  r.high_water = from_slot;
  if (from_slot == 0) r.base = margin() / 2;  // an empty row: recentre for free
}

void KvCacheShadow::Row::read_into(int from, int length, KvSlot* to) const {
  const int valid = std::clamp(high_water - from, 0, length);
  if (valid > 0) std::copy_n(at(from), valid, to);  // memmove: the ranges may overlap
  std::fill(to + valid, to + length, kEmpty);
}

// Every move stays in its own row and no row is touched twice: each move can run in place
// (memmove-like) with no staging and the same result as gathering. A stamp per row replaces
// a sorted copy of the rows, so the check allocates nothing.
bool KvCacheShadow::one_move_per_row_in_place(std::span<const SlotMove> moves) {
  if (row_stamp_.size() != rows_.size() || ++stamp_ == 0) {
    row_stamp_.assign(rows_.size(), 0);
    stamp_ = 1;
  }
  for (const auto& m : moves) {
    if (m.src_row != m.dst_row) return false;
    auto& stamp = row_stamp_[static_cast<std::size_t>(m.src_row)];
    if (stamp == stamp_) return false;
    stamp = stamp_;
  }
  return true;
}

// The row after the move must hold: the moved range at its destination, every other slot
// below the new high-water mark as it was. With base' = base - shift the moved range is
// already in place (but for its part that lay at or above the mark, which must read empty:
// cleared); the slots the move leaves where they were, below and above it, are copied to
// their new storage. Storage the new window leaves out needs no clearing (see Row). The
// copies cannot clobber each other's sources in this order: a right shift copies the low
// part first (its destination lies below every source), a left shift the high part first.
bool KvCacheShadow::shift_by_base(const SlotMove& m, MovePromises promises) {
  Row& r = rows_[static_cast<std::size_t>(m.dst_row)];
  const int shift = m.dst_slot - m.src_slot;
  const int end = m.dst_slot + m.length;
  const int below = promises.forget_below ? 0 : m.dst_slot;                       // [0, dst_slot)
  const int above = promises.forget_above ? 0 : std::max(r.high_water - end, 0);  // [end, mark)
  const int stale = std::max(m.src_slot + m.length - r.high_water, 0);  // moved, read empty
  const int written = below + above + std::min(stale, m.length);
  const int base = r.base - shift;
  if (shift == 0 || written >= m.length || base < 0 || base > margin()) return false;
  const int old_mark = r.high_water;
  KvSlot* storage = r.slots.data();
  auto old_at = [&, old_base = r.base](int slot) { return storage + old_base + slot; };
  auto copy_below = [&] {
    const int valid = std::min(below, old_mark);
    std::copy_n(old_at(0), valid, storage + base);  // memmove: the ranges may overlap
    std::fill(storage + base + valid, storage + base + below, kEmpty);
  };
  auto copy_above = [&] {
    if (above > 0) std::copy_n(old_at(end), above, storage + base + end);
  };
  if (shift > 0) {
    copy_below();
    copy_above();
  } else {
    copy_above();
    copy_below();
  }
  if (stale > 0) {
    const int first = std::max(m.src_slot, old_mark);
    std::fill(old_at(first), old_at(m.src_slot + m.length), kEmpty);
  }
  r.base = base;
  r.high_water = promises.forget_above ? end : std::max(old_mark, end);
  slots_copied_ += written;
  return true;
}

void KvCacheShadow::copy_in_place(const SlotMove& m) {
  Row& r = rows_[static_cast<std::size_t>(m.dst_row)];
  r.read_into(m.src_slot, m.length, r.at(m.dst_slot));
  r.expose(m.dst_slot, m.dst_slot + m.length);
  slots_copied_ += m.length;
}

bool apply_moves(const KvCacheShadow& src, KvCacheShadow& dst, std::span<const SlotMove> moves) {
  for (const auto& m : moves) {
    src.check(m.src_row, m.src_slot, m.length, "move from");
    dst.check(m.dst_row, m.dst_slot, m.length, "move to");
  }
  return apply_checked_moves(src, dst, moves);
}

bool apply_checked_moves(const KvCacheShadow& src, KvCacheShadow& dst,
                         std::span<const SlotMove> moves, MovePromises promises) {
  if (&src == &dst && dst.one_move_per_row_in_place(moves)) {
    for (const auto& m : moves) {
      if (!dst.shift_by_base(m, promises)) dst.copy_in_place(m);
    }
    return true;
  }
  auto& staged = dst.staged_;  // gather: read everything before writing anything
  std::size_t total = 0;
  for (const auto& m : moves) total += static_cast<std::size_t>(m.length);
  staged.resize(total);
  KvSlot* next = staged.data();
  for (const auto& m : moves) {
    src.rows_[static_cast<std::size_t>(m.src_row)].read_into(m.src_slot, m.length, next);
    next += m.length;
  }
  next = staged.data();
  for (const auto& m : moves) {
    auto& row = dst.rows_[static_cast<std::size_t>(m.dst_row)];
    std::copy_n(next, m.length, row.at(m.dst_slot));
    row.expose(m.dst_slot, m.dst_slot + m.length);
    next += m.length;
    dst.slots_copied_ += m.length;
  }
  return false;
}

void KvShadow::create(int id, int rows, int capacity) {
  caches_.insert_or_assign(id, KvCacheShadow(rows, capacity));
}

KvCacheShadow& KvShadow::cache(int id) {
  const auto it = caches_.find(id);
  if (it == caches_.end()) throw InputError("cache " + std::to_string(id) + " was never created");
  return it->second;
}

const KvCacheShadow& KvShadow::cache(int id) const {
  const auto it = caches_.find(id);
  if (it == caches_.end()) throw InputError("cache " + std::to_string(id) + " was never created");
  return it->second;
}

void KvShadow::apply_moves(int src, int dst, std::span<const SlotMove> moves) {
  sim::apply_moves(cache(src), cache(dst), moves);
}

}  // namespace lockstep::sim
