// The machinery every strategy shares: the one path through which backend operations are
// issued (so that timing, metrics, trace records and observer notifications can never be
// skipped by a strategy), the commit rule (EOS and max_new_tokens cut exactly where plain AR
// stops), and the bookkeeping of steps. Strategies decide layout; the engine executes it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "sim/backend.h"
#include "sim/drafter.h"
#include "sim/faults.h"
#include "sim/metrics.h"
#include "sim/observer.h"
#include "sim/scenario.h"
#include "sim/sequence.h"
#include "sim/strategy.h"
#include "sim/trace.h"

namespace lockstep::sim {

enum class Stage { draft, verify, realign, prefill, other };

class Engine {
 public:
  // `drafter` may be null for strategies that do not draft (ar). `observer` and `trace` may
  // be null.
  Engine(Backend& backend, const Scenario& scenario, std::vector<Sequence>& sequences,
         const Drafter* drafter, Observer* observer, TraceWriter* trace);

  // The scenario as the strategies see it: a preset (bsp-like, dsd-like) is resolved to its
  // base strategy here, its faults joined to the scenario's.
  const Scenario& scenario() const { return scenario_; }
  // The registry row of the scenario's strategy (sim/strategy.h).
  const StrategyInfo& strategy() const { return strategy_; }
  // Faults injected into this run (sim/faults.h); empty in a correct run.
  const FaultSet& faults() const { return faults_; }
  std::vector<Sequence>& sequences() { return sequences_; }
  Sequence& sequence(int id) { return sequences_.at(static_cast<std::size_t>(id)); }
  RunMetrics& metrics() { return metrics_; }
  int step() const { return step_; }
  // Draft tokens per round: 0 for ar, the scenario's k otherwise.
  int k() const { return k_; }
  bool drafting() const { return k_ > 0; }
  // Whether the draft model runs: its caches, prefill, passes and realignment exist. False
  // for ar and for a drafter without a draft model (prompt lookup), which still drafts.
  bool has_draft_model() const { return k_ > 0 && drafter_->runs_draft_model(); }
  // Whether drafts are the draft model's sampled choices (their q is the draft model's
  // distribution), not deterministic proposals (one-hot q). Rejection sampling only.
  bool drafts_model_samples() const {
    return has_draft_model() && drafter_->proposes_model_choice();
  }
  // The run's sampling (the scenario's): greedy, coupled or rejection.
  const SamplingOptions& sampling() const { return scenario_.sampling; }
  bool rejection_sampling() const {
    return !scenario_.sampling.greedy() && scenario_.sampling.acceptance == Acceptance::rejection;
  }
  bool tracing() const { return trace_ != nullptr; }
  void set_trace_details(bool on) { trace_details_ = on && trace_ != nullptr; }

  // Enough KV slots for any sequence of this run: longest prompt, every new token, and the
  // k + 1 speculative slots of a round. With faults, room for a layout that runs ahead of the
  // sequence by up to k + 2 slots a step, so a faulty run fails an invariant, not a shape check.
  // Computed once (prompts and faults are fixed for the run): strategies check it every step.
  int kv_capacity() const { return kv_capacity_; }

  CacheId create_cache(ModelRole role, int rows, int capacity);
  // The result stays valid until the next forward call (its buffers are reused). The engine
  // fills the batch's `sampling` (the run's sampling and every output's key) before the
  // backend runs it: only where this run samples and the pass's outputs are read.
  const ForwardOutput& forward(ModelRole role, PaddedBatch& batch, Stage stage);
  const ForwardOutput& forward(ModelRole role, PackedBatch& batch, Stage stage);
  // `promises`: see MovePromises (they reach the backend, not the trace or the observer).
  void move(ModelRole role, const MovePlan& plan, MovePromises promises = {});
  void crop(ModelRole role, CacheId cache, int row, int from_slot);

  // Reusable batch buffers: a step issues many passes and allocation would dominate.
  PaddedBatch& padded_scratch() { return padded_scratch_; }
  PackedBatch& packed_scratch() { return packed_scratch_; }

  // Proposal d_i of a round, through the scenario's drafter.
  Token propose(const Sequence& seq, int i, int index, Token model_choice) const;

  void begin_step();
  // Appends `tokens` to `seq` one by one, stopping after an EOS token or at max_new_tokens.
  // Returns how many were committed. Records the round's counters (k proposed, `accepted`).
  int commit_round(int row, Sequence& seq, std::span<const Token> tokens, int accepted);
  // Notifies the observer of where every live sequence's KV lives and writes the state record.
  void end_step(const std::vector<RowPlacement>& placements);
  void record(const trace::Record& record);

  // Finished rows never come back; a strategy calls this to learn whether to stop.
  bool all_finished() const;
  // Index of the next sequence not yet admitted into a batch or pool, or -1.
  int next_unadmitted();

  class StageTimer {
   public:
    StageTimer(Engine& engine, Stage stage);
    ~StageTimer();
    StageTimer(const StageTimer&) = delete;
    StageTimer& operator=(const StageTimer&) = delete;

   private:
    double& slot_;
    std::chrono::steady_clock::time_point start_;
  };

 private:
  int compute_kv_capacity() const;
  // The pass's sample sites from its tags (sim/pass_sampling.h); `cache_row_of(i)` is output
  // i's cache row, which only fault sample-key-batch-row reads.
  template <typename CacheRowOf>
  void stamp_sampling(ModelRole role, Stage stage, const std::vector<TokenTag>& tags,
                      CacheRowOf&& cache_row_of, PassSampling& out) const;
  // With trace details, a coupled verify pass's "sample" detail records (trace_schema.h):
  // per sampled output, the target's sample and the draft fed there with their probabilities.
  void trace_coupled_samples(const std::vector<TokenTag>& tags, const std::vector<Token>& fed,
                             const ForwardOutput& out);
  double& stage_seconds(Stage stage);
  void trace_pass(ModelRole role, const char* form, int rows, int tokens, int past,
                  std::uint64_t inputs, std::uint64_t positions, std::uint64_t mask,
                  const ForwardOutput& out);

  Backend& backend_;
  std::unique_ptr<Scenario> resolved_;  // set when the scenario names a strategy preset
  const Scenario& scenario_;
  const StrategyInfo& strategy_;
  FaultSet faults_;
  std::vector<Sequence>& sequences_;
  const Drafter* drafter_;
  Observer* observer_;
  TraceWriter* trace_;
  RunMetrics metrics_;
  ForwardOutput output_;
  PaddedBatch padded_scratch_;
  PackedBatch packed_scratch_;
  bool trace_details_ = false;
  int k_;
  int kv_capacity_ = 0;
  int step_ = 0;
  int admitted_ = 0;
};

}  // namespace lockstep::sim
