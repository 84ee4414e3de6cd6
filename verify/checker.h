// The invariant checker (DESIGN §5): an Observer that mirrors every KV operation the
// controller issued in a shadow provenance map, and checks
//   I1 positions   every fed token's position id equals its logical index
//   I2 visibility  every query sees exactly its own sequence's tokens 0..j, in order, with
//                  the committed (or currently speculated) token ids: no pad, no other row,
//                  no stale or rejected entry
//   I3 provenance  after each step, each sequence's KV slots hold its committed prefix,
//                  contiguous and in order, in the target and the draft cache; on a backend
//                  that can introspect (symbolic) the backend's own slots are checked too
//   I4 length sync the controller's KV length equals committed - 1 and rows end at the
//                  layout's width
//   I5 equivalence every committed token equals the batch-1 AR oracle's (exact numerics);
//                  under float numerics, where batch-1 AR is no oracle (its bits depend on
//                  the pass shape), every committed token is the target's own greedy choice
//                  at the query that verified it, with the committed prefix as its context,
//                  and no sequence stops before, or commits past, EOS and max_new_tokens;
//                  under rejection sampling, every committed token is the one the accept
//                  test, the residual or the bonus draw gives from the passes'
//                  distributions and the keys, and the same stop rule holds
// at every step, and reports each violation with its step, row and slot.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/backend.h"
#include "sim/kv_shadow.h"
#include "sim/observer.h"
#include "sim/scenario.h"
#include "sim/sequence.h"
#include "verify/commit_sources.h"
#include "verify/rejection_commits.h"

namespace lockstep::verify {

struct Violation {
  std::string invariant;  // "I1".."I5"
  int step = 0;
  int row = 0;
  int slot = 0;
  std::string detail;  // one line
};

// What I5 compares a commit with (docs/invariants.md): batch-1 AR's output under exact
// numerics; under float numerics the target's own choice and the stop rule, so that a
// numerics divergence (every invariant holding, the bytes differing from batch-1 AR) is told
// apart from a bug in what the controller commits.
struct EquivalenceRule {
  sim::Numerics numerics = sim::Numerics::exact;
  std::vector<sim::Token> eos_tokens;  // every EOS id of the scenario
  int max_new_tokens = 0;
  // Rejection sampling (issue 14 item 3): outputs differ from batch-1 AR by design, so each
  // commit is recomputed from the passes' distributions and keys (verify/rejection_commits.h)
  // and the stop rule is checked, as under float numerics.
  bool rejection = false;
  std::uint64_t seed = 0;  // the sampling seed, under rejection
  // The rule a checked run of `scenario` uses (its target's numerics).
  static EquivalenceRule of(const sim::Scenario& scenario);
};

class InvariantChecker final : public sim::Observer {
 public:
  // `sequences` is the controller's truth (watched, not owned); `oracle` the batch-1 AR
  // outputs; `backend` is consulted for introspection when it can answer; `rule` says how I5
  // judges a commit (default: exact, against the oracle).
  InvariantChecker(const std::vector<sim::Sequence>& sequences,
                   std::vector<std::vector<sim::Token>> oracle, const sim::Backend& backend,
                   EquivalenceRule rule = {});

  void on_step_begin(int step) override;
  void on_create_cache(sim::CacheId cache, sim::ModelRole role, int rows, int capacity) override;
  void on_forward_padded(sim::ModelRole role, const sim::PaddedBatch& batch,
                         const sim::ForwardOutput& out) override;
  void on_forward_packed(sim::ModelRole role, const sim::PackedBatch& batch,
                         const sim::ForwardOutput& out) override;
  void on_moves(const sim::MovePlan& plan) override;
  void on_crop(sim::CacheId cache, int row, int from_slot) override;
  void on_commit(int step, int row, const sim::Sequence& seq, int index) override;
  void on_step_end(int step, const std::vector<sim::RowPlacement>& placements) override;

  // Sequences whose output stopped before the oracle's (checked once the run is over).
  void finish();

  const std::vector<Violation>& violations() const { return violations_; }
  std::int64_t violation_count() const { return count_; }
  // Only the first kMaxKept violations are kept; all are counted.
  static constexpr std::size_t kMaxKept = 100;
  // Where each committed token came from (float numerics only; null under exact).
  const CommitSources* commit_sources() const { return sources_ ? &*sources_ : nullptr; }

 private:
  void report(const char* invariant, int row, int slot, std::string detail);
  sim::KvCacheShadow& shadow(sim::CacheId cache);
  // The token the query's context must hold at `index` of sequence `seq`.
  sim::Token expected_token(int seq, int index) const;
  // Records a fed token (shadow write, I1, fed-token bookkeeping) and checks I2 on `visible`.
  void write_and_check(sim::ModelRole role, sim::KvCacheShadow& cache, int cache_row, int slot,
                       sim::Token token, std::int32_t position, sim::TokenTag tag,
                       const std::vector<std::int32_t>& visible);
  void check_slots(const sim::RowPlacement& p);
  void check_commit_against_oracle(int row, const sim::Sequence& seq, int index);
  void check_commit_against_model(int row, const sim::Sequence& seq, int index);
  void check_commit_under_rejection(int row, const sim::Sequence& seq, int index);
  // The stop rule (no commit past max_new_tokens or after EOS): why it broke, or empty.
  std::string stop_rule_broken(const sim::Sequence& seq, int index) const;
  // Whether I5 judges commits by a rule other than equality with batch-1 AR.
  bool without_oracle() const { return sim::is_float(rule_.numerics) || rule_.rejection; }
  bool is_eos(sim::Token token) const;

  const std::vector<sim::Sequence>& sequences_;
  std::vector<std::vector<sim::Token>> oracle_;
  const sim::Backend& backend_;
  EquivalenceRule rule_;
  std::optional<CommitSources> sources_;       // float numerics: what I5 compares with
  std::optional<RejectionCommits> rejection_;  // rejection sampling: what I5 recomputes
  sim::KvShadow shadow_;                       // what the executed plan put in every slot
  std::vector<std::vector<sim::Token>> fed_;   // [seq][index] latest token fed at that index
  std::vector<bool> diverged_;                 // I5 reported once per sequence
  std::vector<Violation> violations_;
  std::int64_t count_ = 0;
  int step_ = 0;
  std::vector<std::int32_t> scratch_;
};

}  // namespace lockstep::verify
