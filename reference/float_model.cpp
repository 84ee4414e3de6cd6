#include "reference/float_model.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "numerics/host_math.h"
#include "numerics/model_validation.h"
#include "reference/ops.h"
#include "reference/parallel.h"
#include "sim/error.h"

namespace lockstep::reference {
namespace {

using numerics::PassPlan;
using FloatMap = Eigen::Map<const Activations>;

std::size_t to_size(std::int64_t value) {
  return static_cast<std::size_t>(value);
}

FloatMap view(const loaded::FloatMatrix& w) {
  return {w.values->data(), w.rows, w.cols};
}

// Output columns per GEMM block: fixed, so a pass's bytes do not depend on the thread count.
constexpr std::size_t kColumnBlock = 256;

Activations embed(const loaded::FloatMatrix& table, const std::vector<sim::Token>& tokens) {
  Activations h(static_cast<Eigen::Index>(tokens.size()), table.cols);
  const FloatMap t = view(table);
  for (std::size_t i = 0; i < tokens.size(); ++i)
    h.row(static_cast<Eigen::Index>(i)) = t.row(tokens[i]);
  return h;
}

// x' = x cos - y sin, y' = x sin + y cos on every (2j, 2j+1) pair of every head, the pairing
// of the exact model (and of a GGUF file's permuted q and k).
void rope(Activations& x, int heads, int head_dim, const std::vector<std::int32_t>& positions,
          const std::vector<float>& cos, const std::vector<float>& sin) {
  const auto half = to_size(head_dim / 2);
  require(x.rows() == static_cast<Eigen::Index>(positions.size()) &&
              x.cols() == static_cast<Eigen::Index>(heads) * head_dim,
          "float rope: shapes disagree");
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const std::size_t base = to_size(positions[to_size(i)]) * half;
    for (int hd = 0; hd < heads; ++hd) {
      for (std::size_t j = 0; j < half; ++j) {
        float& a = x(i, hd * head_dim + static_cast<Eigen::Index>(2 * j));
        float& b = x(i, hd * head_dim + static_cast<Eigen::Index>(2 * j + 1));
        const float c = cos[base + j];
        const float s = sin[base + j];
        const float a0 = a;
        a = a0 * c - b * s;
        b = a0 * s + b * c;
      }
    }
  }
}

void kv_write(const Activations& k, const Activations& v, const PassPlan& plan,
              std::vector<FloatKvRow>& cache, int layer) {
  const auto kvw = to_size(k.cols());
  for (std::size_t i = 0; i < plan.tokens.size(); ++i) {
    FloatKvRow& row = cache[to_size(plan.rows[i])];
    const std::size_t at = to_size(plan.write_slots[i]) * kvw;
    auto& kc = row.k[to_size(layer)];
    auto& vc = row.v[to_size(layer)];
    require(at + kvw <= kc.size() && at + kvw <= vc.size(), "float kv_write: cache row shape");
    for (std::size_t c = 0; c < kvw; ++c) {
      kc[at + c] = k(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c));
      vc[at + c] = v(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c));
    }
  }
}

Activations swiglu(const Activations& gate, const Activations& up) {
  Activations act(gate.rows(), gate.cols());
  for (Eigen::Index i = 0; i < gate.rows(); ++i) {
    for (Eigen::Index j = 0; j < gate.cols(); ++j) {
      const float g = gate(i, j);
      act(i, j) = g / (1.0f + std::exp(-g)) * up(i, j);
    }
  }
  return act;
}

// One query token, one head: scores, softmax, weighted sum of V, into `out`.
void attend(const float* q, const FloatKvRow& row, int layer, int kv_offset, int kv_width,
            int head_dim, std::span<const std::int32_t> slots, float* out,
            std::vector<float>& weights) {
  const float scale = 1.0f / std::sqrt(static_cast<float>(head_dim));
  const auto& k = row.k[to_size(layer)];
  const auto& v = row.v[to_size(layer)];
  weights.resize(slots.size());
  float max_score = -INFINITY;
  for (std::size_t s = 0; s < slots.size(); ++s) {
    const float* key = k.data() + to_size(slots[s]) * to_size(kv_width) + to_size(kv_offset);
    float dot = 0.0f;
    for (int d = 0; d < head_dim; ++d) dot += q[d] * key[d];
    weights[s] = dot * scale;
    max_score = std::max(max_score, weights[s]);
  }
  float sum = 0.0f;
  for (float& w : weights) {
    w = std::exp(w - max_score);
    sum += w;
  }
  std::fill(out, out + head_dim, 0.0f);
  for (std::size_t s = 0; s < slots.size(); ++s) {
    const float* value = v.data() + to_size(slots[s]) * to_size(kv_width) + to_size(kv_offset);
    const float p = weights[s] / sum;
    for (int d = 0; d < head_dim; ++d) out[d] += p * value[d];
  }
}

}  // namespace

