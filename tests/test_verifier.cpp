// The invariant checker (verify/checker.h) driven directly, without the controller: a small
// hand-written EQSPEC-style run of two sequences through a target and a draft cache, first
// correct (no violation at all), then with one thing broken per test, each of which must be
// reported as exactly the named invariant at the right step, row and slot.
//
// The run: seq 0 (3-token prompt) sits in row 0 left-padded by 2, seq 1 (5 tokens) in row 1
// unpadded; k = 2. Step 1: seq 0 accepts both drafts, seq 1 none, so seq 1's 6 cached
// entries move from [0, 6) to [2, 8). Step 2: seq 0 reaches its 6 tokens; seq 1 accepts one
// draft and crops the rejected one. Step 3: seq 1 finishes alone in batch row 0.
#define BOOST_TEST_MODULE verifier
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/model_config.h"
#include "sim/observer.h"
#include "sim/sequence.h"
#include "sim/symbolic_backend.h"
#include "verify/checker.h"

namespace lockstep {
namespace {

using sim::CacheId;
using sim::ForwardOutput;
using sim::ModelRole;
using sim::PackedBatch;
using sim::PaddedBatch;
using sim::RowPlacement;
using sim::SlotMove;
using sim::Token;
using sim::TokenTag;
using verify::Violation;

constexpr Token kPadToken = 0;
constexpr int kCapacity = 16;
constexpr int kOutputLength = 6;  // max new tokens, and so the oracle's length

const sim::ModelConfig kTarget = sim::preset("tiny", 5);
const sim::ModelConfig kDraft = sim::preset("draft-tiny", 6);
const std::vector<std::vector<Token>> kPrompts = {{11, 12, 13}, {21, 22, 23, 24, 25}};

Token wrong(Token t) {
  return (t + 1) % kTarget.vocab;
}

std::vector<int> canonical_cols(int pad, int n) {
  std::vector<int> cols(static_cast<std::size_t>(pad), -1);
  for (int i = 0; i < n; ++i) cols.push_back(i);
  return cols;
}

// One batch row: its tokens by logical index (committed, then drafts) and its layout, as
// padded columns (logical index per column, -1 masked; columns [past, end) are fed) or, for
// packed passes, the number of leading tokens already cached at slots 0.. .
struct Lane {
  int seq = 0;
  int cache_row = 0;
  std::vector<Token> tokens;
  std::vector<int> cols;
  int cached = 0;
};

PaddedBatch padded_pass(CacheId cache, int past, const std::vector<Lane>& lanes) {
  PaddedBatch b;
  b.cache = cache;
  b.rows = static_cast<int>(lanes.size());
  b.past = past;
  const int columns = static_cast<int>(lanes.front().cols.size());
  b.tokens = columns - past;
  for (const auto& lane : lanes) {
    if (static_cast<int>(lane.cols.size()) != columns)
      throw std::invalid_argument("ragged test batch");
    b.cache_rows.push_back(lane.cache_row);
    for (int index : lane.cols) b.mask.push_back(index >= 0 ? 1 : 0);
    for (int c = past; c < columns; ++c) {
      const int index = lane.cols[static_cast<std::size_t>(c)];
      b.input_ids.push_back(index >= 0 ? lane.tokens.at(static_cast<std::size_t>(index))
                                       : kPadToken);
      b.positions.push_back(index >= 0 ? index : 0);
      b.tags.push_back(index >= 0 ? TokenTag{lane.seq, index} : TokenTag{});
      b.write_slots.push_back(c);
    }
  }
  return b;
}

PackedBatch packed_pass(CacheId cache, const std::vector<Lane>& lanes) {
  PackedBatch b;
  b.cache = cache;
  b.row_offsets.push_back(0);
  for (const auto& lane : lanes) {
    b.cache_rows.push_back(lane.cache_row);
    b.kv_extent.push_back(lane.cached);
    for (int i = lane.cached; i < static_cast<int>(lane.tokens.size()); ++i) {
      b.tokens.push_back(lane.tokens[static_cast<std::size_t>(i)]);
      b.positions.push_back(i);
      b.tags.push_back(TokenTag{lane.seq, i});
    }
    b.row_offsets.push_back(static_cast<std::int32_t>(b.tokens.size()));
  }
  return b;
}

// Batch-1 greedy AR on a separate backend: the oracle.
std::vector<Token> ar_oracle(const std::vector<Token>& prompt) {
  sim::SymbolicBackend backend;
  const CacheId cache = backend.create_cache(kTarget, 1, kCapacity);
  std::vector<Token> tokens = prompt;
  std::vector<Token> out;
  int past = 0;
  while (static_cast<int>(out.size()) < kOutputLength) {
    const int n = static_cast<int>(tokens.size());
    const ForwardOutput o =
        backend.forward_padded(padded_pass(cache, past, {{0, 0, tokens, canonical_cols(0, n), 0}}));
    out.push_back(o.argmax.back());
    tokens.push_back(out.back());
    past = n;
  }
  return out;
}

std::vector<sim::Sequence> initial_sequences() {
  std::vector<sim::Sequence> seqs;
  for (std::size_t i = 0; i < kPrompts.size(); ++i) {
    sim::Sequence s;
    s.id = static_cast<std::int32_t>(i);
    s.prompt_len = static_cast<std::int32_t>(kPrompts[i].size());
    s.tokens = kPrompts[i];
    seqs.push_back(s);
  }
  return seqs;
}

std::vector<std::vector<Token>> oracle_outputs() {
  std::vector<std::vector<Token>> out;
  for (const auto& p : kPrompts) out.push_back(ar_oracle(p));
  return out;
}

using Tamper = std::function<void(PaddedBatch&)>;

// A minimal controller: every operation goes to the backend and then to the checker with the
// very data executed, like sim/engine does.
class Run {
 public:
  Run() : seqs(initial_sequences()), oracle(oracle_outputs()), checker(seqs, oracle, backend) {
    target = backend.create_cache(kTarget, 2, kCapacity);
    checker.on_create_cache(target, ModelRole::target, 2, kCapacity);
    draft = backend.create_cache(kDraft, 2, kCapacity);
    checker.on_create_cache(draft, ModelRole::draft, 2, kCapacity);
  }

