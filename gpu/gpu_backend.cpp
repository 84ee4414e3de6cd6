#include "gpu/gpu_backend.h"

#include <algorithm>
#include <climits>
#include <cstring>
#include <map>
#include <string>
#include <tuple>

#include <cuda_runtime_api.h>

#include "gpu/check.h"
#include "gpu/device_buffer.h"
#include "gpu/float_forward.h"
#include "gpu/gemm.h"
#include "gpu/host_policy.h"
#include "gpu/kernels.h"
#include "gpu/plan.h"
#include "gpu/plan_upload.h"
#include "loaded/loaded_model.h"
#include "numerics/host_math.h"
#include "numerics/model_validation.h"
#include "numerics/numerics.h"
#include "numerics/tensor_ids.h"
#include "sim/error.h"
#include "sim/hash.h"

namespace lockstep::gpu {

using numerics::tensor_id;
using numerics::TensorKind;

namespace {

// An int8 matrix [rows, cols] on the device, padded with zeros to [pad16(rows), pad16(cols)],
// and its per-row scales.
struct DeviceTensor {
  int rows = 0, cols = 0, rows_padded = 0, ld = 0;
  DeviceBuffer<std::int8_t> values;
  DeviceBuffer<float> scales;
};

struct DeviceModel {
  sim::ModelConfig config;
  std::shared_ptr<const DeviceTensor> embedding, lm_head;
  struct Layer {
    std::shared_ptr<const DeviceTensor> wq, wk, wv, wo, wg, wu, wd;
    float k_scale = numerics::kKvScale;  // a loaded model's are calibrated per layer
    float v_scale = numerics::kKvScale;
    float score_scale = 0;  // k_scale / sqrt(D), rounded once on the host
  };
  std::vector<Layer> layers;
  std::vector<float> rope_cos, rope_sin;  // host copies, [rope_positions, D / 2]
  DeviceBuffer<float> rope_cos_device, rope_sin_device;
  int rope_positions = 0;  // rows built and uploaded (rope_table_rows: grows geometrically)
  int kv_width() const { return config.n_kv_heads * config.head_dim; }
};

// An int8 matrix of the host's loaded model (loaded/loaded_model.h) uploaded as is, padded
// with zeros like a generated tensor.
std::shared_ptr<const DeviceTensor> upload_tensor(const loaded::Int8Matrix& m,
                                                  cudaStream_t stream) {
  auto t = std::make_shared<DeviceTensor>();
  t->rows = m.rows;
  t->cols = m.cols;
  t->rows_padded = pad16(m.rows);
  t->ld = pad16(m.cols);
  std::vector<std::int8_t> padded(static_cast<std::size_t>(t->rows_padded) *
                                  static_cast<std::size_t>(t->ld));
  for (int r = 0; r < m.rows; ++r) {
    std::memcpy(padded.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(t->ld),
                m.values.data() + static_cast<std::size_t>(r) * static_cast<std::size_t>(m.cols),
                static_cast<std::size_t>(m.cols));
  }
  t->values.upload(padded, stream);
  t->scales.upload(m.scales, stream);
  LOCKSTEP_CUDA_CHECK(cudaStreamSynchronize(stream));  // `padded` dies here
  return t;
}

// A loaded model file on the device: every layer the file has (drafts take a prefix).
struct LoadedOnDevice {
  sim::ModelConfig config;
  std::shared_ptr<const DeviceTensor> embedding, head;
  std::vector<DeviceModel::Layer> layers;
};

struct DeviceCache {
  std::shared_ptr<DeviceModel> model;  // null for a float cache
  int float_cache = -1;                // >= 0: float / bf16 numerics, in Impl::floats
  int rows = 0;
  int capacity = 0;
  DeviceBuffer<std::int8_t> k;  // [rows, L, S, C]
  DeviceBuffer<std::int8_t> v;  // [rows, L, C, S]
  std::size_t row_bytes() const {
    return static_cast<std::size_t>(model->config.n_layers) * static_cast<std::size_t>(capacity) *
           static_cast<std::size_t>(model->kv_width());
  }
};

std::string describe(cudaError_t status) {
  return std::string(cudaGetErrorName(status)) + ": " + cudaGetErrorString(status);
}

}  // namespace

int cuda_device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error so later calls start clean
    return 0;
  }
  return count;
}

