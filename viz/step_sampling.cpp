// Judged drafts and drawn tokens of a sampled step (see step_sampling.h).
#include "viz/step_sampling.h"

#include <map>
#include <utility>

#include "sim/error.h"

namespace lockstep::viz {
namespace {

using SampleAt = std::map<std::pair<int, int>, const SampleRecord*>;  // (seq, position)

const SampleRecord* sample_at(const SampleAt& samples, int seq, int position) {
  const auto it = samples.find({seq, position});
  return it == samples.end() ? nullptr : it->second;
}

// Coupled: the drafts up to and including the first that differs from the target's sample,
// each with the target's p(d), then the target's sample after the accepted ones (the trace's
// `targets`, which under coupled acceptance are the target's samples).
void coupled_row(const sim::trace::VerifyRow& vr, const SampleAt& samples, GridRow& g) {
  const int k = static_cast<int>(vr.drafts.size());
  for (int i = 0; i < k && i <= vr.accepted; ++i) {
    const sim::Token d = vr.drafts[static_cast<std::size_t>(i)];
    const SampleRecord* s = sample_at(samples, vr.seq, g.first_draft + i);
    const bool known = s != nullptr && s->draft && *s->draft == d;
    g.judged.push_back(sim::JudgedDraft{.draft = d,
                                        .p_weight = known ? s->draft_weight : 0,
                                        .p_total = known ? s->total : 0,
                                        .accepted = i < vr.accepted});
  }
  const sim::Token token = vr.targets[static_cast<std::size_t>(vr.accepted)];
  const SampleRecord* s = sample_at(samples, vr.seq, g.first_draft + vr.accepted);
  const bool known = s != nullptr && s->token == token;
  g.drawn = sim::SampledToken{.source = "target sample",
                              .token = token,
                              .weight = known ? s->weight : 0,
                              .total = known ? s->total : 0};
}

}  // namespace

void add_sampling(const Trace& trace, const VerifyRecord& verify, StepView& view) {
  if (!trace.run.sampling || trace.run.k == 0) return;
  require(verify.rows.size() == view.grid.size(), "add_sampling: one grid row per verify row");
  SampleAt samples;
  for (const auto& s : trace.samples) {
    if (s.step == verify.step) samples[{s.seq, s.position}] = &s;
  }
  for (std::size_t r = 0; r < verify.rows.size(); ++r) {
    const auto& vr = verify.rows[r];
    GridRow& g = view.grid[r];
    if (vr.drafts.empty()) continue;
    // The first fed token of the row is the pending one; d_1 comes right after it.
    for (const auto& c : g.cells) {
      if (c.tag.seq == vr.seq && (c.kind == CellKind::accepted || c.kind == CellKind::rejected)) {
        g.first_draft = c.tag.index;
        break;
      }
    }
    if (vr.sampled) {
      g.judged = vr.judged;
      g.drawn = vr.sampled;
    } else {
      coupled_row(vr, samples, g);
    }
  }
}

}  // namespace lockstep::viz
