// The symbolic backend (sim/symbolic_backend.h) is only useful if it is exactly as sensitive as
// a real transformer: blind to what a correct implementation hides (padding, batch mates, pass
// form, incremental vs one-shot) and changed by every synchronization bug. These tests pin
// both sides with exact equality of argmax and digest, plus the KV operations (move plans,
// crop) and the shape contract.
#define BOOST_TEST_MODULE symbolic_backend
#include <rapidcheck/boost_test.h>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/batch.h"
#include "sim/error.h"
#include "sim/hash.h"
#include "sim/kv_shadow.h"
#include "sim/model_config.h"
#include "sim/symbolic_backend.h"

namespace lockstep {
namespace {

using sim::CacheId;
using sim::ForwardOutput;
using sim::PackedBatch;
using sim::PaddedBatch;
using sim::SlotMove;
using sim::SymbolicBackend;
using sim::Token;
using sim::TokenTag;

constexpr Token kPadToken = 0;
constexpr int kVocab = 256;  // the tiny preset's

sim::ModelConfig model(std::uint64_t seed = 42) {
  return sim::preset("tiny", seed);
}

Token wrong(Token t) {
  return (t + 1) % kVocab;
}

// One row of a padded pass: the logical index each column holds (-1: masked, i.e. left
// padding or a hole) and the sequence's tokens by logical index. Columns [past, columns) are
// fed, each written to its own slot, so positions stay logical whatever the layout.
struct RowSpec {
  int seq = 0;
  int cache_row = 0;
  std::vector<int> cols;
  std::vector<Token> tokens;
};

std::vector<int> canonical_cols(int pad, int n) {
  std::vector<int> cols(static_cast<std::size_t>(pad), -1);
  for (int i = 0; i < n; ++i) cols.push_back(i);
  return cols;
}

PaddedBatch padded_pass(CacheId cache, int past, const std::vector<RowSpec>& rows) {
  PaddedBatch b;
  b.cache = cache;
  b.rows = static_cast<int>(rows.size());
  b.past = past;
  const int columns = static_cast<int>(rows.front().cols.size());
  b.tokens = columns - past;
  for (const auto& row : rows) {
    if (static_cast<int>(row.cols.size()) != columns)
      throw std::invalid_argument("ragged test batch");
    b.cache_rows.push_back(row.cache_row);
    for (int index : row.cols) b.mask.push_back(index >= 0 ? 1 : 0);
    for (int c = past; c < columns; ++c) {
      const int index = row.cols[static_cast<std::size_t>(c)];
      b.input_ids.push_back(index >= 0 ? row.tokens.at(static_cast<std::size_t>(index))
                                       : kPadToken);
      b.positions.push_back(index >= 0 ? index : 0);
      b.tags.push_back(index >= 0 ? TokenTag{row.seq, index} : TokenTag{});
      b.write_slots.push_back(c);
    }
  }
  return b;
}

// One row of a packed pass: indices [cached, tokens.size()) are fed at slots of the same number.
struct PackedRow {
  int seq = 0;
  int cache_row = 0;
  int cached = 0;
  std::vector<Token> tokens;
};

PackedBatch packed_pass(CacheId cache, const std::vector<PackedRow>& rows) {
  PackedBatch b;
  b.cache = cache;
  b.row_offsets.push_back(0);
  for (const auto& row : rows) {
    b.cache_rows.push_back(row.cache_row);
    b.kv_extent.push_back(row.cached);
    for (int i = row.cached; i < static_cast<int>(row.tokens.size()); ++i) {
      b.tokens.push_back(row.tokens[static_cast<std::size_t>(i)]);
      b.positions.push_back(i);
      b.tags.push_back(TokenTag{row.seq, i});
    }
    b.row_offsets.push_back(static_cast<std::int32_t>(b.tokens.size()));
  }
  return b;
}

// (seq, logical index) -> (argmax, digest); pairs so that RapidCheck can print a mismatch.
using Outputs = std::map<std::pair<int, int>, std::pair<Token, std::uint64_t>>;

void collect(const std::vector<TokenTag>& tags, const ForwardOutput& out, Outputs& into,
             int below_index = 1 << 30) {
  for (std::size_t i = 0; i < tags.size(); ++i) {
    if (tags[i].seq == TokenTag::kPadSeq || tags[i].index >= below_index) continue;
    into[{tags[i].seq, tags[i].index}] = {out.argmax[i], out.digest[i]};
  }
}

std::vector<Token> gen_tokens(int n) {
  return *rc::gen::container<std::vector<Token>>(static_cast<std::size_t>(n),
                                                 rc::gen::inRange<Token>(0, kVocab));
}

// The whole sequence in one canonical batch-1 pass from an empty cache: the reference every
// other way of feeding it must reproduce.
Outputs recompute(const sim::ModelConfig& m, const std::vector<Token>& tokens) {
  SymbolicBackend backend;
  const int n = static_cast<int>(tokens.size());
  const CacheId cache = backend.create_cache(m, 1, n);
  const PaddedBatch b = padded_pass(cache, 0, {{0, 0, canonical_cols(0, n), tokens}});
  Outputs out;
  collect(b.tags, backend.forward_padded(b), out);
  return out;
}

// ---------------------------------------------------------------------------------------
// Incremental feeding of one sequence, in the ways a controller does it.

constexpr int kMaxPad = 63;
constexpr int kMaxJunk = 3;

struct Chunk {
  int count = 1;        // real tokens fed
  int junk = 0;         // wrong drafts fed after them, then cropped (rejected speculation)
  int pad = 0;          // left padding of this pass; a change first moves the cached prefix
  bool packed = false;  // only when pad == 0: packed rows start at slot 0
};

struct Schedule {
  std::vector<Token> tokens;
  std::vector<Chunk> chunks;
};

Schedule gen_schedule() {
  Schedule s;
  s.tokens = gen_tokens(*rc::gen::inRange(1, 61));
  const int n = static_cast<int>(s.tokens.size());
  int pad = *rc::gen::inRange(0, kMaxPad + 1);
  for (int done = 0; done < n;) {
    Chunk c;
    c.count = *rc::gen::inRange(1, std::min(n - done, 9) + 1);
    c.junk = *rc::gen::inRange(0, kMaxJunk + 1);
    if (*rc::gen::inRange(0, 4) == 0) pad = *rc::gen::element(0, *rc::gen::inRange(0, kMaxPad + 1));
    c.pad = pad;
    c.packed = pad == 0 && *rc::gen::arbitrary<bool>();
    s.chunks.push_back(c);
    done += c.count;
  }
  return s;
}

// `chained` lets the backend take its fast path wherever it can (canonical padded rows, packed
// rows). `slot_by_slot` appends one masked column to every padded pass: that column is written
// after every real query and masked, so no query's visible set changes, but the row is no
// longer canonical and every query goes through visible_slots() and the slot-by-slot fold,
// i.e. the definition of attention the chain is supposed to reproduce. Packed chunks become
// such padded passes. Returns the outputs and the content digest of the final KV range.
// (A reference model written here would have to copy private constants, such as the state a
// query's own slot holds while it attends, and would pin those instead of the behaviour.)
enum class Attention { chained, slot_by_slot };

std::pair<Outputs, std::uint64_t> run_schedule(const sim::ModelConfig& m, const Schedule& s,
                                               Attention path) {
  SymbolicBackend backend;
  const int n = static_cast<int>(s.tokens.size());
  const CacheId cache = backend.create_cache(m, 1, kMaxPad + n + kMaxJunk + 1);
  Outputs outputs;
  int pad = s.chunks.front().pad;
  int done = 0;
  for (const Chunk& c : s.chunks) {
    if (c.pad != pad && done > 0) backend.apply_moves({cache, cache, {{0, pad, 0, c.pad, done}}});
    pad = c.pad;
    const int end = done + c.count;
    std::vector<Token> fed(s.tokens.begin(), s.tokens.begin() + end);
    for (int j = 0; j < c.junk; ++j)
      fed.push_back(wrong(s.tokens[static_cast<std::size_t>((end + j) % n)]));
    if (c.packed && path == Attention::chained) {
      const PackedBatch b = packed_pass(cache, {{0, 0, done, fed}});
      collect(b.tags, backend.forward_packed(b), outputs, end);
    } else {
      RowSpec row{0, 0, canonical_cols(pad, static_cast<int>(fed.size())), fed};
      if (path == Attention::slot_by_slot) row.cols.push_back(-1);
      const PaddedBatch b = padded_pass(cache, pad + done, {row});
      collect(b.tags, backend.forward_padded(b), outputs, end);
    }
    if (c.junk > 0) backend.crop(cache, 0, pad + end);
    done = end;
  }
  std::vector<std::int32_t> range;
  for (int slot = pad; slot < pad + n; ++slot) range.push_back(slot);
  const std::uint64_t kv = backend.kv_digest(cache, 0, pad, n);
  RC_ASSERT(backend.attention_hash_slow(cache, 0, range) == kv);
  return {outputs, kv};
}

RC_BOOST_PROP(chain_fast_path_equals_slot_by_slot_fold, ()) {
  const auto m = model(*rc::gen::inRange<std::uint64_t>(0, 1 << 20));
  const Schedule s = gen_schedule();
  const auto chained = run_schedule(m, s, Attention::chained);
  const auto slow = run_schedule(m, s, Attention::slot_by_slot);
  RC_ASSERT(chained.first.size() == s.tokens.size());
  RC_ASSERT(chained.first == slow.first);
  RC_ASSERT(chained.second == slow.second);
}

RC_BOOST_PROP(incremental_decoding_equals_one_pass_recompute, ()) {
  const auto m = model(*rc::gen::inRange<std::uint64_t>(0, 1 << 20));
  const Schedule s = gen_schedule();
  const auto incremental = run_schedule(m, s, Attention::chained);
  RC_ASSERT(incremental.first == recompute(m, s.tokens));
  // The KV left behind equals a one-pass prefill's too (digests ignore slot indices).
  SymbolicBackend backend;
  const int n = static_cast<int>(s.tokens.size());
  const CacheId cache = backend.create_cache(m, 1, n);
  backend.forward_padded(padded_pass(cache, 0, {{0, 0, canonical_cols(0, n), s.tokens}}));
  RC_ASSERT(incremental.second == backend.kv_digest(cache, 0, 0, n));
}

// ---------------------------------------------------------------------------------------
// Batch, padding and form invariance (DESIGN §5 I6).

// Prefill, `decodes` single-token passes, then one k+1-token verify pass, for every row at
// once: padded (each row right-aligned at a common width, positions = column - pad) or packed.
struct BatchPlan {
  std::vector<std::vector<Token>> tokens;  // per row: prompt, decoded tokens, verify tokens
  std::vector<int> prompt;                 // per row
  int decodes = 0;
  int width = 0;  // prefill columns of the padded form
  int shift = 0;  // batch row r lives in cache row (r + shift) % rows
};

int rows_of(const BatchPlan& p) {
  return static_cast<int>(p.tokens.size());
}
int cache_row(const BatchPlan& p, int r) {
  return (r + p.shift) % rows_of(p);
}

// The fed prefix of every row after pass `pass` (0 = prefill).
int fed_after(const BatchPlan& p, int r, int pass) {
  if (pass == 0) return p.prompt[static_cast<std::size_t>(r)];
  if (pass <= p.decodes) return p.prompt[static_cast<std::size_t>(r)] + pass;
  return static_cast<int>(p.tokens[static_cast<std::size_t>(r)].size());
}

Outputs run_batch(const sim::ModelConfig& m, const BatchPlan& p, bool packed) {
  SymbolicBackend backend;
  const int rows = rows_of(p);
  const int capacity = p.width + static_cast<int>(p.tokens[0].size()) - p.prompt[0];
  const CacheId cache = backend.create_cache(m, rows, capacity);
  Outputs out;
  for (int pass = 0; pass <= p.decodes + 1; ++pass) {
    if (packed) {
      std::vector<PackedRow> specs;
      for (int r = 0; r < rows; ++r) {
        const auto& t = p.tokens[static_cast<std::size_t>(r)];
        const int before = pass == 0 ? 0 : fed_after(p, r, pass - 1);
        specs.push_back(
            {r, cache_row(p, r), before, {t.begin(), t.begin() + fed_after(p, r, pass)}});
      }
      const PackedBatch b = packed_pass(cache, specs);
      collect(b.tags, backend.forward_packed(b), out);
    } else {
      std::vector<RowSpec> specs;
      for (int r = 0; r < rows; ++r) {
        const auto& t = p.tokens[static_cast<std::size_t>(r)];
        const int pad = p.width - p.prompt[static_cast<std::size_t>(r)];
        const int n = fed_after(p, r, pass);
        specs.push_back({r, cache_row(p, r), canonical_cols(pad, n), {t.begin(), t.begin() + n}});
      }
      const int past = pass == 0 ? 0 : p.width + (pass - 1);
      const PaddedBatch b = padded_pass(cache, past, specs);
      collect(b.tags, backend.forward_padded(b), out);
    }
  }
  return out;
}

// Every row alone: batch 1, no padding, same passes.
Outputs run_alone(const sim::ModelConfig& m, const BatchPlan& p) {
  Outputs out;
  for (int r = 0; r < rows_of(p); ++r) {
    BatchPlan one;
    one.tokens = {p.tokens[static_cast<std::size_t>(r)]};
    one.prompt = {p.prompt[static_cast<std::size_t>(r)]};
    one.decodes = p.decodes;
    one.width = one.prompt[0];
    for (const auto& [key, value] : run_batch(m, one, false)) out[{r, key.second}] = value;
  }
  return out;
}

RC_BOOST_PROP(outputs_ignore_batch_mates_padding_and_pass_form, ()) {
  const auto m = model(*rc::gen::inRange<std::uint64_t>(0, 1 << 20));
  BatchPlan p;
  const int rows = *rc::gen::inRange(2, 17);
  p.decodes = *rc::gen::inRange(1, 5);
  const int k = *rc::gen::inRange(1, 9);
  const int first_prompt = *rc::gen::inRange(1, 41);
  p.width = first_prompt + *rc::gen::inRange(0, 64);  // row 0's left padding: 0..63
  p.shift = *rc::gen::inRange(0, rows);
  for (int r = 0; r < rows; ++r) {
    const int prompt = r == 0 ? first_prompt : *rc::gen::inRange(1, p.width + 1);
    p.prompt.push_back(prompt);
    p.tokens.push_back(gen_tokens(prompt + p.decodes + k + 1));
  }
  const Outputs padded = run_batch(m, p, false);
  RC_ASSERT(padded == run_alone(m, p));
  RC_ASSERT(padded == run_batch(m, p, true));
}

// ---------------------------------------------------------------------------------------
// Sensitivity: each synchronization bug class must change what the query computes.

using Tamper = std::function<void(PaddedBatch&)>;

// Digests by logical index of one batch-1 pass over `tokens` (left-padded by `pad`, pads fed
// when past == 0 and never written when past == pad), after `tamper` edits the batch.
std::vector<std::uint64_t> one_pass(const std::vector<Token>& tokens, int pad, int past,
                                    const Tamper& tamper) {
  SymbolicBackend backend;
  const int n = static_cast<int>(tokens.size());
  const CacheId cache = backend.create_cache(model(), 1, pad + n);
  PaddedBatch b = padded_pass(cache, past, {{0, 0, canonical_cols(pad, n), tokens}});
  if (tamper) tamper(b);
  const ForwardOutput out = backend.forward_padded(b);
  std::vector<std::uint64_t> digests;
  for (std::size_t i = 0; i < b.tags.size(); ++i) {
    if (b.tags[i].seq != TokenTag::kPadSeq) digests.push_back(out.digest[i]);
  }
  return digests;
}

const std::vector<Token> kTokens = {17, 4, 99, 23, 23, 180, 7, 64};

// Index j and everything after it (which attends to j's KV) differ; nothing before it does.
void expect_changed_from(const std::vector<std::uint64_t>& base,
                         const std::vector<std::uint64_t>& got, std::size_t j) {
  BOOST_TEST_REQUIRE(base.size() == got.size());
  for (std::size_t i = 0; i < base.size(); ++i) {
    BOOST_TEST((base[i] != got[i]) == (i >= j), "index " << i);
  }
}

BOOST_AUTO_TEST_CASE(a_wrong_position_id_changes_the_output) {
  const auto base = one_pass(kTokens, 0, 0, {});
  expect_changed_from(base, one_pass(kTokens, 0, 0, [](PaddedBatch& b) { b.positions[3] += 1; }),
                      3);
}

BOOST_AUTO_TEST_CASE(a_changed_token_id_changes_the_output) {
  const auto base = one_pass(kTokens, 0, 0, {});
  expect_changed_from(
      base, one_pass(kTokens, 0, 0, [](PaddedBatch& b) { b.input_ids[5] = wrong(b.input_ids[5]); }),
      5);
}

BOOST_AUTO_TEST_CASE(an_exposed_pad_slot_changes_the_output) {
  const int pad = 3;
  for (const int past : {0, pad}) {  // a pad written by a pad query, and one never written
    BOOST_TEST_CONTEXT("past " << past) {
      const auto base = one_pass(kTokens, pad, past, {});
      BOOST_TEST(base == one_pass(kTokens, 0, 0, {}), boost::test_tools::per_element());
      const int columns = pad + static_cast<int>(kTokens.size());
      const auto exposed = one_pass(kTokens, pad, past, [&](PaddedBatch& b) {
        BOOST_TEST_REQUIRE(static_cast<int>(b.mask.size()) == columns);
        b.mask[1] = 1;
      });
      expect_changed_from(base, exposed, 0);
    }
  }
}

// A verify pass whose last draft is rejected leaves a stale entry behind. The next pass may
// skip over it only if the mask hides it; left visible, it must change the output.
BOOST_AUTO_TEST_CASE(a_visible_stale_draft_changes_the_output_and_a_masked_one_does_not) {
  const std::vector<Token> truth = {5, 6, 7, 8, 9, 10};
  const std::uint64_t expected = recompute(model(), truth).at({0, 4}).second;
  for (const bool stale_visible : {false, true}) {
    SymbolicBackend backend;
    const CacheId cache = backend.create_cache(model(), 1, 8);
    backend.forward_padded(padded_pass(cache, 0, {{0, 0, canonical_cols(0, 3), truth}}));
    // Index 3 is right, the draft at index 4 (slot 4) is wrong and gets rejected.
    std::vector<Token> verify = {5, 6, 7, 8, wrong(truth[4])};
    backend.forward_padded(padded_pass(cache, 3, {{0, 0, canonical_cols(0, 5), verify}}));
    // The bonus (true index 4) goes to slot 5, slot 4 is a hole.
    PaddedBatch next = padded_pass(cache, 5, {{0, 0, {0, 1, 2, 3, -1, 4}, truth}});
    if (stale_visible) next.mask[4] = 1;
    const ForwardOutput out = backend.forward_padded(next);
    BOOST_TEST((out.digest[0] != expected) == stale_visible, "stale visible: " << stale_visible);
  }
}

// ---------------------------------------------------------------------------------------
// KV operations.

// Writes `tokens` of sequence `seq` to slots [first, first + n) of `row` in one pass.
void fill(SymbolicBackend& backend, CacheId cache, int row, int seq, int first,
          const std::vector<Token>& tokens) {
  const int n = static_cast<int>(tokens.size());
  backend.forward_padded(padded_pass(cache, first, {{seq, row, canonical_cols(first, n), tokens}}));
}

TokenTag tag_at(const SymbolicBackend& backend, CacheId cache, int row, int slot) {
  const auto p = backend.provenance(cache, row, slot);
  BOOST_TEST_REQUIRE(p.has_value());
  return p->written ? p->tag : TokenTag{-2, -2};
}

// One more token at slot `slot` that attends to [lo, slot]: its digest depends on the content
// of that range only, wherever it lies.
std::uint64_t decode_digest(SymbolicBackend& backend, CacheId cache, int row, int lo, int slot) {
  PaddedBatch b = padded_pass(cache, slot,
                              {{9, row, canonical_cols(lo, slot - lo + 1),
                                std::vector<Token>(static_cast<std::size_t>(slot - lo + 1), 77)}});
  b.positions[0] = 1000;  // the same id everywhere, so only the attended content can differ
  return backend.forward_padded(b).digest[0];
}

const std::vector<Token> kA = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
const std::vector<Token> kB = {11, 12, 13, 14, 15, 16, 17, 18, 19, 20};

BOOST_AUTO_TEST_CASE(two_moves_in_one_plan_swap_two_rows) {
  SymbolicBackend backend;
  const CacheId cache = backend.create_cache(model(), 2, 16);
  fill(backend, cache, 0, 0, 0, kA);
  fill(backend, cache, 1, 1, 0, kB);
  const std::uint64_t a = backend.kv_digest(cache, 0, 2, 6);
  const std::uint64_t b = backend.kv_digest(cache, 1, 2, 6);
  BOOST_TEST_REQUIRE(a != b);
  backend.apply_moves({cache,
                       cache,
                       {{.src_row = 0, .src_slot = 2, .dst_row = 1, .dst_slot = 2, .length = 6},
                        {.src_row = 1, .src_slot = 2, .dst_row = 0, .dst_slot = 2, .length = 6}}});
  for (int s = 0; s < 10; ++s) {
    const bool moved = s >= 2 && s < 8;
    BOOST_TEST((tag_at(backend, cache, 0, s) == TokenTag{moved ? 1 : 0, s}), "slot " << s);
    BOOST_TEST((tag_at(backend, cache, 1, s) == TokenTag{moved ? 0 : 1, s}), "slot " << s);
  }
  BOOST_TEST(backend.kv_digest(cache, 0, 2, 6) == b);
  BOOST_TEST(backend.kv_digest(cache, 1, 2, 6) == a);
}

// Overlapping source and destination in one row: a forward copy would corrupt a right shift,
// a backward copy a left shift. Afterwards the row continues as if it had never moved.
BOOST_AUTO_TEST_CASE(overlapping_shift_within_a_row_behaves_like_memmove) {
  SymbolicBackend reference;
  const CacheId ref = reference.create_cache(model(), 1, 16);
  fill(reference, ref, 0, 0, 0, kA);
  const std::uint64_t content = reference.kv_digest(ref, 0, 0, 10);
  const std::uint64_t next = decode_digest(reference, ref, 0, 0, 10);

  for (const auto& [from, to] : {std::pair{3, 0}, std::pair{0, 5}, std::pair{2, 4}}) {
    BOOST_TEST_CONTEXT("shift " << from << " -> " << to) {
      SymbolicBackend backend;
      const CacheId cache = backend.create_cache(model(), 1, 16);
      fill(backend, cache, 0, 0, from, kA);
      backend.apply_moves({cache, cache, {{0, from, 0, to, 10}}});
      for (int i = 0; i < 10; ++i)
        BOOST_TEST((tag_at(backend, cache, 0, to + i) == TokenTag{0, i}), "index " << i);
      BOOST_TEST(backend.kv_digest(cache, 0, to, 10) == content);
      BOOST_TEST(decode_digest(backend, cache, 0, to, to + 10) == next);
    }
  }
}

// Realignment costs the moved slots, not the row's context (issue 11): counted, never timed.
// A row of 600 cached tokens shifts its last 4 by 2 slots; then the whole row shifts right
// by 3 (eqspec's repad): the slots written are the plan's, and the prefix-hash chain moves
// with its row without a single value copied. The row still decodes as if it never moved.
BOOST_AUTO_TEST_CASE(a_realignment_copies_the_moved_slots_only) {
  constexpr int kContext = 600;
  std::vector<Token> tokens(kContext);
  for (int i = 0; i < kContext; ++i) tokens[static_cast<std::size_t>(i)] = 1 + i % 250;
  SymbolicBackend backend;
  const CacheId cache = backend.create_cache(model(), 2, 1024);
  fill(backend, cache, 0, 0, 0, tokens);
  BOOST_TEST(backend.slots_copied(cache) == 0);
  backend.apply_moves({cache, cache, {{0, kContext - 4, 0, kContext - 2, 4}}});
  BOOST_TEST(backend.slots_copied(cache) == 4);
  backend.crop(cache, 0, kContext - 4);
  // The whole row shifts by moving its base: the 3 slots it leaves behind keep their old
  // entries (memmove semantics), nothing else is written.
  backend.apply_moves({cache, cache, {{0, 0, 0, 3, kContext - 4}}});
  BOOST_TEST(backend.slots_copied(cache) == 4 + 3);
  BOOST_TEST(backend.chain_values_copied() == 0);
  for (int s = 0; s < 3; ++s) BOOST_TEST((tag_at(backend, cache, 0, s) == TokenTag{0, s}));
  BOOST_TEST((tag_at(backend, cache, 0, kContext - 2) == TokenTag{0, kContext - 5}));
  BOOST_TEST((tag_at(backend, cache, 0, kContext - 1) == TokenTag{-2, -2}));
  // Between rows the chain is copied: exactly the moved prefix, never the context.
  backend.apply_moves({cache, cache, {{0, 3, 1, 0, 5}}});
  BOOST_TEST(backend.slots_copied(cache) == 4 + 3 + 5);
  BOOST_TEST(backend.chain_values_copied() <= 5);

  // The shifted row continues exactly like an unmoved one of the same prefix.
  std::vector<Token> prefix(tokens.begin(), tokens.end() - 4);
  SymbolicBackend plain;
  const CacheId same = plain.create_cache(model(), 1, 1024);
  fill(plain, same, 0, 0, 0, prefix);
  BOOST_TEST(decode_digest(backend, cache, 0, 3, kContext - 1) ==
             decode_digest(plain, same, 0, 0, kContext - 4));
}

// The same property in the shared shadow map under the checker's shadow and viz: a move
// plan writes exactly its slots, in place or gathered, whatever the rows hold.
BOOST_AUTO_TEST_CASE(shadow_map_moves_write_only_the_moved_slots) {
  sim::KvCacheShadow kv(2, 4096);
  for (int s = 0; s < 3000; ++s)
    kv.write(0, s, sim::KvSlot{.written = true, .tag = {0, s}, .token = s, .position = s});
  sim::apply_moves(kv, kv, std::vector<SlotMove>{{0, 2990, 0, 2995, 10}});
  BOOST_TEST(kv.slots_copied() == 10);
  BOOST_TEST(kv.at(0, 3004).tag.index == 2999);
  // Two moves into row 0 cannot run in place: they are gathered, and still cost their slots.
  sim::apply_moves(kv, kv, std::vector<SlotMove>{{0, 0, 1, 0, 7}, {1, 0, 0, 0, 4}});
  BOOST_TEST(kv.slots_copied() == 10 + 11);
  BOOST_TEST(!kv.at(0, 0).written);  // row 1 was empty when the plan read it
  BOOST_TEST(kv.at(1, 6).tag.index == 6);
  // A whole-row shift right then back (exspec's regroup) moves the row's base: each writes
  // only the slots the memmove leaves behind or must forget, and the row reads as memmove.
  sim::KvCacheShadow row(1, 4096);
  for (int s = 0; s < 3000; ++s)
    row.write(0, s, sim::KvSlot{.written = true, .tag = {0, s}, .token = s, .position = s});
  sim::apply_moves(row, row, std::vector<SlotMove>{{0, 0, 0, 2, 3000}});
  BOOST_TEST(row.slots_copied() == 2);
  for (int s : {0, 1}) BOOST_TEST(row.at(0, s).tag.index == s);  // left behind
  for (int s = 2; s < 3002; ++s) BOOST_TEST(row.at(0, s).tag.index == s - 2);
  BOOST_TEST(!row.at(0, 3002).written);
  // Back: the 2 slots left behind above; the 2 slots the old window held below the new one
  // are not cleared (storage outside the window is never read).
  sim::apply_moves(row, row, std::vector<SlotMove>{{0, 2, 0, 0, 3000}});
  BOOST_TEST(row.slots_copied() == 2 + 2);
  for (int s = 0; s < 3000; ++s) BOOST_TEST(row.at(0, s).tag.index == s);
  for (int s : {3000, 3001}) BOOST_TEST(row.at(0, s).tag.index == s - 2);  // left behind
  BOOST_TEST(!row.at(0, 3002).written);
  row.crop(0, 3000);
  BOOST_TEST(!row.at(0, 3000).written);
  BOOST_TEST(row.at(0, 2999).tag.index == 2999);
}

// exspec's round trip under its promises (MovePromises): the shift out leaves its pads
// unwritten (forget_below), the shift back crops at the move's end (forget_above) instead of
// keeping the pads and rejected drafts above it; neither writes a slot, and the row reads
// exactly as after the plain moves and the crop.
BOOST_AUTO_TEST_CASE(exspecs_promised_round_trip_writes_no_slot) {
  auto fill_row = [](sim::KvCacheShadow& kv) {
    for (int s = 0; s < 3000; ++s)
      kv.write(0, s, sim::KvSlot{.written = true, .tag = {0, s}, .token = s, .position = s});
  };
  sim::KvCacheShadow kept(1, 4096);
  sim::KvCacheShadow forgot(1, 4096);
  const std::vector<SlotMove> out{{0, 0, 0, 40, 3000}};  // to the aligned layout: pad 40
  for (auto* kv : {&kept, &forgot}) {
    fill_row(*kv);
    // The pads left behind are masked until the move back overwrites them (forget_below).
    sim::apply_checked_moves(*kv, *kv, out, {.forget_below = kv == &forgot});
    for (int s = 3040; s < 3046; ++s)  // a verify pass writes 6 slots past the row
      kv->write(0, s, sim::KvSlot{.written = true, .tag = {0, s - 40}, .token = 1, .position = s});
  }
  BOOST_TEST(forgot.slots_copied() == 0);
  BOOST_TEST(kept.slots_copied() == 40);
  const std::int64_t before = forgot.slots_copied();
  const std::vector<SlotMove> back{{0, 40, 0, 0, 3002}};  // 2 of the 6 accepted
  sim::apply_moves(kept, kept, back);
  kept.crop(0, 3002);
  sim::apply_checked_moves(forgot, forgot, back, {.forget_above = true});
  BOOST_TEST(forgot.slots_copied() == before);
  BOOST_TEST(kept.slots_copied() > before);
  for (int s = 0; s < 3100; ++s) {
    BOOST_TEST_CONTEXT("slot " << s) {
      BOOST_TEST(forgot.at(0, s).written == kept.at(0, s).written);
      BOOST_TEST((forgot.at(0, s).tag == kept.at(0, s).tag));
    }
  }
  BOOST_TEST(!forgot.at(0, 3002).written);
  BOOST_TEST(forgot.at(0, 3001).tag.index == 3001);
  forgot.crop(0, 3002);  // the promised crop: nothing left to forget
  BOOST_TEST(forgot.at(0, 2999).tag.index == 2999);
}

// The shadow map against the plainest model of its contract (a full array per row, moves
// gathered through a copy, crops cleared slot by slot) under random writes, crops, in-place
// shifts of whole rows (base moves and copies), moves across rows and across caches. Its
// lazy crops and base offsets must never show.
class PlainKv {
 public:
  PlainKv(int rows, int capacity)
      : capacity_(capacity),
        slots_(static_cast<std::size_t>(rows), std::vector<sim::KvSlot>(capacity)) {}
  void write(int row, int slot, const sim::KvSlot& v) { at(row, slot) = v; }
  void crop(int row, int from) {
    for (int s = from; s < capacity_; ++s) at(row, s) = sim::KvSlot{};
  }
  static void apply(const PlainKv& src, PlainKv& dst, const std::vector<SlotMove>& moves) {
    std::vector<std::vector<sim::KvSlot>> read;
    for (const auto& m : moves) {
      const auto& row = src.slots_[static_cast<std::size_t>(m.src_row)];
      read.emplace_back(row.begin() + m.src_slot, row.begin() + m.src_slot + m.length);
    }
    for (std::size_t i = 0; i < moves.size(); ++i) {
      for (int j = 0; j < moves[i].length; ++j)
        dst.at(moves[i].dst_row, moves[i].dst_slot + j) = read[i][static_cast<std::size_t>(j)];
    }
  }
  const sim::KvSlot& slot(int row, int s) const {
    return slots_[static_cast<std::size_t>(row)][static_cast<std::size_t>(s)];
  }

