// An Observer that prices a run: every forward pass and move plan the controller actually
// issues is costed by a CostModel (sim/cost_model.h) and summed per stage.
//
// Contract: attach to sim::RunOptions::observers; read prediction() after the run. Stages are
// classified from the data alone: a pass whose tokens are prompt tokens (logical index below
// prompt_len - 1) is prefill, otherwise a target pass is verify and a draft pass is draft.
// Realignment is priced two ways at once, so one controller run yields both columns:
//   in-place  lockstep's move plans, one batched kernel per plan (what the controller built);
//   paper     the published EQSPEC code: every step, each padded cache is rebuilt (a fresh
//             zero-filled rows x width cache, then a copy of every row's KV). Applies to eqspec
//             and spec1 (the unpad-append-repad strategies); for the others it equals in-place.
// Host time ("other") has no term in the model and stays 0. The hf-eager profile
// (sim/cost_hf_eager.h) prices the same events as the paper's Python code instead.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/cost_hf_eager.h"
#include "sim/cost_model.h"
#include "sim/metrics.h"
#include "sim/observer.h"
#include "sim/scenario.h"

namespace lockstep::sim {

enum class RealignMode { inplace, paper };
const char* realign_mode_name(RealignMode mode);

struct CostPrediction {
  StageSeconds seconds;              // realign = in-place move plans
  double paper_realign_seconds = 0;  // realign under the published implementation
  double realign_bytes = 0;          // in-place: KV bytes moved, summed over move plans
  double paper_realign_bytes = 0;    // paper: bytes zero-filled plus bytes copied
  std::int64_t realign_slots = 0;    // KV slots moved by move plans (both caches)
  std::int64_t passes = 0;
  std::int64_t launches = 0;  // forward-pass kernels (realignment not included)
  double weight_bytes = 0;
  double kv_bytes = 0;  // read and written by forward passes
  double ops = 0;

  // Stage seconds with realignment priced by `mode`.
  StageSeconds stages(RealignMode mode) const;
  double total_seconds(RealignMode mode) const { return stages(mode).total(); }
  double realign_share(RealignMode mode) const;
  double tokens_per_second(std::int64_t generated_tokens, RealignMode mode) const;
};

class CostObserver final : public Observer {
 public:
  CostObserver(CostModel model, const Scenario& scenario);

  const CostModel& model() const { return model_; }
  const CostPrediction& prediction() const { return prediction_; }

  void on_create_cache(CacheId cache, ModelRole role, int rows, int capacity) override;
  void on_forward_padded(ModelRole role, const PaddedBatch& batch,
                         const ForwardOutput& out) override;
  void on_forward_packed(ModelRole role, const PackedBatch& batch,
                         const ForwardOutput& out) override;
  void on_step_begin(int step) override;
  void on_moves(const MovePlan& plan) override;
  void on_step_end(int step, const std::vector<RowPlacement>& placements) override;

 private:
  bool is_prompt_token(const TokenTag& tag) const;
  void add_pass(ModelRole role, bool prefill, const std::vector<RowWork>& rows);

  CostModel model_;
  std::vector<int> prompt_len_;          // by sequence id
  bool paper_applies_ = false;           // eqspec / spec1
  std::map<int, ModelRole> cache_role_;  // by CacheId value
  std::vector<RowWork> rows_;            // scratch, reused every pass
  CostPrediction prediction_;
  std::optional<HfEagerPricer> hf_eager_;  // set for the hf-eager profile
};

}  // namespace lockstep::sim
