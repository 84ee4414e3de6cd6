// verify/: the public face of the verifier. A checked run executes a scenario on its
// backend, computes the batch-1 AR oracle on a separate instance of the same backend,
// watches every step with the invariant checker (unless checking is off) and compares every
// output with the oracle. An output that differs while every invariant holds is a numerics
// divergence (float numerics only: exact numerics make it a violation of I5), described by
// its anatomy (verify/divergence.h).
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
#include "verify/divergence.h"

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

// What a checked run found, worst first: a broken invariant (or, unchecked, an output that
// differs from batch-1 AR), outputs that differ by numerics alone, or outputs equal to it.
enum class Verdict { violation, numerics_divergence, equivalent };

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
  // Sequences that differ from batch-1 AR in a run whose invariants were checked and all
  // held (float numerics; always 0 under exact, where such a sequence breaks I5), each with
  // its anatomy, in sequence order.
  int numerics_divergences = 0;
  std::vector<DivergenceAnatomy> divergences;

  // Rejection sampling (issue 14 item 3): outputs differ from batch-1 AR by design; I5
  // recomputes each commit instead, and what the run promises is its distribution (checked
  // by the distribution test, not here).
  bool rejection = false;

  // Every output equals batch-1 AR and no invariant broke: what exact numerics promise
  // (under rejection sampling: no invariant broke).
  bool ok() const {
    return violation_count == 0 &&
           (rejection || equivalent_sequences == static_cast<int>(oracle.size()));
  }
  // Checked, and no invariant broke (outputs may still differ by numerics).
  bool invariants_hold() const { return invariants_checked && violation_count == 0; }
  Verdict verdict() const {
    if (ok()) return Verdict::equivalent;
    return invariants_hold() ? Verdict::numerics_divergence : Verdict::violation;
  }
};

CheckedRun run_checked(const sim::Scenario& scenario, const CheckOptions& options);

// The summary object of `lockstep run --summary-json` (docs/cli.md lists its fields). With
// `text`, each per_sequence entry also carries "prompt_text" and "text" (its output), whole
// and printable (escaped as sim::TokenText::text does), and the object names "text_source".
nlohmann::json summary_json(const CheckedRun& run, const sim::TokenText* text = nullptr);

// The anatomy of one numerics divergence as JSON: {seq, position, index, run, ar}, each side
// {token, kind, step, commit_step, form, rows, tokens, past, best, second, second_token, gap}
// (logit fields null without logits; a side null when unknown). docs/cli.md lists it.
nlohmann::json divergence_json(const DivergenceAnatomy& d);

// One line of the run summary for sequence `seq`: its acceptance (drafts accepted of
// proposed) and its decoded output on one line, cut to `columns` characters of text, e.g.
//   seq 0    7/12 accepted  "The capital of France is Paris. It is…"
// Throws ContractError when `seq` is not a sequence of the run.
std::string sequence_line(const CheckedRun& run, int seq, const sim::TokenText& text,
                          std::size_t columns = 80);

}  // namespace lockstep::verify
