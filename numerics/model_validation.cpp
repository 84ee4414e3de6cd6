#include "numerics/model_validation.h"

#include <string>

#include "numerics/numerics.h"
#include "numerics/split16.h"
#include "sim/error.h"

namespace lockstep::numerics {

void validate_model(const sim::ModelConfig& config) {
  sim::validate(config, config.name);
  require(config.head_dim % 2 == 0, "Model: head_dim must be even for RoPE");
  for (int k : {config.d_model, config.ffn, config.n_heads * config.head_dim}) {
    if (k > kMaxExactK) {
      throw InputError("model " + config.name + ": a reduction over K = " + std::to_string(k) +
                       " exceeds the exact int32 bound " + std::to_string(kMaxExactK));
    }
  }
  if (config.loaded() && config.head_dim > kWideMaxHeadDim) {  // q16 . k8 scores in int32 (§13.5)
    throw InputError("model " + config.name + ": head_dim " + std::to_string(config.head_dim) +
                     " exceeds the loaded path's attention bound " +
                     std::to_string(kWideMaxHeadDim));
  }
}

void validate_kv_capacity(int capacity) {
  if (capacity > kMaxExactK) {
    throw InputError("KV capacity " + std::to_string(capacity) + " exceeds " +
                     std::to_string(kMaxExactK) +
                     " slots: attention sums would leave the exact int32 range");
  }
}

}  // namespace lockstep::numerics
