// The scenario runner: builds the sequences, computes the target's reference continuation
// (batch-1 AR, the oracle of I5 and the truth the oracle/script drafters corrupt), and runs
// the scenario's strategy through the engine.
#pragma once

#include <vector>

#include "sim/backend.h"
#include "sim/drafter.h"
#include "sim/metrics.h"
#include "sim/observer.h"
#include "sim/scenario.h"
#include "sim/sequence.h"
#include "sim/trace.h"

namespace lockstep::sim {

struct RunOptions {
  std::vector<Observer*> observers;  // notified in order (the verifier, a cost model, ...)
  TraceWriter* trace = nullptr;
  // Also trace every pass's full tensors and every crop as "detail" records (for pictures
  // and debugging; excluded from the digest, so the digest does not depend on it).
  bool trace_details = false;
};

struct RunResult {
  RunMetrics metrics;
  std::vector<Sequence> sequences;                  // final state, prompt order
  std::vector<std::vector<Token>> outputs() const;  // generated tokens per sequence
};

// Plain AR of the target, one sequence at a time, max_new_tokens + k tokens past each prompt
// and no EOS stop (so drafters have the truth for every position they may propose).
// `observer` (may be null) watches the AR run, e.g. to learn which pass produced each token.
ReferenceContinuation compute_reference(Backend& backend, const Scenario& scenario,
                                        Observer* observer = nullptr);

// What batch-1 AR with the scenario's EOS and max_new_tokens rules outputs.
std::vector<std::vector<Token>> oracle_outputs(const ReferenceContinuation& reference,
                                               const Scenario& scenario);

// One record per prompt, in prompt order, nothing generated yet.
std::vector<Sequence> make_sequences(const Scenario& scenario);

// Runs the scenario's strategy on `result.sequences` (from make_sequences; an observer may
// watch them, the vector is never resized) and stores the metrics in `result`.
void run_scenario(Backend& backend, const Scenario& scenario,
                  const ReferenceContinuation& reference, RunResult& result,
                  const RunOptions& options);

}  // namespace lockstep::sim
