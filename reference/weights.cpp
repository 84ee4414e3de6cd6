#include "reference/weights.h"

#include "numerics/weight_generator.h"
#include "reference/gemm_avx2.h"

namespace lockstep::reference {

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
      m->values(r, c) = numerics::weight_value(seed, id, index);
    }
    m->scales[static_cast<std::size_t>(r)] =
        numerics::channel_scale(seed, id, static_cast<std::uint64_t>(r), cols, gain);
  }
  m->values_f = m->values.cast<float>();
  m->values_i8 = pack_int8_rows(m->values);
  slot = std::move(m);
  return slot;
}

}  // namespace lockstep::reference
