#include "gpu/float_forward.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <string>

#include "gpu/check.h"
#include "gpu/device_buffer.h"
#include "gpu/float_gemm.h"
#include "gpu/float_kernels.h"
#include "gpu/float_weights.h"
#include "gpu/host_policy.h"
#include "gpu/kernels.h"
#include "gpu/plan_upload.h"
#include "numerics/host_math.h"
#include "numerics/model_validation.h"
#include "sim/error.h"
#include "sim/hash.h"

namespace lockstep::gpu {
namespace {

std::size_t size_of(std::int64_t a, std::int64_t b = 1) {
  return static_cast<std::size_t>(a) * static_cast<std::size_t>(b);
}

struct FloatCacheOnDevice {
  std::shared_ptr<FloatModelOnDevice> model;
  int rows = 0, capacity = 0;
  DeviceBuffer<float> k, v;  // [rows, L, S, C] each
  std::size_t plane() const { return size_of(capacity, model->kv_width()); }
  // The offset of (row, layer, slot 0).
  std::size_t at(int row, int layer) const {
    return size_of(static_cast<std::int64_t>(row) * model->config.n_layers + layer) * plane();
  }
};

}  // namespace

struct FloatForward::Impl {
  cudaStream_t stream;
  FloatGemm gemm;
  FloatWeightStore weights;
  std::vector<FloatCacheOnDevice> caches;
  // Per-pass workspaces, grown on demand.
  std::vector<std::int32_t> plan_host, moves_host;
  DeviceBuffer<std::int32_t> plan_device, moves_device;
  DeviceBuffer<float> h, x, q, k, v, attn, delta, gate, up, act, logits, scratch, staging;
  DeviceBuffer<std::uint16_t> operand;  // a bf16 GEMM's input as CUDA_R_16BF bits
  DeviceBuffer<int> flag;
  const FloatModelOnDevice* m = nullptr;  // the model of the running pass
  int n = 0;                              // its token count

  explicit Impl(cudaStream_t s) : stream(s), weights(s) {}

  FloatCacheOnDevice& cache(int id) {
    require(id >= 0 && id < static_cast<int>(caches.size()), "unknown float cache id");
    return caches[static_cast<std::size_t>(id)];
  }

  void store(float* t, int width) {
    if (m->bf16) launch_float_round_bf16(t, static_cast<std::int64_t>(n) * width, stream);
  }
  // y [N, w.rows] = x . w^T, stored (rounded under bf16).
  void project(const float* in, const FloatMatrixOnDevice& w, float* y) {
    if (m->bf16) {
      launch_float_to_bf16(in, operand.get(), static_cast<std::int64_t>(n) * w.cols, stream);
      gemm.run_bf16(operand.get(), w.bf16.get(), y, n, w.rows, w.cols, stream);
      store(y, w.rows);
    } else {
      gemm.run_fp32(in, w.values.get(), y, n, w.rows, w.cols, stream);
    }
  }
  void norm(const float* in, const DeviceBuffer<float>& gain, float* out) {
    launch_float_rms_norm(in, n, m->config.d_model, gain.get(), m->eps, out, stream);
    store(out, m->config.d_model);
  }
  void residual(int code) {  // h += delta, stored, then the finiteness check of block `code`
    const int d = m->config.d_model;
    launch_float_add(h.get(), delta.get(), static_cast<std::int64_t>(n) * d, stream);
    store(h.get(), d);
    launch_check_finite(h.get(), static_cast<std::int64_t>(n) * d, code, flag.get(), stream);
  }

