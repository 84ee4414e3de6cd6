// The shadow KV map (see kv_shadow.h).
#include "sim/kv_shadow.h"

#include <algorithm>
#include <cstdlib>
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
  return {rows_[static_cast<std::size_t>(row)].at(0), static_cast<std::size_t>(capacity_)};
}

KvSlot& KvCacheShadow::write(int row, int slot, const KvSlot& value) {
  check(row, slot, 1, "write to");
  Row& r = rows_[static_cast<std::size_t>(row)];
  r.high_water = std::max(r.high_water, slot + 1);
  return *r.at(slot) = value;
}

void KvCacheShadow::crop(int row, int from_slot) {
  if (row < 0 || row >= rows() || from_slot < 0 || from_slot > capacity_) {
    throw InputError("crop of row " + std::to_string(row) + " from slot " +
                     std::to_string(from_slot) + " lies outside a cache of " +
                     std::to_string(rows()) + " rows x " + std::to_string(capacity_) + " slots");
  }
  Row& r = rows_[static_cast<std::size_t>(row)];
  if (from_slot >= r.high_water) return;
  std::fill(r.at(from_slot), r.at(r.high_water), KvSlot{});
  r.high_water = from_slot;
  if (from_slot == 0) r.base = margin() / 2;  // an empty row: recentre for free
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
// below the new high-water mark as it was, nothing above. With base' = base - shift the
// moved range is already in place; the slots outside it are staged and written back (they
// may overlap), and the old slots that fall outside the new window are forgotten.
bool KvCacheShadow::shift_by_base(const SlotMove& m) {
  Row& r = rows_[static_cast<std::size_t>(m.dst_row)];
  const int shift = m.dst_slot - m.src_slot;
  const int end = m.dst_slot + m.length;
  const int high_water = std::max(r.high_water, end);
  const int kept = m.dst_slot + (high_water - end);               // slots outside the moved range
  const int forgotten = std::min(std::abs(shift), r.high_water);  // at most
  const int base = r.base - shift;
  // The kept slots are copied twice (staged, then written back); the copy moves m.length.
  if (shift == 0 || 2 * kept + forgotten >= m.length || base < 0 || base > margin()) return false;
  staged_.assign(r.at(0), r.at(m.dst_slot));
  staged_.insert(staged_.end(), r.at(end), r.at(high_water));
  // Forget the old window's slots that the new window [base, base + high_water) leaves out.
  const int old_first = r.base;
  const int old_last = r.base + r.high_water;
  KvSlot* physical = r.slots.data();
  int written = kept;
  auto forget = [&](int first, int last) {
    if (first >= last) return;
    std::fill(physical + first, physical + last, KvSlot{});
    written += last - first;
  };
  forget(old_first, std::min(old_last, base));
  forget(std::max(old_first, base + high_water), old_last);
  r.base = base;
  r.high_water = high_water;
  std::copy(staged_.begin(), staged_.begin() + m.dst_slot, r.at(0));
  std::copy(staged_.begin() + m.dst_slot, staged_.end(), r.at(end));
  slots_copied_ += written;
  return true;
}

void KvCacheShadow::copy_in_place(const SlotMove& m) {
  Row& r = rows_[static_cast<std::size_t>(m.dst_row)];
  r.high_water = std::max(r.high_water, m.dst_slot + m.length);
  const KvSlot* from = r.at(m.src_slot);
  KvSlot* to = r.at(m.dst_slot);
  if (to < from) {
    std::copy(from, from + m.length, to);
  } else {
    std::copy_backward(from, from + m.length, to + m.length);
  }
  slots_copied_ += m.length;
}

bool apply_moves(const KvCacheShadow& src, KvCacheShadow& dst, std::span<const SlotMove> moves) {
  for (const auto& m : moves) {
    src.check(m.src_row, m.src_slot, m.length, "move from");
    dst.check(m.dst_row, m.dst_slot, m.length, "move to");
  }
  if (&src == &dst && dst.one_move_per_row_in_place(moves)) {
    for (const auto& m : moves) {
      if (!dst.shift_by_base(m)) dst.copy_in_place(m);
    }
    return true;
  }
  auto& staged = dst.staged_;  // gather: read everything before writing anything
  staged.clear();
  for (const auto& m : moves) {
    const KvSlot* from = src.rows_[static_cast<std::size_t>(m.src_row)].at(m.src_slot);
    staged.insert(staged.end(), from, from + m.length);
  }
  auto next = staged.begin();
  for (const auto& m : moves) {
    auto& row = dst.rows_[static_cast<std::size_t>(m.dst_row)];
    row.high_water = std::max(row.high_water, m.dst_slot + m.length);
    std::copy(next, next + m.length, row.at(m.dst_slot));
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