  sim::SymbolicBackend backend;
  std::vector<sim::Sequence> seqs;
  std::vector<std::vector<Token>> oracle;
  verify::InvariantChecker checker;
  CacheId target;
  CacheId draft;

  CacheId cache(ModelRole role) const { return role == ModelRole::target ? target : draft; }
  Token o(int seq, int g) const {
    return oracle[static_cast<std::size_t>(seq)][static_cast<std::size_t>(g)];
  }

  // A right-aligned row: `pad` masked columns, then the committed tokens and `drafts`.
  Lane lane(int seq, int cache_row, int pad, const std::vector<Token>& drafts) const {
    Lane l{seq, cache_row, seqs[static_cast<std::size_t>(seq)].tokens, {}, 0};
    l.tokens.insert(l.tokens.end(), drafts.begin(), drafts.end());
    l.cols = canonical_cols(pad, static_cast<int>(l.tokens.size()));
    l.cached = seqs[static_cast<std::size_t>(seq)].prefilled
                   ? seqs[static_cast<std::size_t>(seq)].cached_length()
                   : 0;
    return l;
  }

  // The same padded pass on the draft and the target cache; `tamper` edits the target's only.
  void feed(int step, int past, const std::vector<Lane>& lanes, const Tamper& tamper = {}) {
    checker.on_step_begin(step);
    for (const ModelRole role : {ModelRole::draft, ModelRole::target}) {
      PaddedBatch b = padded_pass(cache(role), past, lanes);
      if (role == ModelRole::target && tamper) tamper(b);
      const ForwardOutput out = backend.forward_padded(b);
      checker.on_forward_padded(role, b, out);
      if (role == ModelRole::target) remember(b.tags, out);
    }
  }

