// The two forward forms of the backend interface and the KV move plan (DESIGN §3).
//
// Dimension legend used in shape comments:
//   R  batch rows of a pass            T  new tokens per row (padded form)
//   P  past KV columns (padded form)   N  tokens of a packed pass, all rows together
//   S  slot capacity of a cache row
//
// Batch row r of a pass reads and writes cache row cache_rows[r], so finished rows leave a
// batch without their KV being copied. Every batch carries the controller's *claims* about
// each token (which sequence, which logical index) in `tags`: backends ignore them except to
// record provenance, and the verifier compares them with what attention actually saw.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/pass_sampling.h"

namespace lockstep::sim {

using Token = std::int32_t;

struct CacheId {
  int value = -1;
  friend bool operator==(CacheId, CacheId) = default;
};

// Which sequence a token belongs to and at which logical index; seq == kPadSeq for padding.
struct TokenTag {
  static constexpr std::int32_t kPadSeq = -1;
  std::int32_t seq = kPadSeq;
  std::int32_t index = -1;
  friend bool operator==(TokenTag, TokenTag) = default;
};

// HF-style rectangular pass. New token t of row r is written to KV slot write_slots[r, t];
// query (r, t) attends to slot s iff mask[r, s] is set (s < P + T; slots past that are never
// visible) and s is not written by a later token t' > t of the same row (causality defined by
// the writes, as in a cache-based implementation that updates the cache before attending).
struct PaddedBatch {
  CacheId cache;
  int rows = 0;                           // R
  int past = 0;                           // P
  int tokens = 0;                         // T
  std::vector<std::int32_t> cache_rows;   // [R]
  std::vector<Token> input_ids;           // [R, T]
  std::vector<std::int32_t> positions;    // [R, T]  position id fed to RoPE
  std::vector<std::uint8_t> mask;         // [R, P + T]  1 = visible
  std::vector<std::int32_t> write_slots;  // [R, T]
  std::vector<TokenTag> tags;             // [R, T]
  PassSampling sampling;                  // sites [R, T], or none: greedy (sim/pass_sampling.h)

  int columns() const { return past + tokens; }
  // Throws ContractError on any shape or range inconsistency.
  void check_shapes(int cache_rows_available, int capacity) const;
};

// Varlen pass: the tokens of row r are tokens[row_offsets[r] .. row_offsets[r+1]), written to
// slots kv_extent[r], kv_extent[r]+1, ...; each sees slots [0, kv_extent[r]) and the row's
// new tokens up to itself. No padding, no mask.
struct PackedBatch {
  CacheId cache;
  std::vector<std::int32_t> cache_rows;   // [R]
  std::vector<std::int32_t> row_offsets;  // [R + 1], non-decreasing, starts at 0
  std::vector<std::int32_t> kv_extent;    // [R]
  std::vector<Token> tokens;              // [N]
  std::vector<std::int32_t> positions;    // [N]
  std::vector<TokenTag> tags;             // [N]
  PassSampling sampling;                  // sites [N], or none: greedy (sim/pass_sampling.h)

  int rows() const { return static_cast<int>(cache_rows.size()); }
  void check_shapes(int cache_rows_available, int capacity) const;
};

// Output of every token of a pass, `argmax` (the model's choice): the greedy token, or under
// sampling the keyed draw the batch's `sampling` asks for; [R * T] for padded (pads
// included), [N] for packed.
// `digest` is a backend-defined digest of the full logits row (the symbolic model's state
// hash; a digest of logit bytes for real models) so traces can compare logits exactly.
// The two largest logits of one token's row, for telling a numerics divergence from a layout
// bug (issue 13): the gap says how close the argmax came to flipping.
struct LogitTop2 {
  float best = 0.0f;    // logit of argmax
  float second = 0.0f;  // largest logit of any other token
  Token second_token = 0;
};

// `top2`, when not empty, is parallel to `argmax` and describes the greedy choice even under
// sampling; backends that hold no logits (symbolic)
// leave it empty.
// `distributions`: only when the batch's sampling asks for them (rejection sampling, issue 14
// item 3), parallel to `argmax`: each sampled output's sampling distribution (the one its draw
// was picked from), an empty one for an output that is not sampled. Empty otherwise, so greedy
// and coupled runs pay nothing.
struct ForwardOutput {
  std::vector<Token> argmax;
  std::vector<std::uint64_t> digest;
  std::vector<LogitTop2> top2;
  std::vector<numerics::SampleDistribution> distributions;
};

// One contiguous copy of KV slots. Within one plan every move reads the cache as it was
// before the plan (gather semantics), so overlapping and chained moves are well defined.
struct SlotMove {
  std::int32_t src_row = 0;
  std::int32_t src_slot = 0;
  std::int32_t dst_row = 0;
  std::int32_t dst_slot = 0;
  std::int32_t length = 0;
  friend bool operator==(const SlotMove&, const SlotMove&) = default;
};

// Promises the controller makes about a plan's destination rows (Engine::move), not part of
// what the plan does (the trace does not record them): a backend may use them to skip
// keeping slots that nobody will read, and one that ignores them is as correct.
struct MovePromises {
  // The destination slots below each move (slots [0, dst_slot) of its row) are not read
  // before they are overwritten or cropped: masked in every pass (exspec's aligned layout,
  // unless pads are visible) and dropped by the move back to rest.
  bool forget_below = false;
  // Every destination row is cropped at its move's end (dst_slot + length) before anything
  // reads or writes it again (exspec moving a row back to rest, then cropping its rejected
  // drafts).
  bool forget_above = false;
};

// A plan within one cache (realignment) or between two caches of the same model (gather /
// scatter for pool regrouping). The controller builds it; every backend executes it as is.
struct MovePlan {
  CacheId src;
  CacheId dst;
  std::vector<SlotMove> moves;

  std::int64_t slots_moved() const;
  void check_shapes(int src_rows, int dst_rows, int capacity) const;
};

// Visibility rule shared by every backend and the verifier: appends to `out` the slots query
// (r, t) of `batch` attends to, in increasing slot order.
void visible_slots(const PaddedBatch& batch, int r, int t, std::vector<std::int32_t>& out);

}  // namespace lockstep::sim
