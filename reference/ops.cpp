#include "reference/ops.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "numerics/attention_steps.h"
#include "numerics/numerics.h"
#include "reference/gemm_kernels.h"
#include "reference/parallel.h"
#include "sim/error.h"

namespace lockstep::reference::ops {
namespace {

std::size_t index(std::int32_t value) {
  return static_cast<std::size_t>(value);
}

// One (token, head) of attention: q8 . k8 scores over the visible slots, integer softmax
// weights, integer P.V, written to out_head [D].
struct HeadInputs {
  const float* q_head;      // [D]
  const std::int8_t* keys;  // K of the row and layer, [S, G*D]
  const std::int8_t* vt;    // V^T of the row and layer, [G*D, S]
  std::span<const std::int32_t> visible;
  int kv_offset;  // g * D
};

// Buffers reused across the heads of a pass (no allocation per head).
template <class Steps>
struct HeadScratch {
  std::vector<typename Steps::Query> q;
  std::vector<float> scores;
  std::vector<std::int32_t> weights;
};

// `Steps` (numerics/attention_steps.h): the int8 steps of §5.3 or the loaded path's wide ones.
template <class Steps>
void attend_one_head(const HeadInputs& in, int head_dim, int kv_width, std::size_t capacity,
                     float score_scale, float kv_scale, HeadScratch<Steps>& scratch,
                     float* out_head) {
  using Sum = typename Steps::Sum;
  float amax = 0.0f;
  for (int j = 0; j < head_dim; ++j) amax = std::max(amax, std::fabs(in.q_head[j]));
  const float q_scale = Steps::query_scale(amax);
  auto& q = scratch.q;
  q.resize(static_cast<std::size_t>(head_dim));
  for (int j = 0; j < head_dim; ++j)
    q[static_cast<std::size_t>(j)] = Steps::quantize_query(in.q_head[j], q_scale);
  const std::size_t count = in.visible.size();
  auto& scores = scratch.scores;
  scores.resize(count);
  float max_score = -std::numeric_limits<float>::infinity();
  for (std::size_t s = 0; s < count; ++s) {
    const std::int8_t* key =
        in.keys + index(in.visible[s]) * static_cast<std::size_t>(kv_width) + index(in.kv_offset);
    std::int32_t acc = 0;
    for (int j = 0; j < head_dim; ++j)
      acc += static_cast<std::int32_t>(q[static_cast<std::size_t>(j)]) * key[j];
    scores[s] = numerics::dequantize(acc, q_scale, score_scale);
    max_score = std::max(max_score, scores[s]);
  }
  auto& weights = scratch.weights;
  weights.resize(count);
  Sum normalizer = 0;
  for (std::size_t s = 0; s < count; ++s) {
    weights[s] = Steps::weight(scores[s], max_score);
    normalizer += weights[s];
  }
  // Visible slots are usually one run of consecutive slots (causal attention over a row):
  // then V^T is read contiguously, which vectorizes. Either way the sum is the same integer.
  bool consecutive = count > 0;
  for (std::size_t s = 1; s < count && consecutive; ++s)
    consecutive = in.visible[s] == in.visible[s - 1] + 1;
  for (int j = 0; j < head_dim; ++j) {
    const std::int8_t* values = in.vt + index(in.kv_offset + j) * capacity;
    Sum acc = 0;
    if (consecutive) {
      const std::int8_t* run = values + index(in.visible[0]);
      for (std::size_t s = 0; s < count; ++s) acc += weights[s] * run[s];
    } else {
      for (std::size_t s = 0; s < count; ++s) acc += weights[s] * values[in.visible[s]];
    }
    out_head[j] = Steps::output(acc, normalizer, kv_scale);
  }
}

void require_row_and_slot(std::int32_t row, std::int32_t slot, std::size_t rows, int capacity,
                          const char* op) {
  require(row >= 0 && index(row) < rows && slot >= 0 && slot < capacity, [&] {
    return std::string(op) + ": cache row " + std::to_string(row) + " or slot " +
           std::to_string(slot) + " out of range";
  });
}

std::span<const std::int32_t> visible_of(const numerics::PassPlan& plan, std::size_t i) {
  return {plan.visible.data() + plan.visible_offsets[i],
          index(plan.visible_offsets[i + 1] - plan.visible_offsets[i])};
}

void check_attention_token(const numerics::PassPlan& plan, const std::vector<KvRow>& cache,
                           int layer, int capacity, int kvw, std::size_t i) {
  require(plan.visible_offsets[i] >= 0 && plan.visible_offsets[i] <= plan.visible_offsets[i + 1] &&
              index(plan.visible_offsets[i + 1]) <= plan.visible.size(),
          "attention: visible offsets out of order");
  for (std::int32_t s : visible_of(plan, i))
    require_row_and_slot(plan.rows[i], s, cache.size(), capacity, "attention");
  const KvRow& row = cache[index(plan.rows[i])];
  require(row.k.at(static_cast<std::size_t>(layer)).size() ==
                  static_cast<std::size_t>(capacity) * static_cast<std::size_t>(kvw) &&
              row.vt.at(static_cast<std::size_t>(layer)).size() ==
                  row.k[static_cast<std::size_t>(layer)].size(),
          "attention: cache row shape");
}

struct AttentionScales {
  float score;
  float kv;
};

// Every head of token i (checked by check_attention_token) into row i of out.
template <class Steps>
void attend_one_token(const Activations& q, const AttentionShape& shape,
                      const numerics::PassPlan& plan, const KvRow& row, int layer, int capacity,
                      AttentionScales scales, std::size_t i, HeadScratch<Steps>& scratch,
                      Activations& out) {
  const int group = shape.heads / shape.kv_heads;
  const int kvw = shape.kv_heads * shape.head_dim;
  for (int hd = 0; hd < shape.heads; ++hd) {
    const auto column = static_cast<Eigen::Index>(hd) * shape.head_dim;
    const HeadInputs in{.q_head = q.data() + static_cast<Eigen::Index>(i) * q.cols() + column,
                        .keys = row.k[static_cast<std::size_t>(layer)].data(),
                        .vt = row.vt[static_cast<std::size_t>(layer)].data(),
                        .visible = visible_of(plan, i),
                        .kv_offset = hd / group * shape.head_dim};
    attend_one_head(in, shape.head_dim, kvw, static_cast<std::size_t>(capacity), scales.score,
                    scales.kv, scratch,
                    out.data() + static_cast<Eigen::Index>(i) * out.cols() + column);
  }
}

}  // namespace

Activations embedding(const QuantMatrix& table, std::span<const std::int32_t> tokens) {
  const auto n = static_cast<Eigen::Index>(tokens.size());
  Activations h(n, table.cols());
  for (Eigen::Index i = 0; i < n; ++i) {
    const std::int32_t t = tokens[static_cast<std::size_t>(i)];
    require(t >= 0 && t < table.rows(), "embedding: token outside the table");
    const float scale = table.scales[index(t)];
    for (Eigen::Index j = 0; j < h.cols(); ++j)
      h(i, j) = static_cast<float>(table.values(t, j)) * scale;
  }
  return h;
}

QuantizedRows quantize_rows(const Activations& x, bool rms) {
  QuantizedRows q;
  q.values.resize(x.rows(), x.cols());
  q.factor.resize(static_cast<std::size_t>(x.rows()));
  for_each_row(x.rows(), x.cols(), [&](Eigen::Index i) {
    float amax = 0.0f;
    for (Eigen::Index j = 0; j < x.cols(); ++j) amax = std::max(amax, std::fabs(x(i, j)));
    const float scale = numerics::activation_scale(amax);
    std::int64_t sum_sq = 0;
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      const std::int8_t v = numerics::quantize(x(i, j), scale);
      q.values(i, j) = v;
      sum_sq += static_cast<std::int64_t>(v) * v;
    }
    q.factor[static_cast<std::size_t>(i)] =
        rms ? numerics::rms_factor(sum_sq, static_cast<int>(x.cols())) : scale;
  });
  return q;
}