  void ensure_rope(FloatModelOnDevice& model, int positions);
  void reserve_workspaces(const sim::ModelConfig& cfg, int max_visible);
  void attention_block(FloatCacheOnDevice& c, int l, const PlanOnDevice& p);
  void mlp_block(int l);
  void throw_if_not_finite(int layers);
  void read_logits(const sim::PassSampling& sampling, sim::ForwardOutput& out, bool keep,
                   std::vector<float>& host);
};

FloatForward::FloatForward(cudaStream_t stream) : impl_(std::make_unique<Impl>(stream)) {}

FloatForward::~FloatForward() {
  if (impl_) cudaStreamSynchronize(impl_->stream);  // queued work may use the buffers
}

int FloatForward::create_cache(const sim::ModelConfig& model, int rows, int capacity) {
  require(rows > 0 && capacity > 0, "create_cache: rows and capacity must be positive");
  numerics::validate_kv_capacity(capacity);
  FloatCacheOnDevice c;
  c.model = impl_->weights.model(model);
  c.rows = rows;
  c.capacity = capacity;
  const std::size_t count = size_of(rows, c.model->config.n_layers) * c.plane();
  c.k.reserve(count);
  c.v.reserve(count);
  c.k.zero(impl_->stream);
  c.v.zero(impl_->stream);
  impl_->caches.push_back(std::move(c));
  return static_cast<int>(impl_->caches.size()) - 1;
}

const sim::ModelConfig& FloatForward::cache_model(int cache) const {
  return impl_->cache(cache).model->config;
}

// The float table of reference/float_model.cpp (numerics::build_float_rope_rows), grown
// geometrically and uploaded whole when it grows.
void FloatForward::Impl::ensure_rope(FloatModelOnDevice& model, int positions) {
  if (positions <= model.rope_positions) return;
  const int rows = rope_table_rows(model.rope_positions, positions);
  numerics::build_float_rope_rows(model.config.head_dim, model.rope_positions, rows, model.rope_cos,
                                  model.rope_sin, model.config.rope_base);
  model.rope_positions = rows;
  model.rope_cos_device.upload(model.rope_cos, stream);
  model.rope_sin_device.upload(model.rope_sin, stream);
}

void FloatForward::Impl::reserve_workspaces(const sim::ModelConfig& cfg, int max_visible) {
  const int qw = cfg.n_heads * cfg.head_dim;
  const int kvw = cfg.n_kv_heads * cfg.head_dim;
  for (auto* b : {&h, &x, &delta}) b->reserve(size_of(n, cfg.d_model));
  for (auto* b : {&q, &attn}) b->reserve(size_of(n, qw));
  for (auto* b : {&k, &v}) b->reserve(size_of(n, kvw));
  for (auto* b : {&gate, &up, &act}) b->reserve(size_of(n, cfg.ffn));
  logits.reserve(size_of(n, cfg.vocab));
  scratch.reserve(size_of(n, cfg.n_heads) * static_cast<std::size_t>(max_visible));
  operand.reserve(size_of(n, std::max({cfg.d_model, qw, cfg.ffn})));
  flag.reserve(1);
}

// FloatModel::attention_block: norm; q, k, v; RoPE; K/V write; attention; h += wo projection.
void FloatForward::Impl::attention_block(FloatCacheOnDevice& c, int l, const PlanOnDevice& p) {
  const sim::ModelConfig& cfg = m->config;
  const FloatModelOnDevice::Layer& w = m->layers[static_cast<std::size_t>(l)];
  const int dh = cfg.head_dim;
  norm(h.get(), *w.attn_norm, x.get());
  project(x.get(), *w.wq, q.get());
  project(x.get(), *w.wk, k.get());
  project(x.get(), *w.wv, v.get());
  const float* cos = m->rope_cos_device.get();
  const float* sin = m->rope_sin_device.get();
  launch_float_rope(q.get(), n, cfg.n_heads, dh, p.positions, cos, sin, stream);
  launch_float_rope(k.get(), n, cfg.n_kv_heads, dh, p.positions, cos, sin, stream);
  store(q.get(), cfg.n_heads * dh);
  store(k.get(), m->kv_width());  // the cache holds what is stored
  launch_float_kv_write(k.get(), v.get(), n, m->kv_width(), p.rows, p.write_slots, c.k.get(),
                        c.v.get(), l, cfg.n_layers, c.capacity, stream);
  const float scale = 1.0f / std::sqrt(static_cast<float>(dh));
  launch_float_attention(q.get(), n, cfg.n_heads, cfg.n_kv_heads, dh, p.rows, p.offsets, p.visible,
                         c.k.get(), c.v.get(), l, cfg.n_layers, c.capacity, scale, scratch.get(),
                         p.max_visible, attn.get(), stream);
  store(attn.get(), cfg.n_heads * dh);
  project(attn.get(), *w.wo, delta.get());
  residual(2 * l);
}

// FloatModel::mlp_block: norm; SwiGLU of the gate and up projections; h += wd projection.
void FloatForward::Impl::mlp_block(int l) {
  const FloatModelOnDevice::Layer& w = m->layers[static_cast<std::size_t>(l)];
  norm(h.get(), *w.ffn_norm, x.get());
  project(x.get(), *w.wg, gate.get());
  project(x.get(), *w.wu, up.get());
  launch_float_swiglu(gate.get(), up.get(), act.get(), static_cast<std::int64_t>(n) * m->config.ffn,
                      stream);
  store(act.get(), m->config.ffn);
  project(act.get(), *w.wd, delta.get());
  residual(2 * l + 1);
}

// The earliest failing check (code = layer * 2 + block, 2 * layers for the logits), with the
// cpu float profile's message.
void FloatForward::Impl::throw_if_not_finite(int layers) {
  std::vector<int> host;
  flag.download(host, 1, stream);
  if (host[0] == INT_MAX) return;
  const int code = host[0];
  const char* where =
      code == 2 * layers ? "the logits" : (code % 2 == 0 ? "the attention block" : "the MLP block");
  throw InputError(std::string("non-finite value (NaN or Inf) in ") + where + " of layer " +
                   std::to_string(code == 2 * layers ? layers : code / 2) +
                   ": the float profile treats it as an error, not a value");
}

// Logits copied back once; argmax, digest and top two by the host functions the cpu backend
// uses (numerics/host_math.h), then the sampled draws.
void FloatForward::Impl::read_logits(const sim::PassSampling& sampling, sim::ForwardOutput& out,
                                     bool keep, std::vector<float>& host) {
  const int vocab = m->config.vocab;
  logits.download(host, size_of(n, vocab), stream);
  for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
    const float* row = host.data() + i * static_cast<std::size_t>(vocab);
    out.argmax[i] = numerics::argmax_lowest(row, vocab);
    out.digest[i] = numerics::digest_logits(row, vocab);
    out.top2[i] = numerics::top2_of_row(row, vocab, out.argmax[i]);
  }
  sim::choose_sampled_tokens(sampling, host.data(), vocab, out);
  if (!keep) host.clear();
}

