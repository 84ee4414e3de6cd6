#include "sim/faults.h"

#include <algorithm>

#include "sim/error.h"
#include "sim/strategy.h"

namespace lockstep::sim {
namespace {

// The trait combinations a fault's code path needs (see docs/faults.md for why).
bool every_strategy(const StrategyInfo&) {
  return true;
}
bool drafts(const StrategyInfo& s) {
  return s.drafts;
}
bool padded_passes(const StrategyInfo& s) {
  return s.layout == Layout::padded;
}
// The layout, not the sequence, says how long a row's KV is after a round (exspec crops
// every row to its sequence's length instead).
bool counts_kv_length(const StrategyInfo& s) {
  return s.drafts && s.realignment != Realignment::group_by_length;
}
// As above, with several rows whose accepted counts can differ.
bool counts_kv_length_of_several(const StrategyInfo& s) {
  return counts_kv_length(s) && batches_several(s);
}
bool repads(const StrategyInfo& s) {
  return s.drafts && s.realignment == Realignment::unpad_repad;
}
bool repads_several(const StrategyInfo& s) {
  return repads(s) && batches_several(s);
}
// Realignment moves KV between slots (a batch of one never moves).
bool realigns_by_moves(const StrategyInfo& s) {
  return s.drafts && (s.realignment == Realignment::group_by_length || repads_several(s));
}
bool groups_by_length(const StrategyInfo& s) {
  return s.drafts && s.realignment == Realignment::group_by_length;
}
// The round's bonus slot comes from the padded layout's width bookkeeping.
bool padded_width_bookkeeping(const StrategyInfo& s) {
  return s.drafts && s.layout == Layout::padded &&
         (s.realignment == Realignment::rollback || s.realignment == Realignment::unpad_repad);
}

}  // namespace

const std::vector<FaultInfo>& fault_registry() {
  static const std::vector<FaultInfo> table = {
      {Fault::stale_kv_after_rejection, "stale-kv-after-rejection",
       "the KV length advances by all k+1 fed tokens instead of a+1: rejected drafts stay "
       "visible and later positions run ahead",
       "an uncropped HF DynamicCache after verification (its length is its tensor length)",
       counts_kv_length, "drafting strategies whose layout counts KV lengths"},
      {Fault::positions_from_padded_index, "positions-from-padded-index",
       "position ids are the column index of the padded tensor instead of column - pad",
       "position_ids = arange(seq_len) with left padding, ignoring the attention mask",
       padded_passes, "padded passes"},
      {Fault::pads_visible, "pads-visible", "the attention mask marks pad columns visible",
       "an all-ones attention mask passed with a left-padded batch", padded_passes,
       "padded passes"},
      {Fault::padding_compounds, "padding-compounds",
       "repad without unpad: the old padding is kept as row content and new padding is added "
       "in front of it",
       "re-padding the padded rows to the longest row after appending the accepted tokens",
       repads_several, "unpad-repad realignment of several rows"},
      {Fault::bonus_kv_missing, "bonus-kv-missing",
       "the draft model never writes d_k's KV, so after a fully accepted round the draft cache "
       "has a hole before the bonus token",
       "k draft passes instead of k+1: the draft cache lacks the last draft when all k are "
       "accepted",
       drafts, "drafting strategies"},
      {Fault::bonus_kv_duplicated, "bonus-kv-duplicated",
       "the newest cached entry (the one the bonus logits came from) is appended a second "
       "time, so every later position is one off",
       "re-feeding the last accepted token to get the bonus logits into a cache that already "
       "holds it",
       repads, "unpad-repad realignment"},
      {Fault::draft_cache_not_realigned, "draft-cache-not-realigned",
       "realignment move plans are applied to the target cache only",
       "realigning the target's past_key_values but forgetting the draft model's cache",
       realigns_by_moves, "realignment by KV moves"},
      {Fault::all_accepted_as_k_minus_1, "all-accepted-as-k-minus-1",
       "when all k drafts are accepted the KV length is advanced by k instead of k+1 (output "
       "is right, the last draft's KV is dropped)",
       "an accepted-length off-by-one (argmax of the first mismatch) on fully accepted rounds",
       counts_kv_length, "drafting strategies whose layout counts KV lengths"},
      {Fault::exspec_group_by_length, "exspec-group-by-length",
       "EXSPEC groups sequences by length alone and runs the group as if every member had the "
       "first member's cache state (a fresh member is not prefilled)",
       "same-length grouping that ignores whether a member's prompt was ever prefilled",
       groups_by_length, "grouping by length"},
      {Fault::uniform_kv_offset, "uniform-kv-offset",
       "every row's KV offset advances by the batch's largest a+1 instead of its own",
       "a batched-MTP port to MLX with one scalar cache offset: wrong RoPE positions, "
       "acceptance collapsed, output looped",
       counts_kv_length_of_several,
       "drafting strategies whose layout counts the KV lengths of several rows"},
      {Fault::accept_first_rejected, "accept-first-rejected",
       "commits the first rejected draft instead of the target's correction",
       "an off-by-one in a DSD re-implementation's acceptance loop", drafts, "drafting strategies"},
      {Fault::pad_equals_eos, "pad-equals-eos",
       "pad id equals the EOS id and the mask is derived from token ids, so every EOS token "
       "in a row is taken for padding and masked",
       "attention_mask = input_ids != pad_token_id with pad_token_id = eos_token_id", padded_passes,
       "padded passes"},
      {Fault::bonus_kv_wrong_slot, "bonus-kv-wrong-slot",
       "the bonus token's KV is written at the slot after the whole draft block instead of "
       "after the accepted prefix (right only when a = k-1)",
       "bonus KV slot computed from k, not from the accepted length, in k > 1 speculation",
       padded_width_bookkeeping, "drafting on the padded layout's width bookkeeping"},
      {Fault::first_eos_only, "first-eos-only",
       "a sequence ends only at the first of the scenario's EOS ids; the others are committed "
       "as content and generation runs on",
       "`if token == eos_token_id` in a hand-written loop, for a model with several EOS ids "
       "(SmolLM2: <|im_end|> and <|endoftext|>)",
       every_strategy, "every strategy (with several EOS ids)"},
      {Fault::sample_key_batch_row, "sample-key-batch-row",
       "a sampled token's draw is keyed on the cache row the sequence runs in instead of the "
       "sequence id, so a refilled or regrouped row draws another sequence's uniforms",
       "a per-slot (batch row) random generator in a batched sampler: outputs change with "
       "batch composition and refill",
       every_strategy, "every strategy (sampled runs)"},
      {Fault::sample_key_pass_counter, "sample-key-pass-counter",
       "a sampled token's draw is keyed on (sequence, position) and the run's pass count, as "
       "if one generator advanced every forward pass",
       "one stateful generator (torch.Generator, curand state) advanced per forward call: the "
       "uniforms depend on how many passes the schedule ran",
       every_strategy, "every strategy (sampled runs)"},
      {Fault::rejection_residual_unnormalized, "rejection-residual-unnormalized",
       "at a rejected draft the correction is picked from max(0, p - q) as if its weights "
       "summed to p's total; a pick past the residual's mass keeps the target's own sample",
       "sampling the residual p - q clipped at 0 without renormalizing it (a uniform scaled by "
       "the wrong sum): corrections are biased towards the target's plain sample",
       drafts, "every drafting strategy (rejection sampling)"},
      {Fault::rejection_bonus_from_q, "rejection-bonus-from-q",
       "after k accepted drafts the bonus token is drawn from the draft model's distribution "
       "q_k+1 instead of the target's p_k+1",
       "the bonus drawn from the last draft logits (an off-by-one between the draft and target "
       "logits arrays)",
       drafts, "every drafting strategy (rejection sampling with a draft model)"},
      {Fault::rejection_accept_if_p_ge_q, "rejection-accept-if-p-ge-q",
       "a draft is accepted iff p(d) >= q(d), not with probability min(1, p(d) / q(d))",
       "a deterministic threshold in place of the accept test's uniform: drafts the draft "
       "model over-proposes are never accepted, the others always",
       drafts, "every drafting strategy (rejection sampling)"},
  };
  return table;
}

bool is_distribution_fault(Fault fault) {
  return fault == Fault::rejection_residual_unnormalized ||
         fault == Fault::rejection_bonus_from_q || fault == Fault::rejection_accept_if_p_ge_q;
}

bool caught_only_against_the_oracle(Fault fault) {
  return fault == Fault::sample_key_batch_row || fault == Fault::sample_key_pass_counter;
}

std::vector<std::string> fault_names() {
  std::vector<std::string> out;
  for (const auto& f : fault_registry()) out.emplace_back(f.name);
  return out;
}

const FaultInfo& fault_info(Fault fault) {
  for (const auto& f : fault_registry()) {
    if (f.fault == fault) return f;
  }
  throw ContractError("fault_info: fault missing from the registry");
}

bool fault_applies(Fault fault, const StrategyInfo& strategy) {
  return fault_info(fault).applies_to(strategy);
}

bool fault_applies(Fault fault, const std::string& strategy) {
  return fault_applies(fault, find_strategy(strategy));
}

FaultSet FaultSet::from_names(const std::vector<std::string>& names) {
  FaultSet set;
  for (const auto& name : names) {
    const auto& table = fault_registry();
    const auto it = std::find_if(table.begin(), table.end(),
                                 [&](const FaultInfo& f) { return name == f.name; });
    if (it == table.end()) throw InputError("unknown fault '" + name + "'");
    set.add(it->fault);
  }
  return set;
}

const std::vector<StrategyPreset>& strategy_presets() {
  static const std::vector<StrategyPreset> table = {
      {"bsp-like",
       "eqspec",
       {"stale-kv-after-rejection", "positions-from-padded-index"},
       "a BSP-style masking batch: rejected drafts stay in the KV cache, position ids follow "
       "the padded tensor index"},
      {"dsd-like",
       "eqspec",
       {"padding-compounds", "accept-first-rejected"},
       "a DSD-style re-padding batch: padding accumulates instead of unpad-repad, and the "
       "acceptance loop is off by one at the first rejection"},
  };
  return table;
}

std::vector<std::string> strategy_preset_names() {
  std::vector<std::string> out;
  for (const auto& p : strategy_presets()) out.emplace_back(p.name);
  return out;
}

const StrategyPreset* find_strategy_preset(const std::string& name) {
  for (const auto& p : strategy_presets()) {
    if (name == p.name) return &p;
  }
  return nullptr;
}

std::string base_strategy(const std::string& strategy) {
  const StrategyPreset* p = find_strategy_preset(strategy);
  return p != nullptr ? std::string(p->base) : strategy;
}

}  // namespace lockstep::sim
