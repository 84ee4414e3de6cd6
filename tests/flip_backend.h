// A test double for float numerics (issue 13): a Backend that delegates everything to the
// symbolic backend but, in every batched pass (two or more rows of two or more tokens),
// flips the argmax of each row's first query to the next token id, as a float backend whose
// reduction order depends on the pass shape might. Batch-1 AR (one row) is never touched, so
// a run through it differs from batch-1 AR while every layout invariant holds: a simulated
// numerics divergence. It also fills ForwardOutput::top2 (best 2, second 1 for an untouched
// query; a near tie, gap kFlipGap, for a flipped one) so the divergence anatomy has logits.
//
// Registered as backend "flip-test" by register_flip_backend(); tests only.
#pragma once

#include <memory>
#include <string>

#include "sim/backend.h"
#include "sim/symbolic_backend.h"

namespace lockstep::test {

inline constexpr float kFlipGap = 1.0f / 1024.0f;

class FlipBackend final : public sim::Backend {
 public:
  std::string name() const override { return "flip-test"; }
  sim::CacheId create_cache(const sim::ModelConfig& model, int rows, int capacity) override {
    return inner_.create_cache(model, rows, capacity);
  }
  int cache_rows(sim::CacheId cache) const override { return inner_.cache_rows(cache); }
  int cache_capacity(sim::CacheId cache) const override { return inner_.cache_capacity(cache); }
  const sim::ModelConfig& cache_model(sim::CacheId cache) const override {
    return inner_.cache_model(cache);
  }
  void run_padded(const sim::PaddedBatch& batch, sim::ForwardOutput& out) override {
    inner_.run_padded(batch, out);
    fill_top2(out);
    if (batch.rows < 2 || batch.tokens < 2) return;
    for (int r = 0; r < batch.rows; ++r) {
      for (int t = 0; t < batch.tokens; ++t) {
        const auto i = static_cast<std::size_t>(r * batch.tokens + t);
        if (batch.tags[i].seq < 0) continue;
        flip(out, i, vocab(batch.cache));
        break;  // the row's first real query only
      }
    }
  }
  void run_packed(const sim::PackedBatch& batch, sim::ForwardOutput& out) override {
    inner_.run_packed(batch, out);
    fill_top2(out);
    if (batch.rows() < 2) return;
    for (int r = 0; r < batch.rows(); ++r) {
      const auto first = static_cast<std::size_t>(batch.row_offsets[static_cast<std::size_t>(r)]);
      const auto end = static_cast<std::size_t>(batch.row_offsets[static_cast<std::size_t>(r) + 1]);
      if (end - first >= 2) flip(out, first, vocab(batch.cache));
    }
  }
  void apply_moves(const sim::MovePlan& plan) override { inner_.apply_moves(plan); }
  void apply_promised_moves(const sim::MovePlan& plan, sim::MovePromises promises) override {
    inner_.apply_promised_moves(plan, promises);
  }
  void crop(sim::CacheId cache, int row, int from_slot) override {
    inner_.crop(cache, row, from_slot);
  }
  std::uint64_t kv_digest(sim::CacheId cache, int row, int first, int count) const override {
    return inner_.kv_digest(cache, row, first, count);
  }
  std::optional<sim::SlotProvenance> provenance(sim::CacheId cache, int row,
                                                int slot) const override {
    return inner_.provenance(cache, row, slot);
  }

 private:
  int vocab(sim::CacheId cache) const { return inner_.cache_model(cache).vocab; }
  static void fill_top2(sim::ForwardOutput& out) {
    out.top2.assign(out.argmax.size(), {});
    for (std::size_t i = 0; i < out.argmax.size(); ++i)
      out.top2[i] = {.best = 2.0f, .second = 1.0f, .second_token = out.argmax[i] == 0 ? 1 : 0};
  }
  static void flip(sim::ForwardOutput& out, std::size_t i, int vocab) {
    const sim::Token was = out.argmax[i];
    out.argmax[i] = (was + 1) % vocab;
    out.top2[i] = {.best = 1.0f + kFlipGap, .second = 1.0f, .second_token = was};
  }

  sim::SymbolicBackend inner_;
};

inline void register_flip_backend() {
  sim::register_backend("flip-test", [] { return std::make_unique<FlipBackend>(); });
}

}  // namespace lockstep::test
