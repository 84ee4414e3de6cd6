// Hooks through which the verifier watches a run. The controller calls them after every
// backend operation it issues, with the very data the backend executed, and after every
// step with its bookkeeping of where each sequence lives; an observer can therefore check
// the invariants on any backend, including ones that cannot introspect their caches.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/batch.h"

namespace lockstep::sim {

enum class ModelRole { target, draft };
const char* role_name(ModelRole role);

// Where one sequence's KV lives in one cache after a step: slots [first_slot, first_slot +
// length) of `row`, in a layout whose rows end at column `width` (padded strategies keep
// every row right-aligned at the batch width; per-sequence layouts have width = first +
// length).
struct RowPlacement {
  std::int32_t seq = -1;
  ModelRole role = ModelRole::target;
  CacheId cache;
  std::int32_t row = 0;
  std::int32_t first_slot = 0;
  std::int32_t length = 0;
  std::int32_t width = 0;
};

struct Sequence;

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void on_step_begin(int /*step*/) {}
  virtual void on_create_cache(CacheId, ModelRole, int /*rows*/, int /*capacity*/) {}
  virtual void on_forward_padded(ModelRole, const PaddedBatch&, const ForwardOutput&) {}
  virtual void on_forward_packed(ModelRole, const PackedBatch&, const ForwardOutput&) {}
  virtual void on_moves(const MovePlan&) {}
  virtual void on_crop(CacheId, int /*row*/, int /*from_slot*/) {}
  // A token appended to a sequence's committed output at `step` from batch row `row`.
  virtual void on_commit(int /*step*/, int /*row*/, const Sequence&, int /*index*/) {}
  virtual void on_step_end(int /*step*/, const std::vector<RowPlacement>&) {}
};

// Fans every notification out to several observers, in the order they were added.
class ObserverList final : public Observer {
 public:
  void add(Observer* observer) {
    if (observer != nullptr) observers_.push_back(observer);
  }
  bool empty() const { return observers_.empty(); }

  void on_step_begin(int step) override {
    for (auto* o : observers_) o->on_step_begin(step);
  }
  void on_create_cache(CacheId cache, ModelRole role, int rows, int capacity) override {
    for (auto* o : observers_) o->on_create_cache(cache, role, rows, capacity);
  }
  void on_forward_padded(ModelRole role, const PaddedBatch& batch,
                         const ForwardOutput& out) override {
    for (auto* o : observers_) o->on_forward_padded(role, batch, out);
  }
  void on_forward_packed(ModelRole role, const PackedBatch& batch,
                         const ForwardOutput& out) override {
    for (auto* o : observers_) o->on_forward_packed(role, batch, out);
  }
  void on_moves(const MovePlan& plan) override {
    for (auto* o : observers_) o->on_moves(plan);
  }
  void on_crop(CacheId cache, int row, int from_slot) override {
    for (auto* o : observers_) o->on_crop(cache, row, from_slot);
  }
  void on_commit(int step, int row, const Sequence& seq, int index) override {
    for (auto* o : observers_) o->on_commit(step, row, seq, index);
  }
  void on_step_end(int step, const std::vector<RowPlacement>& placements) override {
    for (auto* o : observers_) o->on_step_end(step, placements);
  }

 private:
  std::vector<Observer*> observers_;
};

}  // namespace lockstep::sim