struct GpuBackend::Impl {
  cudaStream_t stream = nullptr;
  std::unique_ptr<Int8Gemm> gemm;
  std::unique_ptr<FloatForward> floats;  // the float and bf16 profiles, made on first use
  std::map<std::tuple<std::uint64_t, std::uint64_t, int, int>, std::shared_ptr<const DeviceTensor>>
      tensors;
  std::map<std::string, std::shared_ptr<DeviceModel>> models;
  std::map<std::string, std::shared_ptr<const LoadedOnDevice>> loaded_models;  // by file
  bool split_pass = false;  // the model of the running pass is loaded: 16-bit split rows
  float split_eps = 0.0f;   // its RMSNorm epsilon
  std::vector<DeviceCache> caches;
  bool keep_logits = false;
  int token_pad = kDefaultTokenPad;  // the GEMMs' M padding (gpu/host_policy.h)
  std::vector<float> logits;         // [N, V] of the last pass (host)

  // Per-pass workspaces, grown on demand.
  std::vector<std::int32_t> plan_host;
  DeviceBuffer<std::int32_t> plan_device;
  DeviceBuffer<float> h, q, k, v, attn, gate, up, act, logits_device, factor, scratch;
  DeviceBuffer<std::int8_t> xq;
  DeviceBuffer<std::int32_t> acc;
  DeviceBuffer<int> flag;
  std::vector<std::int32_t> moves_host;
  DeviceBuffer<std::int32_t> moves_device;
  DeviceBuffer<std::int8_t> staging;

  ~Impl() {
    // Queued work may still use the buffers the members below free.
    if (stream) cudaStreamSynchronize(stream);
    gemm.reset();
    floats.reset();
    if (stream) cudaStreamDestroy(stream);
  }

  int padded_tokens(int n) const { return pad_tokens(n, token_pad); }
  FloatForward& float_forward() {
    if (!floats) floats = std::make_unique<FloatForward>(stream);
    return *floats;
  }

  DeviceCache& cache(sim::CacheId id) {
    require(id.value >= 0 && id.value < static_cast<int>(caches.size()), "unknown cache id");
    return caches[static_cast<std::size_t>(id.value)];
  }
  const DeviceCache& cache(sim::CacheId id) const {
    require(id.value >= 0 && id.value < static_cast<int>(caches.size()), "unknown cache id");
    return caches[static_cast<std::size_t>(id.value)];
  }

  // Mirrors reference/weights.cpp WeightStore::get: shared by (seed, id, rows, cols).
  std::shared_ptr<const DeviceTensor> tensor(std::uint64_t seed, std::uint64_t id, int rows,
                                             int cols, double gain) {
    auto& slot = tensors[{seed, id, rows, cols}];
    if (slot) return slot;
    auto t = std::make_shared<DeviceTensor>();
    t->rows = rows;
    t->cols = cols;
    t->rows_padded = pad16(rows);
    t->ld = pad16(cols);
    t->values.reserve(static_cast<std::size_t>(t->rows_padded) * static_cast<std::size_t>(t->ld));
    t->scales.reserve(static_cast<std::size_t>(rows));
    launch_generate_weights(t->values.get(), rows, cols, t->rows_padded, t->ld, seed, id, stream);
    launch_generate_scales(t->scales.get(), rows, cols, gain, seed, id, stream);
    slot = std::move(t);
    return slot;
  }

  // Mirrors reference/weights.cpp WeightStore::loaded: the host converts the file once
  // (loaded::load, the same bytes the cpu backend uses) and the result is uploaded.
  std::shared_ptr<const LoadedOnDevice> loaded_model(const sim::ModelConfig& config) {
    auto& slot = loaded_models[config.weights_file];
    if (slot) return slot;
    const auto host = loaded::load(config.weights_file, config.name);
    auto d = std::make_shared<LoadedOnDevice>();
    d->config = host->config;
    d->embedding = upload_tensor(host->embedding, stream);
    d->head = upload_tensor(host->head, stream);
    for (const loaded::Layer& l : host->layers) {
      d->layers.push_back(
          {.wq = upload_tensor(l.wq, stream),
           .wk = upload_tensor(l.wk, stream),
           .wv = upload_tensor(l.wv, stream),
           .wo = upload_tensor(l.wo, stream),
           .wg = upload_tensor(l.wg, stream),
           .wu = upload_tensor(l.wu, stream),
           .wd = upload_tensor(l.wd, stream),
           .k_scale = l.k_scale,
           .v_scale = l.v_scale,
           .score_scale = numerics::attention_score_scale(host->config.head_dim, l.k_scale)});
    }
    slot = std::move(d);
    return slot;
  }

