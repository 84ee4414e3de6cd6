// verify/: the public face of the verifier. A checked run executes a scenario on its
// backend, computes the batch-1 AR oracle on a separate instance of the same backend,
// watches every step with the invariant checker (unless checking is off) and compares every
// output with the oracle.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/cost_observer.h"
#include "sim/runner.h"
#include "sim/scenario.h"
#include "sim/token_text.h"
#include "verify/checker.h"

namespace lockstep::verify {

struct CheckOptions {
  bool check_invariants = true;
  std::string trace_path;      // empty: digest only, no file
  bool trace_details = false;  // add full-tensor "detail" records (not in the digest)
  // Cost model "HW:PAIR[:PRECISION]" (sim/cost_model.h); empty: the scenario's `cost`, if any.
  std::string cost;
  // For many runs of one model on the same prompts (a real model's weights take seconds to
  // convert): the batch-1 continuation sim::compute_reference gave for these prompts with at
  // least this max_new_tokens + k, and a backend to run on (never the one the reference came
  // from). Null: computed, or made, for this run alone.
  const sim::ReferenceContinuation* reference = nullptr;
  sim::Backend* backend = nullptr;
};

struct CheckedRun {
  sim::Scenario scenario;
  sim::RunResult result;
  std::vector<std::vector<sim::Token>> oracle;  // batch-1 AR outputs
  std::vector<Violation> violations;
  std::int64_t violation_count = 0;
  int equivalent_sequences = 0;
  bool invariants_checked = false;
  std::uint64_t trace_digest = 0;
  double reference_seconds = 0;  // wall time of the oracle computation
  double run_seconds = 0;
  std::optional<sim::CostPrediction> predicted;  // set when a cost spec was given
  std::string cost_spec;                         // the cost model's canonical spec

  bool ok() const {
    return violation_count == 0 && equivalent_sequences == static_cast<int>(oracle.size());
  }
};

CheckedRun run_checked(const sim::Scenario& scenario, const CheckOptions& options);

// The summary object of `lockstep run --summary-json` (docs/cli.md lists its fields). With
// `text`, each per_sequence entry also carries "prompt_text" and "text" (its output), whole
// and printable (escaped as sim::TokenText::text does), and the object names "text_source".
nlohmann::json summary_json(const CheckedRun& run, const sim::TokenText* text = nullptr);

// One line of the run summary for sequence `seq`: its acceptance (drafts accepted of
// proposed) and its decoded output on one line, cut to `columns` characters of text, e.g.
//   seq 0    7/12 accepted  "The capital of France is Paris. It is…"
// Throws ContractError when `seq` is not a sequence of the run.
std::string sequence_line(const CheckedRun& run, int seq, const sim::TokenText& text,
                          std::size_t columns = 80);

}  // namespace lockstep::verify