Eigen::MatrixXd gemm(const QuantizedRows& x, const QuantMatrix& w) {
  require(x.values.cols() == w.cols(), "gemm: input width does not match the weight");
  require(x.values.cols() <= numerics::kMaxExactK, "gemm: K exceeds the exact int32 bound");
  return exact_gemm(x.values, w);
}

void dequantize(const Eigen::MatrixXd& acc, const std::vector<float>& w_scale,
                const std::vector<float>& factor, Activations& y, bool accumulate) {
  require(w_scale.size() == static_cast<std::size_t>(acc.cols()) &&
              factor.size() == static_cast<std::size_t>(acc.rows()),
          "dequantize: scales do not match the accumulators");
  if (accumulate) {
    require(y.rows() == acc.rows() && y.cols() == acc.cols(),
            "dequantize: the accumulated output does not match the accumulators");
  } else {
    y.resize(acc.rows(), acc.cols());
  }
  for_each_row(acc.rows(), acc.cols(), [&](Eigen::Index i) {
    for (Eigen::Index o = 0; o < acc.cols(); ++o) {
      const float value = numerics::dequantize(static_cast<std::int32_t>(acc(i, o)),
                                               w_scale[static_cast<std::size_t>(o)],
                                               factor[static_cast<std::size_t>(i)]);
      y(i, o) = accumulate ? y(i, o) + value : value;
    }
  });
}