  void feed_packed(int step, const std::vector<Lane>& lanes,
                   const std::function<void(PackedBatch&)>& tamper = {}) {
    checker.on_step_begin(step);
    for (const ModelRole role : {ModelRole::draft, ModelRole::target}) {
      PackedBatch b = packed_pass(cache(role), lanes);
      if (role == ModelRole::target && tamper) tamper(b);
      const ForwardOutput out = backend.forward_packed(b);
      checker.on_forward_packed(role, b, out);
      if (role == ModelRole::target) remember(b.tags, out);
    }
  }

  // Greedy verification of the last target pass: each lane commits its accepted drafts and
  // the target's bonus token, stopping at kOutputLength.
  void accept(int step, const std::vector<Lane>& lanes) {
    for (std::size_t r = 0; r < lanes.size(); ++r) {
      sim::Sequence& s = seqs[static_cast<std::size_t>(lanes[r].seq)];
      const int last = s.length() - 1;
      const int drafts = static_cast<int>(lanes[r].tokens.size()) - s.length();
      int a = 0;
      while (a < drafts &&
             lanes[r].tokens[static_cast<std::size_t>(last + 1 + a)] == choice(s.id, last + a))
        ++a;
      for (int i = 0; i <= a && !s.finished; ++i)
        commit(step, static_cast<int>(r), s.id, choice(s.id, last + i));
      s.prefilled = true;
    }
  }

  void commit(int step, int batch_row, int seq, Token token) {
    sim::Sequence& s = seqs[static_cast<std::size_t>(seq)];
    s.tokens.push_back(token);
    checker.on_commit(step, batch_row, s, s.length() - 1);
    if (s.generated() >= kOutputLength) s.finished = true;
  }

  void move(ModelRole role, const std::vector<SlotMove>& moves) {
    const sim::MovePlan plan{cache(role), cache(role), moves};
    backend.apply_moves(plan);
    checker.on_moves(plan);
  }

  void crop(ModelRole role, int row, int from_slot) {
    backend.crop(cache(role), row, from_slot);
    checker.on_crop(cache(role), row, from_slot);
  }

  RowPlacement place(int seq, ModelRole role, int row, int first, int width) const {
    return {seq,  role,  cache(role),
            row,  first, seqs[static_cast<std::size_t>(seq)].cached_length(),
            width};
  }
  // Target and draft placements of each (seq, row, first) at one width.
  std::vector<RowPlacement> place_all(const std::vector<std::vector<int>>& rows, int width) const {
    std::vector<RowPlacement> out;
    for (const auto& r : rows) {
      for (const ModelRole role : {ModelRole::target, ModelRole::draft})
        out.push_back(place(r[0], role, r[1], r[2], width));
    }
    return out;
  }

  // The correct run, step by step.
  std::vector<Lane> lanes0() const { return {lane(0, 0, 2, {}), lane(1, 1, 0, {})}; }
  void step0() {
    const auto l = lanes0();
    feed(0, 0, l);
    accept(0, l);
  }
  void end0() { checker.on_step_end(0, place_all({{0, 0, 2}, {1, 1, 0}}, 5)); }

  std::vector<Lane> lanes1() const {
    return {lane(0, 0, 2, {o(0, 1), o(0, 2)}), lane(1, 1, 0, {wrong(o(1, 1)), wrong(o(1, 2))})};
  }
  void step1() {
    const auto l = lanes1();
    feed(1, 5, l);
    accept(1, l);
  }
  static constexpr SlotMove kRealign1{
      .src_row = 1, .src_slot = 0, .dst_row = 1, .dst_slot = 2, .length = 6};
  void end1() {
    move(ModelRole::target, {kRealign1});
    move(ModelRole::draft, {kRealign1});
    checker.on_step_end(1, place_all({{0, 0, 2}, {1, 1, 2}}, 8));
  }

