#include "reference/model.h"

#include <cfenv>
#include <limits>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#include "numerics/host_math.h"
#include "numerics/model_validation.h"
#include "reference/ops_split.h"
#include "sim/error.h"

namespace lockstep::reference {

// x quantized for a projection: int8 rows (§5.1), or a loaded model's 16-bit rows split into
// 2N int8 digit rows (§13.1).
QuantizedRows Model::quantize_input(const Activations& x, bool rms) const {
  return config_.loaded() ? ops::quantize_rows_split(x, rms, config_.rms_eps)
                          : ops::quantize_rows(x, rms);
}

// y [N, out] = dequantize(x . w^T): gemm, then the epilogue (k_dequantize's twin, or
// k_dequantize_split's for 16-bit rows).
Activations Model::project(const QuantizedRows& x, const QuantMatrix& w) const {
  Activations y;
  if (config_.loaded())
    ops::dequantize_split(ops::gemm(x, w), w.scales, x.factor, y, /*accumulate=*/false);
  else
    ops::dequantize(ops::gemm(x, w), w.scales, x.factor, y, /*accumulate=*/false);
  return y;
}

// h += dequantize(quantize(x) . w^T): the residual writers wo and wd.
void Model::add_projection(const Activations& x, const QuantMatrix& w, Activations& h) const {
  const QuantizedRows xq = quantize_input(x, /*rms=*/false);
  if (config_.loaded())
    ops::dequantize_split(ops::gemm(xq, w), w.scales, xq.factor, h, /*accumulate=*/true);
  else
    ops::dequantize(ops::gemm(xq, w), w.scales, xq.factor, h, /*accumulate=*/true);
}

void check_fp_environment() {
#if defined(__x86_64__) || defined(__i386__)
  const unsigned csr = _mm_getcsr();
  constexpr unsigned kFlushToZero = 1u << 15;
  constexpr unsigned kDenormalsAreZero = 1u << 6;
  if (csr & (kFlushToZero | kDenormalsAreZero)) {
    throw InputError(
        "the floating-point environment flushes denormals (FTZ/DAZ set in MXCSR); the exact "
        "numerics contract needs IEEE denormals: do not build with -ffast-math");
  }
#endif
  if (std::fegetround() != FE_TONEAREST) {
    throw InputError(
        "the floating-point rounding mode is not round-to-nearest-even: the exact numerics "
        "contract rounds every operation to nearest");
  }
  // Independent of the platform: a denormal must survive arithmetic.
  volatile float tiny = std::numeric_limits<float>::denorm_min();
  volatile float twice = tiny * 2.0f;
  if (twice == 0.0f)
    throw InputError(
        "denormal arithmetic flushes to zero: the exact numerics contract needs IEEE denormals");
}

Model::Model(const sim::ModelConfig& config, std::shared_ptr<WeightStore> store)
    : config_(config), store_(std::move(store)) {
  numerics::validate_model(config_);
}

// A loaded model's first config_.n_layers layers (all of them, or a derived draft's).
void Model::ensure_loaded_weights() {
  const auto w = store_->loaded(config_);
  require_file_shapes(config_, w->config);
  embedding_ = w->embedding;
  lm_head_ = w->head;
  for (int l = 0; l < config_.n_layers; ++l) {
    const LoadedWeights::Layer& s = w->layers[static_cast<std::size_t>(l)];
    layers_.push_back(
        {.wq = s.wq,
         .wk = s.wk,
         .wv = s.wv,
         .wo = s.wo,
         .wg = s.wg,
         .wu = s.wu,
         .wd = s.wd,
         .k_scale = s.k_scale,
         .v_scale = s.v_scale,
         .score_scale = numerics::attention_score_scale(config_.head_dim, s.k_scale)});
  }
}

void Model::ensure_weights() {
  if (embedding_) return;
  if (config_.loaded()) {
    ensure_loaded_weights();
    return;
  }
  const GeneratedTensors t = store_->generated(config_);
  embedding_ = t.embedding;
  lm_head_ = t.head;
  for (const GeneratedTensors::Layer& g : t.layers) {
    layers_.push_back({.wq = g.wq,
                       .wk = g.wk,
                       .wv = g.wv,
                       .wo = g.wo,
                       .wg = g.wg,
                       .wu = g.wu,
                       .wd = g.wd,
                       .k_scale = kKvScale,
                       .v_scale = kKvScale,
                       .score_scale = numerics::attention_score_scale(config_.head_dim)});
  }
}

void Model::ensure_rope(int positions) {
  if (positions <= rope_positions_) return;
  numerics::build_rope_rows(config_.head_dim, rope_positions_, positions, rope_cos_, rope_sin_,
                            config_.rope_base);
  rope_positions_ = positions;
}

KvRow Model::make_row(int capacity) const {
  KvRow row;
  const auto bytes = static_cast<std::size_t>(capacity) * static_cast<std::size_t>(kv_width());
  row.k.assign(static_cast<std::size_t>(config_.n_layers), std::vector<std::int8_t>(bytes, 0));
  row.vt.assign(static_cast<std::size_t>(config_.n_layers), std::vector<std::int8_t>(bytes, 0));
  return row;
}

// RMSNorm'd q, k, v; RoPE; K/V into this layer's cache for every token of the pass; then
// attention and the residual add of wo.
void Model::attention_block(int l, const PassPlan& plan, std::vector<KvRow>& cache, int capacity,
                            Activations& h) const {
  const Layer& layer = layers_[static_cast<std::size_t>(l)];
  const QuantizedRows xq = quantize_input(h, /*rms=*/true);
  Activations q = project(xq, *layer.wq);  // [N, H*D]
  Activations k = project(xq, *layer.wk);  // [N, G*D]
  const Activations v = project(xq, *layer.wv);
  const AttentionShape shape{
      .heads = config_.n_heads, .kv_heads = config_.n_kv_heads, .head_dim = config_.head_dim};
  ops::rope(q, shape.heads, shape.head_dim, plan.positions, rope_cos_, rope_sin_);
  ops::rope(k, shape.kv_heads, shape.head_dim, plan.positions, rope_cos_, rope_sin_);
  ops::kv_write(k, v, plan, cache, l, capacity, layer.k_scale, layer.v_scale);
  const Activations attn = ops::attention(
      q, shape, plan, cache, l, capacity, layer.score_scale, layer.v_scale,
      config_.loaded() ? numerics::AttentionSteps::wide : numerics::AttentionSteps::int8);
  add_projection(attn, *layer.wo, h);
  ops::check_finite(h, "the attention block", l);
}

// The SwiGLU MLP and the residual add of wd.
void Model::mlp_block(int l, Activations& h) const {
  const Layer& layer = layers_[static_cast<std::size_t>(l)];
  const QuantizedRows xm = quantize_input(h, /*rms=*/true);
  const Activations act = ops::swiglu(project(xm, *layer.wg), project(xm, *layer.wu));
  add_projection(act, *layer.wd, h);
  ops::check_finite(h, "the MLP block", l);
}

PassResult summarize_logits(const Activations& logits, bool keep_logits) {
  const auto n = static_cast<std::size_t>(logits.rows());
  const auto vocab = static_cast<int>(logits.cols());
  PassResult out;
  out.argmax.resize(n);
  out.digest.resize(n);
  out.top2.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const float* row = logits.data() + i * static_cast<std::size_t>(vocab);
    out.argmax[i] = numerics::argmax_lowest(row, vocab);
    out.digest[i] = numerics::digest_logits(row, vocab);
    out.top2[i] = numerics::top2_of_row(row, vocab, out.argmax[i]);
  }
  if (keep_logits) out.logits.assign(logits.data(), logits.data() + logits.size());
  return out;
}

PassResult Model::forward(const PassPlan& plan, std::vector<KvRow>& cache, int capacity,
                          bool keep_logits) {
  numerics::check_pass_plan(plan, config_.vocab, cache.size(), capacity);
  ensure_weights();
  ensure_rope(numerics::rope_rows_needed(plan));
  Activations h = ops::embedding(*embedding_, plan.tokens);  // [N, d] residual stream
  for (int l = 0; l < config_.n_layers; ++l) {
    attention_block(l, plan, cache, capacity, h);
    mlp_block(l, h);
  }
  const Activations logits = project(quantize_input(h, /*rms=*/true), *lm_head_);  // [N, V]
  ops::check_finite(logits, "the logits", config_.n_layers);
  return summarize_logits(logits, keep_logits);
}

}  // namespace lockstep::reference