void rope(Activations& x, int heads, int head_dim, std::span<const std::int32_t> positions,
          const std::vector<float>& cos, const std::vector<float>& sin) {
  const int half = head_dim / 2;
  require(head_dim % 2 == 0 && x.cols() == static_cast<Eigen::Index>(heads) * head_dim &&
              positions.size() == static_cast<std::size_t>(x.rows()) && cos.size() == sin.size(),
          "rope: shapes disagree");
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const std::int32_t position = positions[static_cast<std::size_t>(i)];
    const std::size_t base = index(position) * static_cast<std::size_t>(half);
    require(position >= 0 && base + static_cast<std::size_t>(half) <= cos.size(),
            "rope: position outside the table");
    for (int hd = 0; hd < heads; ++hd) {
      for (int j = 0; j < half; ++j) {
        numerics::rope_rotate(x(i, hd * head_dim + 2 * j), x(i, hd * head_dim + 2 * j + 1),
                              cos[base + static_cast<std::size_t>(j)],
                              sin[base + static_cast<std::size_t>(j)]);
      }
    }
  }
}

void kv_write(const Activations& k, const Activations& v, const numerics::PassPlan& plan,
              std::vector<KvRow>& cache, int layer, int capacity, float k_scale, float v_scale) {
  const auto n = static_cast<std::size_t>(k.rows());
  require(v.rows() == k.rows() && v.cols() == k.cols() && plan.rows.size() == n &&
              plan.write_slots.size() == n,
          "kv_write: shapes disagree");
  const auto kvw = static_cast<std::size_t>(k.cols());
  const auto cap = static_cast<std::size_t>(capacity);
  for (std::size_t i = 0; i < n; ++i) {
    require_row_and_slot(plan.rows[i], plan.write_slots[i], cache.size(), capacity, "kv_write");
    KvRow& row = cache[index(plan.rows[i])];
    auto& kc = row.k[static_cast<std::size_t>(layer)];
    auto& vt = row.vt[static_cast<std::size_t>(layer)];
    require(kc.size() == cap * kvw && vt.size() == cap * kvw, "kv_write: cache row shape");
    const std::size_t slot = index(plan.write_slots[i]);
    const auto ti = static_cast<Eigen::Index>(i);
    for (std::size_t c = 0; c < kvw; ++c) {
      const auto ci = static_cast<Eigen::Index>(c);
      kc[slot * kvw + c] = numerics::quantize(k(ti, ci), k_scale);
      vt[c * cap + slot] = numerics::quantize(v(ti, ci), v_scale);
    }
  }
}

Activations attention(const Activations& q, const AttentionShape& shape,
                      const numerics::PassPlan& plan, const std::vector<KvRow>& cache, int layer,
                      int capacity, float score_scale, float kv_scale,
                      numerics::AttentionSteps steps) {
  const auto n = static_cast<std::size_t>(q.rows());
  require(shape.kv_heads > 0 && shape.heads % shape.kv_heads == 0 &&
              q.cols() == static_cast<Eigen::Index>(shape.heads) * shape.head_dim &&
              plan.rows.size() == n && plan.visible_offsets.size() == n + 1,
          "attention: shapes disagree");
  require(steps != numerics::AttentionSteps::wide || shape.head_dim <= numerics::kWideMaxHeadDim,
          [&] {
            return "attention: head_dim " + std::to_string(shape.head_dim) +
                   " exceeds the wide steps' bound " + std::to_string(numerics::kWideMaxHeadDim);
          });
  const int kvw = shape.kv_heads * shape.head_dim;
  // Checked serially first, so the first bad token is the one reported whatever the threads.
  for (std::size_t i = 0; i < n; ++i) check_attention_token(plan, cache, layer, capacity, kvw, i);
  Activations out(q.rows(), q.cols());
  // Tokens are independent (each writes its own output row): any split gives the same bytes.
  const auto run = [&](auto steps_policy) {  // C++17 for nvcc: no template lambda
    using Steps = decltype(steps_policy);
    parallel_for(n, 1, [&](std::size_t begin, std::size_t end) {
      HeadScratch<Steps> scratch;
      for (std::size_t i = begin; i < end; ++i)
        attend_one_token(q, shape, plan, cache[index(plan.rows[i])], layer, capacity,
                         {score_scale, kv_scale}, i, scratch, out);
    });
  };
  if (steps == numerics::AttentionSteps::wide)
    run(numerics::WideAttention{});
  else
    run(numerics::Int8Attention{});
  return out;
}

Activations swiglu(const Activations& gate, const Activations& up) {
  require(gate.rows() == up.rows() && gate.cols() == up.cols(), "swiglu: shapes disagree");
  Activations act(gate.rows(), gate.cols());
  for_each_row(gate.rows(), gate.cols(), [&](Eigen::Index i) {
    for (Eigen::Index j = 0; j < gate.cols(); ++j)
      act(i, j) = numerics::silu(gate(i, j)) * up(i, j);
  });
  return act;
}

void check_finite(const Activations& x, const char* where, int layer) {
  if (!x.allFinite()) {
    throw InputError(std::string("non-finite value (NaN or Inf) in ") + where + " of layer " +
                     std::to_string(layer) +
                     ": the exact numerics contract treats it as an error, not a value");
  }
}

}  // namespace lockstep::reference::ops