void FloatForward::forward(int cache, const TokenPlan& plan, const sim::PassSampling& sampling,
                           sim::ForwardOutput& out, bool keep, std::vector<float>& logits) {
  Impl& s = *impl_;
  FloatCacheOnDevice& c = s.cache(cache);
  const sim::ModelConfig& cfg = c.model->config;
  numerics::check_pass_plan(plan, cfg.vocab, static_cast<std::size_t>(c.rows), c.capacity);
  const auto un = static_cast<std::size_t>(plan.size());
  out.argmax.assign(un, 0);
  out.digest.assign(un, 0);
  out.top2.assign(un, sim::LogitTop2{});
  logits.clear();
  if (un == 0) return;
  s.m = c.model.get();
  s.n = plan.size();
  s.ensure_rope(*c.model, numerics::rope_rows_needed(plan));
  const PlanOnDevice p = upload_plan(plan, s.plan_host, s.plan_device, s.stream);
  s.reserve_workspaces(cfg, p.max_visible);
  const int no_error = INT_MAX;
  LOCKSTEP_CUDA_CHECK(
      cudaMemcpyAsync(s.flag.get(), &no_error, sizeof no_error, cudaMemcpyHostToDevice, s.stream));
  launch_float_embed(c.model->embedding->values.get(), p.tokens, s.n, cfg.d_model, s.h.get(),
                     s.stream);
  for (int l = 0; l < cfg.n_layers; ++l) {
    s.attention_block(c, l, p);
    s.mlp_block(l);
  }
  s.norm(s.h.get(), *c.model->out_norm, s.x.get());
  s.project(s.x.get(), *c.model->head, s.logits.get());
  launch_check_finite(s.logits.get(), static_cast<std::int64_t>(s.n) * cfg.vocab, 2 * cfg.n_layers,
                      s.flag.get(), s.stream);
  s.throw_if_not_finite(cfg.n_layers);
  s.read_logits(sampling, out, keep, logits);
}