namespace float_ops {

Activations matmul(const Activations& x, const loaded::FloatMatrix& w) {
  require(w.values && x.cols() == w.cols && w.values->size() == to_size(w.rows) * to_size(w.cols),
          "float matmul: input width does not match the weight");
  const FloatMap wm = view(w);
  Activations y(x.rows(), w.rows);
  const std::size_t blocks = (to_size(w.rows) + kColumnBlock - 1) / kColumnBlock;
  parallel_for(blocks, 1, [&](std::size_t begin, std::size_t end) {
    for (std::size_t b = begin; b < end; ++b) {
      const auto first = static_cast<Eigen::Index>(b * kColumnBlock);
      const Eigen::Index width = std::min<Eigen::Index>(kColumnBlock, w.rows - first);
      Activations block(x.rows(), width);
      block.noalias() = x * wm.middleRows(first, width).transpose();
      y.middleCols(first, width) = block;
    }
  });
  return y;
}

Activations attention(const Activations& q, int heads, int kv_heads, int head_dim,
                      const PassPlan& plan, const std::vector<FloatKvRow>& cache, int layer) {
  const auto n = to_size(q.rows());
  require(kv_heads > 0 && heads % kv_heads == 0 &&
              q.cols() == static_cast<Eigen::Index>(heads) * head_dim && plan.rows.size() == n &&
              plan.visible_offsets.size() == n + 1,
          "float attention: shapes disagree");
  const int group = heads / kv_heads;
  Activations out(q.rows(), q.cols());
  // Tokens are independent (each writes its own output row): any split gives the same bytes.
  parallel_for(n, 1, [&](std::size_t begin, std::size_t end) {
    std::vector<float> weights;
    for (std::size_t i = begin; i < end; ++i) {
      const std::span<const std::int32_t> slots(
          plan.visible.data() + plan.visible_offsets[i],
          to_size(plan.visible_offsets[i + 1] - plan.visible_offsets[i]));
      const FloatKvRow& row = cache[to_size(plan.rows[i])];
      for (int h = 0; h < heads; ++h) {
        const auto at = static_cast<Eigen::Index>(h) * head_dim;
        attend(q.data() + i * to_size(q.cols()) + to_size(at), row, layer, (h / group) * head_dim,
               kv_heads * head_dim, head_dim, slots,
               out.data() + i * to_size(out.cols()) + to_size(at), weights);
      }
    }
  });
  return out;
}

}  // namespace float_ops

FloatModel::FloatModel(const sim::ModelConfig& config, std::shared_ptr<WeightStore> store)
    : config_(config), storage_(config.numerics), store_(std::move(store)) {
  numerics::validate_model(config_);
}

void FloatModel::ensure_loaded_weights() {
  const auto w = store_->loaded_float(config_);
  require_file_shapes(config_, w->config);
  const StoragePolicy& p = storage_;
  embedding_ = p.weight(w->embedding);
  head_ = w->head.values == w->embedding.values ? embedding_ : p.weight(w->head);  // tied head
  out_norm_ = p.weight(w->out_norm);
  eps_ = config_.rms_eps;
  for (int l = 0; l < config_.n_layers; ++l) {
    const loaded::FloatLayer& s = w->layers[to_size(l)];
    layers_.push_back({p.weight(s.wq), p.weight(s.wk), p.weight(s.wv), p.weight(s.wo),
                       p.weight(s.wg), p.weight(s.wu), p.weight(s.wd), p.weight(s.attn_norm),
                       p.weight(s.ffn_norm)});
  }
}

