// Where the float forward stores tensors in 16 bits (issue 13, the "bf16" numerics profile;
// docs/numerics.md §15). A bf16 inference stack computes every GEMM with fp32 accumulation but
// stores its inputs and outputs, the residual stream, norm outputs and the K/V cache in bf16;
// FloatModel calls this policy at each of those named points. Under `float` every call is the
// identity (fp32 storage), under `bf16` it rounds to nearest even (numerics/bf16.h). It knows
// nothing of the model: it only rounds what it is handed.
#pragma once

#include <vector>

#include "loaded/loaded_model.h"
#include "reference/model.h"
#include "sim/model_config.h"

namespace lockstep::reference {

class StoragePolicy {
 public:
  // Throws InputError for exact numerics (no float tensors to store).
  explicit StoragePolicy(sim::Numerics numerics);

  bool rounds() const { return bf16_; }
  // An activation as stored: rounded in place under bf16.
  void store(Activations& x) const;
  // A weight as loaded: a rounded copy under bf16 (made once per model), `w` itself otherwise.
  loaded::FloatMatrix weight(const loaded::FloatMatrix& w) const;
  std::vector<float> weight(std::vector<float> gains) const;

 private:
  bool bf16_ = false;
};

}  // namespace lockstep::reference
