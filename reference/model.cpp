#include "reference/model.h"

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <limits>
#include <string>

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#include "reference/host_math.h"
#include "reference/numerics.h"
#include "sim/error.h"
#include "sim/hash.h"

namespace lockstep::reference {
namespace {

// Quantizes each row of `x` [N, K] to int8 (as doubles) with its per-row activation scale.
// With `rms` set, the returned factor is the RMSNorm factor 1/rms(q) instead of the scale
// (RMSNorm commutes with per-token quantization: the int8 values are the same).
Eigen::MatrixXd quantize_rows(const Eigen::MatrixXf& x, std::vector<float>& factor, bool rms) {
  const auto n = x.rows();
  const auto k = x.cols();
  Eigen::MatrixXd q(n, k);
  factor.resize(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) {
    float amax = 0.0f;
    for (Eigen::Index j = 0; j < k; ++j) amax = std::max(amax, std::fabs(x(i, j)));
    const float scale = numerics::activation_scale(amax);
    std::int64_t sum_sq = 0;
    for (Eigen::Index j = 0; j < k; ++j) {
      const std::int8_t v = numerics::quantize(x(i, j), scale);
      q(i, j) = v;
      sum_sq += static_cast<std::int64_t>(v) * v;
    }
    factor[static_cast<std::size_t>(i)] =
        rms ? numerics::rms_factor(sum_sq, static_cast<int>(k)) : scale;
  }
  return q;
}

// Y[N, out] = dequantize(Xq * W^T): the product of small integers in double is exact in any
// summation order, so Eigen's blocking and vectorization cannot change a bit.
Eigen::MatrixXf project(const Eigen::MatrixXd& xq, const std::vector<float>& factor,
                        const QuantMatrix& w) {
  require(xq.cols() == w.cols(), "project: input width does not match the weight");
  const Eigen::MatrixXd acc = xq * w.values.transpose();
  Eigen::MatrixXf y(acc.rows(), acc.cols());
  for (Eigen::Index i = 0; i < acc.rows(); ++i) {
    for (Eigen::Index o = 0; o < acc.cols(); ++o) {
      y(i, o) = numerics::dequantize(static_cast<std::int32_t>(acc(i, o)),
                                     w.scales[static_cast<std::size_t>(o)],
                                     factor[static_cast<std::size_t>(i)]);
    }
  }
  return y;
}

void check_finite(const Eigen::MatrixXf& x, const char* where, int layer) {
  if (!x.allFinite()) {
    throw InputError(std::string("non-finite value (NaN or Inf) in ") + where + " of layer " +
                     std::to_string(layer) +
                     ": the exact numerics contract treats it as an error, not a value");
  }
}

}  // namespace

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
  sim::validate(config_, config_.name);
  require(config_.head_dim % 2 == 0, "Model: head_dim must be even for RoPE");
  for (int k : {config_.d_model, config_.ffn, config_.n_heads * config_.head_dim}) {
    if (k > numerics::kMaxExactK) {
      throw InputError("model " + config_.name + ": a reduction over K = " + std::to_string(k) +
                       " exceeds the exact int32 bound " + std::to_string(numerics::kMaxExactK));
    }
  }
  score_scale_ = attention_score_scale(config_.head_dim);
}

void Model::ensure_weights() {
  if (embedding_) return;
  const auto seed = config_.seed;
  const int d = config_.d_model;
  const int q_width = config_.n_heads * config_.head_dim;
  const int kv = kv_width();
  embedding_ =
      store_->get(seed, tensor_id(TensorKind::embedding, -1), config_.vocab, d, kGainEmbedding);
  lm_head_ = store_->get(seed, tensor_id(TensorKind::lm_head, -1), config_.vocab, d, kGainHead);
  for (int l = 0; l < config_.n_layers; ++l) {
    Layer layer;
    layer.wq = store_->get(seed, tensor_id(TensorKind::wq, l), q_width, d, kGainProjection);
    layer.wk = store_->get(seed, tensor_id(TensorKind::wk, l), kv, d, kGainProjection);
    layer.wv = store_->get(seed, tensor_id(TensorKind::wv, l), kv, d, kGainProjection);
    const double residual_gain = residual_gain_of_layer(l);
    layer.wo = store_->get(seed, tensor_id(TensorKind::wo, l), d, q_width, residual_gain);
    layer.wg = store_->get(seed, tensor_id(TensorKind::wg, l), config_.ffn, d, kGainProjection);
    layer.wu = store_->get(seed, tensor_id(TensorKind::wu, l), config_.ffn, d, kGainProjection);
    layer.wd = store_->get(seed, tensor_id(TensorKind::wd, l), d, config_.ffn, residual_gain);
    layers_.push_back(std::move(layer));
  }
}

