// One speculative round for both layouts (sim/round.h). The layout enters only where a pass
// is built (round_pass, prefill_fresh_rows); drafting, verification, acceptance, the commit
// and the trace record are the same code for every strategy.
#include "sim/round.h"

#include <algorithm>
#include <cstdint>

#include "sim/error.h"
#include "sim/layout_passes.h"

namespace lockstep::sim {

void reset_padded_batch(PaddedBatch& b, CacheId cache, std::size_t rows, int past, int tokens) {
  b.cache = cache;
  b.rows = static_cast<int>(rows);
  b.past = past;
  b.tokens = tokens;
  const std::size_t cells = rows * static_cast<std::size_t>(tokens);
  // Every cell is written by padded_pass: no clearing pass here.
  b.cache_rows.resize(rows);
  b.input_ids.resize(cells);
  b.positions.resize(cells);
  b.write_slots.resize(cells);
  b.tags.resize(cells);
  b.mask.resize(rows * static_cast<std::size_t>(past + tokens));
}

void mask_cached_eos(Engine& engine, const RoundRow& row, int past, Token pad_token,
                     std::uint8_t* mask) {
  const Sequence& seq = engine.sequence(row.seq);
  for (int c = std::max(row.pad, 0); c < past; ++c) {
    const int index = c - row.pad;
    if (index < seq.length() && seq.tokens[static_cast<std::size_t>(index)] == pad_token)
      mask[c] = 0;
  }
}

namespace {

CacheId cache_of(const RoundGroup& group, ModelRole role) {
  return role == ModelRole::target ? group.target : group.draft;
}

// One pass over every row of the group in its layout: `offset` slots past each row's cached
// KV, `tokens` fed per row by feed(r, t).
template <typename FeedAt>
const ForwardOutput& round_pass(Engine& engine, const RoundGroup& group, ModelRole role,
                                Stage stage, int offset, int tokens, FeedAt&& feed) {
  const CacheId cache = cache_of(group, role);
  if (group.layout == Layout::padded) {
    return engine.forward(
        role, padded_pass(engine, cache, group.rows, group.width + offset, tokens, feed), stage);
  }
  std::vector<int> extent(group.rows.size());
  for (std::size_t r = 0; r < extent.size(); ++r) extent[r] = group.rows[r].kv_extent + offset;
  const std::vector<int> count(group.rows.size(), tokens);
  return engine.forward(role, packed_pass(engine, cache, group.rows, extent, count, feed), stage);
}

// Padded: one left-padded pass over the fresh rows at the group's width (none when every
// fresh row has an empty cache). Packed: one varlen pass of every fresh row's cached prompt.
void prefill_pass(Engine& engine, const RoundGroup& group, const std::vector<RoundRow>& fresh,
                  ModelRole role) {
  auto feed = [&](std::size_t r, int c) {
    const RoundRow& row = fresh[r];
    if (c < row.pad) return Feed{};
    const Sequence& seq = engine.sequence(row.seq);
    return Feed{seq.tokens[static_cast<std::size_t>(c - row.pad)], TokenTag{seq.id, c - row.pad}};
  };
  const CacheId cache = cache_of(group, role);
  if (group.layout == Layout::padded) {
    if (group.width > 0) {
      engine.forward(role, padded_pass(engine, cache, fresh, 0, group.width, feed), Stage::prefill);
    }
    return;
  }
  const std::vector<int> zero(fresh.size(), 0);
  std::vector<int> prompt(fresh.size());
  for (std::size_t r = 0; r < fresh.size(); ++r)
    prompt[r] = engine.sequence(fresh[r].seq).cached_length();
  engine.forward(role, packed_pass(engine, cache, fresh, zero, prompt, feed), Stage::prefill);
}

void prefill_fresh_rows(Engine& engine, const RoundGroup& group) {
  std::vector<RoundRow> fresh;
  for (const auto& row : group.rows) {
    if (!engine.sequence(row.seq).prefilled) fresh.push_back(row);
  }
  if (fresh.empty()) return;
  prefill_pass(engine, group, fresh, ModelRole::target);
  if (engine.has_draft_model()) prefill_pass(engine, group, fresh, ModelRole::draft);
  for (const auto& row : fresh) engine.sequence(row.seq).prefilled = true;
}

// The draft model's k + 1 passes, one token per row each; the drafter turns each pass's greedy
// choice into the proposal. The (k+1)-th pass only writes d_k's KV; bonus-kv-missing skips it.
template <typename Fed>
void draft_with_model(Engine& engine, const RoundGroup& group, Fed&& fed, RoundOutcome& out) {
  const int k = engine.k();
  const int draft_passes = engine.faults().has(Fault::bonus_kv_missing) ? k : k + 1;
  for (int i = 0; i < draft_passes; ++i) {
    const ForwardOutput& o = round_pass(engine, group, ModelRole::draft, Stage::draft, i, 1,
                                        [&](std::size_t r, int) { return fed(r, i); });
    // Rejection sampling judges each draft by the distribution it was drawn from (q_k+1, of
    // the last pass, only by the fault rejection-bonus-from-q).
    if (!o.distributions.empty()) {
      for (std::size_t r = 0; r < group.rows.size(); ++r)
        out.draft_q[r].push_back(o.distributions[r]);
    }
    if (i == k) break;
    for (std::size_t r = 0; r < group.rows.size(); ++r) {
      const Sequence& seq = engine.sequence(group.rows[r].seq);
      out.drafts[r][static_cast<std::size_t>(i)] =
          engine.propose(seq, i + 1, seq.cached_length() + i + 1, o.argmax[r]);
    }
  }
}

// Rejection sampling (sim/rejection.h): replaces each row's greedy acceptance by the verdict
// on its drafts, and its targets by what the round commits: the accepted drafts, then the
// correction or bonus (so a row that keeps fewer drafts, rollback, commits the accepted
// draft at the next position).
void judge_rows(Engine& engine, const RoundGroup& group, const ForwardOutput& v,
                RoundOutcome& out) {
  const auto k = static_cast<std::size_t>(engine.k());
  require(v.distributions.size() == group.rows.size() * (k + 1),
          "rejection sampling: the verify pass returned no target distributions");
  std::vector<numerics::SampleDistribution> p(k + 1);
  for (std::size_t r = 0; r < group.rows.size(); ++r) {
    std::copy_n(v.distributions.begin() + static_cast<std::ptrdiff_t>(r * (k + 1)), k + 1,
                p.begin());
    if (!engine.drafts_model_samples()) {
      out.draft_q[r].clear();
      for (const Token d : out.drafts[r])
        out.draft_q[r].push_back(numerics::one_hot_distribution(d));
    }
    const Sequence& seq = engine.sequence(group.rows[r].seq);
    const RowJudgement row{.drafts = &out.drafts[r],
                           .p = &p,
                           .q = &out.draft_q[r],
                           .seed = engine.sampling().seed,
                           .sequence = seq.id,
                           .first_position = seq.cached_length() + 1};
    RowVerdict verdict = judge_drafts(row, engine.faults());
    const auto a = static_cast<std::size_t>(verdict.accepted);
    std::copy_n(out.drafts[r].begin(), a, out.targets[r].begin());
    out.targets[r][a] = verdict.sampled.token;
    out.accepted[r] = verdict.accepted;
    out.verdicts.push_back(std::move(verdict));
  }
}

// Draft, verify and accept: the round's passes after the prefill.
// `out` is overwritten; its buffers are reused from the previous round.
void draft_and_verify(Engine& engine, const RoundGroup& group, RoundOutcome& out) {
  const int k = engine.k();
  const std::size_t rows = group.rows.size();
  out.drafts.resize(rows);
  out.targets.resize(rows);
  for (auto& d : out.drafts) d.assign(static_cast<std::size_t>(k), 0);
  for (auto& t : out.targets) t.assign(static_cast<std::size_t>(k) + 1, 0);
  out.accepted.assign(rows, 0);
  out.draft_q.assign(engine.rejection_sampling() && engine.drafting() ? rows : 0, {});
  out.verdicts.clear();

  // Token fed at step t of the round: the pending (newest committed) token, then the drafts.
  auto fed = [&](std::size_t r, int t) {
    const Sequence& seq = engine.sequence(group.rows[r].seq);
    const Token token = t == 0 ? seq.tokens.back() : out.drafts[r][static_cast<std::size_t>(t - 1)];
    return Feed{token, TokenTag{seq.id, seq.cached_length() + t}};
  };

  if (engine.has_draft_model()) {
    draft_with_model(engine, group, fed, out);
  } else {
    // A drafter without a draft model (prompt lookup) proposes without any pass.
    for (int i = 0; i < k; ++i) {
      for (std::size_t r = 0; r < rows; ++r) {
        const Sequence& seq = engine.sequence(group.rows[r].seq);
        out.drafts[r][static_cast<std::size_t>(i)] =
            engine.propose(seq, i + 1, seq.cached_length() + i + 1, kNoModelChoice);
      }
    }
  }

  const ForwardOutput& v = round_pass(engine, group, ModelRole::target, Stage::verify, 0, k + 1,
                                      [&](std::size_t r, int t) {
                                        Feed f = fed(r, t);
                                        if (t == 0) f.slot_shift = group.rows[r].bonus_slot_shift;
                                        return f;
                                      });
  for (std::size_t r = 0; r < rows; ++r) {
    std::copy_n(
        v.argmax.begin() + static_cast<std::ptrdiff_t>(r * (static_cast<std::size_t>(k) + 1)),
        k + 1, out.targets[r].begin());
    out.accepted[r] = accepted_prefix(out.drafts[r], out.targets[r]);
  }
  if (engine.rejection_sampling() && engine.drafting()) judge_rows(engine, group, v, out);
}

// round_tokens into a reused buffer.
void round_tokens_into(const std::vector<Token>& drafts, const std::vector<Token>& targets,
                       int keep, std::vector<Token>& out) {
  require(keep >= 0 && keep < static_cast<int>(targets.size()) &&
              keep <= static_cast<int>(drafts.size()),
          "round_tokens: keep out of range");
  out.assign(drafts.begin(), drafts.begin() + keep);
  out.push_back(targets[static_cast<std::size_t>(keep)]);
}

}  // namespace

int RoundOutcome::most_accepted() const {
  int most = 0;
  for (int a : accepted) most = std::max(most, a);
  return most;
}

Round speculative_round(Engine& engine, const RoundGroup& group, const RoundOptions& options) {
  Round round;
  speculative_round(engine, group, options, round);
  return round;
}

void speculative_round(Engine& engine, const RoundGroup& group, const RoundOptions& options,
                       Round& round) {
  require(!group.rows.empty(), "speculative_round: the group has no rows");
  prefill_fresh_rows(engine, group);
  draft_and_verify(engine, group, round.outcome);
  round.kept = round.outcome.accepted;
  if (options.keep_least) {
    const int least = *std::min_element(round.kept.begin(), round.kept.end());
    std::fill(round.kept.begin(), round.kept.end(), least);
  }
  round.committed = commit_rows(engine, group.rows, round.outcome, round.kept);
  trace_round(engine, layout_name(group.layout), group.rows,
              group.layout == Layout::padded ? group.width : 0, round.outcome, round.committed,
              options.grouped);
}

int accepted_prefix(const std::vector<Token>& drafts, const std::vector<Token>& targets) {
  require(targets.size() == drafts.size() + 1, "accepted_prefix: needs k drafts and k + 1 targets");
  int a = 0;
  while (a < static_cast<int>(drafts.size()) &&
         drafts[static_cast<std::size_t>(a)] == targets[static_cast<std::size_t>(a)]) {
    ++a;
  }
  return a;
}

std::vector<Token> round_tokens(const std::vector<Token>& drafts, const std::vector<Token>& targets,
                                int keep) {
  std::vector<Token> out;
  round_tokens_into(drafts, targets, keep, out);
  return out;
}

int kv_length_after_round(const Engine& engine, const KvLengthAfterRound& row) {
  const FaultSet& f = engine.faults();
  if (!f.any() || !engine.drafting()) return row.correct;
  const int k = engine.k();
  int length = row.correct;
  // An uncropped cache keeps all k+1 fed tokens; a scalar offset advances every row by the
  // batch's most; a fully accepted round miscounted as k-1 drops d_k.
  if (f.has(Fault::stale_kv_after_rejection)) length = row.before + k + 1;
  if (f.has(Fault::uniform_kv_offset)) length = row.before + row.most_accepted + 1;
  if (f.has(Fault::all_accepted_as_k_minus_1) && row.accepted == k) length -= 1;
  return length;
}

int bonus_slot_shift_after_round(const Engine& engine, int accepted) {
  if (!engine.faults().has(Fault::bonus_kv_wrong_slot) || !engine.drafting()) return 0;
  return engine.k() - 1 - accepted;
}

RoundGroup align_group(Engine& engine, CacheId target, CacheId draft, const std::vector<int>& seqs,
                       const std::vector<int>& cache_rows) {
  require(seqs.size() == cache_rows.size(), "align_group: one cache row per sequence");
  RoundGroup group{.layout = Layout::padded, .target = target, .draft = draft, .rows = {}};
  for (int id : seqs) group.width = std::max(group.width, engine.sequence(id).cached_length());
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    group.rows.push_back({.seq = seqs[i],
                          .cache_row = cache_rows[i],
                          .pad = group.width - engine.sequence(seqs[i]).cached_length()});
  }
  return group;
}
std::vector<RowPlacement> padded_placements(Engine& engine, const RoundGroup& group) {
  std::vector<RowPlacement> out;
  for (const auto& row : group.rows) {
    const Sequence& seq = engine.sequence(row.seq);
    const int length = group.width - row.pad;
    out.push_back(
        {seq.id, ModelRole::target, group.target, row.cache_row, row.pad, length, group.width});
    if (engine.has_draft_model()) {
      out.push_back(
          {seq.id, ModelRole::draft, group.draft, row.cache_row, row.pad, length, group.width});
    }
  }
  return out;
}

