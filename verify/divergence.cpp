#include "verify/divergence.h"

#include <algorithm>

#include <fmt/core.h>

#include "sim/error.h"
#include "sim/strategy.h"

namespace lockstep::verify {

std::optional<int> first_difference(const std::vector<sim::Token>& run,
                                    const std::vector<sim::Token>& ar) {
  const auto [run_at, ar_at] = std::mismatch(run.begin(), run.end(), ar.begin(), ar.end());
  if (run_at == run.end() && ar_at == ar.end()) return std::nullopt;
  return static_cast<int>(run_at - run.begin());
}

DivergenceAnatomy anatomy_of(int seq, int prompt_len, const std::vector<sim::Token>& run,
                             const std::vector<sim::Token>& ar, const CommitSources* run_sources,
                             const CommitSources* ar_sources) {
  const std::optional<int> at = first_difference(run, ar);
  require(at.has_value(), [&] {
    return "anatomy_of: seq " + std::to_string(seq) + " equals batch-1 AR, nothing to dissect";
  });
  DivergenceAnatomy a{.seq = seq, .position = *at, .index = prompt_len + *at};
  const auto p = static_cast<std::size_t>(*at);
  const auto side = [&](const std::vector<sim::Token>& out, const CommitSources* sources,
                        std::optional<sim::Token>& token, std::optional<CommitSource>& source) {
    if (p >= out.size()) return;
    token = out[p];
    if (sources == nullptr) return;
    if (const CommitSource* s = sources->source(seq, *at); s != nullptr && s->found) source = *s;
  };
  side(run, run_sources, a.run_token, a.run);
  side(ar, ar_sources, a.ar_token, a.ar);
  return a;
}

namespace {

std::optional<sim::trace::DivergenceSide> side_record(const std::optional<sim::Token>& token,
                                                      const std::optional<CommitSource>& source) {
  if (!token) return std::nullopt;
  sim::trace::DivergenceSide side{.token = *token};
  if (!source) return side;
  const PassShape& p = source->pass;
  side.pass = sim::trace::DivergencePass{
      .kind = pass_kind_name(source->kind),
      .form = sim::layout_name(p.packed ? sim::Layout::packed : sim::Layout::padded),
      .step = p.step,
      .commit_step = source->commit_step,
      .rows = p.rows,
      .tokens = p.tokens,
      .past = p.past};
  if (source->top2) {
    side.top2 = sim::trace::DivergenceTop2{.best = source->top2->best,
                                           .second = source->top2->second,
                                           .second_token = source->top2->second_token};
  }
  return side;
}

}  // namespace

sim::trace::DetailDivergenceRecord divergence_record(const DivergenceAnatomy& d) {
  return {.step = d.run ? d.run->commit_step : 0,
          .seq = d.seq,
          .position = d.position,
          .index = d.index,
          .run = side_record(d.run_token, d.run),
          .ar = side_record(d.ar_token, d.ar)};
}

std::string describe_top2(const std::optional<sim::LogitTop2>& top2) {
  if (!top2) return "no logits (the backend keeps none)";
  return fmt::format("best {:.6g} / second {:.6g} (token {}), gap {:.3g}", top2->best, top2->second,
                     top2->second_token, top2->best - top2->second);
}

std::string describe_side(const std::optional<sim::Token>& token,
                          const std::optional<CommitSource>& source) {
  if (!token) return "stopped before this position";
  if (!source) return fmt::format("token {} (its pass was not watched)", *token);
  return fmt::format("token {} from a {} pass at step {} ({}): {}", *token,
                     pass_kind_name(source->kind), source->pass.step, source->pass.describe(),
                     describe_top2(source->top2));
}

}  // namespace lockstep::verify
