// Fault injection (DESIGN §4): named, deliberate synchronization bugs that reproduce the
// ragged-batch bug classes found in published batch speculative decoding code, so that the
// verifier can be shown to catch each one.
//
// Contract: a fault corrupts only the controller's layout arithmetic or bookkeeping
// (position ids, masks, write slots, KV lengths, move plans, what gets committed, the keys of
// sampled draws), never the
// token tags (they come from the sequence truth, so the checker can see the disagreement)
// and never the backend (every backend runs the same wrong plan). A run with no faults is
// byte-identical to a build without this file. docs/faults.md documents every fault, the
// real bug it reproduces, and which strategies it can touch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lockstep::sim {

struct StrategyInfo;

enum class Fault : std::uint8_t {
  stale_kv_after_rejection,
  positions_from_padded_index,
  pads_visible,
  padding_compounds,
  bonus_kv_missing,
  bonus_kv_duplicated,
  draft_cache_not_realigned,
  all_accepted_as_k_minus_1,
  exspec_group_by_length,
  uniform_kv_offset,
  accept_first_rejected,
  pad_equals_eos,
  bonus_kv_wrong_slot,
  first_eos_only,
  sample_key_batch_row,
  sample_key_pass_counter,
  rejection_residual_unnormalized,
  rejection_bonus_from_q,
  rejection_accept_if_p_ge_q,
};

struct FaultInfo {
  Fault fault;
  const char* name;         // kebab-case, as written in scenarios and on the command line
  const char* description;  // what the controller does wrong, one line
  const char* reproduces;   // the real-world bug it stands for, one line
  // The strategy traits (sim/strategy.h) whose code path the fault can reach; on a strategy
  // without them it is a no-op. `reaches` says the same in words.
  bool (*applies_to)(const StrategyInfo& strategy);
  const char* reaches;
};

// Every fault this build can inject, in a fixed order (the matrix and docs follow it).
const std::vector<FaultInfo>& fault_registry();
std::vector<std::string> fault_names();
// The sampling-key faults: only the comparison with sampled batch-1 AR (I5 under exact
// numerics) can see them, since a wrongly keyed draw is still the target's own choice. Under
// float numerics, where batch-1 AR is no oracle, the fault matrix leaves them out.
bool caught_only_against_the_oracle(Fault fault);
// The rejection-sampling faults (sim/rejection.h): they bias the output distribution, not the
// layout, and the check named for them is the distribution test (a G-test of many seeds'
// outputs against the exact target distribution, `lockstep verify-dist`). I1-I4 cannot see
// them; I5 under rejection recomputes each commit by the correct rule and so flags a commit
// one of them changed (tests/test_rejection_sampling.cpp), but whether one fires needs a
// particular drafter (a bonus from q needs a fully accepted round and a draft model unlike the
// target), so the fault matrix, which needs every fault caught on the library, leaves them out.
bool is_distribution_fault(Fault fault);
const FaultInfo& fault_info(Fault fault);
// Whether `fault` can touch a run of `strategy` (a preset: its base strategy). Throws
// InputError for an unknown strategy.
bool fault_applies(Fault fault, const std::string& strategy);
bool fault_applies(Fault fault, const StrategyInfo& strategy);

// A set of faults, as the controller consults it at every injection point (a bit test).
class FaultSet {
 public:
  FaultSet() = default;
  // Throws InputError naming an unknown fault.
  static FaultSet from_names(const std::vector<std::string>& names);
  bool has(Fault f) const { return (bits_ >> static_cast<unsigned>(f)) & 1u; }
  bool any() const { return bits_ != 0; }
  void add(Fault f) { bits_ |= 1u << static_cast<unsigned>(f); }

 private:
  std::uint32_t bits_ = 0;
};

// Strategy presets: a name usable wherever a strategy is, standing for a base strategy run
// with a fixed set of faults (the failure modes the paper reports for that baseline).
struct StrategyPreset {
  const char* name;
  const char* base;
  std::vector<std::string> faults;
  const char* description;
};
const std::vector<StrategyPreset>& strategy_presets();
std::vector<std::string> strategy_preset_names();
// The preset called `name`, or nullptr.
const StrategyPreset* find_strategy_preset(const std::string& name);
// `strategy` itself, or the base strategy of the preset it names.
std::string base_strategy(const std::string& strategy);

}  // namespace lockstep::sim
