#include "reference/weights.h"

#include "loaded/loaded_model.h"
#include "numerics/host_math.h"
#include "numerics/tensor_ids.h"
#include "numerics/weight_generator.h"
#include "reference/gemm_avx2.h"

namespace lockstep::reference {
namespace {

// values and values_i8 (the default kernel's); values_f stays empty (converted per call by the
// float kernel), which keeps a 135M model's host copy near 1.2 GB.
std::shared_ptr<const QuantMatrix> wrap(const loaded::Int8Matrix& m) {
  auto q = std::make_shared<QuantMatrix>();
  q->values.resize(m.rows, m.cols);
  for (int r = 0; r < m.rows; ++r) {
    const std::size_t base = static_cast<std::size_t>(r) * static_cast<std::size_t>(m.cols);
    for (int c = 0; c < m.cols; ++c) q->values(r, c) = m.values[base + static_cast<std::size_t>(c)];
  }
  q->scales = m.scales;
  q->values_i8 = pack_int8_rows(q->values);
  return q;
}

std::shared_ptr<const LoadedWeights> convert(const sim::ModelConfig& config) {
  const auto source = loaded::load(config.weights_file, config.name);
  auto w = std::make_shared<LoadedWeights>();
  w->config = source->config;
  w->embedding = wrap(source->embedding);
  w->head = wrap(source->head);
  for (const loaded::Layer& l : source->layers) {
    w->layers.push_back({.wq = wrap(l.wq),
                         .wk = wrap(l.wk),
                         .wv = wrap(l.wv),
                         .wo = wrap(l.wo),
                         .wg = wrap(l.wg),
                         .wu = wrap(l.wu),
                         .wd = wrap(l.wd),
                         .k_scale = l.k_scale,
                         .v_scale = l.v_scale});
  }
  return w;
}

}  // namespace

std::shared_ptr<const LoadedWeights> WeightStore::loaded(const sim::ModelConfig& config) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& slot = loaded_[config.weights_file];
  if (!slot) slot = convert(config);
  return slot;
}

GeneratedTensors WeightStore::generated(const sim::ModelConfig& config) {
  using numerics::tensor_id;
  using numerics::TensorKind;
  const auto seed = config.seed;
  const int d = config.d_model;
  const int q_width = config.n_heads * config.head_dim;
  const int kv = config.n_kv_heads * config.head_dim;
  GeneratedTensors t;
  t.embedding =
      get(seed, tensor_id(TensorKind::embedding, -1), config.vocab, d, numerics::kGainEmbedding);
  t.head = get(seed, tensor_id(TensorKind::lm_head, -1), config.vocab, d, numerics::kGainHead);
  for (int l = 0; l < config.n_layers; ++l) {
    const double projection = numerics::kGainProjection;
    const double residual = numerics::residual_gain_of_layer(l);
    t.layers.push_back({.wq = get(seed, tensor_id(TensorKind::wq, l), q_width, d, projection),
                        .wk = get(seed, tensor_id(TensorKind::wk, l), kv, d, projection),
                        .wv = get(seed, tensor_id(TensorKind::wv, l), kv, d, projection),
                        .wo = get(seed, tensor_id(TensorKind::wo, l), d, q_width, residual),
                        .wg = get(seed, tensor_id(TensorKind::wg, l), config.ffn, d, projection),
                        .wu = get(seed, tensor_id(TensorKind::wu, l), config.ffn, d, projection),
                        .wd = get(seed, tensor_id(TensorKind::wd, l), d, config.ffn, residual)});
  }
  return t;
}

loaded::FloatMatrix WeightStore::dequantized(const std::shared_ptr<const QuantMatrix>& m) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& slot = dequantized_[m.get()];
  if (slot.values) return slot;
  auto values = std::make_shared<std::vector<float>>();
  values->reserve(static_cast<std::size_t>(m->rows()) * static_cast<std::size_t>(m->cols()));
  for (int r = 0; r < m->rows(); ++r) {
    const float scale = m->scales[static_cast<std::size_t>(r)];
    for (int c = 0; c < m->cols(); ++c)
      values->push_back(static_cast<float>(m->values(r, c)) * scale);
  }
  slot = {m->rows(), m->cols(), std::move(values)};
  return slot;
}

std::shared_ptr<const loaded::FloatWeights> WeightStore::loaded_float(
    const sim::ModelConfig& config) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& slot = loaded_float_[config.weights_file];
  if (!slot) slot = loaded::load_float(config.weights_file, config.name);
  return slot;
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
