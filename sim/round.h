// One speculative round, written once for every strategy and both layouts: prefill of rows
// whose KV is still empty, k + 1 draft passes of one token each (the last only writes d_k's
// KV so the draft cache mirrors the target's; its output is unused), one target pass over
// [pending, d_1..d_k], acceptance (greedy, coupled, or rejection sampling: sim/rejection.h),
// the commit and the round's trace record. What
// happens to the rejected slots and the alignment afterwards (realignment), which sequences
// are in the group (admission) and the layout are the strategy's (sim/strategy.h).
//
// Padded layout (invariant I4): every row of a group is right-aligned at the group's
// `width` W; row r's KV holds its cached tokens (all committed tokens but the newest) at
// slots [pad_r, W), slots below pad_r are padding and masked, and the token at column c gets
// position id c - pad_r (I1). Packed layout: row r's KV holds `kv_extent` slots from 0 and
// its tokens are written from there, position = slot. Target and draft caches share the
// layout exactly.
//
// Faults injected here (sim/faults.h): the pass faults of sim/layout_passes.h;
// bonus-kv-missing skips the last draft pass; bonus-kv-wrong-slot moves the pending token's
// write slot (bonus_slot_shift); accept-first-rejected changes what commit_rows commits; the
// KV-length faults act in kv_length_after_round, called by every strategy's realignment.
#pragma once

#include <vector>

#include "sim/engine.h"
#include "sim/rejection.h"
#include "sim/strategy.h"

namespace lockstep::sim {

struct RoundRow {
  int seq = 0;
  int cache_row = 0;
  int pad = 0;        // padded layout: slots below it are padding; 0 in the packed layout
  int kv_extent = 0;  // packed layout: KV slots the layout holds for the row; unused padded
  // Fault bonus-kv-wrong-slot only: how far from its column the next verify pass writes the
  // pending (bonus) token's KV. Always 0 in a correct run.
  int bonus_slot_shift = 0;
};

struct RoundGroup {
  Layout layout = Layout::padded;
  CacheId target;
  CacheId draft;  // unused when the engine does not draft
  std::vector<RoundRow> rows;
  int width = 0;  // padded layout only
};

struct RoundOutcome {
  std::vector<std::vector<Token>> drafts;  // [rows][k]
  // [rows][k + 1]: the target's choices (greedy or coupled), or under rejection sampling the
  // tokens the round commits at each position: accepted drafts, then the correction or bonus,
  // then the target's own samples at the positions nobody reached.
  std::vector<std::vector<Token>> targets;
  std::vector<int> accepted;  // [rows]
  // Rejection sampling only (sim/rejection.h), else empty: the draft distributions [rows][k
  // or k + 1] (one-hot for deterministic proposals) and each row's verdict.
  std::vector<std::vector<numerics::SampleDistribution>> draft_q;
  std::vector<RowVerdict> verdicts;

  int most_accepted() const;
};

struct RoundOptions {
  bool keep_least = false;  // every row keeps the batch's least accepted count (rollback)
  bool grouped = false;     // the trace's "grouped" flag (exspec's same-length groups)
};

struct Round {
  RoundOutcome outcome;
  std::vector<int> kept;       // [rows] drafts kept: accepted, or the least under keep_least
  std::vector<int> committed;  // [rows] tokens committed (EOS and max_new_tokens cut them)
};

// Runs one round on `group` (whose rows are live) and commits it. The caller begins the step
// before and realigns and ends the step after.
Round speculative_round(Engine& engine, const RoundGroup& group, const RoundOptions& options);
// The same into `round`, whose buffers are reused (a strategy's loop keeps one Round).
void speculative_round(Engine& engine, const RoundGroup& group, const RoundOptions& options,
                       Round& round);

// Longest prefix of `drafts` that equals the target's own choices `targets` (greedy
// verification): d_i is accepted iff d_1..d_{i-1} are and d_i == targets[i-1].
int accepted_prefix(const std::vector<Token>& drafts, const std::vector<Token>& targets);

// The tokens a round commits when it keeps `keep` drafts: d_1..d_keep then targets[keep]
// (the bonus, or the target's correction of the first rejected draft).
std::vector<Token> round_tokens(const std::vector<Token>& drafts, const std::vector<Token>& targets,
                                int keep);

// What a realignment needs to know to compute a row's KV length after a round.
struct KvLengthAfterRound {
  int correct = 0;        // the length a correct controller records
  int before = 0;         // the length the layout held before the round
  int accepted = 0;       // drafts the row kept
  int most_accepted = 0;  // the most any row of the batch accepted
};
// The KV length the layout records for a row after a round: `correct`, except under the
// KV-length faults (stale-kv-after-rejection, uniform-kv-offset, all-accepted-as-k-minus-1),
// which miscount it here, exactly where a real implementation would (docs/faults.md).
int kv_length_after_round(const Engine& engine, const KvLengthAfterRound& row);
// The pending token's write-slot shift for the next round (bonus-kv-wrong-slot), else 0.
int bonus_slot_shift_after_round(const Engine& engine, int accepted);

// Padded layout: places `seqs` into cache rows `cache_rows` right-aligned at the longest
// cached length.
RoundGroup align_group(Engine& engine, CacheId target, CacheId draft, const std::vector<int>& seqs,
                       const std::vector<int>& cache_rows);

// Padded layout: placements of every row of the group in both caches, for the verifier.
std::vector<RowPlacement> padded_placements(Engine& engine, const RoundGroup& group);

// Writes the verify record of a round. `form` is "padded" or "packed" (pads are then 0).
void trace_round(Engine& engine, const char* form, const std::vector<RoundRow>& rows, int width,
                 const RoundOutcome& outcome, const std::vector<int>& committed, bool grouped);

// Commits `keep[r]` drafts plus one token for every row; returns per-row committed counts.
std::vector<int> commit_rows(Engine& engine, const std::vector<RoundRow>& rows,
                             const RoundOutcome& outcome, const std::vector<int>& keep);

}  // namespace lockstep::sim
