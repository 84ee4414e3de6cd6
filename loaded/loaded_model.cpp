#include "loaded/loaded_model.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "gguf/gguf.h"
#include "loaded/kv_calibration.h"
#include "numerics/numerics.h"
#include "sim/error.h"

namespace lockstep::loaded {
namespace {

// The tensor `name` as a row-major [rows, cols] float matrix (ggml's dims[0] is the row
// length, i.e. the input width K); shapes are checked by llama_hparams already, again here.
std::vector<float> matrix(const gguf::File& file, const std::string& name, int rows, int cols) {
  const gguf::TensorInfo& info = file.tensor(name);
  if (info.dims.size() != 2 || info.dims[0] != static_cast<std::uint64_t>(cols) ||
      info.dims[1] != static_cast<std::uint64_t>(rows)) {
    throw InputError(file.origin() + ": tensor " + name + " has shape " +
                     gguf::dims_string(info.dims) + ", expected [" + std::to_string(cols) + ", " +
                     std::to_string(rows) + "]");
  }
  return file.dequantize(info);
}

std::vector<float> vector(const gguf::File& file, const std::string& name, int size) {
  const gguf::TensorInfo& info = file.tensor(name);
  if (info.dims.size() != 1 || info.dims[0] != static_cast<std::uint64_t>(size)) {
    throw InputError(file.origin() + ": tensor " + name + " has shape " +
                     gguf::dims_string(info.dims) + ", expected [" + std::to_string(size) + "]");
  }
  return file.dequantize(info);
}

sim::ModelConfig config_of(const gguf::File& file, const std::string& path,
                           const std::string& name) {
  const gguf::LlamaHParams hp = gguf::llama_hparams(file);
  sim::ModelConfig c;
  c.name = name;
  c.vocab = static_cast<int>(hp.vocab);
  c.d_model = static_cast<int>(hp.d_model);
  c.n_layers = static_cast<int>(hp.n_layers);
  c.n_heads = static_cast<int>(hp.n_heads);
  c.n_kv_heads = static_cast<int>(hp.n_kv_heads);
  c.head_dim = static_cast<int>(hp.head_dim);
  c.ffn = static_cast<int>(hp.ffn);
  c.weights_file = path;
  c.rope_base = hp.rope_base;
  c.rms_eps = hp.rms_eps;
  if (hp.rope_dims != hp.head_dim) {
    throw InputError(path + ": llama.rope.dimension_count " + std::to_string(hp.rope_dims) +
                     " differs from the head dimension " + std::to_string(hp.head_dim) +
                     " (partial RoPE is not supported)");
  }
  sim::validate(c, name);
  return c;
}

Layer convert_layer(const gguf::File& file, const sim::ModelConfig& c, int l, KvScales kv) {
  const std::string p = "blk." + std::to_string(l) + ".";
  const int d = c.d_model;
  const int q_width = c.n_heads * c.head_dim;
  const int kv_width = c.n_kv_heads * c.head_dim;
  const std::vector<float> attn_norm = vector(file, p + "attn_norm.weight", d);
  const std::vector<float> ffn_norm = vector(file, p + "ffn_norm.weight", d);
  auto convert = [&](const char* tensor, int rows, int cols, const std::vector<float>& gain) {
    return quantize_per_channel(matrix(file, p + tensor, rows, cols), rows, cols, gain);
  };
  Layer layer;
  layer.wq = convert("attn_q.weight", q_width, d, attn_norm);
  layer.wk = convert("attn_k.weight", kv_width, d, attn_norm);
  layer.wv = convert("attn_v.weight", kv_width, d, attn_norm);
  layer.wo = convert("attn_output.weight", d, q_width, {});
  layer.wg = convert("ffn_gate.weight", c.ffn, d, ffn_norm);
  layer.wu = convert("ffn_up.weight", c.ffn, d, ffn_norm);
  layer.wd = convert("ffn_down.weight", d, c.ffn, {});
  layer.k_scale = kv.k;
  layer.v_scale = kv.v;
  return layer;
}

FloatMatrix float_matrix(const gguf::File& file, const std::string& name, int rows, int cols) {
  return {rows, cols, std::make_shared<const std::vector<float>>(matrix(file, name, rows, cols))};
}

FloatLayer float_layer(const gguf::File& file, const sim::ModelConfig& c, int l) {
  const std::string p = "blk." + std::to_string(l) + ".";
  const int d = c.d_model;
  const int q_width = c.n_heads * c.head_dim;
  const int kv_width = c.n_kv_heads * c.head_dim;
  auto read = [&](const char* tensor, int rows, int cols) {
    return float_matrix(file, p + tensor, rows, cols);
  };
  FloatLayer layer;
  layer.attn_norm = vector(file, p + "attn_norm.weight", d);
  layer.ffn_norm = vector(file, p + "ffn_norm.weight", d);
  layer.wq = read("attn_q.weight", q_width, d);
  layer.wk = read("attn_k.weight", kv_width, d);
  layer.wv = read("attn_v.weight", kv_width, d);
  layer.wo = read("attn_output.weight", d, q_width);
  layer.wg = read("ffn_gate.weight", c.ffn, d);
  layer.wu = read("ffn_up.weight", c.ffn, d);
  layer.wd = read("ffn_down.weight", d, c.ffn);
  return layer;
}

}  // namespace

std::shared_ptr<const FloatWeights> load_float(const std::string& path, const std::string& name) {
  const gguf::File file(path);
  auto model = std::make_shared<FloatWeights>();
  model->config = config_of(file, path, name);
  const sim::ModelConfig& c = model->config;
  model->embedding = float_matrix(file, "token_embd.weight", c.vocab, c.d_model);
  model->head = file.find_tensor("output.weight")
                    ? float_matrix(file, "output.weight", c.vocab, c.d_model)
                    : model->embedding;
  model->out_norm = vector(file, "output_norm.weight", c.d_model);
  for (int l = 0; l < c.n_layers; ++l) model->layers.push_back(float_layer(file, c, l));
  return model;
}

Int8Matrix quantize_per_channel(const std::vector<float>& w, int rows, int cols,
                                const std::vector<float>& gain) {
  require(rows > 0 && cols > 0 &&
              w.size() == static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols) &&
              (gain.empty() || gain.size() == static_cast<std::size_t>(cols)),
          "quantize_per_channel: the matrix or gain does not match [rows, cols]");
  Int8Matrix m;
  m.rows = rows;
  m.cols = cols;
  m.values.resize(w.size());
  m.scales.resize(static_cast<std::size_t>(rows));
  std::vector<float> row(static_cast<std::size_t>(cols));
  for (std::size_t r = 0; r < static_cast<std::size_t>(rows); ++r) {
    float amax = 0.0f;
    for (std::size_t j = 0; j < row.size(); ++j) {
      const float x = w[r * row.size() + j];
      row[j] = gain.empty() ? x : x * gain[j];
      amax = std::max(amax, std::fabs(row[j]));
    }
    const float scale = numerics::activation_scale(amax);
    m.scales[r] = scale;
    for (std::size_t j = 0; j < row.size(); ++j)
      m.values[r * row.size() + j] = numerics::quantize(row[j], scale);
  }
  return m;
}

