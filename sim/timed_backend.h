// A Backend decorator that times every forward pass and every move plan of the backend it
// wraps, for `lockstep bench`. It changes nothing it forwards: the wrapped backend sees the
// same calls in the same order, so traces and outputs are those of an untimed run.
//
// It is also an Observer: the engine announces which cache belongs to which model role
// (on_create_cache), which a backend alone cannot tell. Run it as one of the run's observers.
//
// Times are wall-clock seconds around the wrapped call. A backend returns only when the
// pass's outputs are on the host (the gpu backend downloads argmax and digests), so the time
// covers the whole pass. set_pass_clock(thread_cpu) times the calling thread's CPU seconds
// instead (for the single-threaded cpu backend on a loaded machine: waiting for a core is not
// counted); wrong for a backend that waits on a device, so `lockstep bench` allows it on cpu only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "sim/backend.h"
#include "sim/observer.h"

namespace lockstep::sim {

enum class PassClock { wall, thread_cpu };
// Process-wide, wall until set; read at every timed pass. Set before a bench, not during one.
void set_pass_clock(PassClock clock);

// One timed operation. A padded pass is `rows` rows of `tokens` new tokens each, attending
// `kv` columns (past + tokens). A packed pass of N tokens over R rows is recorded as N rows of
// one token each attending the mean KV extent of its tokens, rounded: the totals of tokens and
// of KV slots read are kept, which is what a pass's weight, GEMM and KV traffic depend on.
struct PassTiming {
  ModelRole role = ModelRole::target;
  bool packed = false;
  std::int64_t rows = 0;
  std::int64_t tokens = 0;
  std::int64_t kv = 0;
  double seconds = 0;
};

class TimedBackend final : public Backend, public Observer {
 public:
  explicit TimedBackend(std::unique_ptr<Backend> inner);

  const std::vector<PassTiming>& passes() const { return passes_; }
  double move_seconds() const { return move_seconds_; }

  std::string name() const override { return inner_->name(); }
  CacheId create_cache(const ModelConfig& model, int rows, int capacity) override;
  int cache_rows(CacheId cache) const override { return inner_->cache_rows(cache); }
  int cache_capacity(CacheId cache) const override { return inner_->cache_capacity(cache); }
  const ModelConfig& cache_model(CacheId cache) const override {
    return inner_->cache_model(cache);
  }
  void run_padded(const PaddedBatch& batch, ForwardOutput& out) override;
  void run_packed(const PackedBatch& batch, ForwardOutput& out) override;
  void apply_moves(const MovePlan& plan) override;
  void apply_promised_moves(const MovePlan& plan, MovePromises promises) override;
  void crop(CacheId cache, int row, int from_slot) override { inner_->crop(cache, row, from_slot); }
  std::uint64_t kv_digest(CacheId cache, int row, int first, int count) const override {
    return inner_->kv_digest(cache, row, first, count);
  }
  std::optional<SlotProvenance> provenance(CacheId cache, int row, int slot) const override {
    return inner_->provenance(cache, row, slot);
  }

  void on_create_cache(CacheId cache, ModelRole role, int rows, int capacity) override;

 private:
  ModelRole role_of(CacheId cache) const;

  std::unique_ptr<Backend> inner_;
  std::map<int, ModelRole> cache_role_;  // by CacheId value
  std::vector<PassTiming> passes_;
  double move_seconds_ = 0;
};

}  // namespace lockstep::sim
