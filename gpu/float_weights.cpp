#include "gpu/float_weights.h"

#include "gpu/float_kernels.h"
#include "gpu/host_policy.h"
#include "gpu/kernels.h"
#include "gpu/plan.h"
#include "numerics/generated_tensors.h"
#include "numerics/model_validation.h"
#include "sim/error.h"

namespace lockstep::gpu {
namespace {

std::size_t elements(int rows, int cols) {
  return static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
}

}  // namespace

// Under bf16: the values rounded in place and their CUDA_R_16BF copy.
void FloatWeightStore::finish(FloatMatrixOnDevice& m, bool bf16) {
  if (!bf16) return;
  const auto count = static_cast<std::int64_t>(elements(m.rows, m.cols));
  launch_float_round_bf16(m.values.get(), count, stream_);
  m.bf16.reserve(elements(m.rows, m.cols));
  launch_float_to_bf16(m.values.get(), m.bf16.get(), count, stream_);
}

SharedMatrix FloatWeightStore::generated(const sim::ModelConfig& c, std::uint64_t id, int rows,
                                         int cols, double gain, bool bf16) {
  auto& slot = generated_[{c.seed, id, rows, cols, bf16}];
  if (slot) return slot;
  auto m = std::make_shared<FloatMatrixOnDevice>();
  m->rows = rows;
  m->cols = cols;
  const int rows_padded = pad16(rows), ld = pad16(cols);
  DeviceBuffer<std::int8_t> values(elements(rows_padded, ld));
  DeviceBuffer<float> scales(static_cast<std::size_t>(rows));
  launch_generate_weights(values.get(), rows, cols, rows_padded, ld, c.seed, id, stream_);
  launch_generate_scales(scales.get(), rows, cols, gain, c.seed, id, stream_);
  m->values.reserve(elements(rows, cols));
  launch_float_dequantize(values.get(), ld, scales.get(), rows, cols, m->values.get(), stream_);
  finish(*m, bf16);
  LOCKSTEP_CUDA_CHECK(cudaStreamSynchronize(stream_));  // `values` and `scales` die here
  slot = std::move(m);
  return slot;
}

SharedMatrix FloatWeightStore::uploaded(const loaded::FloatMatrix& w, bool bf16) {
  require(w.values && w.values->size() == elements(w.rows, w.cols),
          "gpu float weights: a file tensor's values do not match its shape");
  auto& slot = uploaded_[{w.values.get(), bf16}];
  if (slot) return slot;
  auto m = std::make_shared<FloatMatrixOnDevice>();
  m->rows = w.rows;
  m->cols = w.cols;
  m->values.upload(*w.values, stream_);
  finish(*m, bf16);
  slot = std::move(m);
  return slot;
}

std::shared_ptr<const DeviceBuffer<float>> FloatWeightStore::gains(std::vector<float> values,
                                                                   bool bf16) {
  auto g = std::make_shared<DeviceBuffer<float>>();
  g->upload(values, stream_);
  if (bf16) launch_float_round_bf16(g->get(), static_cast<std::int64_t>(values.size()), stream_);
  LOCKSTEP_CUDA_CHECK(cudaStreamSynchronize(stream_));  // `values` dies here
  return g;
}

// reference/float_model.cpp FloatModel::ensure_weights: dequantized int8, unit gains, eps 1e-6.
void FloatWeightStore::use_generated(FloatModelOnDevice& m) {
  const sim::ModelConfig& c = m.config;
  const auto e = numerics::embedding_spec(c), h = numerics::head_spec(c);
  m.embedding = generated(c, e.id, e.rows, e.cols, e.gain, m.bf16);
  m.head = generated(c, h.id, h.rows, h.cols, h.gain, m.bf16);
  const auto ones = gains(std::vector<float>(static_cast<std::size_t>(c.d_model), 1.0f), m.bf16);
  m.out_norm = ones;
  m.eps = 1.0e-6f;
  for (int l = 0; l < c.n_layers; ++l) {
    std::vector<SharedMatrix> w;
    for (const auto& s : numerics::layer_tensor_specs(c, l))
      w.push_back(generated(c, s.id, s.rows, s.cols, s.gain, m.bf16));
    m.layers.push_back({w[0], w[1], w[2], w[3], w[4], w[5], w[6], ones, ones});
  }
}

// reference/float_model.cpp FloatModel::ensure_loaded_weights: the file's floats, its gains,
// its epsilon, the first n_layers layers, a tied head shared.
void FloatWeightStore::use_loaded(FloatModelOnDevice& m) {
  const sim::ModelConfig& c = m.config;
  auto& file = files_[c.weights_file];
  if (!file) file = loaded::load_float(c.weights_file, c.name);
  const sim::ModelConfig& f = file->config;
  require(f.vocab == c.vocab && f.d_model == c.d_model && f.n_heads == c.n_heads &&
              f.n_kv_heads == c.n_kv_heads && f.head_dim == c.head_dim && f.ffn == c.ffn &&
              c.n_layers <= f.n_layers,
          [&] { return "model " + c.name + ": its shapes differ from " + c.weights_file; });
  m.embedding = uploaded(file->embedding, m.bf16);
  m.head = file->head.values == file->embedding.values ? m.embedding : uploaded(file->head, m.bf16);
  m.out_norm = gains(file->out_norm, m.bf16);
  m.eps = c.rms_eps;
  for (int l = 0; l < c.n_layers; ++l) {
    const loaded::FloatLayer& s = file->layers[static_cast<std::size_t>(l)];
    m.layers.push_back({uploaded(s.wq, m.bf16), uploaded(s.wk, m.bf16), uploaded(s.wv, m.bf16),
                        uploaded(s.wo, m.bf16), uploaded(s.wg, m.bf16), uploaded(s.wu, m.bf16),
                        uploaded(s.wd, m.bf16), gains(s.attn_norm, m.bf16),
                        gains(s.ffn_norm, m.bf16)});
  }
}

std::shared_ptr<FloatModelOnDevice> FloatWeightStore::model(const sim::ModelConfig& config) {
  require(sim::is_float(config.numerics), "FloatWeightStore: the model's numerics are exact");
  auto& slot = models_[model_key(config) + ":" + sim::numerics_name(config.numerics)];
  if (slot) return slot;
  numerics::validate_model(config);
  auto m = std::make_shared<FloatModelOnDevice>();
  m->config = config;
  m->bf16 = config.numerics == sim::Numerics::bf16;
  if (config.loaded())
    use_loaded(*m);
  else
    use_generated(*m);
  slot = std::move(m);
  return slot;
}

}  // namespace lockstep::gpu