void FloatModel::ensure_weights() {
  if (embedding_.values) return;
  if (config_.loaded()) {
    ensure_loaded_weights();
    return;
  }
  const GeneratedTensors t = store_->generated(config_);
  const std::vector<float> ones(to_size(config_.d_model), 1.0f);
  const auto weight = [&](const auto& tensor) {
    return storage_.weight(store_->dequantized(tensor));
  };
  embedding_ = weight(t.embedding);
  head_ = weight(t.head);
  out_norm_ = ones;
  eps_ = 1.0e-6f;
  for (const GeneratedTensors::Layer& g : t.layers) {
    layers_.push_back({weight(g.wq), weight(g.wk), weight(g.wv), weight(g.wo), weight(g.wg),
                       weight(g.wu), weight(g.wd), ones, ones});
  }
}

// cos and sin of position * base^(-2j / D), in float (numerics/host_math.h, shared with the
// gpu float profile).
void FloatModel::ensure_rope(int positions) {
  if (positions <= rope_positions_) return;
  numerics::build_float_rope_rows(config_.head_dim, rope_positions_, positions, rope_cos_,
                                  rope_sin_, config_.rope_base);
  rope_positions_ = positions;
}

FloatKvRow FloatModel::make_row(int capacity) const {
  return make_float_row(config_.n_layers, kv_width(), capacity);
}

Activations FloatModel::rms_norm(const Activations& h, const std::vector<float>& gain) const {
  require(gain.size() == to_size(h.cols()), "float rms_norm: gain width differs");
  Activations out(h.rows(), h.cols());
  for (Eigen::Index i = 0; i < h.rows(); ++i) {
    float sum = 0.0f;
    for (Eigen::Index j = 0; j < h.cols(); ++j) sum += h(i, j) * h(i, j);
    const float r = 1.0f / std::sqrt(sum / static_cast<float>(h.cols()) + eps_);
    for (Eigen::Index j = 0; j < h.cols(); ++j) out(i, j) = h(i, j) * r * gain[to_size(j)];
  }
  storage_.store(out);  // statistics in fp32, the normalized output stored
  return out;
}

Activations FloatModel::stored_matmul(const Activations& x, const loaded::FloatMatrix& w) const {
  Activations y = float_ops::matmul(x, w);
  storage_.store(y);
  return y;
}

void FloatModel::add_residual(Activations& h, const Activations& delta) const {
  h += delta;
  storage_.store(h);
}

void FloatModel::attention_block(const Layer& layer, const PassPlan& plan,
                                 std::vector<FloatKvRow>& cache, int l, Activations& h) const {
  const Activations x = rms_norm(h, layer.attn_norm);
  Activations q = stored_matmul(x, layer.wq);
  Activations k = stored_matmul(x, layer.wk);
  const Activations v = stored_matmul(x, layer.wv);
  rope(q, config_.n_heads, config_.head_dim, plan.positions, rope_cos_, rope_sin_);
  rope(k, config_.n_kv_heads, config_.head_dim, plan.positions, rope_cos_, rope_sin_);
  storage_.store(q);
  storage_.store(k);  // the K/V cache holds what is stored: bf16 K after RoPE, bf16 V
  kv_write(k, v, plan, cache, l);
  Activations attn = float_ops::attention(q, config_.n_heads, config_.n_kv_heads, config_.head_dim,
                                          plan, cache, l);
  storage_.store(attn);
  add_residual(h, stored_matmul(attn, layer.wo));
  ops::check_finite(h, "the attention block", l);
}

void FloatModel::mlp_block(const Layer& layer, Activations& h) const {
  const Activations x = rms_norm(h, layer.ffn_norm);
  Activations act = swiglu(stored_matmul(x, layer.wg), stored_matmul(x, layer.wu));
  storage_.store(act);
  add_residual(h, stored_matmul(act, layer.wd));
}

PassResult FloatModel::forward(const PassPlan& plan, std::vector<FloatKvRow>& cache, int capacity,
                               bool keep_logits) {
  numerics::check_pass_plan(plan, config_.vocab, cache.size(), capacity);
  ensure_weights();
  ensure_rope(numerics::rope_rows_needed(plan));
  Activations h = embed(embedding_, plan.tokens);
  for (int l = 0; l < config_.n_layers; ++l) {
    const Layer& layer = layers_[to_size(l)];
    attention_block(layer, plan, cache, l, h);
    mlp_block(layer, h);
    ops::check_finite(h, "the MLP block", l);
  }
  const Activations logits = stored_matmul(rms_norm(h, out_norm_), head_);
  ops::check_finite(logits, "the logits", config_.n_layers);
  return summarize_logits(logits, keep_logits);
}

}  // namespace lockstep::reference
