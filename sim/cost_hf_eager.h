// The `hf-eager` implementation profile: what the paper's own code (github.com/eBay/spec_dec,
// Python on Hugging Face transformers, PyTorch eager mode) costs for the passes and the
// realignment lockstep's controller issues (docs/cost-model.md, "The hf-eager profile").
//
// Contract: pure arithmetic, like sim/cost_model.h, whose roofline gives the device time. Each
// pass costs max(host, device): eager PyTorch dispatches one tensor call after another from
// Python (host), while the GPU runs them asynchronously (device); the slower side sets the time.
// Host = tensor calls x per-call cost + device-to-host syncs x per-sync cost. The counts are
// read from the paper's code and from transformers' Llama modules; the two per-unit costs are
// one published microbenchmark (the sync) and one fit (the call). What it does not do: model
// generate()'s per-call setup, Python work between stages, or the GPU the paper used (the
// hardware preset's bandwidth and peak price the device side). None of it changes a hardware
// preset's launch overhead: the lockstep profile never reads these terms.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "sim/cost_model.h"

namespace lockstep::sim {

// Every count and constant, with where it comes from in docs/cost-model.md.
struct HfEagerConstants {
  double call_seconds = 0;  // host cost of one eager tensor call from Python (FIT)
  double sync_seconds = 0;  // one tensor.item(): device-to-host copy and sync (published)
  // One forward pass of a Llama-family model in transformers (hand count of its modules).
  int calls_per_layer = 0;
  int calls_per_pass = 0;
  // batch_oracle_verification outside the model: DynamicCache.crop (2 per layer), then
  // per step and per row.
  int verify_calls_per_layer = 0;
  int verify_calls_per_step = 0;
  int verify_calls_per_row = 0;
  // generate() on the draft: per generated token (one pass each), and the stage's own
  // per-step and per-row work in batch_speculative.py.
  int generate_calls_per_token = 0;
  int generate_syncs_per_token = 0;
  int draft_calls_per_step = 0;
  int draft_calls_per_row = 0;
  int draft_syncs_per_row = 0;
  // Stage 3 (update and realign_kv_cache): per step, per row, per layer, per row and layer.
  int realign_calls_per_step = 0;
  int realign_syncs_per_step = 0;
  int realign_calls_per_row = 0;
  int realign_syncs_per_row = 0;
  int realign_calls_per_layer = 0;
  int realign_calls_per_row_layer = 0;
  int realign_syncs_per_row_layer = 0;
};

// The profile's constants (docs/cost-model.md lists each with its source).
const HfEagerConstants& hf_eager_constants();

// The paper's batch-4 stage profile (Vicuna-7B/68M, ms per step) and the fit that sets
// call_seconds from its verify figure alone.
inline constexpr double kPaperBatch4DraftSeconds = 15.2e-3;
inline constexpr double kPaperBatch4VerifySeconds = 24.9e-3;
inline constexpr double kPaperBatch4RealignSeconds = 15.3e-3;
// call_seconds such that a host-bound verify pass of `target` at `rows` rows costs `seconds`.
double hf_eager_fit_call_seconds(const ModelDims& target, int rows, double seconds);

enum class HfPass { prefill_target, prefill_draft, verify, draft_first, draft_next };

struct HfEagerCost {
  double host_seconds = 0;
  double device_seconds = 0;
  double seconds = 0;  // max(host, device)
};

// One forward pass the controller issued, as the paper's code would run it. `rows` as for
// CostModel::pass; `batch_rows` is the batch's row count including finished rows (the paper
// keeps them until the last row finishes). draft_first: generate() has no cache kept across
// steps, so its first pass re-feeds every row's whole context; prefill_draft costs nothing
// (generate() prefills inside the draft stage instead).
HfEagerCost hf_eager_pass(const CostModel& model, HfPass kind, const std::vector<RowWork>& rows,
                          int batch_rows);

// Stage 3 of one step: the target cache rebuilt by realign_kv_cache (the draft keeps none):
// `batch_rows` rows of `width` slots zero-filled, `live_slots` copied.
HfEagerCost hf_eager_realign(const CostModel& model, int batch_rows, std::int64_t width,
                             std::int64_t live_slots);

// One of lockstep's move plans dispatched from Python: one call, bytes over bandwidth.
HfEagerCost hf_eager_move_plan(const CostModel& model, bool target, std::int64_t slots);

// The per-run state the profile needs from the controller's event stream: which draft pass of
// the step this is (generate()'s first one re-feeds the context) and the batch's row count
// including rows that finished (the paper keeps them until its last row finishes; a new batch
// shows up as more live rows than the previous pass had). CostObserver owns one per run.
class HfEagerPricer {
 public:
  explicit HfEagerPricer(CostModel model) : model_(std::move(model)) {}

  void begin_step() { draft_passes_in_step_ = 0; }
  // Seconds of one forward pass of `rows` (prefill: a pass over prompt tokens).
  double pass(bool target, bool prefill, const std::vector<RowWork>& rows);
  double move_plan(bool target, std::int64_t slots) const {
    return hf_eager_move_plan(model_, target, slots).seconds;
  }
  // The target cache's realignment at the end of a step (the draft keeps no cache).
  double realign(std::int64_t width, std::int64_t live_slots) const {
    return hf_eager_realign(model_, batch_rows_, width, live_slots).seconds;
  }

 private:
  CostModel model_;
  int draft_passes_in_step_ = 0;
  int live_rows_ = 0;
  int batch_rows_ = 0;
};

}  // namespace lockstep::sim