  // Mirrors reference/model.cpp Model::ensure_loaded_weights: the first n_layers layers.
  void use_loaded_weights(DeviceModel& m) {
    const auto d = loaded_model(m.config);
    const sim::ModelConfig& file = d->config;
    const sim::ModelConfig& c = m.config;
    require(file.vocab == c.vocab && file.d_model == c.d_model && file.n_heads == c.n_heads &&
                file.n_kv_heads == c.n_kv_heads && file.head_dim == c.head_dim &&
                file.ffn == c.ffn && c.n_layers <= file.n_layers,
            [&] { return "model " + c.name + ": its shapes differ from " + file.weights_file; });
    m.embedding = d->embedding;
    m.lm_head = d->head;
    m.layers.assign(d->layers.begin(), d->layers.begin() + c.n_layers);
  }

  // Mirrors reference/model.cpp Model::Model and Model::ensure_weights (the same validation
  // and tensor ids, from numerics/).
  std::shared_ptr<DeviceModel> model_for(const sim::ModelConfig& config) {
    auto& slot = models[model_key(config)];
    if (slot) return slot;
    numerics::validate_model(config);
    auto m = std::make_shared<DeviceModel>();
    m->config = config;
    if (config.loaded()) {
      use_loaded_weights(*m);
      slot = std::move(m);
      return slot;
    }
    const auto seed = config.seed;
    const int d = config.d_model;
    const int q_width = config.n_heads * config.head_dim;
    const int kv = m->kv_width();
    m->embedding = tensor(seed, tensor_id(TensorKind::embedding, -1), config.vocab, d,
                          numerics::kGainEmbedding);
    m->lm_head =
        tensor(seed, tensor_id(TensorKind::lm_head, -1), config.vocab, d, numerics::kGainHead);
    for (int l = 0; l < config.n_layers; ++l) {
      DeviceModel::Layer layer;
      layer.score_scale = numerics::attention_score_scale(config.head_dim);
      layer.wq = tensor(seed, tensor_id(TensorKind::wq, l), q_width, d, numerics::kGainProjection);
      layer.wk = tensor(seed, tensor_id(TensorKind::wk, l), kv, d, numerics::kGainProjection);
      layer.wv = tensor(seed, tensor_id(TensorKind::wv, l), kv, d, numerics::kGainProjection);
      const double residual_gain = numerics::residual_gain_of_layer(l);
      layer.wo = tensor(seed, tensor_id(TensorKind::wo, l), d, q_width, residual_gain);
      layer.wg =
          tensor(seed, tensor_id(TensorKind::wg, l), config.ffn, d, numerics::kGainProjection);
      layer.wu =
          tensor(seed, tensor_id(TensorKind::wu, l), config.ffn, d, numerics::kGainProjection);
      layer.wd = tensor(seed, tensor_id(TensorKind::wd, l), d, config.ffn, residual_gain);
      m->layers.push_back(std::move(layer));
    }
    slot = std::move(m);
    return slot;
  }

  // Mirrors reference/model.cpp Model::ensure_rope (the same rows: a row depends only on its
  // position), but grows the table geometrically, so it is uploaded whole only O(log) times.
  void ensure_rope(DeviceModel& m, int positions) {
    if (positions <= m.rope_positions) return;
    const int rows = rope_table_rows(m.rope_positions, positions);
    numerics::build_rope_rows(m.config.head_dim, m.rope_positions, rows, m.rope_cos, m.rope_sin,
                              m.config.rope_base);
    m.rope_positions = rows;
    m.rope_cos_device.upload(m.rope_cos, stream);
    m.rope_sin_device.upload(m.rope_sin, stream);
  }

