// The reference's weight tensors: the counter-based generator of
// numerics/weight_generator.h (shared with the gpu runtime's k_weights.cu) materialized as
// Eigen matrices. Tensors are stored [out, in] row-major: each output channel contiguous along
// K, the TN layout of the GEMMs. A WeightStore shares tensors by key, so a draft made of the
// target's first m layers uses the target's very tensors (no copies).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include <Eigen/Core>

#include "loaded/loaded_model.h"
#include "sim/model_config.h"

namespace lockstep::reference {

// An int8 matrix [rows, cols] kept as doubles (the values are small integers: Eigen's double
// GEMM on them is exact, and the reference's previous GEMM kernel); plus per-row
// (output channel) scales. values_f and values_i8 are the same integers as floats and as
// zero-padded int8 rows, for the float and AVX2 GEMM kernels (reference/gemm_kernels.h); a
// WeightStore fills them, a matrix built elsewhere may leave them empty (the GEMM then
// converts per call).
struct QuantMatrix {
  Eigen::MatrixXd values;                // [rows, cols], integers in [-127, 127]
  std::vector<float> scales;             // [rows]
  Eigen::MatrixXf values_f{};            // [rows, cols] == values, or empty
  std::vector<std::int8_t> values_i8{};  // [rows, padded_k(cols)] (gemm_avx2.h), or empty
  int rows() const { return static_cast<int>(values.rows()); }
  int cols() const { return static_cast<int>(values.cols()); }
};

// A model file's weights converted by loaded/loaded_model.h, as QuantMatrix for the GEMMs
// (docs/numerics.md §13); the per-layer K/V scales as loaded.
struct LoadedWeights {
  struct Layer {
    std::shared_ptr<const QuantMatrix> wq, wk, wv, wo, wg, wu, wd;
    float k_scale = 0;
    float v_scale = 0;
  };
  sim::ModelConfig config;  // the file's full config (all its layers)
  std::shared_ptr<const QuantMatrix> embedding, head;
  std::vector<Layer> layers;
};

// The generated tensors of a preset's config (numerics/weight_generator.h), as the exact model
// uses them: the embedding, the head and the seven projections of each of its layers.
struct GeneratedTensors {
  struct Layer {
    std::shared_ptr<const QuantMatrix> wq, wk, wv, wo, wg, wu, wd;
  };
  std::shared_ptr<const QuantMatrix> embedding, head;
  std::vector<Layer> layers;
};

class WeightStore {
 public:
  // Every tensor of a generated (preset) config, through get().
  GeneratedTensors generated(const sim::ModelConfig& config);

  // `m`'s values times its per-row scales as floats (float numerics' view of generated
  // weights); converted on first use, then shared.
  loaded::FloatMatrix dequantized(const std::shared_ptr<const QuantMatrix>& m);

  // config.weights_file's own floats (loaded::load_float), read on first use, then shared.
  std::shared_ptr<const loaded::FloatWeights> loaded_float(const sim::ModelConfig& config);

  // The tensor (seed, id) of shape [rows, cols]; generated on first use, then shared.
  std::shared_ptr<const QuantMatrix> get(std::uint64_t seed, std::uint64_t id, int rows, int cols,
                                         double gain);

  // The weights of config.weights_file, converted on first use, then shared (a draft made of
  // the first m layers uses the same tensors). Throws InputError for a file that cannot be
  // loaded.
  std::shared_ptr<const LoadedWeights> loaded(const sim::ModelConfig& config);

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const LoadedWeights>> loaded_;
  std::map<std::string, std::shared_ptr<const loaded::FloatWeights>> loaded_float_;
  // Keyed by the int8 tensor, which tensors_ keeps alive, so the address stays unique.
  std::map<const QuantMatrix*, loaded::FloatMatrix> dequantized_;
  // The gain is part of the key: the same tensor asked for with another gain is another tensor.
  std::map<std::tuple<std::uint64_t, std::uint64_t, int, int, double>,
           std::shared_ptr<const QuantMatrix>>
      tensors_;
};

}  // namespace lockstep::reference
