#include "reference/weights.h"

#include <cmath>

#include "sim/hash.h"

namespace lockstep::reference {

std::uint64_t tensor_id(TensorKind kind, int layer) {
  return (static_cast<std::uint64_t>(layer + 1) << 8) | static_cast<std::uint64_t>(kind);
}

std::int8_t weight_value(std::uint64_t seed, std::uint64_t tensor, std::uint64_t index) {
  const std::uint64_t h = sim::mix64(sim::combine(sim::combine(seed, tensor), index));
  return static_cast<std::int8_t>(static_cast<int>(h % 255) - 127);
}

float channel_scale(std::uint64_t seed, std::uint64_t tensor, std::uint64_t channel, int k,
                    double gain) {
  const std::uint64_t h =
      sim::mix64(sim::combine(sim::combine(seed, tensor), (1ULL << 62) + channel));
  const double u = static_cast<double>(h >> 40) / 16777216.0;
  return static_cast<float>((0.75 + u / 2.0) / (gain * std::sqrt(static_cast<double>(k))));
}

std::shared_ptr<const QuantMatrix> WeightStore::get(std::uint64_t seed, std::uint64_t id, int rows,
                                                    int cols, double gain) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& slot = tensors_[{seed, id, rows, cols, gain}];
  if (slot) return slot;
  auto m = std::make_shared<QuantMatrix>();
  m->values.resize(rows, cols);
  m->scales.resize(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const auto index = static_cast<std::uint64_t>(r) * static_cast<std::uint64_t>(cols) +
                         static_cast<std::uint64_t>(c);
      m->values(r, c) = weight_value(seed, id, index);
    }
    m->scales[static_cast<std::size_t>(r)] =
        channel_scale(seed, id, static_cast<std::uint64_t>(r), cols, gain);
  }
  slot = std::move(m);
  return slot;
}

}  // namespace lockstep::reference
