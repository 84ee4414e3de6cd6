// The tensor list of a generated preset's layer, one definition: for each of wq, wk, wv, wo,
// wg, wu, wd its generator id (numerics/tensor_ids.h), shape [rows, cols] and gain
// (numerics/host_math.h). The gpu float profiles build their weights from it
// (gpu/float_weights.cpp); the values come from numerics/weight_generator.h.
#pragma once

#include <array>
#include <cstdint>

#include "numerics/host_math.h"
#include "numerics/tensor_ids.h"
#include "sim/model_config.h"

namespace lockstep::numerics {

struct GeneratedTensorSpec {
  std::uint64_t id = 0;
  int rows = 0, cols = 0;
  double gain = 0;
};

// wq, wk, wv, wo, wg, wu, wd of layer `layer`, in that order.
inline std::array<GeneratedTensorSpec, 7> layer_tensor_specs(const sim::ModelConfig& c, int layer) {
  const int d = c.d_model;
  const int q_width = c.n_heads * c.head_dim;
  const int kv = c.n_kv_heads * c.head_dim;
  const double projection = kGainProjection;
  const double residual = residual_gain_of_layer(layer);
  return {{{tensor_id(TensorKind::wq, layer), q_width, d, projection},
           {tensor_id(TensorKind::wk, layer), kv, d, projection},
           {tensor_id(TensorKind::wv, layer), kv, d, projection},
           {tensor_id(TensorKind::wo, layer), d, q_width, residual},
           {tensor_id(TensorKind::wg, layer), c.ffn, d, projection},
           {tensor_id(TensorKind::wu, layer), c.ffn, d, projection},
           {tensor_id(TensorKind::wd, layer), d, c.ffn, residual}}};
}

inline GeneratedTensorSpec embedding_spec(const sim::ModelConfig& c) {
  return {tensor_id(TensorKind::embedding, -1), c.vocab, c.d_model, kGainEmbedding};
}
inline GeneratedTensorSpec head_spec(const sim::ModelConfig& c) {
  return {tensor_id(TensorKind::lm_head, -1), c.vocab, c.d_model, kGainHead};
}

}  // namespace lockstep::numerics
