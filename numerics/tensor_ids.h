// Tensor ids of the synthetic weights: one number per (kind, layer), the key of the weight
// generator (numerics/weight_generator.h). Written once; the CPU reference and the CUDA
// runtime both name their tensors through it, so they cannot drift apart. The numbers are
// pinned by tests/golden/numerics_v1.txt.
#pragma once

#include <cstdint>

namespace lockstep::numerics {

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

// Layer -1 for the model-wide tensors (embedding, lm_head).
constexpr std::uint64_t tensor_id(TensorKind kind, int layer) {
  return (static_cast<std::uint64_t>(layer + 1) << 8) | static_cast<std::uint64_t>(kind);
}

}  // namespace lockstep::numerics
