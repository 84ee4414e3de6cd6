#include "reference/float_cache.h"

#include <algorithm>

#include "numerics/host_math.h"
#include "sim/error.h"
#include "sim/hash.h"

namespace lockstep::reference {
namespace {

std::size_t to_size(int value) {
  return static_cast<std::size_t>(value);
}

}  // namespace

FloatKvRow make_float_row(int layers, int kv_width, int capacity) {
  require(layers > 0 && kv_width > 0 && capacity > 0, "make_float_row: shapes must be positive");
  const std::vector<float> zeros(to_size(capacity) * to_size(kv_width), 0.0f);
  return {std::vector<std::vector<float>>(to_size(layers), zeros),
          std::vector<std::vector<float>>(to_size(layers), zeros)};
}

void move_float_slots(const sim::MovePlan& plan, const std::vector<FloatKvRow>& src,
                      std::vector<FloatKvRow>& dst, int kv_width, int capacity) {
  plan.check_shapes(static_cast<int>(src.size()), static_cast<int>(dst.size()), capacity);
  const std::size_t kvw = to_size(kv_width);
  // Gather semantics: stage every source range before writing any destination.
  std::vector<FloatKvRow> staged(plan.moves.size());
  for (std::size_t i = 0; i < plan.moves.size(); ++i) {
    const auto& m = plan.moves[i];
    const FloatKvRow& row = src[to_size(m.src_row)];
    const auto from = static_cast<std::ptrdiff_t>(to_size(m.src_slot) * kvw);
    const auto to = static_cast<std::ptrdiff_t>(to_size(m.src_slot + m.length) * kvw);
    for (std::size_t l = 0; l < row.k.size(); ++l) {
      staged[i].k.emplace_back(row.k[l].begin() + from, row.k[l].begin() + to);
      staged[i].v.emplace_back(row.v[l].begin() + from, row.v[l].begin() + to);
    }
  }
  for (std::size_t i = 0; i < plan.moves.size(); ++i) {
    const auto& m = plan.moves[i];
    FloatKvRow& row = dst[to_size(m.dst_row)];
    const auto at = static_cast<std::ptrdiff_t>(to_size(m.dst_slot) * kvw);
    for (std::size_t l = 0; l < row.k.size(); ++l) {
      std::copy(staged[i].k[l].begin(), staged[i].k[l].end(), row.k[l].begin() + at);
      std::copy(staged[i].v[l].begin(), staged[i].v[l].end(), row.v[l].begin() + at);
    }
  }
}

void crop_float_row(FloatKvRow& row, int kv_width, int from_slot) {
  const auto from = static_cast<std::ptrdiff_t>(to_size(from_slot) * to_size(kv_width));
  for (std::size_t l = 0; l < row.k.size(); ++l) {
    require(from <= static_cast<std::ptrdiff_t>(row.k[l].size()), "crop: slot outside capacity");
    std::fill(row.k[l].begin() + from, row.k[l].end(), 0.0f);
    std::fill(row.v[l].begin() + from, row.v[l].end(), 0.0f);
  }
}

std::uint64_t float_kv_digest(const FloatKvRow& row, int kv_width, int first, int count) {
  const std::size_t kvw = to_size(kv_width);
  std::uint64_t h = sim::mix64(static_cast<std::uint64_t>(count));
  for (std::size_t l = 0; l < row.k.size(); ++l) {
    require((to_size(first) + to_size(count)) * kvw <= row.k[l].size(),
            "kv_digest: range outside capacity");
    const std::size_t from = to_size(first) * kvw;
    h = numerics::combine_float_kv(h, row.k[l].data() + from, row.v[l].data() + from,
                                   to_size(count) * kvw);
  }
  return h;
}

}  // namespace lockstep::reference