  std::vector<Lane> lanes2() const {
    return {lane(0, 0, 2, {o(0, 4), o(0, 5)}), lane(1, 1, 2, {o(1, 2), wrong(o(1, 3))})};
  }
  void step2() {
    const auto l = lanes2();
    feed(2, 8, l);
    accept(2, l);
  }
  void end2() {
    crop(ModelRole::target, 1, 10);
    crop(ModelRole::draft, 1, 10);
    checker.on_step_end(2, place_all({{1, 1, 2}}, 10));
  }

  void step3() {
    Lane l = lane(1, 1, 2, {o(1, 4), o(1, 5)});
    feed(3, 10, {l});
    accept(3, {l});
  }
  void end3() { checker.on_step_end(3, {}); }

 private:
  Token choice(int seq, int index) const { return choice_.at({seq, index}); }
  void remember(const std::vector<TokenTag>& tags, const ForwardOutput& out) {
    choice_.clear();
    for (std::size_t i = 0; i < tags.size(); ++i) {
      if (tags[i].seq != TokenTag::kPadSeq) choice_[{tags[i].seq, tags[i].index}] = out.argmax[i];
    }
  }
  std::map<std::pair<int, int>, Token> choice_;  // (seq, index) -> target argmax, last pass
};

std::string describe(const verify::InvariantChecker& c) {
  std::ostringstream os;
  os << c.violation_count() << " violation(s)";
  for (const Violation& v : c.violations()) {
    os << "\n  " << v.invariant << " step " << v.step << " row " << v.row << " slot " << v.slot
       << ": " << v.detail;
  }
  return os.str();
}

// All `count` violations are `invariant` at (step, row, slot), each detail naming `mention`.
void expect_only(const verify::InvariantChecker& c, const std::string& invariant, int step, int row,
                 int slot, std::int64_t count, const std::string& mention) {
  BOOST_TEST_CONTEXT(describe(c)) {
    BOOST_TEST(c.violation_count() == count);
    BOOST_TEST(static_cast<std::int64_t>(c.violations().size()) == count);
    for (const Violation& v : c.violations()) {
      BOOST_TEST(v.invariant == invariant);
      BOOST_TEST(v.step == step);
      BOOST_TEST(v.row == row);
      BOOST_TEST(v.slot == slot);
      BOOST_TEST(v.detail.find(mention) != std::string::npos,
                 "detail should mention '" << mention << "'");
    }
  }
}

std::size_t mask_index(const PaddedBatch& b, int row, int column) {
  return static_cast<std::size_t>(row) * static_cast<std::size_t>(b.columns()) +
         static_cast<std::size_t>(column);
}

// ---------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_correct_run_has_no_violations) {
  Run r;
  r.step0();
  r.end0();
  r.step1();
  r.end1();
  r.step2();
  r.end2();
  r.step3();
  r.end3();
  r.checker.finish();
  BOOST_TEST(r.checker.violation_count() == 0, describe(r.checker));
  // The run really took the intended path: every output equals the oracle's, all finished.
  for (std::size_t i = 0; i < kPrompts.size(); ++i) {
    std::vector<Token> want = kPrompts[i];
    want.insert(want.end(), r.oracle[i].begin(), r.oracle[i].end());
    BOOST_TEST(r.seqs[i].tokens == want, boost::test_tools::per_element());
    BOOST_TEST(r.seqs[i].finished);
  }
}

// Per-sequence layout through packed passes: rejected drafts are cropped, no moves at all.
BOOST_AUTO_TEST_CASE(a_correct_packed_run_has_no_violations) {
  Run r;
  auto l = r.lanes0();
  r.feed_packed(0, l);
  r.accept(0, l);
  r.checker.on_step_end(
      0, {r.place(0, ModelRole::target, 0, 0, 3), r.place(1, ModelRole::target, 1, 0, 5)});
  l = r.lanes1();
  r.feed_packed(1, l);
  r.accept(1, l);
  r.crop(ModelRole::target, 1, 6);
  r.crop(ModelRole::draft, 1, 6);
  r.checker.on_step_end(
      1, {r.place(0, ModelRole::target, 0, 0, 6), r.place(0, ModelRole::draft, 0, 0, 6),
          r.place(1, ModelRole::target, 1, 0, 6), r.place(1, ModelRole::draft, 1, 0, 6)});
  BOOST_TEST(r.checker.violation_count() == 0, describe(r.checker));
}

BOOST_AUTO_TEST_CASE(i1_a_position_id_off_by_one) {
  Run r;
  r.step0();
  r.end0();
  // Row 0's first draft (index 4, slot 6) fed with position 5.
  r.feed(1, 5, r.lanes1(), [](PaddedBatch& b) { b.positions[1] += 1; });
  expect_only(r.checker, "I1", 1, 0, 6, 1, "seq 0 index 4");
}

BOOST_AUTO_TEST_CASE(i2_a_pad_slot_visible) {
  Run r;
  // Row 0's second pad column unmasked: each of seq 0's three prompt tokens sees it.
  r.feed(0, 0, r.lanes0(), [](PaddedBatch& b) { b.mask[mask_index(b, 0, 1)] = 1; });
  expect_only(r.checker, "I2", 0, 0, 1, 3, "a pad");
}

// Seq 1's rejected drafts stay at slots 6 and 7 and the next pass writes after them (a KV
// offset advanced for the whole batch). Masked, that is correct; visible, they are stale.
BOOST_AUTO_TEST_CASE(i2_a_rejected_draft_left_visible) {
  for (const bool visible : {false, true}) {
    BOOST_TEST_CONTEXT("stale drafts visible: " << visible) {
      Run r;
      r.step0();
      r.end0();
      r.step1();
      r.checker.on_step_end(
          1, {r.place(0, ModelRole::target, 0, 2, 8), r.place(1, ModelRole::target, 1, 0, 6)});
      auto lanes = r.lanes2();
      lanes[1].cols = {0, 1, 2, 3, 4, 5, -1, -1, 6, 7, 8};
      r.feed(2, 8, lanes, [&](PaddedBatch& b) {
        if (!visible) return;
        b.mask[mask_index(b, 1, 6)] = 1;
        b.mask[mask_index(b, 1, 7)] = 1;
      });
      if (visible) {
        expect_only(r.checker, "I2", 2, 1, 6, 3, "stale entry");
      } else {
        r.accept(2, lanes);  // and the target, seeing the right context, still agrees with AR
        BOOST_TEST(r.checker.violation_count() == 0, describe(r.checker));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(i2_another_sequences_slot_moved_into_the_row) {
  Run r;
  r.step0();
  r.end0();
  r.step1();
  // Seq 1's realignment copies one slot too few and takes slot 7 from row 0 (seq 0 index 5).
  r.move(ModelRole::target,
         {{.src_row = 1, .src_slot = 0, .dst_row = 1, .dst_slot = 2, .length = 5},
          {.src_row = 0, .src_slot = 7, .dst_row = 1, .dst_slot = 7, .length = 1}});
  r.move(ModelRole::draft, {Run::kRealign1});
  r.feed(2, 8, r.lanes2());
  expect_only(r.checker, "I2", 2, 1, 7, 3, "seq 0 index 5");
  for (const Violation& v : r.checker.violations())
    BOOST_TEST(v.detail.find("seq 1") != std::string::npos);
}

// Same layout as the masked case of i2_a_rejected_draft_left_visible, but afterwards the
// controller claims seq 1 is contiguous from slot 0: slot 6 still holds the rejected draft.
BOOST_AUTO_TEST_CASE(i3_a_placement_over_a_rejected_draft) {
  Run r;
  r.step0();
  r.end0();
  r.step1();
  r.checker.on_step_end(
      1, {r.place(0, ModelRole::target, 0, 2, 8), r.place(1, ModelRole::target, 1, 0, 6)});
  auto lanes = r.lanes2();
  lanes[1].cols = {0, 1, 2, 3, 4, 5, -1, -1, 6, 7, 8};
  r.feed(2, 8, lanes);
  r.accept(2, lanes);
  BOOST_TEST_REQUIRE(r.checker.violation_count() == 0, describe(r.checker));
  r.checker.on_step_end(2, {r.place(1, ModelRole::target, 1, 0, 8)});
  expect_only(r.checker, "I3", 2, 1, 6, 1,
              "seq 1 index 6 (token " + std::to_string(wrong(r.o(1, 1))) + ")");
}

BOOST_AUTO_TEST_CASE(i3_a_placement_over_empty_slots) {
  Run r;
  r.step0();
  r.end0();
  r.step1();
  r.crop(ModelRole::target, 1, 0);  // cropped before the move instead of after
  r.move(ModelRole::target, {Run::kRealign1});
  r.move(ModelRole::draft, {Run::kRealign1});
  r.checker.on_step_end(1, r.place_all({{0, 0, 2}, {1, 1, 2}}, 8));
  expect_only(r.checker, "I3", 1, 1, 2, 1, "target KV of seq 1: slot holds an empty slot");
}

BOOST_AUTO_TEST_CASE(i3_draft_cache_not_moved_with_the_target) {
  Run r;
  r.step0();
  r.end0();
  r.step1();
  r.move(ModelRole::target, {Run::kRealign1});
  r.checker.on_step_end(1, r.place_all({{0, 0, 2}, {1, 1, 2}}, 8));
  expect_only(r.checker, "I3", 1, 1, 2, 1, "draft KV of seq 1");
}

// The plan the controller reports is not the one the backend executed: only introspection
// of the backend's own slots can tell.
BOOST_AUTO_TEST_CASE(i3_backend_slots_disagree_with_the_reported_plan) {
  Run r;
  r.step0();
  r.end0();
  r.step1();
  r.checker.on_moves({r.target, r.target, {Run::kRealign1}});
  r.move(ModelRole::draft, {Run::kRealign1});
  r.checker.on_step_end(1, r.place_all({{0, 0, 2}, {1, 1, 2}}, 8));
  expect_only(r.checker, "I3", 1, 1, 2, 1, "the backend's slot holds seq 1 index 2");
}

BOOST_AUTO_TEST_CASE(i4_placement_length_is_not_committed_minus_one) {
  Run r;
  r.step0();
  r.end0();
  r.step1();
  r.move(ModelRole::target, {Run::kRealign1});
  r.move(ModelRole::draft, {Run::kRealign1});
  auto placements = r.place_all({{0, 0, 2}, {1, 1, 2}}, 8);
  placements[0].length -= 1;  // seq 0's target placement
  r.checker.on_step_end(1, placements);
  expect_only(r.checker, "I4", 1, 0, 7, 1, "seq 0 has length 5");
}

// Realignment skipped: seq 1's KV is intact at [0, 6) but the padded layout is 8 wide.
BOOST_AUTO_TEST_CASE(i4_row_not_ending_at_the_layout_width) {
  Run r;
  r.step0();
  r.end0();
  r.step1();
  r.checker.on_step_end(
      1, {r.place(0, ModelRole::target, 0, 2, 8), r.place(1, ModelRole::target, 1, 0, 8)});
  expect_only(r.checker, "I4", 1, 1, 0, 1, "seq 1 ends at slot 6");
}

BOOST_AUTO_TEST_CASE(i4_live_sequence_without_placement) {
  Run r;
  r.step0();
  r.checker.on_step_end(0, r.place_all({{1, 1, 0}}, 5));
  expect_only(r.checker, "I4", 0, -1, -1, 1, "live seq 0");
}

BOOST_AUTO_TEST_CASE(i4_fed_token_differs_from_the_committed_one) {
  Run r;
  r.step0();
  r.end0();
  // Plain decode; seq 0's newest committed token (index 3, slot 5) fed wrong.
  r.feed(1, 5, {r.lane(0, 0, 2, {}), r.lane(1, 1, 0, {})},
         [](PaddedBatch& b) { b.input_ids[0] = wrong(b.input_ids[0]); });
  BOOST_TEST_CONTEXT(describe(r.checker)) {
    // The query also attends to its own, wrong, entry, which I2 reports at the same slot.
    BOOST_TEST_REQUIRE(r.checker.violation_count() == 2);
    const Violation& v = r.checker.violations()[0];
    BOOST_TEST((v.invariant == "I4" && v.step == 1 && v.row == 0 && v.slot == 5));
    BOOST_TEST(v.detail.find("seq 0 index 3 was fed token") != std::string::npos);
    BOOST_TEST(r.checker.violations()[1].invariant == "I2");
    BOOST_TEST(r.checker.violations()[1].slot == 5);
  }
}

BOOST_AUTO_TEST_CASE(i5_a_commit_that_differs_from_the_oracle) {
  Run r;
  r.feed(0, 0, r.lanes0());
  r.commit(0, 1, 1, wrong(r.o(1, 0)));
  r.commit(0, 1, 1, wrong(r.o(1, 1)));  // reported once per sequence
  r.commit(0, 0, 0, r.o(0, 0));
  expect_only(r.checker, "I5", 0, 1, 5, 1, "seq 1 output position 0");
}

BOOST_AUTO_TEST_CASE(i5_a_commit_past_the_oracles_end) {
  Run r;
  for (int g = 0; g < kOutputLength; ++g) r.commit(4, 0, 0, r.o(0, g));
  BOOST_TEST_REQUIRE(r.checker.violation_count() == 0, describe(r.checker));
  r.commit(4, 0, 0, 7);
  expect_only(r.checker, "I5", 4, 0, 3 + kOutputLength, 1, "already stopped");
}

BOOST_AUTO_TEST_CASE(i5_finish_with_a_sequence_shorter_than_the_oracle) {
  Run r;
  r.step0();
  r.end0();
  r.step1();
  r.end1();
  r.step2();
  r.end2();
  r.checker.finish();  // seq 1 has 4 of its 6 tokens
  expect_only(r.checker, "I5", 2, -1, 9, 1, "seq 1 stopped after 4 tokens");
}

// A packed pass whose KV extent for seq 1 counts its two rejected drafts (slots 6, 7).
BOOST_AUTO_TEST_CASE(i2_packed_extent_past_rejected_drafts) {
  Run r;
  auto l = r.lanes0();
  r.feed_packed(0, l);
  r.accept(0, l);
  l = r.lanes1();
  r.feed_packed(1, l);
  r.accept(1, l);
  r.feed_packed(2, r.lanes2(), [](PackedBatch& b) { b.kv_extent[1] += 2; });
  expect_only(r.checker, "I2", 2, 1, 6, 3, "stale entry");
}

BOOST_AUTO_TEST_CASE(stored_violations_are_capped_but_all_are_counted) {
  Run r;
  r.step0();
  const int calls = 60;  // two live sequences unplaced per call
  for (int i = 0; i < calls; ++i) r.checker.on_step_end(0, {});
  BOOST_TEST(r.checker.violations().size() == verify::InvariantChecker::kMaxKept);
  BOOST_TEST(r.checker.violation_count() == 2 * calls);
  BOOST_TEST(r.checker.violations().back().detail.find("live seq") != std::string::npos);
}

}  // namespace
}  // namespace lockstep