sim::ModelConfig model_config(const std::string& path, const std::string& name) {
  return config_of(gguf::File(path), path, name);
}

std::shared_ptr<const Model> load(const std::string& path, const std::string& name) {
  const gguf::File file(path);
  auto model = std::make_shared<Model>();
  model->config = config_of(file, path, name);
  const sim::ModelConfig& c = model->config;
  const auto kv = known_kv_scales(file_digest(file.bytes()));
  if (!kv || kv->size() != static_cast<std::size_t>(c.n_layers)) {
    throw InputError(path +
                     ": no K/V calibration is known for this model file (its FNV-1a digest is "
                     "not in loaded/kv_calibration.cpp); compute one with "
                     "tests/tools/smollm2_forward.py calibrate and add it there");
  }
  const std::vector<float> embedding = matrix(file, "token_embd.weight", c.vocab, c.d_model);
  model->embedding = quantize_per_channel(embedding, c.vocab, c.d_model, {});
  const std::vector<float> out_norm = vector(file, "output_norm.weight", c.d_model);
  model->head = file.find_tensor("output.weight")
                    ? quantize_per_channel(matrix(file, "output.weight", c.vocab, c.d_model),
                                           c.vocab, c.d_model, out_norm)
                    : quantize_per_channel(embedding, c.vocab, c.d_model, out_norm);
  for (int l = 0; l < c.n_layers; ++l)
    model->layers.push_back(convert_layer(file, c, l, (*kv)[static_cast<std::size_t>(l)]));
  return model;
}

}  // namespace lockstep::loaded
