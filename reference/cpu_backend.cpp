#include "reference/cpu_backend.h"

#include <algorithm>

#include "numerics/model_validation.h"
#include "sim/error.h"
#include "sim/hash.h"

namespace lockstep::reference {
namespace {

std::string model_key(const sim::ModelConfig& c) {
  return std::to_string(c.seed) + ":" + std::to_string(c.vocab) + ":" + std::to_string(c.d_model) +
         ":" + std::to_string(c.n_layers) + ":" + std::to_string(c.n_heads) + ":" +
         std::to_string(c.n_kv_heads) + ":" + std::to_string(c.head_dim) + ":" +
         std::to_string(c.ffn) + ":" + c.weights_file + ":" + sim::numerics_name(c.numerics);
}

}  // namespace

CpuBackend::CpuBackend() : store_(std::make_shared<WeightStore>()) {
  check_fp_environment();
}

std::shared_ptr<Model> CpuBackend::model_for(const sim::ModelConfig& config) {
  auto& slot = models_[model_key(config)];
  if (!slot) slot = std::make_shared<Model>(config, store_);
  return slot;
}

std::shared_ptr<FloatModel> CpuBackend::float_model_for(const sim::ModelConfig& config) {
  auto& slot = float_models_[model_key(config)];
  if (!slot) slot = std::make_shared<FloatModel>(config, store_);
  return slot;
}

int CpuBackend::Cache::row_count() const {
  return static_cast<int>(float_model ? float_rows.size() : rows.size());
}
int CpuBackend::Cache::kv_width() const {
  return float_model ? float_model->kv_width() : model->kv_width();
}

sim::CacheId CpuBackend::create_cache(const sim::ModelConfig& model, int rows, int capacity) {
  require(rows > 0 && capacity > 0, "create_cache: rows and capacity must be positive");
  numerics::validate_kv_capacity(capacity);
  Cache c;
  c.capacity = capacity;
  if (sim::is_float(model.numerics)) {
    c.float_model = float_model_for(model);
    for (int r = 0; r < rows; ++r) c.float_rows.push_back(c.float_model->make_row(capacity));
  } else {
    c.model = model_for(model);
    for (int r = 0; r < rows; ++r) c.rows.push_back(c.model->make_row(capacity));
  }
  caches_.push_back(std::move(c));
  return sim::CacheId{static_cast<int>(caches_.size()) - 1};
}

CpuBackend::Cache& CpuBackend::cache(sim::CacheId id) {
  require(id.value >= 0 && id.value < static_cast<int>(caches_.size()), "unknown cache id");
  return caches_[static_cast<std::size_t>(id.value)];
}
const CpuBackend::Cache& CpuBackend::cache(sim::CacheId id) const {
  require(id.value >= 0 && id.value < static_cast<int>(caches_.size()), "unknown cache id");
  return caches_[static_cast<std::size_t>(id.value)];
}
int CpuBackend::cache_rows(sim::CacheId id) const {
  return cache(id).row_count();
}
int CpuBackend::cache_capacity(sim::CacheId id) const {
  return cache(id).capacity;
}
const sim::ModelConfig& CpuBackend::cache_model(sim::CacheId id) const {
  const Cache& c = cache(id);
  return c.float_model ? c.float_model->config() : c.model->config();
}

void CpuBackend::run(Cache& c, const PassPlan& plan, const sim::PassSampling& sampling,
                     sim::ForwardOutput& out) {
  // A sampled pass needs its logits rows: the draw is a function of the exact logits.
  const bool keep = keep_logits_ || sampling.active();
  PassResult result = c.float_model ? c.float_model->forward(plan, c.float_rows, c.capacity, keep)
                                    : c.model->forward(plan, c.rows, c.capacity, keep);
  out.argmax = std::move(result.argmax);
  out.digest = std::move(result.digest);
  out.top2 = std::move(result.top2);
  const int vocab = (c.float_model ? c.float_model->config() : c.model->config()).vocab;
  sim::choose_sampled_tokens(sampling, result.logits.data(), vocab, out);
  last_logits_ = std::move(result.logits);
  if (!keep_logits_) last_logits_.clear();
}

void CpuBackend::run_padded(const sim::PaddedBatch& b, sim::ForwardOutput& out) {
  Cache& c = cache(b.cache);
  b.check_shapes(c.row_count(), c.capacity);
  run(c, numerics::make_pass_plan(b), b.sampling, out);
}

void CpuBackend::run_packed(const sim::PackedBatch& b, sim::ForwardOutput& out) {
  Cache& c = cache(b.cache);
  b.check_shapes(c.row_count(), c.capacity);
  run(c, numerics::make_pass_plan(b), b.sampling, out);
}

void CpuBackend::apply_moves(const sim::MovePlan& plan) {
  Cache& src = cache(plan.src);
  Cache& dst = cache(plan.dst);
  require(src.model == dst.model && src.float_model == dst.float_model,
          "apply_moves: source and destination caches belong to different models");
  if (src.float_model) {
    move_float_slots(plan, src.float_rows, dst.float_rows, src.kv_width(), src.capacity);
    return;
  }
  apply_int8_moves(plan, src, dst);
}

void CpuBackend::apply_int8_moves(const sim::MovePlan& plan, Cache& src, Cache& dst) {
  plan.check_shapes(static_cast<int>(src.rows.size()), static_cast<int>(dst.rows.size()),
                    src.capacity);
  const int layers = src.model->config().n_layers;
  const auto kvw = static_cast<std::size_t>(src.model->kv_width());
  const auto cap = static_cast<std::size_t>(src.capacity);
  // Gather semantics: stage every source range before writing any destination.
  struct Staged {
    std::vector<std::int8_t> k, vt;  // [layers][len * kvw], [layers][kvw * len]
  };
  std::vector<Staged> staged(plan.moves.size());
  for (std::size_t i = 0; i < plan.moves.size(); ++i) {
    const auto& m = plan.moves[i];
    const KvRow& row = src.rows[static_cast<std::size_t>(m.src_row)];
    const auto len = static_cast<std::size_t>(m.length);
    for (int l = 0; l < layers; ++l) {
      const auto& k = row.k[static_cast<std::size_t>(l)];
      const auto& vt = row.vt[static_cast<std::size_t>(l)];
      const auto from = static_cast<std::size_t>(m.src_slot);
      staged[i].k.insert(staged[i].k.end(), k.begin() + static_cast<std::ptrdiff_t>(from * kvw),
                         k.begin() + static_cast<std::ptrdiff_t>((from + len) * kvw));
      for (std::size_t c = 0; c < kvw; ++c) {
        staged[i].vt.insert(staged[i].vt.end(),
                            vt.begin() + static_cast<std::ptrdiff_t>(c * cap + from),
                            vt.begin() + static_cast<std::ptrdiff_t>(c * cap + from + len));
      }
    }
  }
  for (std::size_t i = 0; i < plan.moves.size(); ++i) {
    const auto& m = plan.moves[i];
    KvRow& row = dst.rows[static_cast<std::size_t>(m.dst_row)];
    const auto len = static_cast<std::size_t>(m.length);
    const auto to = static_cast<std::size_t>(m.dst_slot);
    const std::int8_t* k_in = staged[i].k.data();
    const std::int8_t* v_in = staged[i].vt.data();
    for (int l = 0; l < layers; ++l) {
      auto& k = row.k[static_cast<std::size_t>(l)];
      auto& vt = row.vt[static_cast<std::size_t>(l)];
      std::copy_n(k_in, len * kvw, k.begin() + static_cast<std::ptrdiff_t>(to * kvw));
      k_in += len * kvw;
      for (std::size_t c = 0; c < kvw; ++c) {
        std::copy_n(v_in, len, vt.begin() + static_cast<std::ptrdiff_t>(c * cap + to));
        v_in += len;
      }
    }
  }
}

void CpuBackend::crop(sim::CacheId id, int row_index, int from_slot) {
  Cache& c = cache(id);
  require(row_index >= 0 && row_index < c.row_count(), "crop: row out of range");
  require(from_slot >= 0 && from_slot <= c.capacity, "crop: slot outside capacity");
  if (c.float_model) {
    crop_float_row(c.float_rows[static_cast<std::size_t>(row_index)], c.kv_width(), from_slot);
    return;
  }
  KvRow& row = c.rows[static_cast<std::size_t>(row_index)];
  const auto kvw = static_cast<std::size_t>(c.model->kv_width());
  const auto cap = static_cast<std::size_t>(c.capacity);
  const auto from = static_cast<std::size_t>(from_slot);
  for (std::size_t l = 0; l < row.k.size(); ++l) {
    std::fill(row.k[l].begin() + static_cast<std::ptrdiff_t>(from * kvw), row.k[l].end(),
              std::int8_t{0});
    for (std::size_t ch = 0; ch < kvw; ++ch) {
      std::fill(row.vt[l].begin() + static_cast<std::ptrdiff_t>(ch * cap + from),
                row.vt[l].begin() + static_cast<std::ptrdiff_t>((ch + 1) * cap), std::int8_t{0});
    }
  }
}

std::uint64_t CpuBackend::kv_digest(sim::CacheId id, int row_index, int first, int count) const {
  const Cache& c = cache(id);
  require(row_index >= 0 && row_index < c.row_count(), "kv_digest: row out of range");
  require(first >= 0 && count >= 0 && first + count <= c.capacity,
          "kv_digest: range outside capacity");
  if (c.float_model) {
    return float_kv_digest(c.float_rows[static_cast<std::size_t>(row_index)], c.kv_width(), first,
                           count);
  }
  const KvRow& row = c.rows[static_cast<std::size_t>(row_index)];
  const auto kvw = static_cast<std::size_t>(c.model->kv_width());
  const auto cap = static_cast<std::size_t>(c.capacity);
  std::uint64_t h = sim::mix64(static_cast<std::uint64_t>(count));
  for (std::size_t l = 0; l < row.k.size(); ++l) {
    for (int s = first; s < first + count; ++s) {
      for (std::size_t ch = 0; ch < kvw; ++ch) {
        const auto slot = static_cast<std::size_t>(s);
        const auto k = static_cast<std::uint8_t>(row.k[l][slot * kvw + ch]);
        const auto v = static_cast<std::uint8_t>(row.vt[l][ch * cap + slot]);
        h = sim::combine(h, static_cast<std::uint64_t>(k) << 8 | v);
      }
    }
  }
  return h;
}

void register_cpu_backend() {
  sim::register_backend("cpu", [] { return std::make_unique<CpuBackend>(); });
}

}  // namespace lockstep::reference
