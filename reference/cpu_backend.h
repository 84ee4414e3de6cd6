// The `cpu` backend: sim::Backend on the exact reference transformer. Caches hold int8 K and
// transposed V for every layer; forward passes turn the controller's padded or packed batch
// into a per-token plan (write slot + visible slots, by the same visibility rule as every
// backend) and run the model. Target and draft models built from the same seed share their
// weight tensors through one WeightStore. A cache whose model asks for float numerics
// (sim::Numerics::float32) runs reference/float_model.h on an fp32 cache
// (reference/float_cache.h) instead; moves, crops and digests work on either.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "reference/float_model.h"
#include "reference/model.h"
#include "sim/backend.h"

namespace lockstep::reference {

class CpuBackend final : public sim::Backend {
 public:
  CpuBackend();
  std::string name() const override { return "cpu"; }

  sim::CacheId create_cache(const sim::ModelConfig& model, int rows, int capacity) override;
  int cache_rows(sim::CacheId cache) const override;
  int cache_capacity(sim::CacheId cache) const override;
  const sim::ModelConfig& cache_model(sim::CacheId cache) const override;

  void run_padded(const sim::PaddedBatch& batch, sim::ForwardOutput& out) override;
  void run_packed(const sim::PackedBatch& batch, sim::ForwardOutput& out) override;
  void apply_moves(const sim::MovePlan& plan) override;
  void crop(sim::CacheId cache, int row, int from_slot) override;
  std::uint64_t kv_digest(sim::CacheId cache, int row, int first, int count) const override;

  // The full logits of the last pass ([N, V], row-major), for tests and golden vectors.
  const std::vector<float>& last_logits() const { return last_logits_; }
  void keep_logits(bool on) { keep_logits_ = on; }

 private:
  // Exactly one of model / float_model is set, with rows / float_rows to match.
  struct Cache {
    std::shared_ptr<Model> model;
    std::shared_ptr<FloatModel> float_model;
    int capacity = 0;
    std::vector<KvRow> rows;
    std::vector<FloatKvRow> float_rows;
    int row_count() const;
    int kv_width() const;
  };
  Cache& cache(sim::CacheId id);
  const Cache& cache(sim::CacheId id) const;
  std::shared_ptr<Model> model_for(const sim::ModelConfig& config);
  std::shared_ptr<FloatModel> float_model_for(const sim::ModelConfig& config);
  void run(Cache& c, const PassPlan& plan, sim::ForwardOutput& out);
  void apply_int8_moves(const sim::MovePlan& plan, Cache& src, Cache& dst);

  std::shared_ptr<WeightStore> store_;
  std::map<std::string, std::shared_ptr<Model>> models_;
  std::map<std::string, std::shared_ptr<FloatModel>> float_models_;
  std::vector<Cache> caches_;
  std::vector<float> last_logits_;
  bool keep_logits_ = false;
};

// Makes `--backend cpu` available through sim::make_backend.
void register_cpu_backend();

}  // namespace lockstep::reference
