// The rectangular (HF-style) layout and one speculative round on it, shared by ar, spec1,
// eqspec, rollback and exspec's realigning fallback.
//
// Layout kept between rounds (invariant I4): every row of a group is right-aligned at the
// group's `width` W; row r's KV holds its cached tokens (all committed tokens but the newest)
// at slots [pad_r, W), slots below pad_r are padding and masked, and the token at column c
// gets position id c - pad_r (I1). Target and draft caches share the layout exactly.
//
// Faults injected here (sim/faults.h): positions-from-padded-index, pads-visible and
// pad-equals-eos corrupt the pass tensors; bonus-kv-missing skips the last draft pass;
// bonus-kv-wrong-slot moves the pending token's write slot; accept-first-rejected changes
// what commit_rows commits.
//
// A round: prefill of rows whose KV is still empty (one pass over those rows, left padded);
// k + 1 draft passes of one token each (the last only writes d_k's KV so the draft cache
// mirrors the target's; its output is unused); one target pass over [pending, d_1..d_k].
// The caller commits and re-synchronizes: what happens to the rejected slots and the
// alignment is exactly where the strategies differ.
#pragma once

#include <vector>

#include "sim/engine.h"

namespace lockstep::sim {

struct PaddedRow {
  int seq = 0;
  int cache_row = 0;
  int pad = 0;
  // Fault bonus-kv-wrong-slot only: how far from its column the next verify pass writes the
  // pending (bonus) token's KV. Always 0 in a correct run.
  int bonus_slot_shift = 0;
};

struct PaddedGroup {
  CacheId target;
  CacheId draft;  // unused when the engine does not draft
  std::vector<PaddedRow> rows;
  int width = 0;
};

struct RoundOutcome {
  std::vector<std::vector<Token>> drafts;   // [rows][k]
  std::vector<std::vector<Token>> targets;  // [rows][k + 1]
  std::vector<int> accepted;                // [rows]
};

// Longest prefix of `drafts` that equals the target's own choices `targets` (greedy
// verification): d_i is accepted iff d_1..d_{i-1} are and d_i == targets[i-1].
int accepted_prefix(const std::vector<Token>& drafts, const std::vector<Token>& targets);

// The tokens a round commits when it keeps `keep` drafts: d_1..d_keep then targets[keep]
// (the bonus, or the target's correction of the first rejected draft).
std::vector<Token> round_tokens(const std::vector<Token>& drafts, const std::vector<Token>& targets,
                                int keep);

// Places `seqs` into cache rows `cache_rows` right-aligned at the longest cached length.
PaddedGroup align_group(Engine& engine, CacheId target, CacheId draft, const std::vector<int>& seqs,
                        const std::vector<int>& cache_rows);

RoundOutcome run_padded_round(Engine& engine, const PaddedGroup& group);

// Placements of every row of the group in both caches, for the verifier and the trace.
std::vector<RowPlacement> padded_placements(Engine& engine, const PaddedGroup& group);

// Writes the verify record of a round. `form` is "padded" or "packed" (pads are then 0).
void trace_round(Engine& engine, const char* form, const std::vector<PaddedRow>& rows, int width,
                 const RoundOutcome& outcome, const std::vector<int>& committed, bool grouped);

// Commits `keep[r]` drafts plus one token for every row; returns per-row committed counts.
std::vector<int> commit_rows(Engine& engine, const std::vector<PaddedRow>& rows,
                             const RoundOutcome& outcome, const std::vector<int>& keep);

}  // namespace lockstep::sim
