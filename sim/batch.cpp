#include "sim/batch.h"

#include <algorithm>
#include <string>

#include "sim/error.h"

namespace lockstep::sim {
namespace {

std::string dims(const char* name, std::size_t got, std::size_t want) {
  return std::string(name) + " has " + std::to_string(got) + " elements, expected " +
         std::to_string(want);
}

void check_size(const char* name, std::size_t got, std::size_t want) {
  if (got != want) throw ContractError(dims(name, got, want));
}

}  // namespace

void PaddedBatch::check_shapes(int cache_rows_available, int capacity) const {
  require(rows >= 0 && past >= 0 && tokens >= 0, "PaddedBatch: negative dimension");
  const auto r = static_cast<std::size_t>(rows);
  const auto rt = r * static_cast<std::size_t>(tokens);
  check_size("PaddedBatch.cache_rows", cache_rows.size(), r);
  check_size("PaddedBatch.input_ids", input_ids.size(), rt);
  check_size("PaddedBatch.positions", positions.size(), rt);
  check_size("PaddedBatch.write_slots", write_slots.size(), rt);
  check_size("PaddedBatch.tags", tags.size(), rt);
  if (sampling.active()) check_size("PaddedBatch.sampling.sites", sampling.sites.size(), rt);
  check_size("PaddedBatch.mask", mask.size(), r * static_cast<std::size_t>(columns()));
  require(columns() <= capacity, [&] {
    return std::string("PaddedBatch: past + tokens (" + std::to_string(columns()) +
                       ") exceeds KV capacity " + std::to_string(capacity));
  });
  for (int row : cache_rows) {
    require(row >= 0 && row < cache_rows_available, [&] {
      return std::string("PaddedBatch: cache row " + std::to_string(row) + " out of range");
    });
  }
  for (int slot : write_slots) {
    require(slot >= 0 && slot < capacity, [&] {
      return std::string("PaddedBatch: write slot " + std::to_string(slot) +
                         " outside KV capacity " + std::to_string(capacity));
    });
  }
}

void PackedBatch::check_shapes(int cache_rows_available, int capacity) const {
  const auto r = cache_rows.size();
  check_size("PackedBatch.row_offsets", row_offsets.size(), r + 1);
  check_size("PackedBatch.kv_extent", kv_extent.size(), r);
  require(row_offsets.front() == 0, "PackedBatch.row_offsets must start at 0");
  require(std::is_sorted(row_offsets.begin(), row_offsets.end()),
          "PackedBatch.row_offsets must be non-decreasing");
  const auto n = static_cast<std::size_t>(row_offsets.back());
  check_size("PackedBatch.tokens", tokens.size(), n);
  check_size("PackedBatch.positions", positions.size(), n);
  check_size("PackedBatch.tags", tags.size(), n);
  if (sampling.active()) check_size("PackedBatch.sampling.sites", sampling.sites.size(), n);
  for (std::size_t i = 0; i < r; ++i) {
    require(cache_rows[i] >= 0 && cache_rows[i] < cache_rows_available, [&] {
      return std::string("PackedBatch: cache row " + std::to_string(cache_rows[i]) +
                         " out of range");
    });
    const int end = kv_extent[i] + row_offsets[i + 1] - row_offsets[i];
    require(kv_extent[i] >= 0 && end <= capacity, [&] {
      return std::string("PackedBatch: row " + std::to_string(i) + " needs " + std::to_string(end) +
                         " KV slots, capacity is " + std::to_string(capacity));
    });
  }
}

std::int64_t MovePlan::slots_moved() const {
  std::int64_t total = 0;
  for (const auto& m : moves) total += m.length;
  return total;
}

void MovePlan::check_shapes(int src_rows, int dst_rows, int capacity) const {
  for (const auto& m : moves) {
    require(m.length >= 0, "MovePlan: negative move length");
    require(m.src_row >= 0 && m.src_row < src_rows && m.dst_row >= 0 && m.dst_row < dst_rows,
            "MovePlan: row out of range");
    require(m.src_slot >= 0 && m.src_slot + m.length <= capacity && m.dst_slot >= 0 &&
                m.dst_slot + m.length <= capacity,
            [&] {
              return std::string("MovePlan: move [" + std::to_string(m.src_slot) + "+" +
                                 std::to_string(m.length) + " -> " + std::to_string(m.dst_slot) +
                                 "] outside KV capacity " + std::to_string(capacity));
            });
  }
}

void visible_slots(const PaddedBatch& batch, int r, int t, std::vector<std::int32_t>& out) {
  const int columns = batch.columns();
  const std::uint8_t* mask = batch.mask.data() + static_cast<std::size_t>(r) * columns;
  const std::int32_t* writes =
      batch.write_slots.data() + static_cast<std::size_t>(r) * batch.tokens;
  for (int s = 0; s < columns; ++s) {
    if (!mask[s]) continue;
    bool written_later = false;
    for (int later = t + 1; later < batch.tokens; ++later) {
      if (writes[later] == s) {
        written_later = true;
        break;
      }
    }
    if (!written_later) out.push_back(s);
  }
}

}  // namespace lockstep::sim