  // dst [n, out] (+)= dequantize(x_q . W^T): the GEMM on padded shapes, then the epilogue.
  // A loaded model's 16-bit rows: one GEMM over both digit halves (2 * np rows).
  void project(const DeviceTensor& w, int n, float* dst, bool accumulate) {
    const int np = padded_tokens(n);
    if (split_pass) {
      gemm->run(xq.get(), w.values.get(), acc.get(), 2 * np, w.rows_padded, w.ld, stream);
      launch_dequantize_split(acc.get(), w.rows_padded, n, np, w.rows, w.scales.get(), factor.get(),
                              dst, accumulate, stream);
      return;
    }
    gemm->run(xq.get(), w.values.get(), acc.get(), np, w.rows_padded, w.ld, stream);
    launch_dequantize(acc.get(), w.rows_padded, n, w.rows, w.scales.get(), factor.get(), dst,
                      accumulate, stream);
  }
  void quantize(const float* x, int n, int k, bool rms) {
    if (split_pass) {
      launch_quantize_split(x, n, k, xq.get(), padded_tokens(n), pad16(k), factor.get(), rms,
                            split_eps, stream);
      return;
    }
    launch_quantize_rows(x, n, k, xq.get(), padded_tokens(n), pad16(k), factor.get(), rms, stream);
  }

  // Pointers into the uploaded plan (gpu/plan.h pack_plan).
  void forward(DeviceCache& c, const TokenPlan& plan, const sim::PassSampling& sampling,
               sim::ForwardOutput& out);
  void reserve_workspaces(const sim::ModelConfig& cfg, int n, int max_visible);
  void attention_block(DeviceCache& c, int l, int n, const PlanOnDevice& p);
  void mlp_block(const DeviceModel& m, int l, int n);
  void throw_if_not_finite(int layers);
  void read_logits(int n, int vocab, const sim::PassSampling& sampling, sim::ForwardOutput& out);
  void download_range(const DeviceCache& c, int row, int layer, int first, int count,
                      std::vector<std::int8_t>& k, std::vector<std::int8_t>& vt) const;
};

GpuBackend::GpuBackend() : impl_(std::make_unique<Impl>()) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess || count == 0) {
    if (status != cudaSuccess) cudaGetLastError();
    throw InputError("the gpu backend needs a CUDA device, and none is usable here (" +
                     (status != cudaSuccess ? describe(status)
                                            : std::string("cudaGetDeviceCount found 0 devices")) +
                     "); run on a machine with an NVIDIA GPU of compute capability 9.0 or later, "
                     "or use --backend cpu");
  }
  int device = 0;
  LOCKSTEP_CUDA_CHECK(cudaGetDevice(&device));
  int major = 0;
  LOCKSTEP_CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device));
  if (major < 9) {
    throw InputError("the gpu backend is built for sm_90 (compute capability 9.0); device " +
                     std::to_string(device) + " has compute capability " + std::to_string(major) +
                     ".x");
  }
  impl_->token_pad = token_pad_from_env();
  LOCKSTEP_CUDA_CHECK(cudaStreamCreateWithFlags(&impl_->stream, cudaStreamNonBlocking));
  impl_->gemm = std::make_unique<Int8Gemm>();
  impl_->flag.reserve(1);
}

GpuBackend::~GpuBackend() = default;

sim::CacheId GpuBackend::create_cache(const sim::ModelConfig& model, int rows, int capacity) {
  require(rows > 0 && capacity > 0, "create_cache: rows and capacity must be positive");
  if (sim::is_float(model.numerics)) {  // gpu/float_forward.h
    DeviceCache c;
    c.float_cache = impl_->float_forward().create_cache(model, rows, capacity);
    c.rows = rows;
    c.capacity = capacity;
    impl_->caches.push_back(std::move(c));
    return sim::CacheId{static_cast<int>(impl_->caches.size()) - 1};
  }
  numerics::validate_kv_capacity(capacity);
  DeviceCache c;
  c.model = impl_->model_for(model);
  c.rows = rows;
  c.capacity = capacity;
  const std::size_t bytes = static_cast<std::size_t>(rows) * c.row_bytes();
  c.k.reserve(bytes);
  c.v.reserve(bytes);
  c.k.zero(impl_->stream);
  c.v.zero(impl_->stream);
  impl_->caches.push_back(std::move(c));
  return sim::CacheId{static_cast<int>(impl_->caches.size()) - 1};
}

