#include "sim/padded_round.h"

#include <algorithm>
#include <cstdint>
#include <optional>

#include "sim/error.h"

namespace lockstep::sim {
namespace {

constexpr Token kPadToken = 0;

struct Feed {
  Token token = kPadToken;
  TokenTag tag;        // pad unless tag.seq >= 0
  int slot_shift = 0;  // write slot - column: 0 except under fault bonus-kv-wrong-slot
};

// The layout faults a padded pass can carry, read once per pass from the engine.
struct PassFaults {
  bool positions_from_index = false;
  bool pads_visible = false;
  std::optional<Token> eos_is_pad;  // pad-equals-eos: tokens with this id count as padding

  explicit PassFaults(const Engine& engine) {
    const FaultSet& f = engine.faults();
    positions_from_index = f.has(Fault::positions_from_padded_index);
    pads_visible = f.has(Fault::pads_visible);
    if (f.has(Fault::pad_equals_eos)) eos_is_pad = engine.scenario().eos_token;
  }
};

// One rectangular pass over `rows`: `past` columns already in the cache, `tokens` new ones
// written at columns past..past+tokens-1; feed(r, t) gives the token and its tag. The layout,
// not the token tags, decides positions and the mask, so a layout bug shows up as a
// tag/position disagreement.
template <typename FeedAt>
const PaddedBatch& padded_pass(Engine& engine, CacheId cache, const std::vector<PaddedRow>& rows,
                               int past, int tokens, FeedAt&& feed) {
  PaddedBatch& b = engine.padded_scratch();
  const PassFaults faults(engine);
  const Token pad_token = faults.eos_is_pad.value_or(kPadToken);
  b.cache = cache;
  b.rows = static_cast<int>(rows.size());
  b.past = past;
  b.tokens = tokens;
  const auto columns = static_cast<std::size_t>(past + tokens);
  const std::size_t cells = rows.size() * static_cast<std::size_t>(tokens);
  b.cache_rows.clear();
  b.input_ids.clear();
  b.positions.clear();
  b.write_slots.clear();
  b.tags.clear();
  b.cache_rows.reserve(rows.size());
  b.input_ids.reserve(cells);
  b.positions.reserve(cells);
  b.write_slots.reserve(cells);
  b.tags.reserve(cells);
  b.mask.assign(rows.size() * columns, 0);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const PaddedRow& row = rows[r];
    b.cache_rows.push_back(row.cache_row);
    std::uint8_t* mask = b.mask.data() + r * columns;
    const int pad = faults.pads_visible ? 0 : row.pad;
    const auto first_visible = static_cast<std::size_t>(std::clamp(pad, 0, past + tokens));
    std::fill(mask + first_visible, mask + columns, std::uint8_t{1});
    if (faults.eos_is_pad) {
      // The mask is rebuilt from the row's token ids (input_ids != pad_id): every cached EOS
      // of the sequence is taken for padding.
      const Sequence& seq = engine.sequence(row.seq);
      for (int c = std::max(row.pad, 0); c < past; ++c) {
        const int index = c - row.pad;
        if (index < seq.length() && seq.tokens[static_cast<std::size_t>(index)] == pad_token)
          mask[c] = 0;
      }
    }
    for (int t = 0; t < tokens; ++t) {
      const int column = past + t;
      Feed f = feed(r, t);
      if (f.tag.seq < 0) f.token = pad_token;
      b.input_ids.push_back(f.token);
      b.positions.push_back(faults.positions_from_index ? column : std::max(column - row.pad, 0));
      b.write_slots.push_back(column + f.slot_shift);
      b.tags.push_back(f.tag);
      if (f.tag.seq < 0 && !faults.pads_visible) mask[column] = 0;
      if (faults.eos_is_pad && f.token == pad_token) mask[column] = 0;
    }
  }
  return b;
}

void prefill_fresh_rows(Engine& engine, const PaddedGroup& group) {
  std::vector<PaddedRow> fresh;
  for (const auto& row : group.rows) {
    if (!engine.sequence(row.seq).prefilled) fresh.push_back(row);
  }
  if (fresh.empty()) return;
  if (group.width > 0) {
    auto feed = [&](std::size_t r, int c) {
      const PaddedRow& row = fresh[r];
      if (c < row.pad) return Feed{};
      const Sequence& seq = engine.sequence(row.seq);
      return Feed{seq.tokens[static_cast<std::size_t>(c - row.pad)], TokenTag{seq.id, c - row.pad}};
    };
    engine.forward(ModelRole::target,
                   padded_pass(engine, group.target, fresh, 0, group.width, feed), Stage::prefill);
    if (engine.drafting()) {
      engine.forward(ModelRole::draft,
                     padded_pass(engine, group.draft, fresh, 0, group.width, feed), Stage::prefill);
    }
  }
  for (const auto& row : fresh) engine.sequence(row.seq).prefilled = true;
}

}  // namespace

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
  require(keep >= 0 && keep < static_cast<int>(targets.size()) &&
              keep <= static_cast<int>(drafts.size()),
          "round_tokens: keep out of range");
  std::vector<Token> out(drafts.begin(), drafts.begin() + keep);
  out.push_back(targets[static_cast<std::size_t>(keep)]);
  return out;
}

