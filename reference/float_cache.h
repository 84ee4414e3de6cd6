// The cpu backend's K/V cache under float numerics (issue 13): fp32 K and V, both [S, G*D]
// per row and layer (no transposition: float attention reads a slot's K and V as rows). The
// moves, crops and digests mirror the int8 cache's (CpuBackend) on these bytes; kv_digest
// hashes the float bit patterns, so a digest compares float caches exactly. Knows nothing of
// models beyond the widths it is given.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/batch.h"

namespace lockstep::reference {

struct FloatKvRow {
  std::vector<std::vector<float>> k;  // [layers][S * G * D]
  std::vector<std::vector<float>> v;  // [layers][S * G * D]
};

// A zeroed row of `capacity` slots of `kv_width` (G * D) floats for each of `layers`.
FloatKvRow make_float_row(int layers, int kv_width, int capacity);

// Executes `plan` from `src` rows to `dst` rows with gather semantics (every source range is
// read before any destination is written), like CpuBackend::apply_moves. Checks shapes.
void move_float_slots(const sim::MovePlan& plan, const std::vector<FloatKvRow>& src,
                      std::vector<FloatKvRow>& dst, int kv_width, int capacity);

// Zeroes slots [from_slot, capacity) of every layer.
void crop_float_row(FloatKvRow& row, int kv_width, int from_slot);

// Digest of slots [first, first + count): count, then every layer's K and V bit patterns.
std::uint64_t float_kv_digest(const FloatKvRow& row, int kv_width, int first, int count);

}  // namespace lockstep::reference
