// The trace schema (DESIGN §7, docs/cli.md "Trace"): one struct per record the engine and the
// checked run write, with the canonical JSON form (to_json) and a strict parse (from_json).
// The writer (sim/trace.h) takes these records, and the one trace reader (sim/trace_reader.h)
// returns them, so writer and readers cannot disagree on a field.
//
// Canonical form: keys sorted (nlohmann::json objects are), integers, booleans, strings and
// 16-digit lowercase hex digests only (timing records alone hold wall-clock seconds).
// from_json accepts exactly the fields to_json writes, each of its type, and the cross-field
// facts every consumer relies on (a detail pass's arrays agree in length, a verify row holds
// one more target than drafts, ...); anything else is an InputError naming the field.
// `line` is where a record was read (1-based; 0 for a record being written): never written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/batch.h"
#include "sim/pass_sampling.h"
#include "sim/rejection.h"

namespace lockstep::sim::trace {

struct RunRecord {
  int line = 0;
  std::string scenario{}, strategy{};
  int batch_size = 0, k = 0, max_new_tokens = 0, window = 0;
  std::optional<Token> eos_token{};
  std::string target{};
  std::uint64_t target_seed = 0;
  std::string draft_model{};
  std::uint64_t draft_seed = 0;
  int sequences = 0;
  std::uint64_t prompts = 0;  // digest of every prompt
  std::vector<std::string> faults{};
  // "float" or "bf16" when the models ran float numerics (issue 13); absent (empty) for exact, so
  // every exact trace keeps its bytes.
  std::string numerics{};
  // Sampled runs only (issue 14): the scenario's sampling; absent (nullopt) for greedy runs,
  // so every greedy trace keeps its bytes.
  std::optional<SamplingOptions> sampling{};
};

struct CacheRecord {
  int line = 0;
  std::string model{};  // "target" | "draft"
  int cache = 0, rows = 0, capacity = 0;
  std::int64_t bytes_per_slot = 0;
};

// A forward pass, as digests (the canonical record of what was fed and computed).
struct PassRecord {
  int line = 0;
  int step = 0;
  std::string model{}, form{};  // form: "padded" | "packed"
  int rows = 0, tokens = 0, past = 0;
  std::uint64_t inputs = 0, positions = 0, mask = 0, argmax = 0, logits = 0;
};

// A forward pass in full ("detail" record, what = "pass"), for pictures. Padded: rows x
// tokens arrays, mask rows of past + tokens '0'/'1' columns. Packed: tokens concatenated,
// row r owns [row_offsets[r], row_offsets[r+1]) and writes from slot kv_extent[r].
struct DetailPassRecord {
  int line = 0;
  int step = 0;
  std::string model{};
  bool packed = false;
  int cache = 0;
  int rows = 0, tokens = 0, past = 0;  // padded only
  std::vector<int> cache_rows{}, input_ids{}, positions{}, write_slots{}, row_offsets{},
      kv_extent{};
  std::vector<TokenTag> tags{};
  std::vector<std::string> mask{};  // padded only
  std::vector<int> argmax{};
};

// A crop ("detail" record, what = "crop"): slots [from, capacity) of a row are forgotten.
struct DetailCropRecord {
  int line = 0;
  int step = 0, cache = 0, row = 0, from = 0;
};

// One run's side of a numerics divergence ("detail" record, what = "divergence"): its token
// at the first differing position, the target pass that chose it (null when not watched)
// and that query's two top logits (null for a backend without logits). Logits are the one
// non-integer a detail record holds; detail records stay out of the digest.
struct DivergencePass {
  std::string kind{};  // "prefill" | "decode" | "verify"
  std::string form{};  // "padded" | "packed"
  int step = 0, commit_step = 0, rows = 0, tokens = 0, past = 0;
};
struct DivergenceTop2 {
  double best = 0, second = 0;
  int second_token = 0;
};
struct DivergenceSide {
  int token = 0;
  std::optional<DivergencePass> pass{};
  std::optional<DivergenceTop2> top2{};
};

// Where a sequence's output first differs from batch-1 AR although every invariant held
// (float numerics, docs/strategies.md "numerics or layout?"). `step` is the run's step that
// committed its token there (0 when the run had stopped); a side is null when that run had
// stopped before the position.
struct DetailDivergenceRecord {
  int line = 0;
  int step = 0, seq = 0, position = 0, index = 0;
  std::optional<DivergenceSide> run{}, ar{};
};

// The target's keyed sample at one position of a coupled verify pass ("detail" record, what =
// "sample"; issue 14 item 5, for the pictures): written only with trace details, so the
// coupled traces' digests stay as they were. `token` is the sample drawn for `position` of
// `seq`, with probability weight / total under the target's sampling distribution; `draft` the
// token the pass fed at that position (absent: none, the bonus position) and `draft_weight`
// its weight under the same distribution (0 outside the support).
struct DetailSampleRecord {
  int line = 0;
  int step = 0, seq = 0, position = 0;
  Token token = 0;
  std::uint64_t weight = 0, total = 0;
  std::optional<Token> draft{};
  std::uint64_t draft_weight = 0;
};

// Under rejection sampling (issue 14 item 3) `targets` holds what the round commits at each
// position (accepted drafts, then the correction or bonus, then the target's own samples at
// positions nobody reached), and two more fields record the judgement, inside the digest
// since they decide the commit: "judged", one object per judged draft in order (the accepted
// ones and the first rejected) {"draft", "p_weight", "p_total", "q_weight", "q_total",
// "accepted"}: p(d) = p_weight / p_total under the target's distribution, q(d) likewise under
// the draft's (one-hot, 16777216 / 16777216, for a deterministic proposal); and "sampled"
// {"source": "residual" | "bonus", "token", "weight", "total"}: the drawn token with its exact
// probability weight / total, decimal strings (128-bit). Both absent otherwise, so greedy and
// coupled traces keep their bytes. `accepted` is then the verdict's count.
struct VerifyRow {
  int seq = 0, row = 0, pad = 0, accepted = 0, committed = 0;
  bool finished = false;
  std::vector<int> drafts{}, targets{};
  std::vector<JudgedDraft> judged{};
  std::optional<SampledToken> sampled{};
};

struct VerifyRecord {
  int line = 0;
  int step = 0;
  std::string form{};
  int width = 0;
  bool grouped = false;
  std::vector<VerifyRow> rows{};
};

struct MovesRecord {
  int line = 0;
  int step = 0;
  std::string model{};
  int src = 0, dst = 0;
  std::vector<SlotMove> moves{};
  std::int64_t bytes = 0;
};

// Where one live sequence's KV lies at the end of a step, with its content digest.
struct StateRow {
  int seq = 0;
  std::string model{};
  int row = 0, first = 0, length = 0, width = 0;
  std::uint64_t kv = 0;
};

struct StateRecord {
  int line = 0;
  int step = 0;
  std::vector<StateRow> rows{};
};

struct FinishRecord {
  int line = 0;
  int step = 0, seq = 0;
  std::vector<int> generated{};
};

struct ViolationRecord {
  int line = 0;
  std::string invariant{};
  int step = 0, row = -1, slot = -1;
  std::string detail{};
};

struct StageSeconds {
  double draft = 0, verify = 0, realign = 0, prefill = 0, other = 0;
};

// Wall-clock figures; kept out of the digest.
struct TimingRecord {
  int line = 0;
  std::string backend{};
  double run_seconds = 0, reference_seconds = 0;
  StageSeconds stage_seconds{};
};

using Record = std::variant<RunRecord, CacheRecord, PassRecord, DetailPassRecord, DetailCropRecord,
                            VerifyRecord, MovesRecord, StateRecord, FinishRecord, ViolationRecord,
                            TimingRecord, DetailDivergenceRecord, DetailSampleRecord>;

// The record's "event" field ("run", "cache", ..., "detail" for every detail kind).
const char* event_name(const Record& record);
// Timing and detail records are kept out of the trace digest.
bool in_digest(const Record& record);
int record_line(const Record& record);

nlohmann::json to_json(const Record& record);
// `where` prefixes errors ("trace.jsonl: line 3"); the record's line is set to `line`.
Record from_json(const nlohmann::json& value, const std::string& where, int line);

}  // namespace lockstep::sim::trace
