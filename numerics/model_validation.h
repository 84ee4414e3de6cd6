// The checks a model config must pass before either runtime builds weights for it: sim's
// field checks (sim::validate) plus the exact numerics contract's own limits (an even head
// dim for RoPE, every reduction within the exact int32 bound). One function, called by the
// CPU reference's Model and the gpu runtime's model cache, so both reject the same configs
// with the same message.
#pragma once

#include "sim/model_config.h"

namespace lockstep::numerics {

// Throws InputError naming the first violated rule.
void validate_model(const sim::ModelConfig& config);

// Throws InputError when a KV cache of `capacity` slots could overflow the exact attention
// sums.
void validate_kv_capacity(int capacity);

}  // namespace lockstep::numerics