int GpuBackend::cache_rows(sim::CacheId id) const {
  return impl_->cache(id).rows;
}
int GpuBackend::cache_capacity(sim::CacheId id) const {
  return impl_->cache(id).capacity;
}
const sim::ModelConfig& GpuBackend::cache_model(sim::CacheId id) const {
  const DeviceCache& c = impl_->cache(id);
  return c.float_cache >= 0 ? impl_->floats->cache_model(c.float_cache) : c.model->config;
}

const std::vector<float>& GpuBackend::last_logits() const {
  return impl_->logits;
}
void GpuBackend::keep_logits(bool on) {
  impl_->keep_logits = on;
}

void GpuBackend::set_token_pad(int pad) {
  impl_->token_pad = validate_token_pad(pad, "GpuBackend::set_token_pad");
}
int GpuBackend::token_pad() const {
  return impl_->token_pad;
}

// Mirrors reference/model.cpp Model::forward: the same plan checks, then the same sequence of
// ops, each the kernel twin of the reference op of the same name (reference/ops.h).
void GpuBackend::Impl::forward(DeviceCache& c, const TokenPlan& plan,
                               const sim::PassSampling& sampling, sim::ForwardOutput& out) {
  DeviceModel& m = *c.model;
  const sim::ModelConfig& cfg = m.config;
  const int n = plan.size();
  numerics::check_pass_plan(plan, cfg.vocab, static_cast<std::size_t>(c.rows), c.capacity);
  out.argmax.assign(static_cast<std::size_t>(n), 0);
  out.digest.assign(static_cast<std::size_t>(n), 0);
  logits.clear();
  if (n == 0) return;
  split_pass = cfg.loaded();
  split_eps = cfg.rms_eps;
  ensure_rope(m, numerics::rope_rows_needed(plan));
  const PlanOnDevice p = upload_plan(plan, plan_host, plan_device, stream);
  reserve_workspaces(cfg, n, p.max_visible);
  const int no_error = INT_MAX;
  LOCKSTEP_CUDA_CHECK(
      cudaMemcpyAsync(flag.get(), &no_error, sizeof no_error, cudaMemcpyHostToDevice, stream));

  launch_embed(h.get(), m.embedding->values.get(), m.embedding->ld, m.embedding->scales.get(),
               p.tokens, n, cfg.d_model, stream);  // [N, d] residual stream
  for (int l = 0; l < cfg.n_layers; ++l) {
    attention_block(c, l, n, p);
    mlp_block(m, l, n);
  }
  quantize(h.get(), n, cfg.d_model, /*rms=*/true);
  project(*m.lm_head, n, logits_device.get(), false);  // [N, V]
  launch_check_finite(logits_device.get(), static_cast<std::int64_t>(n) * cfg.vocab,
                      2 * cfg.n_layers, flag.get(), stream);
  throw_if_not_finite(cfg.n_layers);
  read_logits(n, cfg.vocab, sampling, out);
}

void GpuBackend::Impl::reserve_workspaces(const sim::ModelConfig& cfg, int n, int max_visible) {
  const auto un = static_cast<std::size_t>(n);
  const auto np = static_cast<std::size_t>(padded_tokens(n));
  const auto width = [un](int w) { return un * static_cast<std::size_t>(w); };
  const int qw = cfg.n_heads * cfg.head_dim;
  const int kvw = cfg.n_kv_heads * cfg.head_dim;
  const auto widest = static_cast<std::size_t>(
      std::max({pad16(cfg.d_model), pad16(qw), pad16(cfg.ffn), pad16(cfg.vocab)}));
  h.reserve(width(cfg.d_model));
  q.reserve(width(qw));
  k.reserve(width(kvw));
  v.reserve(width(kvw));
  attn.reserve(width(qw));
  gate.reserve(width(cfg.ffn));
  up.reserve(width(cfg.ffn));
  act.reserve(width(cfg.ffn));
  logits_device.reserve(width(cfg.vocab));
  factor.reserve(np);
  scratch.reserve(width(cfg.n_heads) * static_cast<std::size_t>(max_visible));
  const std::size_t halves = cfg.loaded() ? 2 : 1;  // 16-bit split rows: two int8 rows each
  xq.reserve(halves * np * widest);
  acc.reserve(halves * np * widest);
}

