#include "reference/storage_policy.h"

#include <algorithm>
#include <memory>

#include "numerics/bf16.h"
#include "sim/error.h"

namespace lockstep::reference {
namespace {

void round_all(float* begin, float* end) {
  std::transform(begin, end, begin, numerics::round_to_bf16);
}

}  // namespace

StoragePolicy::StoragePolicy(sim::Numerics numerics) : bf16_(numerics == sim::Numerics::bf16) {
  if (!sim::is_float(numerics))
    throw InputError("StoragePolicy: exact numerics store no float tensors");
}

void StoragePolicy::store(Activations& x) const {
  if (bf16_) round_all(x.data(), x.data() + x.size());
}

loaded::FloatMatrix StoragePolicy::weight(const loaded::FloatMatrix& w) const {
  if (!bf16_ || !w.values) return w;
  auto values = std::make_shared<std::vector<float>>(*w.values);
  round_all(values->data(), values->data() + values->size());
  return {w.rows, w.cols, std::move(values)};
}

std::vector<float> StoragePolicy::weight(std::vector<float> gains) const {
  if (bf16_) round_all(gains.data(), gains.data() + gains.size());
  return gains;
}

}  // namespace lockstep::reference
