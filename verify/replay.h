// Cross-backend replay (invariant I7, DESIGN §5): one scenario run checked on two backends,
// their canonical traces compared record by record (timing and detail records excluded, as
// in the trace digest), and the first divergence reported as (step, record, event, field,
// both values). Identical traces mean identical logits digests for every pass and identical
// KV digests for every row at every step.
//
// Also: a seeded generator of small random scenarios (tiny/small models, every strategy), so
// that `lockstep replay --random N --seed S` can sweep many layouts on two backends.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/scenario.h"

namespace lockstep::verify {

// The first difference between two traces; `identical` when there is none.
struct TraceDivergence {
  bool identical = true;
  std::int64_t record = -1;      // 0-based index among compared records (timing/detail excluded)
  int line_a = 0, line_b = 0;    // 1-based file lines (0: that trace has no such record)
  std::int64_t step = -1;        // the record's step, else the last step seen before it (-1: none)
  std::string event;             // the record's event (of trace A, else B)
  std::string field;             // path of the first differing field, e.g. "rows[0].accepted";
                                 // "<end of trace>" when one trace has fewer records
  std::string value_a, value_b;  // the differing values as JSON text ("<missing>" if absent)
};

// Compares two trace texts (JSON Lines). Throws InputError naming the trace and line when a
// line is not a JSON object with an "event".
TraceDivergence compare_traces(const std::string& trace_a, const std::string& trace_b);
std::string describe(const TraceDivergence& d, const std::string& backend_a,
                     const std::string& backend_b);

struct BackendReplay {
  std::string backend;
  std::uint64_t trace_digest = 0;     // FNV-1a over the non-timing lines (sim::TraceWriter)
  std::uint64_t logits_digest = 0;    // combine over every pass record's logits digest, in order
  std::uint64_t final_kv_digest = 0;  // combine over the last state record's KV digests
  std::int64_t records = 0;           // compared records
  bool ok = false;                    // the run itself: output-equivalent, no invariant broken
  std::int64_t violations = 0;
  int numerics_divergences = 0;  // outputs differing by numerics alone (float numerics)
  double seconds = 0;
};

struct ReplayResult {
  std::string scenario;
  BackendReplay a, b;
  TraceDivergence divergence;
  bool identical() const { return divergence.identical; }
};

struct ReplayOptions {
  std::string backend_a = "cpu";
  std::string backend_b = "gpu";
  bool check_invariants = true;
};

// Runs `scenario` (finalized) on both backends through verify::run_checked with a trace to a
// temporary file each, then compares. Errors of either run propagate (InputError: exit 2).
ReplayResult replay(const sim::Scenario& scenario, const ReplayOptions& options);

// The digests of one trace text (see BackendReplay).
void trace_digests(const std::string& trace, BackendReplay& out);

// Random scenario number `index` of the sweep keyed on `seed`: tiny or small target, oracle or
// model drafter, any strategy, batch 1..8, k 1..6, 1..10 prompts of 1..40 tokens, sometimes an
// EOS token. A pure function of (seed, index); validated like a file.
sim::Scenario random_scenario(std::uint64_t seed, int index);
std::string random_scenario_json(std::uint64_t seed, int index);

}  // namespace lockstep::verify
