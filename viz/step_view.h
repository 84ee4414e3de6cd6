// What one step's picture shows, computed from a trace by replaying it (no drawing here):
// the batch grid of the target's verify pass with every cell classified, the KV slot maps
// of each cache before and after the step's realignment, the move plans, the EXSPEC pool,
// the first violated invariant and the numerics divergences committed at the step. Kept apart from
// the DOT text so tests can compare the classification with the trace directly.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/rejection.h"
#include "viz/trace_events.h"

namespace lockstep::viz {

// `stale` appears only in KV maps: a slot that still holds an old copy (a move copies, it
// does not clear the source) outside every sequence's KV range, so no query may read it.
enum class CellKind { empty, pad, prompt, committed, accepted, rejected, bonus, stale };
// One table of how each kind is named and drawn, shared by the pictures, their legend and
// index.html. Name: "empty", "pad", "prompt", "committed", "draft-accepted",
// "draft-rejected", "bonus", "stale" (read back by tests from the DOT); label: the legend's
// words; color: the fill.
const char* kind_name(CellKind kind);
const char* kind_label(CellKind kind);
const char* kind_color(CellKind kind);

struct Cell {
  CellKind kind = CellKind::empty;
  Tag tag;
  int token = 0;
  int position = -1;  // -1: none (empty slot)
  bool violation = false;
  bool divergence = false;  // the token where the output first differs from batch-1 AR
};

// One batch row of the verify pass; `cells` are the pass's columns (padded: past + tokens,
// packed: the row's KV extent + fed tokens, empty beyond). `bonus` is the target's own
// token committed after the accepted drafts (kind empty when EOS or max_new cut it).
struct GridRow {
  int cache_row = 0, seq = 0, accepted = 0, committed = 0;
  bool finished = false;
  std::vector<Cell> cells;
  Cell bonus;
  // Sampled runs with drafts (issue 14 item 5, viz/step_sampling.h): the judged drafts in
  // order (the accepted ones, then the first rejected), d_1 at logical index `first_draft`, and
  // the token drawn after them (source "residual" or "bonus" under rejection, "target sample"
  // under coupled). A p_total or total of 0: the trace holds no probability there; a q_total
  // of 0: no q (coupled acceptance has none).
  std::vector<sim::JudgedDraft> judged;
  std::optional<sim::SampledToken> drawn;
  int first_draft = 0;
};

struct KvMap {
  std::vector<std::vector<Cell>> rows;  // [cache row][slot], trimmed to `columns`
};

// One cache on the page: its state after the verify pass ("before" the realignment) and at
// the end of the step ("after"), with the move plans applied in between.
struct CacheView {
  int cache = 0;
  std::string model;
  std::int64_t bytes_per_slot = 0;
  int columns = 0;
  KvMap before, after;
  std::vector<MovesRecord> moves;  // after the verify pass
};

struct PoolEntry {
  int row = 0;
  int seq = -1;  // -1: free
  int kv_length = 0;
  bool chosen = false;
};

struct StepView {
  int step = 0;
  int last_step = 0;
  RunInfo run;
  std::string trace_name;
  bool has_round = false;  // a verify record (and its pass) was found for this step
  std::string form;        // "padded" | "packed"
  bool grouped = false;
  int grid_columns = 0;
  std::vector<GridRow> grid;
  std::vector<CacheView> caches;             // target first, then draft
  std::vector<MovesRecord> pre_moves;        // moves before the verify pass (exspec alignment)
  std::vector<PoolEntry> pool;               // exspec only
  std::optional<ViolationRecord> violation;  // the trace's first violation, on its step
  std::int64_t violations_here = 0;          // kept violations recorded at this step
  // Numerics divergences whose differing token this step committed (marked in the grid),
  // and whether the trace records any (the legend then explains the mark).
  std::vector<DivergenceRecord> divergences;
  bool trace_has_divergences = false;
  std::int64_t realign_bytes = 0;  // every move plan of the step
  int realign_moves = 0;
};

// Views of steps [first, last] (clamped to the trace; last < 0: through the end).
// Throws lockstep::InputError for traces without detail records or that contradict
// themselves, naming the line.
std::vector<StepView> build_step_views(const Trace& trace, int first, int last);

}  // namespace lockstep::viz