// Model::attention_block: q, k, v; RoPE; K/V write; attention; h += wo projection.
void GpuBackend::Impl::attention_block(DeviceCache& c, int l, int n, const PlanOnDevice& p) {
  const DeviceModel& m = *c.model;
  const sim::ModelConfig& cfg = m.config;
  const DeviceModel::Layer& w = m.layers[static_cast<std::size_t>(l)];
  const int dh = cfg.head_dim;
  quantize(h.get(), n, cfg.d_model, /*rms=*/true);
  project(*w.wq, n, q.get(), false);  // [N, H*D]
  project(*w.wk, n, k.get(), false);  // [N, G*D]
  project(*w.wv, n, v.get(), false);
  const float* cos = m.rope_cos_device.get();
  const float* sin = m.rope_sin_device.get();
  launch_rope(q.get(), n, cfg.n_heads, dh, p.positions, cos, sin, stream);
  launch_rope(k.get(), n, cfg.n_kv_heads, dh, p.positions, cos, sin, stream);
  launch_kv_write(k.get(), v.get(), n, m.kv_width(), p.rows, p.write_slots, c.k.get(), c.v.get(), l,
                  cfg.n_layers, c.capacity, w.k_scale, w.v_scale, stream);
  launch_attention(q.get(), n, cfg.n_heads, cfg.n_kv_heads, dh, p.rows, p.offsets, p.visible,
                   c.k.get(), c.v.get(), l, cfg.n_layers, c.capacity, w.score_scale, w.v_scale,
                   scratch.get(), p.max_visible, attn.get(),
                   cfg.loaded() ? numerics::AttentionSteps::wide : numerics::AttentionSteps::int8,
                   stream);
  quantize(attn.get(), n, cfg.n_heads * dh, /*rms=*/false);
  project(*w.wo, n, h.get(), /*accumulate=*/true);
  launch_check_finite(h.get(), static_cast<std::int64_t>(n) * cfg.d_model, 2 * l, flag.get(),
                      stream);
}

// Model::mlp_block: SwiGLU, h += wd projection.
void GpuBackend::Impl::mlp_block(const DeviceModel& m, int l, int n) {
  const sim::ModelConfig& cfg = m.config;
  const DeviceModel::Layer& w = m.layers[static_cast<std::size_t>(l)];
  quantize(h.get(), n, cfg.d_model, /*rms=*/true);
  project(*w.wg, n, gate.get(), false);
  project(*w.wu, n, up.get(), false);
  launch_swiglu(gate.get(), up.get(), act.get(), static_cast<std::int64_t>(n) * cfg.ffn, stream);
  quantize(act.get(), n, cfg.ffn, /*rms=*/false);
  project(*w.wd, n, h.get(), /*accumulate=*/true);
  launch_check_finite(h.get(), static_cast<std::int64_t>(n) * cfg.d_model, 2 * l + 1, flag.get(),
                      stream);
}

// The earliest failing check_finite (code = layer * 2 + block, 2 * layers for the logits),
// with the reference's message.
void GpuBackend::Impl::throw_if_not_finite(int layers) {
  std::vector<int> flag_host;
  flag.download(flag_host, 1, stream);
  if (flag_host[0] == INT_MAX) return;
  const int code = flag_host[0];
  const char* where =
      code == 2 * layers ? "the logits" : (code % 2 == 0 ? "the attention block" : "the MLP block");
  const int layer = code == 2 * layers ? layers : code / 2;
  throw InputError(std::string("non-finite value (NaN or Inf) in ") + where + " of layer " +
                   std::to_string(layer) +
                   ": the exact numerics contract treats it as an error, not a value");
}