PaddedGroup align_group(Engine& engine, CacheId target, CacheId draft, const std::vector<int>& seqs,
                        const std::vector<int>& cache_rows) {
  require(seqs.size() == cache_rows.size(), "align_group: one cache row per sequence");
  PaddedGroup group{target, draft, {}, 0};
  for (int id : seqs) group.width = std::max(group.width, engine.sequence(id).cached_length());
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    group.rows.push_back(
        {seqs[i], cache_rows[i], group.width - engine.sequence(seqs[i]).cached_length()});
  }
  return group;
}

RoundOutcome run_padded_round(Engine& engine, const PaddedGroup& group) {
  prefill_fresh_rows(engine, group);
  const int k = engine.k();
  const std::size_t rows = group.rows.size();
  RoundOutcome out;
  out.drafts.assign(rows, std::vector<Token>(static_cast<std::size_t>(k)));
  out.targets.assign(rows, std::vector<Token>(static_cast<std::size_t>(k) + 1));
  out.accepted.assign(rows, 0);

  // Token fed at step t of the round: the pending (newest committed) token, then the drafts.
  auto fed = [&](std::size_t r, int t) {
    const Sequence& seq = engine.sequence(group.rows[r].seq);
    const Token token = t == 0 ? seq.tokens.back() : out.drafts[r][static_cast<std::size_t>(t - 1)];
    return Feed{token, TokenTag{seq.id, seq.cached_length() + t}};
  };

  // The (k+1)-th draft pass only writes d_k's KV; bonus-kv-missing skips it.
  const int draft_passes = engine.faults().has(Fault::bonus_kv_missing) ? k : k + 1;
  for (int i = 0; i < draft_passes && engine.drafting(); ++i) {
    const ForwardOutput& o =
        engine.forward(ModelRole::draft,
                       padded_pass(engine, group.draft, group.rows, group.width + i, 1,
                                   [&](std::size_t r, int) { return fed(r, i); }),
                       Stage::draft);
    if (i == k) break;
    for (std::size_t r = 0; r < rows; ++r) {
      const Sequence& seq = engine.sequence(group.rows[r].seq);
      out.drafts[r][static_cast<std::size_t>(i)] =
          engine.propose(seq, i + 1, seq.cached_length() + i + 1, o.argmax[r]);
    }
  }

  const ForwardOutput& v =
      engine.forward(ModelRole::target,
                     padded_pass(engine, group.target, group.rows, group.width, k + 1,
                                 [&](std::size_t r, int t) {
                                   Feed f = fed(r, t);
                                   if (t == 0) f.slot_shift = group.rows[r].bonus_slot_shift;
                                   return f;
                                 }),
                     Stage::verify);
  for (std::size_t r = 0; r < rows; ++r) {
    std::copy_n(
        v.argmax.begin() + static_cast<std::ptrdiff_t>(r * (static_cast<std::size_t>(k) + 1)),
        k + 1, out.targets[r].begin());
    out.accepted[r] = accepted_prefix(out.drafts[r], out.targets[r]);
  }
  return out;
}

std::vector<RowPlacement> padded_placements(Engine& engine, const PaddedGroup& group) {
  std::vector<RowPlacement> out;
  for (const auto& row : group.rows) {
    const Sequence& seq = engine.sequence(row.seq);
    const int length = group.width - row.pad;
    out.push_back(
        {seq.id, ModelRole::target, group.target, row.cache_row, row.pad, length, group.width});
    if (engine.drafting()) {
      out.push_back(
          {seq.id, ModelRole::draft, group.draft, row.cache_row, row.pad, length, group.width});
    }
  }
  return out;
}

std::vector<int> commit_rows(Engine& engine, const std::vector<PaddedRow>& rows,
                             const RoundOutcome& outcome, const std::vector<int>& keep) {
  std::vector<int> committed(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    auto tokens = round_tokens(outcome.drafts[r], outcome.targets[r], keep[r]);
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

void trace_round(Engine& engine, const char* form, const std::vector<PaddedRow>& group_rows,
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
  }
  engine.record(record);
}

}  // namespace lockstep::sim