 private:
  sim::KvSlot& at(int row, int s) {
    return slots_[static_cast<std::size_t>(row)][static_cast<std::size_t>(s)];
  }
  int capacity_;
  std::vector<std::vector<sim::KvSlot>> slots_;
};

// "" when equal, else the first differing slot.
std::string first_difference(const sim::KvCacheShadow& kv, const PlainKv& plain, bool whole_rows) {
  for (int r = 0; r < kv.rows(); ++r) {
    const auto row = whole_rows ? kv.row(r) : std::span<const sim::KvSlot>{};
    for (int s = 0; s < kv.capacity(); ++s) {
      const sim::KvSlot& got = whole_rows ? row[static_cast<std::size_t>(s)] : kv.at(r, s);
      const sim::KvSlot& want = plain.slot(r, s);
      if (got.written != want.written || !(got.tag == want.tag) || got.token != want.token ||
          got.position != want.position || got.state != want.state) {
        return "row " + std::to_string(r) + " slot " + std::to_string(s) + ": tag " +
               std::to_string(got.tag.seq) + "/" + std::to_string(got.tag.index) + " want " +
               std::to_string(want.tag.seq) + "/" + std::to_string(want.tag.index);
      }
    }
  }
  return "";
}

BOOST_AUTO_TEST_CASE(shadow_map_matches_a_plain_array_under_random_operations) {
  constexpr int kRows = 3;
  constexpr int kCapacity = 24;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    std::uint64_t x = seed;
    auto draw = [&x](int n) { return static_cast<int>((x = sim::mix64(x)) % std::uint64_t(n)); };
    sim::KvCacheShadow a(kRows, kCapacity);
    sim::KvCacheShadow b(kRows, kCapacity);
    PlainKv plain_a(kRows, kCapacity);
    PlainKv plain_b(kRows, kCapacity);
    int stamp = 0;
    for (int op = 0; op < 120; ++op) {
      const int kind = draw(10);
      const int row = draw(kRows);
      std::string what;
      if (kind < 4) {  // a run of writes, like a pass
        const int first = draw(kCapacity);
        const int n = 1 + draw(std::min(6, kCapacity - first));
        for (int s = first; s < first + n; ++s) {
          const sim::KvSlot v{true, TokenTag{row, ++stamp}, stamp % 97, s,
                              static_cast<std::uint64_t>(stamp)};
          a.write(row, s, v);
          plain_a.write(row, s, v);
        }
        what = "write";
      } else if (kind < 6) {
        const int from = draw(kCapacity + 1);
        a.crop(row, from);
        plain_a.crop(row, from);
        what = "crop from " + std::to_string(from);
      } else {
        const int length = 1 + draw(kCapacity - 1);
        std::vector<SlotMove> moves{
            {row, draw(kCapacity - length + 1), row, draw(kCapacity - length + 1), length}};
        if (kind == 8) moves.front().dst_row = draw(kRows);  // maybe across rows
        if (kind == 9) {                                     // two moves: gathered
          const int n = 1 + draw(kCapacity - 1);
          moves.push_back(
              {draw(kRows), draw(kCapacity - n + 1), draw(kRows), draw(kCapacity - n + 1), n});
        }
        const bool across = draw(8) == 0;
        sim::apply_moves(a, across ? b : a, moves);
        PlainKv::apply(plain_a, across ? plain_b : plain_a, moves);
        what = std::string(across ? "move to b " : "move ") + std::to_string(moves.size());
      }
      BOOST_TEST_CONTEXT("seed " << seed << " op " << op << " (" << what << ")") {
        const bool whole_rows = op % 7 == 0;
        BOOST_TEST(first_difference(a, plain_a, whole_rows) == "");
        BOOST_TEST(first_difference(b, plain_b, whole_rows) == "");
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_plan_between_two_caches_gathers_rows) {
  SymbolicBackend backend;
  const CacheId src = backend.create_cache(model(), 2, 16);
  const CacheId dst = backend.create_cache(model(), 3, 16);
  fill(backend, src, 0, 0, 0, kA);
  fill(backend, src, 1, 1, 0, kB);
  const std::uint64_t a = backend.kv_digest(src, 0, 0, 6);
  const std::uint64_t b = backend.kv_digest(src, 1, 0, 6);
  backend.apply_moves({src,
                       dst,
                       {{.src_row = 0, .src_slot = 0, .dst_row = 2, .dst_slot = 4, .length = 6},
                        {.src_row = 1, .src_slot = 0, .dst_row = 0, .dst_slot = 4, .length = 6}}});
  for (int i = 0; i < 6; ++i) {
    BOOST_TEST((tag_at(backend, dst, 2, 4 + i) == TokenTag{0, i}));
    BOOST_TEST((tag_at(backend, dst, 0, 4 + i) == TokenTag{1, i}));
    BOOST_TEST((tag_at(backend, src, 0, i) == TokenTag{0, i}));  // a gather copies
  }
  BOOST_TEST((tag_at(backend, dst, 1, 4) == TokenTag{-2, -2}));
  BOOST_TEST(backend.kv_digest(dst, 2, 4, 6) == a);
  BOOST_TEST(backend.kv_digest(dst, 0, 4, 6) == b);
  BOOST_TEST(decode_digest(backend, dst, 2, 4, 10) == decode_digest(backend, src, 0, 0, 6));
}

BOOST_AUTO_TEST_CASE(crop_forgets_everything_from_the_slot_on) {
  SymbolicBackend backend;
  const CacheId cache = backend.create_cache(model(), 2, 16);
  fill(backend, cache, 0, 0, 0, kA);
  backend.crop(cache, 0, 4);
  for (int s = 0; s < 16; ++s)
    BOOST_TEST(backend.provenance(cache, 0, s)->written == (s < 4), "slot " << s);
  BOOST_TEST(backend.kv_digest(cache, 0, 4, 12) ==
             backend.kv_digest(cache, 1, 4, 12));  // row 1: never written
  // Refilling the cropped tail with other tokens gives what a fresh run of them gives.
  std::vector<Token> other = {1, 2, 3, 4, 50, 60, 70};
  const PaddedBatch b = padded_pass(cache, 4, {{0, 0, canonical_cols(0, 7), other}});
  Outputs got;
  collect(b.tags, backend.forward_padded(b), got);
  const Outputs fresh = recompute(model(), other);
  for (int i = 4; i < 7; ++i) BOOST_TEST((got.at({0, i}) == fresh.at({0, i})), "index " << i);
}

// Random plans (destinations disjoint, sources anywhere, empty slots included) against a model
// of gather semantics; then a query over each row on the fast path must agree with the same
// query on the slot-by-slot path, which catches chain values carried to the wrong place.
RC_BOOST_PROP(move_plans_read_the_cache_as_it_was_before_the_plan, ()) {
  const auto m = model(*rc::gen::inRange<std::uint64_t>(0, 1 << 20));
  const int rows = *rc::gen::inRange(1, 6);
  const int capacity = *rc::gen::inRange(2, 33);
  SymbolicBackend backend;
  const CacheId fast = backend.create_cache(m, rows, capacity);
  const CacheId slow = backend.create_cache(m, rows, capacity);
  for (int r = 0; r < rows; ++r) {
    const auto tokens = gen_tokens(capacity);
    const int keep = *rc::gen::inRange(0, capacity + 1);
    for (const CacheId c : {fast, slow}) {
      fill(backend, c, r, r, 0, tokens);
      backend.crop(c, r, keep);
    }
  }
  using Slots = std::vector<std::vector<sim::SlotProvenance>>;
  Slots before(static_cast<std::size_t>(rows));
  std::vector<std::vector<std::uint64_t>> digest_before(static_cast<std::size_t>(rows));
  for (int r = 0; r < rows; ++r) {
    for (int s = 0; s < capacity; ++s) {
      before[static_cast<std::size_t>(r)].push_back(*backend.provenance(fast, r, s));
      digest_before[static_cast<std::size_t>(r)].push_back(backend.kv_digest(fast, r, s, 1));
    }
  }

  sim::MovePlan plan{fast, fast, {}};
  std::vector<std::vector<bool>> taken(static_cast<std::size_t>(rows),
                                       std::vector<bool>(static_cast<std::size_t>(capacity)));
  const int attempts = *rc::gen::inRange(0, 7);
  for (int i = 0; i < attempts; ++i) {
    SlotMove mv;
    mv.length = *rc::gen::inRange(1, capacity + 1);
    mv.src_row = *rc::gen::inRange(0, rows);
    mv.dst_row = *rc::gen::inRange(0, rows);
    mv.src_slot = *rc::gen::inRange(0, capacity - mv.length + 1);
    mv.dst_slot = *rc::gen::inRange(0, capacity - mv.length + 1);
    auto& row_taken = taken[static_cast<std::size_t>(mv.dst_row)];
    bool free = true;
    for (int s = mv.dst_slot; s < mv.dst_slot + mv.length; ++s)
      free = free && !row_taken[static_cast<std::size_t>(s)];
    if (!free) continue;
    for (int s = mv.dst_slot; s < mv.dst_slot + mv.length; ++s)
      row_taken[static_cast<std::size_t>(s)] = true;
    plan.moves.push_back(mv);
  }
  backend.apply_moves(plan);
  backend.apply_moves({slow, slow, plan.moves});

  Slots expected = before;
  std::vector<std::vector<std::uint64_t>> digest_expected = digest_before;
  for (const auto& mv : plan.moves) {
    for (int i = 0; i < mv.length; ++i) {
      const auto src = static_cast<std::size_t>(mv.src_slot + i);
      const auto dst = static_cast<std::size_t>(mv.dst_slot + i);
      expected[static_cast<std::size_t>(mv.dst_row)][dst] =
          before[static_cast<std::size_t>(mv.src_row)][src];
      digest_expected[static_cast<std::size_t>(mv.dst_row)][dst] =
          digest_before[static_cast<std::size_t>(mv.src_row)][src];
    }
  }
  for (int r = 0; r < rows; ++r) {
    for (int s = 0; s < capacity; ++s) {
      const auto got = *backend.provenance(fast, r, s);
      const auto& want = expected[static_cast<std::size_t>(r)][static_cast<std::size_t>(s)];
      RC_ASSERT(got.written == want.written);
      if (want.written) {
        RC_ASSERT(got.tag == want.tag);
        RC_ASSERT(got.token == want.token);
        RC_ASSERT(got.position == want.position);
      }
      RC_ASSERT(backend.kv_digest(fast, r, s, 1) ==
                digest_expected[static_cast<std::size_t>(r)][static_cast<std::size_t>(s)]);
    }
  }

  const int q = capacity - 2;  // leaves slot capacity - 1 for the slow twin's masked column
  for (int r = 0; r < rows; ++r) {
    std::vector<int> starts = {0, *rc::gen::inRange(0, q + 1)};
    for (const auto& mv : plan.moves) {
      if (mv.dst_row == r && mv.dst_slot <= q) starts.push_back(mv.dst_slot);
    }
    const int lo = *rc::gen::elementOf(starts);
    const std::vector<Token> tokens(static_cast<std::size_t>(q - lo + 1), 33);
    const PaddedBatch a = padded_pass(fast, q, {{9, r, canonical_cols(lo, q - lo + 1), tokens}});
    RowSpec twin{9, r, canonical_cols(lo, q - lo + 1), tokens};
    twin.cols.push_back(-1);
    const PaddedBatch b = padded_pass(slow, q, {twin});
    RC_ASSERT(backend.forward_padded(a).digest[0] == backend.forward_padded(b).digest[0]);
  }
}

// ---------------------------------------------------------------------------------------
// Shape contract: every malformed call throws ContractError and leaves the cache untouched.

struct ShapeFixture {
  SymbolicBackend backend;
  CacheId cache = backend.create_cache(model(), 2, 8);
  std::uint64_t digest() const {
    return backend.kv_digest(cache, 0, 0, 8) ^ (backend.kv_digest(cache, 1, 0, 8) << 1);
  }
  PaddedBatch padded() const {
    return padded_pass(cache, 0,
                       {{0, 0, canonical_cols(1, 3), kA}, {1, 1, canonical_cols(0, 4), kB}});
  }
  PackedBatch packed() const {
    return packed_pass(cache, {{0, 0, 0, {1, 2, 3}}, {1, 1, 2, {4, 5, 6, 7}}});
  }
};

BOOST_FIXTURE_TEST_CASE(malformed_padded_batches_throw, ShapeFixture) {
  BOOST_REQUIRE_NO_THROW(backend.forward_padded(padded()));
  const std::uint64_t before = digest();
  const std::vector<std::pair<const char*, std::function<void(PaddedBatch&)>>> breaks = {
      {"positions one short", [](PaddedBatch& b) { b.positions.pop_back(); }},
      {"input_ids one long", [](PaddedBatch& b) { b.input_ids.push_back(1); }},
      {"mask one short", [](PaddedBatch& b) { b.mask.pop_back(); }},
      {"tags one short", [](PaddedBatch& b) { b.tags.pop_back(); }},
      {"cache_rows one long", [](PaddedBatch& b) { b.cache_rows.push_back(0); }},
      {"write slot at capacity", [](PaddedBatch& b) { b.write_slots.back() = 8; }},
      {"negative write slot", [](PaddedBatch& b) { b.write_slots.front() = -1; }},
      {"cache row out of range", [](PaddedBatch& b) { b.cache_rows.back() = 2; }},
      {"negative cache row", [](PaddedBatch& b) { b.cache_rows.front() = -1; }},
      {"columns beyond capacity",
       [](PaddedBatch& b) {
         b.past = 5;
         b.mask.resize(static_cast<std::size_t>(b.rows * b.columns()), 1);
       }},
  };
  for (const auto& [what, mutate] : breaks) {
    PaddedBatch b = padded();
    mutate(b);
    BOOST_CHECK_THROW(backend.forward_padded(b), ContractError);
    BOOST_TEST(digest() == before, what);
  }
}

BOOST_FIXTURE_TEST_CASE(malformed_packed_batches_throw, ShapeFixture) {
  BOOST_REQUIRE_NO_THROW(backend.forward_packed(packed()));
  const std::uint64_t before = digest();
  const std::vector<std::pair<const char*, std::function<void(PackedBatch&)>>> breaks = {
      {"positions one short", [](PackedBatch& b) { b.positions.pop_back(); }},
      {"kv_extent one short", [](PackedBatch& b) { b.kv_extent.pop_back(); }},
      {"row_offsets one short", [](PackedBatch& b) { b.row_offsets.pop_back(); }},
      {"row_offsets not from 0", [](PackedBatch& b) { b.row_offsets.front() = 1; }},
      {"row_offsets decreasing", [](PackedBatch& b) { b.row_offsets[1] = 6; }},
      {"extent past capacity", [](PackedBatch& b) { b.kv_extent[1] = 7; }},
      {"negative extent", [](PackedBatch& b) { b.kv_extent[0] = -1; }},
      {"cache row out of range", [](PackedBatch& b) { b.cache_rows[1] = 2; }},
  };
  for (const auto& [what, mutate] : breaks) {
    PackedBatch b = packed();
    mutate(b);
    BOOST_CHECK_THROW(backend.forward_packed(b), ContractError);
    BOOST_TEST(digest() == before, what);
  }
}

BOOST_FIXTURE_TEST_CASE(malformed_moves_and_crops_throw, ShapeFixture) {
  backend.forward_padded(padded());
  const std::uint64_t before = digest();
  const CacheId other_model = backend.create_cache(model(7), 2, 8);
  const CacheId other_capacity = backend.create_cache(model(), 2, 9);
  const std::vector<std::pair<const char*, sim::MovePlan>> plans = {
      {"source past capacity",
       {cache, cache, {{.src_row = 0, .src_slot = 4, .dst_row = 1, .dst_slot = 0, .length = 5}}}},
      {"destination past capacity",
       {cache, cache, {{.src_row = 0, .src_slot = 0, .dst_row = 1, .dst_slot = 4, .length = 5}}}},
      {"source row out of range",
       {cache, cache, {{.src_row = 2, .src_slot = 0, .dst_row = 1, .dst_slot = 0, .length = 1}}}},
      {"destination row out of range",
       {cache, cache, {{.src_row = 0, .src_slot = 0, .dst_row = 2, .dst_slot = 0, .length = 1}}}},
      {"negative length",
       {cache, cache, {{.src_row = 0, .src_slot = 0, .dst_row = 1, .dst_slot = 0, .length = -1}}}},
      {"a valid move before a bad one",
       {cache,
        cache,
        {{.src_row = 0, .src_slot = 0, .dst_row = 1, .dst_slot = 0, .length = 4},
         {.src_row = 0, .src_slot = 0, .dst_row = 1, .dst_slot = 0, .length = 9}}}},
      {"different models",
       {cache,
        other_model,
        {{.src_row = 0, .src_slot = 0, .dst_row = 1, .dst_slot = 0, .length = 1}}}},
      {"different capacities",
       {cache,
        other_capacity,
        {{.src_row = 0, .src_slot = 0, .dst_row = 1, .dst_slot = 0, .length = 1}}}},
      {"unknown cache", {cache, CacheId{99}, {}}},
  };
  for (const auto& [what, plan] : plans) {
    BOOST_CHECK_THROW(backend.apply_moves(plan), ContractError);
    BOOST_TEST(digest() == before, what);
  }
  BOOST_CHECK_THROW(backend.crop(cache, 2, 0), ContractError);
  BOOST_CHECK_THROW(backend.crop(cache, 0, 9), ContractError);
  BOOST_CHECK_THROW(backend.crop(cache, 0, -1), ContractError);
  BOOST_CHECK_THROW(backend.kv_digest(cache, 0, 4, 5), ContractError);
  BOOST_CHECK_THROW(backend.provenance(cache, 0, 8), ContractError);
  BOOST_TEST(digest() == before);
}

// The shared shadow KV map (sim/kv_shadow.h) under the backend: writes, gather moves,
// in-place shifts, crops and its range checks, slot by slot.
BOOST_AUTO_TEST_CASE(shadow_map_moves_gather_and_crops_forget) {
  auto tagged = [](int seq, int index) {
    return sim::KvSlot{
        .written = true, .tag = {seq, index}, .token = 100 + index, .position = index};
  };
  sim::KvCacheShadow kv(2, 6);
  for (int s = 0; s < 3; ++s) {
    kv.write(0, s, tagged(0, s));
    kv.write(1, s, tagged(1, s));
  }
  // A swap of the two rows' prefixes: gather reads both before writing either.
  const std::vector<SlotMove> swap = {
      {.src_row = 0, .src_slot = 0, .dst_row = 1, .dst_slot = 0, .length = 3},
      {.src_row = 1, .src_slot = 0, .dst_row = 0, .dst_slot = 0, .length = 3}};
  sim::apply_moves(kv, kv, swap);
  BOOST_TEST(kv.at(0, 2).tag.seq == 1);
  BOOST_TEST(kv.at(1, 2).tag.seq == 0);
  // An overlapping right shift inside a row (the realignment case) keeps every entry.
  const std::vector<SlotMove> shift = {
      {.src_row = 0, .src_slot = 0, .dst_row = 0, .dst_slot = 2, .length = 3}};
  sim::apply_moves(kv, kv, shift);
  for (int s = 2; s < 5; ++s) BOOST_TEST(kv.at(0, s).tag.index == s - 2, "slot " << s);
  BOOST_TEST(kv.at(0, 0).tag.index == 0);  // a move copies: the source keeps a stale copy
  kv.crop(0, 1);
  for (int s = 1; s < 6; ++s) BOOST_TEST(!kv.at(0, s).written, "slot " << s);
  BOOST_TEST(kv.at(0, 0).written);
  kv.crop(0, 6);  // from capacity: nothing to forget
  BOOST_CHECK_THROW(kv.write(2, 0, tagged(0, 0)), InputError);
  BOOST_CHECK_THROW(kv.crop(0, 7), InputError);
  const std::vector<SlotMove> outside = {
      {.src_row = 0, .src_slot = 4, .dst_row = 1, .dst_slot = 0, .length = 3}};
  BOOST_CHECK_THROW(sim::apply_moves(kv, kv, outside), InputError);
}

}  // namespace
}  // namespace lockstep