void FloatForward::apply_moves(int src_id, int dst_id, const sim::MovePlan& plan) {
  Impl& s = *impl_;
  FloatCacheOnDevice& src = s.cache(src_id);
  FloatCacheOnDevice& dst = s.cache(dst_id);
  require(src.model == dst.model,
          "apply_moves: source and destination caches belong to different models");
  require(src.capacity == dst.capacity,
          "apply_moves: source and destination caches differ in capacity");
  plan.check_shapes(src.rows, dst.rows, src.capacity);
  const std::int64_t total = pack_moves(plan, s.moves_host);
  if (total == 0) return;
  const int layers = src.model->config.n_layers;
  const int kvw = src.model->kv_width();
  const auto count = static_cast<int>(plan.moves.size());
  s.moves_device.upload(s.moves_host, s.stream);
  const std::int32_t* moves = s.moves_device.get();
  const std::int32_t* prefix = moves + 5 * count;
  s.staging.reserve(2 * size_of(total, layers) * static_cast<std::size_t>(kvw));
  launch_float_stage_moves(moves, prefix, count, total, src.k.get(), src.v.get(), layers,
                           src.capacity, kvw, s.staging.get(), s.stream);
  launch_float_write_moves(moves, prefix, count, total, s.staging.get(), dst.k.get(), dst.v.get(),
                           layers, dst.capacity, kvw, s.stream);
}

void FloatForward::crop(int cache, int row, int from_slot) {
  FloatCacheOnDevice& c = impl_->cache(cache);
  require(row >= 0 && row < c.rows, "crop: row out of range");
  require(from_slot >= 0 && from_slot <= c.capacity, "crop: slot outside capacity");
  launch_float_crop(c.k.get(), c.v.get(), row, from_slot, c.model->config.n_layers, c.capacity,
                    c.model->kv_width(), impl_->stream);
}

// Slots [first, first + count) of every layer, K and V downloaded and hashed as
// reference/float_cache.cpp float_kv_digest hashes the cpu's rows.
std::uint64_t FloatForward::kv_digest(int cache, int row, int first, int count) const {
  FloatCacheOnDevice& c = impl_->cache(cache);
  require(row >= 0 && row < c.rows, "kv_digest: row out of range");
  require(first >= 0 && count >= 0 && first + count <= c.capacity,
          "kv_digest: range outside capacity");
  std::uint64_t h = sim::mix64(static_cast<std::uint64_t>(count));
  if (count == 0) return h;
  const auto kvw = static_cast<std::size_t>(c.model->kv_width());
  const std::size_t length = size_of(count) * kvw;
  std::vector<float> k(length), v(length);
  for (int l = 0; l < c.model->config.n_layers; ++l) {
    const std::size_t at = c.at(row, l) + size_of(first) * kvw;
    LOCKSTEP_CUDA_CHECK(cudaMemcpyAsync(k.data(), c.k.get() + at, length * sizeof(float),
                                        cudaMemcpyDeviceToHost, impl_->stream));
    LOCKSTEP_CUDA_CHECK(cudaMemcpyAsync(v.data(), c.v.get() + at, length * sizeof(float),
                                        cudaMemcpyDeviceToHost, impl_->stream));
    LOCKSTEP_CUDA_CHECK(cudaStreamSynchronize(impl_->stream));
    h = numerics::combine_float_kv(h, k.data(), v.data(), length);
  }
  return h;
}

}  // namespace lockstep::gpu