// Logits copied back once; argmax, digest and sampled draws by the reference's host functions
// (the draws are the host twin of gpu/k_sample.cu's, byte for byte: tests/gpu/sample_twins.cpp).
void GpuBackend::Impl::read_logits(int n, int vocab, const sim::PassSampling& sampling,
                                   sim::ForwardOutput& out) {
  const auto un = static_cast<std::size_t>(n);
  logits_device.download(logits, un * static_cast<std::size_t>(vocab), stream);
  for (std::size_t i = 0; i < un; ++i) {
    const float* row = logits.data() + i * static_cast<std::size_t>(vocab);
    out.argmax[i] = numerics::argmax_lowest(row, vocab);
    out.digest[i] = numerics::digest_logits(row, vocab);
  }
  sim::choose_sampled_tokens(sampling, logits.data(), vocab, out);  // and distributions
  if (!keep_logits) logits.clear();
}

void GpuBackend::run_padded(const sim::PaddedBatch& b, sim::ForwardOutput& out) {
  DeviceCache& c = impl_->cache(b.cache);
  b.check_shapes(c.rows, c.capacity);
  if (c.float_cache >= 0)
    return impl_->floats->forward(c.float_cache, build_plan(b), b.sampling, out, impl_->keep_logits,
                                  impl_->logits);
  impl_->forward(c, build_plan(b), b.sampling, out);
}

void GpuBackend::run_packed(const sim::PackedBatch& b, sim::ForwardOutput& out) {
  DeviceCache& c = impl_->cache(b.cache);
  b.check_shapes(c.rows, c.capacity);
  if (c.float_cache >= 0)
    return impl_->floats->forward(c.float_cache, build_plan(b), b.sampling, out, impl_->keep_logits,
                                  impl_->logits);
  impl_->forward(c, build_plan(b), b.sampling, out);
}

void GpuBackend::apply_moves(const sim::MovePlan& plan) {
  DeviceCache& src = impl_->cache(plan.src);
  DeviceCache& dst = impl_->cache(plan.dst);
  require((src.float_cache >= 0) == (dst.float_cache >= 0),
          "apply_moves: one cache holds float numerics, the other exact");
  if (src.float_cache >= 0)
    return impl_->floats->apply_moves(src.float_cache, dst.float_cache, plan);
  require(src.model == dst.model,
          "apply_moves: source and destination caches belong to different models");
  require(src.capacity == dst.capacity,
          "apply_moves: source and destination caches differ in capacity");
  plan.check_shapes(src.rows, dst.rows, src.capacity);
  if (plan.moves.empty()) return;
  const int layers = src.model->config.n_layers;
  const int kvw = src.model->kv_width();
  const auto count = plan.moves.size();
  auto& host = impl_->moves_host;
  const std::int64_t total = pack_moves(plan, host);
  if (total == 0) return;
  impl_->moves_device.upload(host, impl_->stream);
  const std::int32_t* moves = impl_->moves_device.get();
  const std::int32_t* prefix = moves + 5 * count;
  impl_->staging.reserve(2 * static_cast<std::size_t>(total) * static_cast<std::size_t>(layers) *
                         static_cast<std::size_t>(kvw));
  launch_stage_moves(moves, prefix, static_cast<int>(count), total, src.k.get(), src.v.get(),
                     layers, src.capacity, kvw, impl_->staging.get(), impl_->stream);
  launch_write_moves(moves, prefix, static_cast<int>(count), total, impl_->staging.get(),
                     dst.k.get(), dst.v.get(), layers, dst.capacity, kvw, impl_->stream);
}

void GpuBackend::crop(sim::CacheId id, int row, int from_slot) {
  DeviceCache& c = impl_->cache(id);
  require(row >= 0 && row < c.rows, "crop: row out of range");
  require(from_slot >= 0 && from_slot <= c.capacity, "crop: slot outside capacity");
  if (c.float_cache >= 0) return impl_->floats->crop(c.float_cache, row, from_slot);
  launch_crop(c.k.get(), c.v.get(), row, from_slot, c.model->config.n_layers, c.capacity,
              c.model->kv_width(), impl_->stream);
}

