#include <fmt/core.h>

#include "sim/error.h"
#include "sim/hash.h"
#include "sim/strategy.h"
#include "verify/verify.h"

namespace lockstep::verify {

std::string sequence_line(const CheckedRun& run, int seq, const sim::TokenText& text,
                          std::size_t columns) {
  const auto outputs = run.result.outputs();
  require(seq >= 0 && static_cast<std::size_t>(seq) < outputs.size(), [&] {
    return "sequence_line: seq " + std::to_string(seq) + " not in the run's " +
           std::to_string(outputs.size()) + " sequences";
  });
  const sim::Sequence& s = run.result.sequences[static_cast<std::size_t>(seq)];
  // printable() escapes '"', so the quotes delimit the text unambiguously.
  return fmt::format("  seq {:<3} {:>4}/{:<4} accepted  \"{}\"", s.id, s.draft_accepted,
                     s.draft_proposed,
                     sim::cut_line(text.text(outputs[static_cast<std::size_t>(seq)]), columns));
}

namespace {

nlohmann::json side_json(const std::optional<sim::Token>& token,
                         const std::optional<CommitSource>& source) {
  if (!token) return nullptr;
  nlohmann::json j = {{"token", *token}};
  if (!source) return j;
  const PassShape& p = source->pass;
  j.update({{"kind", pass_kind_name(source->kind)},
            {"step", p.step},
            {"commit_step", source->commit_step},
            {"form", sim::layout_name(p.packed ? sim::Layout::packed : sim::Layout::padded)},
            {"rows", p.rows},
            {"tokens", p.tokens},
            {"past", p.past}});
  const auto& t = source->top2;
  j["best"] = t ? nlohmann::json(t->best) : nlohmann::json();
  j["second"] = t ? nlohmann::json(t->second) : nlohmann::json();
  j["second_token"] = t ? nlohmann::json(t->second_token) : nlohmann::json();
  j["gap"] = t ? nlohmann::json(t->best - t->second) : nlohmann::json();
  return j;
}

}  // namespace

nlohmann::json divergence_json(const DivergenceAnatomy& d) {
  return {{"seq", d.seq},
          {"position", d.position},
          {"index", d.index},
          {"run", side_json(d.run_token, d.run)},
          {"ar", side_json(d.ar_token, d.ar)}};
}

nlohmann::json summary_json(const CheckedRun& run, const sim::TokenText* text) {
  const auto& m = run.result.metrics;
  nlohmann::json violations = nlohmann::json::array();
  for (const auto& v : run.violations) {
    violations.push_back({{"invariant", v.invariant},
                          {"step", v.step},
                          {"row", v.row},
                          {"slot", v.slot},
                          {"detail", v.detail}});
  }
  nlohmann::json divergences = nlohmann::json::array();
  for (const auto& d : run.divergences) divergences.push_back(divergence_json(d));
  nlohmann::json sequences = nlohmann::json::array();
  for (const auto& s : run.result.sequences) {
    sequences.push_back({{"seq", s.id},
                         {"prompt_tokens", s.prompt_len},
                         {"generated", s.generated()},
                         {"rounds", s.rounds},
                         {"draft_proposed", s.draft_proposed},
                         {"draft_accepted", s.draft_accepted},
                         {"mean_tokens_per_step",
                          s.rounds == 0 ? 0.0 : static_cast<double>(s.generated()) / s.rounds},
                         {"equivalent", run.result.outputs()[static_cast<std::size_t>(s.id)] ==
                                            run.oracle[static_cast<std::size_t>(s.id)]}});
    if (text != nullptr) {
      const std::span<const sim::Token> prompt(s.tokens.data(),
                                               static_cast<std::size_t>(s.prompt_len));
      sequences.back()["prompt_text"] = text->text(prompt);
      sequences.back()["text"] = text->text(run.result.outputs()[static_cast<std::size_t>(s.id)]);
    }
  }
  nlohmann::json out = {
      {"scenario", run.scenario.name},
      {"backend", run.scenario.backend},
      {"numerics", sim::numerics_name(run.scenario.target.numerics)},
      {"strategy", run.scenario.strategy},
      {"batch_size", run.scenario.batch_size},
      {"k", run.scenario.k},
      {"window", run.scenario.window},
      {"max_new_tokens", run.scenario.max_new_tokens},
      {"sequences", run.result.sequences.size()},
      {"equivalent_sequences", run.equivalent_sequences},
      {"invariants_checked", run.invariants_checked},
      {"violation_count", run.violation_count},
      {"violations", violations},
      {"numerics_divergences", run.numerics_divergences},
      {"divergences", divergences},
      {"steps", m.steps},
      {"rounds", m.rounds},
      {"forward_passes", m.forward_passes},
      {"generated_tokens", m.generated_tokens},
      {"draft_proposed", m.draft_proposed},
      {"draft_accepted", m.draft_accepted},
      {"acceptance_rate", m.acceptance_rate()},
      {"mean_tokens_per_step", m.mean_tokens_per_step()},
      {"accepted_length_histogram", m.accepted_length_histogram},
      {"position_acceptance", m.position_acceptance()},
      {"grouped_steps", m.grouped_steps},
      {"grouping_rate", m.grouping_rate()},
      {"realign_bytes", m.realign_bytes},
      {"realign_moves", m.realign_moves},
      {"realign_share", m.realign_share()},
      {"stage_seconds",
       {{"draft", m.seconds.draft},
        {"verify", m.seconds.verify},
        {"realign", m.seconds.realign},
        {"prefill", m.seconds.prefill},
        {"other", m.seconds.other}}},
      {"run_seconds", run.run_seconds},
      {"reference_seconds", run.reference_seconds},
      {"trace_digest", sim::hex64(run.trace_digest)},
      {"outputs", run.result.outputs()},
      {"per_sequence", sequences},
  };
  if (text != nullptr) out["text_source"] = text->source();
  if (run.predicted) {
    // Predictions of the cost model (docs/cost-model.md) beside the measured stage_seconds.
    const auto& p = *run.predicted;
    const auto stages = [](const sim::StageSeconds& s) {
      return nlohmann::json{{"draft", s.draft},     {"verify", s.verify}, {"realign", s.realign},
                            {"prefill", s.prefill}, {"other", s.other},   {"total", s.total()}};
    };
    out["cost"] = run.cost_spec;
    out["predicted_seconds"] = stages(p.stages(sim::RealignMode::inplace));
    out["predicted_tokens_per_second"] =
        p.tokens_per_second(m.generated_tokens, sim::RealignMode::inplace);
    out["predicted_realign_share"] = p.realign_share(sim::RealignMode::inplace);
    out["predicted_realign_bytes"] = p.realign_bytes;
    out["predicted_paper_seconds"] = stages(p.stages(sim::RealignMode::paper));
    out["predicted_paper_tokens_per_second"] =
        p.tokens_per_second(m.generated_tokens, sim::RealignMode::paper);
  }
  return out;
}

}  // namespace lockstep::verify
