#include "verify/commit_sources.h"

#include <fmt/core.h>

#include "sim/error.h"

namespace lockstep::verify {

const char* pass_kind_name(PassKind kind) {
  switch (kind) {
    case PassKind::prefill:
      return "prefill";
    case PassKind::decode:
      return "decode";
    case PassKind::verify:
      return "verify";
  }
  return "decode";
}

std::string PassShape::describe() const {
  if (packed) return fmt::format("packed {} tokens in {} rows", tokens, rows);
  return fmt::format("padded {}x{} past {}", rows, tokens, past);
}

CommitSources::CommitSources(int sequences) {
  require(sequences >= 0, "CommitSources: negative sequence count");
  latest_.resize(static_cast<std::size_t>(sequences));
  sources_.resize(static_cast<std::size_t>(sequences));
}

void CommitSources::begin_pass(PassShape shape) {
  ++passes_;
  shape_ = shape;
}

void CommitSources::note_query(const sim::TokenTag& tag, sim::Token fed, std::size_t out_index,
                               const sim::ForwardOutput& out) {
  if (tag.seq < 0 || tag.index < 0) return;  // a pad: its output is never used
  require(static_cast<std::size_t>(tag.seq) < latest_.size(), [&] {
    return "CommitSources: a pass tags seq " + std::to_string(tag.seq) + " of a run of " +
           std::to_string(latest_.size());
  });
  LatestPass& p = latest_[static_cast<std::size_t>(tag.seq)];
  if (p.pass != passes_) {
    p = LatestPass{.pass = passes_, .shape = shape_, .first = tag.index};
  }
  if (tag.index < p.first) {  // rows list their tokens in index order; be robust anyway
    const auto grow = static_cast<std::size_t>(p.first - tag.index);
    p.fed.insert(p.fed.begin(), grow, -1);
    p.argmax.insert(p.argmax.begin(), grow, -1);
    p.top2.insert(p.top2.begin(), grow, std::nullopt);
    p.first = tag.index;
  }
  const auto at = static_cast<std::size_t>(tag.index - p.first);
  if (p.fed.size() <= at) {
    p.fed.resize(at + 1, -1);
    p.argmax.resize(at + 1, -1);
    p.top2.resize(at + 1, std::nullopt);
  }
  p.fed[at] = fed;
  p.argmax[at] = out.argmax[out_index];
  if (!out.top2.empty()) p.top2[at] = out.top2[out_index];
}

void CommitSources::on_forward_padded(sim::ModelRole role, const sim::PaddedBatch& b,
                                      const sim::ForwardOutput& out) {
  if (role != sim::ModelRole::target) return;
  const auto n = static_cast<std::size_t>(b.rows) * static_cast<std::size_t>(b.tokens);
  require(b.tags.size() == n && b.input_ids.size() == n && out.argmax.size() == n &&
              (out.top2.empty() || out.top2.size() == n),
          "CommitSources: a padded pass's tags, inputs and outputs are not [R * T]");
  begin_pass({.step = step_, .packed = false, .rows = b.rows, .tokens = b.tokens, .past = b.past});
  for (std::size_t i = 0; i < n; ++i) note_query(b.tags[i], b.input_ids[i], i, out);
}

void CommitSources::on_forward_packed(sim::ModelRole role, const sim::PackedBatch& b,
                                      const sim::ForwardOutput& out) {
  if (role != sim::ModelRole::target) return;
  const std::size_t n = b.tokens.size();
  require(
      b.tags.size() == n && out.argmax.size() == n && (out.top2.empty() || out.top2.size() == n),
      "CommitSources: a packed pass's tags and outputs are not [N]");
  begin_pass(
      {.step = step_, .packed = true, .rows = b.rows(), .tokens = static_cast<int>(n), .past = 0});
  for (std::size_t i = 0; i < n; ++i) note_query(b.tags[i], b.tokens[i], i, out);
}

void CommitSources::on_commit(int step, int, const sim::Sequence& seq, int index) {
  require(seq.id >= 0 && static_cast<std::size_t>(seq.id) < sources_.size(),
          "CommitSources: commit of a sequence outside the run");
  CommitSource source;
  source.commit_step = step;
  const LatestPass& p = latest_[static_cast<std::size_t>(seq.id)];
  const int query = index - 1;  // the query whose output predicts index
  const int at = query - p.first;
  if (p.pass >= 0 && at >= 0 && at < static_cast<int>(p.fed.size()) &&
      p.fed[static_cast<std::size_t>(at)] >= 0) {
    source.found = true;
    source.predicted = p.argmax[static_cast<std::size_t>(at)];
    source.top2 = p.top2[static_cast<std::size_t>(at)];
    source.pass = p.shape;
    source.context_matches = true;
    for (int i = 0; i <= at; ++i) {
      const sim::Token fed = p.fed[static_cast<std::size_t>(i)];
      if (fed >= 0 && fed != seq.tokens[static_cast<std::size_t>(p.first + i)])
        source.context_matches = false;
    }
    if (p.first < seq.prompt_len - 1) {
      source.kind = PassKind::prefill;
    } else {
      source.kind = p.fed.size() == 1 ? PassKind::decode : PassKind::verify;
    }
  }
  auto& filed = sources_[static_cast<std::size_t>(seq.id)];
  const auto position = static_cast<std::size_t>(index - seq.prompt_len);
  if (filed.size() <= position) filed.resize(position + 1);
  filed[position] = source;
}

const CommitSource* CommitSources::source(int seq, int position) const {
  require(seq >= 0 && static_cast<std::size_t>(seq) < sources_.size(),
          "CommitSources::source: unknown sequence");
  const auto& filed = sources_[static_cast<std::size_t>(seq)];
  if (position < 0 || static_cast<std::size_t>(position) >= filed.size()) return nullptr;
  return &filed[static_cast<std::size_t>(position)];
}

}  // namespace lockstep::verify