std::vector<int> commit_rows(Engine& engine, const std::vector<RoundRow>& rows,
                             const RoundOutcome& outcome, const std::vector<int>& keep) {
  std::vector<int> committed(rows.size());
  std::vector<Token> tokens;  // one buffer for every row
  for (std::size_t r = 0; r < rows.size(); ++r) {
    round_tokens_into(outcome.drafts[r], outcome.targets[r], keep[r], tokens);
    // accept-first-rejected: the last committed token is the first rejected draft instead of
    // the target's correction (a fully accepted round has no rejected draft: the bonus stays).
    if (engine.faults().has(Fault::accept_first_rejected) &&
        keep[r] < static_cast<int>(outcome.drafts[r].size())) {
      tokens.back() = outcome.drafts[r][static_cast<std::size_t>(keep[r])];
    }
    committed[r] = engine.commit_round(rows[r].cache_row, engine.sequence(rows[r].seq), tokens,
                                       outcome.accepted[r]);
  }
  return committed;
}

void trace_round(Engine& engine, const char* form, const std::vector<RoundRow>& group_rows,
                 int width, const RoundOutcome& outcome, const std::vector<int>& committed,
                 bool grouped) {
  if (!engine.tracing()) return;
  trace::VerifyRecord record{
      .step = engine.step(), .form = form, .width = width, .grouped = grouped};
  for (std::size_t r = 0; r < group_rows.size(); ++r) {
    const Sequence& seq = engine.sequence(group_rows[r].seq);
    record.rows.push_back({.seq = seq.id,
                           .row = group_rows[r].cache_row,
                           .pad = group_rows[r].pad,
                           .accepted = outcome.accepted[r],
                           .committed = committed[r],
                           .finished = seq.finished,
                           .drafts = outcome.drafts[r],
                           .targets = outcome.targets[r]});
    if (!outcome.verdicts.empty()) {
      record.rows.back().judged = outcome.verdicts[r].judged;
      record.rows.back().sampled = outcome.verdicts[r].sampled;
    }
  }
  engine.record(record);
}

}  // namespace lockstep::sim
