// Synthetic weights from a counter-based generator keyed on (seed, tensor, index), so the CPU
// reference and the GPU runtime build identical weights without files (DESIGN §6).
//
//   value(seed, tensor, i)   = (mix64(combine(combine(seed, tensor), i)) mod 255) - 127
//   scale(seed, tensor, o)   = (float)((0.75 + u / 2) / (gain * sqrt(K))), u = top 24 bits of
//                              mix64(combine(combine(seed, tensor), 2^62 + o)) / 2^24
// Tensors are stored [out, in] row-major: each output channel contiguous along K, the TN
// layout of the GEMMs. A WeightStore shares tensors by key, so a draft made of the target's
// first m layers uses the target's very tensors (no copies).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <vector>

#include <Eigen/Core>

namespace lockstep::reference {

// Tensor ids: fixed so that the GPU runtime generates the same tensors.
enum class TensorKind : std::uint32_t {
  embedding = 0,
  lm_head = 1,
  wq = 2,
  wk = 3,
  wv = 4,
  wo = 5,
  wg = 6,
  wu = 7,
  wd = 8
};
std::uint64_t tensor_id(TensorKind kind, int layer);

std::int8_t weight_value(std::uint64_t seed, std::uint64_t tensor, std::uint64_t index);
float channel_scale(std::uint64_t seed, std::uint64_t tensor, std::uint64_t channel, int k,
                    double gain);

// An int8 matrix [rows, cols] kept as doubles (the values are small integers), because
// Eigen's double GEMM on them is exact and ~6x faster than its int32 product; plus per-row
// (output channel) scales.
struct QuantMatrix {
  Eigen::MatrixXd values;     // [rows, cols], integers in [-127, 127]
  std::vector<float> scales;  // [rows]
  int rows() const { return static_cast<int>(values.rows()); }
  int cols() const { return static_cast<int>(values.cols()); }
};

class WeightStore {
 public:
  // The tensor (seed, id) of shape [rows, cols]; generated on first use, then shared.
  std::shared_ptr<const QuantMatrix> get(std::uint64_t seed, std::uint64_t id, int rows, int cols,
                                         double gain);

 private:
  std::mutex mutex_;
  // The gain is part of the key: the same tensor asked for with another gain is another tensor.
  std::map<std::tuple<std::uint64_t, std::uint64_t, int, int, double>,
           std::shared_ptr<const QuantMatrix>>
      tensors_;
};

}  // namespace lockstep::reference