void Model::ensure_rope(int positions) {
  if (positions <= rope_positions_) return;
  build_rope_rows(config_.head_dim, rope_positions_, positions, rope_cos_, rope_sin_);
  rope_positions_ = positions;
}

KvRow Model::make_row(int capacity) const {
  KvRow row;
  const auto bytes = static_cast<std::size_t>(capacity) * static_cast<std::size_t>(kv_width());
  row.k.assign(static_cast<std::size_t>(config_.n_layers), std::vector<std::int8_t>(bytes, 0));
  row.vt.assign(static_cast<std::size_t>(config_.n_layers), std::vector<std::int8_t>(bytes, 0));
  return row;
}

PassResult Model::forward(const PassPlan& plan, std::vector<KvRow>& cache, int capacity,
                          bool keep_logits) {
  const int n = static_cast<int>(plan.tokens.size());
  require(plan.positions.size() == plan.tokens.size() && plan.rows.size() == plan.tokens.size() &&
              plan.write_slots.size() == plan.tokens.size() &&
              plan.visible_offsets.size() == plan.tokens.size() + 1,
          "Model::forward: plan arrays disagree in length");
  ensure_weights();
  int max_position = 0;
  for (int i = 0; i < n; ++i) {
    const auto ui = static_cast<std::size_t>(i);
    require(plan.tokens[ui] >= 0 && plan.tokens[ui] < config_.vocab, [&] {
      return "Model::forward: token " + std::to_string(plan.tokens[ui]) + " outside vocab " +
             std::to_string(config_.vocab);
    });
    require(plan.positions[ui] >= 0, "Model::forward: negative position id");
    require(plan.rows[ui] >= 0 && plan.rows[ui] < static_cast<int>(cache.size()),
            "Model::forward: cache row out of range");
    require(plan.write_slots[ui] >= 0 && plan.write_slots[ui] < capacity,
            "Model::forward: write slot out of range");
    max_position = std::max(max_position, plan.positions[ui] + 1);
  }
  for (int s : plan.visible)
    require(s >= 0 && s < capacity, "Model::forward: visible slot out of range");
  ensure_rope(max_position);

  const int d = config_.d_model;
  const int heads = config_.n_heads;
  const int dh = config_.head_dim;
  const int half = dh / 2;
  const int group = heads / config_.n_kv_heads;
  const int kvw = kv_width();
  const auto cap = static_cast<std::size_t>(capacity);

  // [N, d] residual stream from the int8 embedding rows.
  Eigen::MatrixXf h(n, d);
  for (int i = 0; i < n; ++i) {
    const auto t = static_cast<Eigen::Index>(plan.tokens[static_cast<std::size_t>(i)]);
    const float scale = embedding_->scales[static_cast<std::size_t>(t)];
    for (int j = 0; j < d; ++j) h(i, j) = static_cast<float>(embedding_->values(t, j)) * scale;
  }

  std::vector<float> factor;
  std::vector<float> scores;
  std::vector<std::int32_t> weights;
  for (int l = 0; l < config_.n_layers; ++l) {
    const Layer& layer = layers_[static_cast<std::size_t>(l)];
    const Eigen::MatrixXd xq = quantize_rows(h, factor, /*rms=*/true);
    Eigen::MatrixXf q = project(xq, factor, *layer.wq);  // [N, H*D]
    Eigen::MatrixXf k = project(xq, factor, *layer.wk);  // [N, G*D]
    const Eigen::MatrixXf v = project(xq, factor, *layer.wv);
    // RoPE on q and k, then K/V into the cache of this layer for every token of the pass.
    for (int i = 0; i < n; ++i) {
      const auto base = static_cast<std::size_t>(plan.positions[static_cast<std::size_t>(i)]) *
                        static_cast<std::size_t>(half);
      for (int hd = 0; hd < heads; ++hd) {
        for (int j = 0; j < half; ++j) {
          numerics::rope_rotate(q(i, hd * dh + 2 * j), q(i, hd * dh + 2 * j + 1),
                                rope_cos_[base + static_cast<std::size_t>(j)],
                                rope_sin_[base + static_cast<std::size_t>(j)]);
        }
      }
      for (int g = 0; g < config_.n_kv_heads; ++g) {
        for (int j = 0; j < half; ++j) {
          numerics::rope_rotate(k(i, g * dh + 2 * j), k(i, g * dh + 2 * j + 1),
                                rope_cos_[base + static_cast<std::size_t>(j)],
                                rope_sin_[base + static_cast<std::size_t>(j)]);
        }
      }
      KvRow& row = cache[static_cast<std::size_t>(plan.rows[static_cast<std::size_t>(i)])];
      const auto slot = static_cast<std::size_t>(plan.write_slots[static_cast<std::size_t>(i)]);
      auto& kc = row.k[static_cast<std::size_t>(l)];
      auto& vt = row.vt[static_cast<std::size_t>(l)];
      for (int c = 0; c < kvw; ++c) {
        kc[slot * static_cast<std::size_t>(kvw) + static_cast<std::size_t>(c)] =
            numerics::quantize(k(i, c), kKvScale);
        vt[static_cast<std::size_t>(c) * cap + slot] = numerics::quantize(v(i, c), kKvScale);
      }
    }
    // Attention: integer scores, max, integer softmax weights, integer P.V.
    Eigen::MatrixXf attn(n, heads * dh);
    std::vector<std::int8_t> q8(static_cast<std::size_t>(dh));
    for (int i = 0; i < n; ++i) {
      const KvRow& row = cache[static_cast<std::size_t>(plan.rows[static_cast<std::size_t>(i)])];
      const auto& kc = row.k[static_cast<std::size_t>(l)];
      const auto& vt = row.vt[static_cast<std::size_t>(l)];
      const auto first =
          static_cast<std::size_t>(plan.visible_offsets[static_cast<std::size_t>(i)]);
      const auto last =
          static_cast<std::size_t>(plan.visible_offsets[static_cast<std::size_t>(i) + 1]);
      const std::size_t count = last - first;
      for (int hd = 0; hd < heads; ++hd) {
        const int g = hd / group;
        float amax = 0.0f;
        for (int j = 0; j < dh; ++j) amax = std::max(amax, std::fabs(q(i, hd * dh + j)));
        const float q_scale = numerics::activation_scale(amax);
        for (int j = 0; j < dh; ++j)
          q8[static_cast<std::size_t>(j)] = numerics::quantize(q(i, hd * dh + j), q_scale);
        scores.resize(count);
        float max_score = -std::numeric_limits<float>::infinity();
        for (std::size_t s = 0; s < count; ++s) {
          const auto slot = static_cast<std::size_t>(plan.visible[first + s]);
          const std::int8_t* key =
              kc.data() + slot * static_cast<std::size_t>(kvw) + static_cast<std::size_t>(g * dh);
          std::int32_t acc = 0;
          for (int j = 0; j < dh; ++j)
            acc += static_cast<std::int32_t>(q8[static_cast<std::size_t>(j)]) * key[j];
          scores[s] = numerics::dequantize(acc, q_scale, score_scale_);
          max_score = std::max(max_score, scores[s]);
        }
        weights.resize(count);
        std::int32_t normalizer = 0;
        for (std::size_t s = 0; s < count; ++s) {
          weights[s] = numerics::softmax_weight(scores[s], max_score);
          normalizer += weights[s];
        }
        for (int j = 0; j < dh; ++j) {
          const std::int8_t* values = vt.data() + static_cast<std::size_t>(g * dh + j) * cap;
          std::int32_t acc = 0;
          for (std::size_t s = 0; s < count; ++s)
            acc += weights[s] * values[plan.visible[first + s]];
          attn(i, hd * dh + j) = numerics::attention_output(acc, normalizer, kKvScale);
        }
      }
    }
    h += project(quantize_rows(attn, factor, /*rms=*/false), factor, *layer.wo);
    check_finite(h, "the attention block", l);
    // SwiGLU MLP.
    const Eigen::MatrixXd xm = quantize_rows(h, factor, /*rms=*/true);
    const Eigen::MatrixXf gate = project(xm, factor, *layer.wg);
    const Eigen::MatrixXf up = project(xm, factor, *layer.wu);
    Eigen::MatrixXf act(n, config_.ffn);
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < config_.ffn; ++j) act(i, j) = numerics::silu(gate(i, j)) * up(i, j);
    }
    h += project(quantize_rows(act, factor, /*rms=*/false), factor, *layer.wd);
    check_finite(h, "the MLP block", l);
  }
  const Eigen::MatrixXf logits =
      project(quantize_rows(h, factor, /*rms=*/true), factor, *lm_head_);  // [N, V]
  check_finite(logits, "the logits", config_.n_layers);

  PassResult out;
  out.argmax.resize(static_cast<std::size_t>(n));
  out.digest.resize(static_cast<std::size_t>(n));
  const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rows = logits;
  for (int i = 0; i < n; ++i) {
    const float* row =
        rows.data() + static_cast<std::size_t>(i) * static_cast<std::size_t>(config_.vocab);
    out.argmax[static_cast<std::size_t>(i)] = argmax_lowest(row, config_.vocab);
    out.digest[static_cast<std::size_t>(i)] = digest_logits(row, config_.vocab);
  }
  if (keep_logits) out.logits.assign(rows.data(), rows.data() + rows.size());
  return out;
}

}  // namespace lockstep::reference