void GpuBackend::download_row(sim::CacheId id, int row, int layer, std::vector<std::int8_t>& k,
                              std::vector<std::int8_t>& vt) const {
  const DeviceCache& c = impl_->cache(id);
  require(c.float_cache < 0, "download_row: the cache holds fp32 K/V (float numerics)");
  require(row >= 0 && row < c.rows && layer >= 0 && layer < c.model->config.n_layers,
          "download_row: out of range");
  const std::size_t plane =
      static_cast<std::size_t>(c.capacity) * static_cast<std::size_t>(c.model->kv_width());
  const std::size_t offset =
      (static_cast<std::size_t>(row) * static_cast<std::size_t>(c.model->config.n_layers) +
       static_cast<std::size_t>(layer)) *
      plane;
  k.resize(plane);
  vt.resize(plane);
  LOCKSTEP_CUDA_CHECK(
      cudaMemcpyAsync(k.data(), c.k.get() + offset, plane, cudaMemcpyDeviceToHost, impl_->stream));
  LOCKSTEP_CUDA_CHECK(
      cudaMemcpyAsync(vt.data(), c.v.get() + offset, plane, cudaMemcpyDeviceToHost, impl_->stream));
  LOCKSTEP_CUDA_CHECK(cudaStreamSynchronize(impl_->stream));
}

// Slots [first, first + count) of one row and layer: K as [count, C] and V^T as [C, count]
// (a strided copy), so a digest downloads only the range it hashes.
void GpuBackend::Impl::download_range(const DeviceCache& c, int row, int layer, int first,
                                      int count, std::vector<std::int8_t>& k,
                                      std::vector<std::int8_t>& vt) const {
  const auto kvw = static_cast<std::size_t>(c.model->kv_width());
  const auto cap = static_cast<std::size_t>(c.capacity);
  const auto n = static_cast<std::size_t>(count);
  const std::size_t plane =
      (static_cast<std::size_t>(row) * static_cast<std::size_t>(c.model->config.n_layers) +
       static_cast<std::size_t>(layer)) *
      cap * kvw;
  const auto start = static_cast<std::size_t>(first);
  k.resize(n * kvw);
  vt.resize(n * kvw);
  LOCKSTEP_CUDA_CHECK(cudaMemcpyAsync(k.data(), c.k.get() + plane + start * kvw, n * kvw,
                                      cudaMemcpyDeviceToHost, stream));
  LOCKSTEP_CUDA_CHECK(cudaMemcpy2DAsync(vt.data(), n, c.v.get() + plane + start, cap, n, kvw,
                                        cudaMemcpyDeviceToHost, stream));
  LOCKSTEP_CUDA_CHECK(cudaStreamSynchronize(stream));
}

// Mirrors reference/cpu_backend.cpp CpuBackend::kv_digest on the downloaded range; an empty
// range is the digest of nothing, no download.
std::uint64_t GpuBackend::kv_digest(sim::CacheId id, int row_index, int first, int count) const {
  const DeviceCache& c = impl_->cache(id);
  require(row_index >= 0 && row_index < c.rows, "kv_digest: row out of range");
  require(first >= 0 && count >= 0 && first + count <= c.capacity,
          "kv_digest: range outside capacity");
  if (c.float_cache >= 0) return impl_->floats->kv_digest(c.float_cache, row_index, first, count);
  const auto kvw = static_cast<std::size_t>(c.model->kv_width());
  const auto n = static_cast<std::size_t>(count);
  std::uint64_t h = sim::mix64(static_cast<std::uint64_t>(count));
  if (count == 0) return h;
  std::vector<std::int8_t> k, vt;
  for (int l = 0; l < c.model->config.n_layers; ++l) {
    impl_->download_range(c, row_index, l, first, count, k, vt);
    for (std::size_t s = 0; s < n; ++s) {
      for (std::size_t ch = 0; ch < kvw; ++ch) {
        const auto kb = static_cast<std::uint8_t>(k[s * kvw + ch]);
        const auto vb = static_cast<std::uint8_t>(vt[ch * n + s]);
        h = sim::combine(h, static_cast<std::uint64_t>(kb) << 8 | vb);
      }
    }
  }
  return h;
}

void register_gpu_backend() {
  sim::register_backend("gpu", [] { return std::make_unique<GpuBackend>(); });
}

}  // namespace lockstep::gpu
