#include "verify/checker.h"

#include <algorithm>
#include <string>

#include "sim/error.h"

namespace lockstep::verify {
namespace {

std::string describe(const sim::TokenTag& tag, bool written) {
  if (!written) return "an empty slot";
  if (tag.seq < 0) return "a pad";
  return "seq " + std::to_string(tag.seq) + " index " + std::to_string(tag.index);
}

}  // namespace

EquivalenceRule EquivalenceRule::of(const sim::Scenario& scenario) {
  EquivalenceRule rule{.numerics = scenario.target.numerics,
                       .eos_tokens = scenario.eos_tokens,
                       .max_new_tokens = scenario.max_new_tokens};
  if (scenario.eos_token) rule.eos_tokens.push_back(*scenario.eos_token);
  rule.rejection =
      !scenario.sampling.greedy() && scenario.sampling.acceptance == sim::Acceptance::rejection;
  rule.seed = scenario.sampling.seed;
  return rule;
}

InvariantChecker::InvariantChecker(const std::vector<sim::Sequence>& sequences,
                                   std::vector<std::vector<sim::Token>> oracle,
                                   const sim::Backend& backend, EquivalenceRule rule)
    : sequences_(sequences), oracle_(std::move(oracle)), backend_(backend), rule_(std::move(rule)) {
  require(oracle_.size() == sequences_.size(), "InvariantChecker: one oracle output per sequence");
  fed_.resize(sequences_.size());
  diverged_.assign(sequences_.size(), false);
  if (sim::is_float(rule_.numerics)) sources_.emplace(static_cast<int>(sequences_.size()));
  if (rule_.rejection) rejection_.emplace(static_cast<int>(sequences_.size()), rule_.seed);
}

void InvariantChecker::on_step_begin(int step) {
  step_ = step;
  if (sources_) sources_->on_step_begin(step);
}

bool InvariantChecker::is_eos(sim::Token token) const {
  return std::find(rule_.eos_tokens.begin(), rule_.eos_tokens.end(), token) !=
         rule_.eos_tokens.end();
}

void InvariantChecker::report(const char* invariant, int row, int slot, std::string detail) {
  ++count_;
  if (violations_.size() < kMaxKept)
    violations_.push_back({invariant, step_, row, slot, std::move(detail)});
}

sim::KvCacheShadow& InvariantChecker::shadow(sim::CacheId cache) {
  require(shadow_.has(cache.value), "checker: operation on a cache it never saw created");
  return shadow_.cache(cache.value);
}

void InvariantChecker::on_create_cache(sim::CacheId cache, sim::ModelRole, int rows, int capacity) {
  shadow_.create(cache.value, rows, capacity);
}

sim::Token InvariantChecker::expected_token(int seq, int index) const {
  const auto& s = sequences_[static_cast<std::size_t>(seq)];
  if (index < s.length()) return s.tokens[static_cast<std::size_t>(index)];
  const auto& fed = fed_[static_cast<std::size_t>(seq)];
  return index < static_cast<int>(fed.size()) ? fed[static_cast<std::size_t>(index)] : -1;
}

void InvariantChecker::write_and_check(sim::ModelRole role, sim::KvCacheShadow& cache,
                                       int cache_row, int slot, sim::Token token,
                                       std::int32_t position, sim::TokenTag tag,
                                       const std::vector<std::int32_t>& visible) {
  cache.write(cache_row, slot, sim::KvSlot{true, tag, token, position});
  if (tag.seq < 0) return;  // a pad query: its output is never used
  const std::string who = std::string(sim::role_name(role)) + " seq " + std::to_string(tag.seq) +
                          " index " + std::to_string(tag.index);
  if (position != tag.index) {
    report("I1", cache_row, slot, who + " was fed with position id " + std::to_string(position));
  }
  const auto& seq = sequences_[static_cast<std::size_t>(tag.seq)];
  if (tag.index < seq.length() && token != seq.tokens[static_cast<std::size_t>(tag.index)]) {
    report("I4", cache_row, slot,
           who + " was fed token " + std::to_string(token) + " but the committed token is " +
               std::to_string(seq.tokens[static_cast<std::size_t>(tag.index)]));
  }
  auto& fed = fed_[static_cast<std::size_t>(tag.seq)];
  if (static_cast<int>(fed.size()) <= tag.index)
    fed.resize(static_cast<std::size_t>(tag.index) + 1, -1);
  fed[static_cast<std::size_t>(tag.index)] = token;

  // I2: exactly slots holding (seq, 0), (seq, 1), ..., (seq, index), in slot order.
  int expect = 0;
  for (int s : visible) {
    const sim::KvSlot& v = cache.slot(cache_row, s);
    const bool right = v.written && v.tag.seq == tag.seq && v.tag.index == expect &&
                       v.token == expected_token(tag.seq, expect);
    if (!right) {
      std::string what = describe(v.tag, v.written);
      if (v.written && v.tag.seq == tag.seq && v.tag.index == expect) {
        what = "a stale entry with token " + std::to_string(v.token) + " (expected " +
               std::to_string(expected_token(tag.seq, expect)) + ")";
      }
      report("I2", cache_row, s,
             who + " attends to " + what + " where index " + std::to_string(expect) +
                 " of its own sequence belongs");
      return;
    }
    if (++expect > tag.index + 1) break;
  }
  if (expect != tag.index + 1) {
    report("I2", cache_row, slot,
           who + " sees " + std::to_string(expect) + " of the " + std::to_string(tag.index + 1) +
               " entries of its context");
  }
}

void InvariantChecker::on_forward_padded(sim::ModelRole role, const sim::PaddedBatch& b,
                                         const sim::ForwardOutput& out) {
  if (sources_) sources_->on_forward_padded(role, b, out);
  if (rejection_) rejection_->on_forward_padded(role, b, out);
  sim::KvCacheShadow& cache = shadow(b.cache);
  for (int r = 0; r < b.rows; ++r) {
    for (int t = 0; t < b.tokens; ++t) {
      const std::size_t i = static_cast<std::size_t>(r) * static_cast<std::size_t>(b.tokens) +
                            static_cast<std::size_t>(t);
      scratch_.clear();
      sim::visible_slots(b, r, t, scratch_);
      write_and_check(role, cache, b.cache_rows[static_cast<std::size_t>(r)], b.write_slots[i],
                      b.input_ids[i], b.positions[i], b.tags[i], scratch_);
    }
  }
}

void InvariantChecker::on_forward_packed(sim::ModelRole role, const sim::PackedBatch& b,
                                         const sim::ForwardOutput& out) {
  if (sources_) sources_->on_forward_packed(role, b, out);
  if (rejection_) rejection_->on_forward_packed(role, b, out);
  sim::KvCacheShadow& cache = shadow(b.cache);
  for (int r = 0; r < b.rows(); ++r) {
    const auto ur = static_cast<std::size_t>(r);
    for (int i = b.row_offsets[ur]; i < b.row_offsets[ur + 1]; ++i) {
      const int slot = b.kv_extent[ur] + (i - b.row_offsets[ur]);
      scratch_.clear();
      for (int s = 0; s <= slot; ++s) scratch_.push_back(s);
      const auto ui = static_cast<std::size_t>(i);
      write_and_check(role, cache, b.cache_rows[ur], slot, b.tokens[ui], b.positions[ui],
                      b.tags[ui], scratch_);
    }
  }
}

void InvariantChecker::on_moves(const sim::MovePlan& plan) {
  sim::apply_moves(shadow(plan.src), shadow(plan.dst), plan.moves);
}

void InvariantChecker::on_crop(sim::CacheId cache, int row, int from_slot) {
  shadow(cache).crop(row, from_slot);
}

void InvariantChecker::on_commit(int step, int row, const sim::Sequence& seq, int index) {
  step_ = step;
  if (sources_) sources_->on_commit(step, row, seq, index);
  if (diverged_[static_cast<std::size_t>(seq.id)]) return;
  if (rule_.rejection) {
    check_commit_under_rejection(row, seq, index);
  } else if (sim::is_float(rule_.numerics)) {
    check_commit_against_model(row, seq, index);
  } else {
    check_commit_against_oracle(row, seq, index);
  }
}

void InvariantChecker::check_commit_against_oracle(int row, const sim::Sequence& seq, int index) {
  const auto id = static_cast<std::size_t>(seq.id);
  const auto& want = oracle_[id];
  const int g = index - seq.prompt_len;
  const sim::Token got = seq.tokens[static_cast<std::size_t>(index)];
  if (g >= static_cast<int>(want.size())) {
    diverged_[id] = true;
    report("I5", row, index,
           "seq " + std::to_string(seq.id) + " committed token " + std::to_string(got) +
               " at output position " + std::to_string(g) +
               " where batch-1 AR had already stopped");
  } else if (want[static_cast<std::size_t>(g)] != got) {
    diverged_[id] = true;
    report("I5", row, index,
           "seq " + std::to_string(seq.id) + " output position " + std::to_string(g) + " is " +
               std::to_string(got) + ", batch-1 AR gives " +
               std::to_string(want[static_cast<std::size_t>(g)]));
  }
}

// Float numerics: the commit must be what the target chose, from the committed prefix, and
// the stop rule must hold; whether it equals batch-1 AR is measured, not required.
void InvariantChecker::check_commit_against_model(int row, const sim::Sequence& seq, int index) {
  const auto id = static_cast<std::size_t>(seq.id);
  const int g = index - seq.prompt_len;
  const sim::Token got = seq.tokens[static_cast<std::size_t>(index)];
  const std::string who = "seq " + std::to_string(seq.id) + " output position " +
                          std::to_string(g) + " (token " + std::to_string(got) + ")";
  const auto fail = [&](const std::string& why) {
    diverged_[id] = true;
    report("I5", row, index, who + ": " + why);
  };
  if (const std::string why = stop_rule_broken(seq, index); !why.empty()) {
    fail(why);
  } else if (const CommitSource* src = sources_->source(seq.id, g); src == nullptr || !src->found) {
    fail("no target pass fed index " + std::to_string(index - 1) + " before the commit");
  } else if (!src->context_matches) {
    fail("the target pass that chose it was fed tokens the sequence did not commit");
  } else if (src->predicted != got) {
    fail("the target chose " + std::to_string(src->predicted) + " at index " +
         std::to_string(index) + " (" + src->pass.describe() + ", step " +
         std::to_string(src->pass.step) + ")");
  }
}

std::string InvariantChecker::stop_rule_broken(const sim::Sequence& seq, int index) const {
  const int g = index - seq.prompt_len;
  const sim::Token previous = seq.tokens[static_cast<std::size_t>(index - 1)];
  if (g >= rule_.max_new_tokens)
    return "committed past max_new_tokens " + std::to_string(rule_.max_new_tokens);
  if (g > 0 && is_eos(previous)) return "committed after EOS token " + std::to_string(previous);
  return "";
}

// Rejection sampling: the commit must be what the accept test, residual or bonus draw gives
// from the distributions the passes returned, under the run's keys, and the stop rule holds.
void InvariantChecker::check_commit_under_rejection(int row, const sim::Sequence& seq, int index) {
  std::string why = stop_rule_broken(seq, index);
  if (why.empty()) why = rejection_->check(seq, index);
  if (why.empty()) return;
  diverged_[static_cast<std::size_t>(seq.id)] = true;
  report("I5", row, index,
         "seq " + std::to_string(seq.id) + " output position " +
             std::to_string(index - seq.prompt_len) + ": " + why);
}

void InvariantChecker::check_slots(const sim::RowPlacement& p) {
  const auto& seq = sequences_[static_cast<std::size_t>(p.seq)];
  const std::string who =
      std::string(sim::role_name(p.role)) + " KV of seq " + std::to_string(p.seq);
  if (p.length != seq.cached_length()) {
    report("I4", p.row, p.first_slot + p.length,
           who + " has length " + std::to_string(p.length) + " but the sequence has " +
               std::to_string(seq.cached_length()) + " cached tokens (committed - 1)");
    return;
  }
  if (p.first_slot + p.length != p.width) {
    report("I4", p.row, p.first_slot,
           who + " ends at slot " + std::to_string(p.first_slot + p.length) +
               ", the layout's width is " + std::to_string(p.width));
  }
  const sim::KvCacheShadow& slots = shadow(p.cache);
  for (int i = 0; i < p.length; ++i) {
    const int s = p.first_slot + i;
    const sim::KvSlot& v = slots.at(p.row, s);
    const sim::Token want = seq.tokens[static_cast<std::size_t>(i)];
    if (!v.written || v.tag.seq != p.seq || v.tag.index != i || v.token != want) {
      report("I3", p.row, s,
             who + ": slot holds " + describe(v.tag, v.written) + " (token " +
                 std::to_string(v.token) + "), expected index " + std::to_string(i) + " token " +
                 std::to_string(want));
      return;
    }
    if (const auto real = backend_.provenance(p.cache, p.row, s)) {
      if (!real->written || !(real->tag == v.tag) || real->token != v.token) {
        report("I3", p.row, s,
               who + ": the backend's slot holds " + describe(real->tag, real->written) +
                   " but the executed plan puts index " + std::to_string(i) + " there");
        return;
      }
    }
  }
}

void InvariantChecker::on_step_end(int step, const std::vector<sim::RowPlacement>& placements) {
  step_ = step;
  std::vector<int> placed_target(sequences_.size(), 0);
  for (const auto& p : placements) {
    check_slots(p);
    if (p.role == sim::ModelRole::target) ++placed_target[static_cast<std::size_t>(p.seq)];
  }
  for (const auto& seq : sequences_) {
    if (seq.finished || !seq.prefilled) continue;
    if (placed_target[static_cast<std::size_t>(seq.id)] != 1) {
      report("I4", -1, -1,
             "live seq " + std::to_string(seq.id) + " has " +
                 std::to_string(placed_target[static_cast<std::size_t>(seq.id)]) +
                 " target KV placements after the step (expected 1)");
    }
  }
}

void InvariantChecker::finish() {
  for (const auto& seq : sequences_) {
    const auto id = static_cast<std::size_t>(seq.id);
    if (diverged_[id]) continue;
    if (without_oracle()) {
      // No oracle length to compare with: a sequence ends at EOS or at max_new_tokens.
      const bool ended = seq.generated() >= rule_.max_new_tokens ||
                         (seq.generated() > 0 && is_eos(seq.tokens.back()));
      if (!ended) {
        report("I5", -1, seq.length(),
               "seq " + std::to_string(seq.id) + " stopped after " +
                   std::to_string(seq.generated()) +
                   " tokens, neither at EOS nor at max_new_tokens " +
                   std::to_string(rule_.max_new_tokens));
      }
    } else if (seq.generated() < static_cast<int>(oracle_[id].size())) {
      report("I5", -1, seq.length(),
             "seq " + std::to_string(seq.id) + " stopped after " + std::to_string(seq.generated()) +
                 " tokens, batch-1 AR produces " + std::to_string(oracle_[id].size()));
    }
  }
}

}  // namespace lockstep::verify
